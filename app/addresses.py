"""Addresses that last: a record's old slug leads to its current page (see ``SlugRedirect``)."""

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.document import KIND_BY_KEY
from app.models import SlugRedirect

# The reader's pages and API addresses that name a record by slug, and the kind of record they name.
BY_SLUG = {
    "/rounds/{slug}": "rounds",
    "/api/rounds/{slug}": "rounds",
    "/embed/round/{slug}": "rounds",
    "/parties/{slug}": "parties",
    "/api/parties/{slug}": "parties",
    "/people/{slug}": "people",
    "/api/people/{slug}": "people",
    "/topics/{slug}": "topics",
    "/api/topics/{slug}": "topics",
    "/negotiations/{slug}": "negotiations",
}


def current_slug(session: Session, *, kind: str, old: str) -> str | None:
    """The slug a record of ``kind`` has now, if ``old`` is one it used to have."""
    entity_id = session.exec(
        select(SlugRedirect.entity_id).where(col(SlugRedirect.kind) == kind, col(SlugRedirect.old_slug) == old)
    ).first()
    if entity_id is None:
        return None
    table = KIND_BY_KEY[kind].sa_table
    found = session.execute(sa.select(table.c.slug).where(table.c.id == entity_id)).scalar()
    return str(found) if found and found != old else None
