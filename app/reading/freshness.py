"""When what a view shows last changed: its "Last updated" line.

A round's page and its widget say the same time, the newest change to anything either shows: the
round, its delegations, its outcomes and positions, their reported figures, their citations and
the sources cited.
"""

import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from app.core.db import any_of, read
from app.record.models import (
    Citation,
    Delegation,
    DelegationMember,
    Event,
    GapAssessment,
    Outcome,
    Position,
    ReportedFigure,
    Round,
    Source,
    Topic,
    as_utc,
)
from app.record.visibility import visible_gap


def last_changed(
    session: Session,
    *,
    rounds: Sequence[int] = (),
    events: Sequence[int] = (),
    outcomes: Sequence[int] = (),
    positions: Sequence[int] = (),
    gaps: Sequence[tuple[str, str]] = (),
) -> dt.datetime | None:
    """When the claims a page or widget shows (with their figures, delegations, citations and sources, and the
    assessments of how far apart the parties are, as (topic slug, round slug)) last changed."""
    shown = {"rounds": rounds, "events": events, "outcomes": outcomes, "positions": positions}
    params: dict[str, Any] = {kind: list(ids) for kind, ids in shown.items() if ids}
    if gaps:
        params |= {"gap_topics": [topic for topic, _ in gaps], "gap_rounds": [round_ for _, round_ in gaps]}
    if not params:
        return None
    value = read(session, _last_changed_statement(frozenset(params)), params).scalar()
    if isinstance(value, str):  # SQLite, from a UNION
        value = dt.datetime.fromisoformat(value)
    return as_utc(value) if value else None


@functools.cache
def _last_changed_statement(kinds: frozenset[str]) -> sa.Select[Any]:
    """One maximum per table and per kind of citation, each over an indexed column (an OR across
    citations' columns would read every citation on PostgreSQL); built once for each combination of
    kinds a widget shows, as building it cost more than running it."""

    parts: list[tuple[Any, sa.ColumnElement[bool]]] = []
    cited: list[sa.ColumnElement[bool]] = []
    if "rounds" in kinds:
        delegations = sa.select(col(Delegation.id)).where(any_of(col(Delegation.round_id), "rounds"))
        parts += [
            (Round, any_of(col(Round.id), "rounds")),
            (Delegation, col(Delegation.id).in_(delegations)),
            (DelegationMember, col(DelegationMember.delegation_id).in_(delegations)),
        ]
        cited.append(any_of(col(Citation.round_id), "rounds"))
    if "events" in kinds:
        parts.append((Event, any_of(col(Event.id), "events")))
        cited.append(any_of(col(Citation.event_id), "events"))
    if "outcomes" in kinds:
        parts.append((Outcome, any_of(col(Outcome.id), "outcomes")))
        cited.append(any_of(col(Citation.outcome_id), "outcomes"))
    if "positions" in kinds:
        parts.append((Position, any_of(col(Position.id), "positions")))
        cited.append(any_of(col(Citation.position_id), "positions"))
    figured = [
        any_of(column, kind)
        for kind, column in (("rounds", col(ReportedFigure.round_id)), ("outcomes", col(ReportedFigure.outcome_id)))
        if kind in kinds
    ]
    if figured:
        figures = sa.select(col(ReportedFigure.id)).where(sa.or_(*figured))
        parts.append((ReportedFigure, col(ReportedFigure.id).in_(figures)))
        cited.append(col(Citation.figure_id).in_(figures))
    parts += [(Citation, where) for where in cited]
    if cited:
        sources = sa.union_all(*(sa.select(col(Citation.source_id)).where(where) for where in cited))
        parts.append((Source, col(Source.id).in_(sources)))
    if "gap_topics" in kinds:
        parts.append(
            (
                GapAssessment,
                sa.and_(
                    visible_gap(),
                    col(GapAssessment.topic_id).in_(
                        sa.select(col(Topic.id)).where(any_of(col(Topic.slug), "gap_topics"))
                    ),
                    col(GapAssessment.round_id).in_(
                        sa.select(col(Round.id)).where(any_of(col(Round.slug), "gap_rounds"))
                    ),
                ),
            )
        )
    newest = sa.union_all(
        *(sa.select(sa.func.max(model.updated_at).label("updated_at")).where(where) for model, where in parts)
    ).subquery()
    return sa.select(sa.func.max(newest.c.updated_at))
