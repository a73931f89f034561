"""Addresses that last: a record's old slug leads to its current page (see ``SlugRedirect``)."""

import re
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlmodel import Session, col, select
from starlette.requests import Request

from app.record.document import KIND_BY_KEY
from app.record.models import SLUG_LENGTH, SLUG_PATTERN, SlugRedirect

_SLUG = re.compile(SLUG_PATTERN)

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

# Query parameters that name a record by slug (filters, the round a comparison is as of, a widget's
# focus), and the kind of record they name. A publisher's embedded comparison keeps working when a
# round it names is given a new address.
QUERY_SLUGS = {
    "negotiation": "negotiations",
    "party": "parties",
    "topic": "topics",
    "as_of": "rounds",
    "focus": "rounds",
}
# Past this many parameters an address is not one a page or widget made: it is not looked into.
MOST_PARAMETERS = 40


def current_slug(session: Session, *, kind: str, old: str) -> str | None:
    """The slug a record of ``kind`` has now, if ``old`` is one it used to have."""
    if len(old) > SLUG_LENGTH or not _SLUG.fullmatch(old):
        return None  # no record ever had it (and the database is not asked about arbitrary bytes)
    entity_id = session.exec(
        select(SlugRedirect.entity_id).where(col(SlugRedirect.kind) == kind, col(SlugRedirect.old_slug) == old)
    ).first()
    if entity_id is None:
        return None
    table = KIND_BY_KEY[kind].sa_table
    found = session.execute(sa.select(table.c.slug).where(table.c.id == entity_id)).scalar()
    return str(found) if found and found != old else None


def current_address(
    session: Session, *, path: str, kind: str | None, slug: str | None, query: list[tuple[str, str]]
) -> str | None:
    """Where ``path?query`` is now, when a slug in it (the path's last part, of ``kind``, or a query
    parameter in ``QUERY_SLUGS``) is one a record has left; None when nothing in it has moved."""
    moved_path = path
    if kind is not None and slug:
        now = current_slug(session, kind=kind, old=slug)
        if now is not None:
            moved_path = path.rsplit("/", 1)[0] + "/" + now
    moved_query = list(query)
    if len(query) <= MOST_PARAMETERS:
        moved_query = [
            (
                name,
                (current_slug(session, kind=QUERY_SLUGS[name], old=value) or value) if name in QUERY_SLUGS else value,
            )
            for name, value in query
        ]
    if moved_path == path and moved_query == query:
        return None
    return moved_path + (f"?{urlencode(moved_query)}" if moved_query else "")


def address_now(request: Request, session: Session) -> str | None:
    """Where the address asked for is now, if a record it names by slug has since changed its slug."""
    route = request.scope.get("route")
    slug = request.path_params.get("slug")
    return current_address(
        session,
        path=request.url.path,
        kind=BY_SLUG.get(getattr(route, "path", "")),
        slug=slug if isinstance(slug, str) else None,
        query=request.query_params.multi_items(),
    )
