"""What readers may see: published claims only. Every public query takes its conditions from here."""

from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from app.record.models import Clause, Document, DocumentVersion, Event, GapAssessment, Outcome, Position, Round

# An alias, so that the check stays a subquery even where the query already joins rounds. Made once:
# building an alias copies every column of the table, which cost a tenth of a comparison page.
_PUBLISHED_ROUNDS = sa.inspect(Round).local_table.alias("published_rounds")


def _round_published(round_id: Any) -> sa.ColumnElement[bool]:
    rounds = _PUBLISHED_ROUNDS
    return sa.exists().where(rounds.c.id == round_id, rounds.c.published.is_(True))


def visible_round() -> sa.ColumnElement[bool]:
    return col(Round.published).is_(True)


def visible_event() -> sa.ColumnElement[bool]:
    return col(Event.published).is_(True)


def visible_outcome() -> sa.ColumnElement[bool]:
    """A published outcome of a published round."""
    return sa.and_(col(Outcome.published), _round_published(Outcome.round_id))


def visible_position() -> sa.ColumnElement[bool]:
    """A published position, stated at a published round or between rounds."""
    return sa.and_(
        col(Position.published),
        sa.or_(col(Position.round_id).is_(None), _round_published(Position.round_id)),
    )


def visible_position_of_all() -> sa.ColumnElement[bool]:
    """``visible_position`` for a query that reads every position (a count by topic): the few rounds
    not published are read once, rather than each position's round looked up in turn, which took a
    tenth of a second on the 10,000-round record (100,000 positions)."""
    unpublished = sa.select(_PUBLISHED_ROUNDS.c.id).where(_PUBLISHED_ROUNDS.c.published.is_not(True))
    return sa.and_(
        col(Position.published),
        sa.or_(col(Position.round_id).is_(None), col(Position.round_id).not_in(unpublished)),
    )


def visible_gap() -> sa.ColumnElement[bool]:
    return sa.and_(col(GapAssessment.published), _round_published(GapAssessment.round_id))


def visible_document() -> sa.ColumnElement[bool]:
    """A published document; one handed over at a round is seen once that round is."""
    return sa.and_(
        col(Document.published),
        sa.or_(col(Document.round_id).is_(None), _round_published(Document.round_id)),
    )


def visible_clause() -> sa.ColumnElement[bool]:
    """A clause of a version of a document readers may see."""
    return sa.exists().where(
        col(DocumentVersion.id) == Clause.version_id,
        col(Document.id) == DocumentVersion.document_id,
        visible_document(),
    )
