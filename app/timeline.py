"""The timeline: rounds and context events in date order, with what a reader needs at a glance."""

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import ClassVar

from sqlmodel import Session, col, select

from app.models import (
    Citation,
    DatePrecision,
    Delegation,
    DelegationMember,
    Event,
    FigureMeasure,
    Negotiation,
    Outcome,
    Party,
    Person,
    ReportedFigure,
    Round,
    Source,
)


def period_end(value: dt.date, precision: DatePrecision) -> dt.date:
    """The last day a date could be: "June 2025" sorts after 2 June 2025, not before it."""
    if precision is DatePrecision.year:
        return dt.date(value.year, 12, 31)
    if precision is DatePrecision.month:
        return dt.date(value.year, value.month, calendar.monthrange(value.year, value.month)[1])
    return value


@dataclass(frozen=True)
class DelegationHead:
    party: Party
    person: Person


@dataclass(frozen=True)
class ReportedValue:
    as_reported: str
    publishers: tuple[str, ...]


@dataclass
class RoundEntry:
    kind: ClassVar[str] = "round"
    round: Round
    negotiation: Negotiation
    heads: list[DelegationHead] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    reported_durations: list[ReportedValue] = field(default_factory=list)

    @property
    def sort_key(self) -> tuple[dt.date, int]:
        when = self.round.date
        return (period_end(when, self.round.date_precision) if when else dt.date.max, 1)


@dataclass
class EventEntry:
    kind: ClassVar[str] = "event"
    event: Event

    @property
    def sort_key(self) -> tuple[dt.date, int]:
        # On the same day, the context event comes before the round it overshadows.
        return (period_end(self.event.date, self.event.date_precision), 0)


TimelineEntry = RoundEntry | EventEntry


def timeline(*, session: Session) -> list[TimelineEntry]:
    """Every round and context event, oldest first; a fixed number of queries whatever the size."""
    rounds = session.exec(select(Round, Negotiation).join(Negotiation)).all()
    entries: dict[int, RoundEntry] = {r.id: RoundEntry(round=r, negotiation=n) for r, n in rounds if r.id is not None}
    round_ids = list(entries)

    heads = session.exec(
        select(Delegation.round_id, Party, Person)
        .join(Party, Party.id == Delegation.party_id)  # type: ignore[arg-type]
        .join(DelegationMember, DelegationMember.delegation_id == Delegation.id)  # type: ignore[arg-type]
        .join(Person, Person.id == DelegationMember.person_id)  # type: ignore[arg-type]
        .where(DelegationMember.is_head, Delegation.round_id.in_(round_ids))  # type: ignore[attr-defined]
        .order_by(Party.name)
    ).all()
    for round_id, party, person in heads:
        entries[round_id].heads.append(DelegationHead(party=party, person=person))

    outcomes = session.exec(select(Outcome).where(col(Outcome.round_id).in_(round_ids)).order_by(col(Outcome.id))).all()
    for outcome in outcomes:
        entries[outcome.round_id].outcomes.append(outcome)

    publishers: dict[int, list[str]] = defaultdict(list)
    figures = session.exec(
        select(ReportedFigure, Source.publisher)
        .outerjoin(Citation, Citation.figure_id == ReportedFigure.id)  # type: ignore[arg-type]
        .outerjoin(Source, Source.id == Citation.source_id)  # type: ignore[arg-type]
        .where(
            ReportedFigure.measure == FigureMeasure.duration_minutes,
            ReportedFigure.round_id.in_(round_ids),  # type: ignore[union-attr]
        )
        .order_by(col(ReportedFigure.id), col(Source.publisher))
    ).all()
    seen: dict[int, ReportedFigure] = {}
    for figure, publisher in figures:
        assert figure.id is not None
        seen[figure.id] = figure
        if publisher and publisher not in publishers[figure.id]:
            publishers[figure.id].append(publisher)
    for figure_id, figure in seen.items():
        assert figure.round_id is not None
        entries[figure.round_id].reported_durations.append(
            ReportedValue(as_reported=figure.as_reported, publishers=tuple(publishers[figure_id]))
        )

    events = session.exec(select(Event)).all()
    combined: list[TimelineEntry] = [*entries.values(), *(EventEntry(event=e) for e in events)]
    combined.sort(key=lambda entry: entry.sort_key)
    return combined
