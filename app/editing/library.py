"""The source library: every source in the record, found by title, publisher, address or date.

Editors come here to correct a source (a title mistyped, a date missing) or to see which ones are
cited by nothing; the pickers search the same way (``pickers.source_matches``).
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.editing.pickers import SOURCES_ORDER, source_matches
from app.record.models import Citation, Source

PER_PAGE = 50


@dataclass(frozen=True)
class ListedSource:
    source: Source
    citations: int  # claims in the record citing it, readers' or not yet published


@dataclass(frozen=True)
class Library:
    words: str
    sources: list[ListedSource]
    found: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.found // PER_PAGE))


def library(session: Session, *, words: str, page: int = 1) -> Library:
    """The sources matching ``words`` (all of them when empty), newest first, ``PER_PAGE`` at a time."""
    matching = source_matches(words)
    found = session.exec(select(sa.func.count()).select_from(Source).where(matching)).one()
    page = min(max(page, 1), max(1, -(-found // PER_PAGE)))
    cited = (
        select(col(Citation.source_id), sa.func.count().label("n")).group_by(col(Citation.source_id)).subquery("cited")
    )
    rows = session.exec(
        select(Source, sa.func.coalesce(cited.c.n, 0))
        .outerjoin(cited, cited.c.source_id == Source.id)
        .where(matching)
        .order_by(*SOURCES_ORDER)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    return Library(words.strip(), [ListedSource(s, int(n)) for s, n in rows], int(found), page)
