"""The timeline: rounds and context events in date order, filtered, a page at a time.

Pages are cut by keyset, not OFFSET: the cursor is the last entry's
(sort date, kind, id), and each branch of the query starts right after it
using the (sort_date, id) indexes, so page 100 costs what page 1 costs.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlmodel import Session, col, select

from app.core.errors import NotFound
from app.reading import schemas
from app.reading.lookup import Lookup
from app.reading.rounds import event_public
from app.record.models import (
    Delegation,
    DelegationMember,
    Event,
    FigureMeasure,
    Negotiation,
    NegotiationParty,
    Outcome,
    Party,
    Position,
    ReportedFigure,
    Round,
    RoundStatus,
    Topic,
)
from app.record.visibility import visible_event, visible_round

PAGE_SIZE = 20
# Events sort before rounds on the same day: the context comes before the talks it overshadows.
EVENT, ROUND = 0, 1


# A position in the timeline as it appears in URLs: "<day number>~<kind>~<id>".
CURSOR_PATTERN = r"^\d{1,7}~[01]~\d{1,18}$"


@dataclass(frozen=True)
class Cursor:
    sort_date: dt.date
    kind: int
    id: int

    def encode(self) -> str:
        return f"{self.sort_date.toordinal()}~{self.kind}~{self.id}"

    @classmethod
    def decode(cls, text: str) -> "Cursor":
        """Read a cursor; any text matching CURSOR_PATTERN is a valid place to continue from."""
        day, kind, ident = text.split("~")
        ordinal = min(max(int(day), 1), dt.date.max.toordinal())
        return cls(dt.date.fromordinal(ordinal), int(kind), int(ident))


def _after(sort_date: Any, ident: Any, kind: int, cursor: Cursor | None) -> Any:
    """Rows of one branch (all of one ``kind``) that come after ``cursor``, in index-friendly form."""
    if cursor is None:
        return sa.true()
    if kind == cursor.kind:
        return sa.tuple_(sort_date, ident) > sa.tuple_(sa.literal(cursor.sort_date), sa.literal(cursor.id))
    return sort_date >= cursor.sort_date if kind > cursor.kind else sort_date > cursor.sort_date


def _slug_id(session: Session, model: Any, slug: str | None, noun: str) -> int | None:
    if not slug:
        return None
    found = session.execute(sa.select(model.id).where(model.slug == slug)).scalar()
    if found is None:
        raise NotFound(f"There is no {noun} {slug!r} in the record.")
    return int(found)


def timeline(
    *, session: Session, filters: schemas.TimelineFilters, after: str | None = None, limit: int = PAGE_SIZE
) -> schemas.TimelinePage:
    cursor = Cursor.decode(after) if after else None
    negotiation_id = _slug_id(session, Negotiation, filters.negotiation, "negotiation")
    party_id = _slug_id(session, Party, filters.party, "party")
    topic_id = _slug_id(session, Topic, filters.topic, "topic")
    text = f"%{filters.q.strip().lower()}%" if filters.q and filters.q.strip() else None

    branches = []
    if filters.kind in (None, "round", "planned"):
        rounds: Any = sa.select(
            col(Round.sort_date).label("sort_date"), sa.literal(ROUND).label("kind"), col(Round.id).label("id")
        ).where(_after(col(Round.sort_date), col(Round.id), ROUND, cursor), visible_round())
        if filters.kind == "planned":
            rounds = rounds.where(col(Round.status) == RoundStatus.planned)
        elif filters.kind == "round":
            rounds = rounds.where(col(Round.status) != RoundStatus.planned)
        if negotiation_id:
            rounds = rounds.where(col(Round.negotiation_id) == negotiation_id)
        if party_id:
            took_part = sa.exists().where(col(Delegation.round_id) == Round.id, col(Delegation.party_id) == party_id)
            rounds = rounds.where(took_part | (col(Round.host_party_id) == party_id))
        if topic_id:
            rounds = rounds.where(
                sa.exists().where(
                    col(Position.round_id) == Round.id, col(Position.topic_id) == topic_id, col(Position.published)
                )
            )
        if filters.year:
            rounds = rounds.where(col(Round.date).between(dt.date(filters.year, 1, 1), dt.date(filters.year, 12, 31)))
        if text:
            searched = [Round.summary, Round.venue, Round.city, Round.date_note, Round.atmosphere]
            rounds = rounds.where(sa.or_(*(sa.func.lower(c).like(text) for c in searched)))
        branches.append(rounds.order_by(col(Round.sort_date), col(Round.id)).limit(limit + 1))
    if filters.kind in (None, "event") and not topic_id:
        events: Any = sa.select(
            col(Event.sort_date).label("sort_date"), sa.literal(EVENT).label("kind"), col(Event.id).label("id")
        ).where(_after(col(Event.sort_date), col(Event.id), EVENT, cursor), visible_event())
        if negotiation_id:
            events = events.where(col(Event.negotiation_id) == negotiation_id)
        if party_id:
            events = events.where(
                sa.exists().where(
                    col(NegotiationParty.negotiation_id) == Event.negotiation_id,
                    col(NegotiationParty.party_id) == party_id,
                )
            )
        if filters.year:
            events = events.where(col(Event.date).between(dt.date(filters.year, 1, 1), dt.date(filters.year, 12, 31)))
        if text:
            events = events.where(sa.or_(*(sa.func.lower(c).like(text) for c in (Event.title, Event.description))))
        branches.append(events.order_by(col(Event.sort_date), col(Event.id)).limit(limit + 1))

    keys: list[Cursor] = []
    if branches:
        combined = sa.union_all(*(branch.subquery().select() for branch in branches)).subquery()
        statement = sa.select(combined).order_by(combined.c.sort_date, combined.c.kind, combined.c.id).limit(limit + 1)
        keys = [Cursor(_as_date(row.sort_date), row.kind, row.id) for row in session.execute(statement)]
    next_cursor = keys[limit - 1].encode() if len(keys) > limit else None
    keys = keys[:limit]

    lookup = Lookup(session)
    round_entries = _round_entries(session, lookup, [k.id for k in keys if k.kind == ROUND])
    event_entries = _event_entries(session, lookup, [k.id for k in keys if k.kind == EVENT])
    entries: list[schemas.TimelineRound | schemas.TimelineEvent] = [
        round_entries[k.id] if k.kind == ROUND else event_entries[k.id] for k in keys
    ]
    negotiation = lookup.negotiations([negotiation_id])[negotiation_id] if negotiation_id else None
    return schemas.TimelinePage(
        filters=filters,
        entries=entries,
        next_cursor=next_cursor,
        options=_options(session, lookup),
        negotiation=negotiation,
    )


def _as_date(value: Any) -> dt.date:
    # SQLite hands back ISO strings from a UNION of date columns.
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _round_entries(session: Session, lookup: Lookup, ids: list[int]) -> dict[int, schemas.TimelineRound]:
    if not ids:
        return {}
    rounds = session.exec(select(Round).where(col(Round.id).in_(ids))).all()
    lookup.negotiations(r.negotiation_id for r in rounds)

    heads: dict[int, list[schemas.DelegationHead]] = defaultdict(list)
    head_rows = session.execute(
        sa.select(col(Delegation.round_id), col(Delegation.party_id), col(DelegationMember.person_id))
        .join(DelegationMember, col(DelegationMember.delegation_id) == Delegation.id)
        .where(col(DelegationMember.is_head), col(Delegation.round_id).in_(ids))
    ).all()
    people = lookup.people(person_id for _, _, person_id in head_rows)
    for round_id, party_id, person_id in head_rows:
        party = lookup.party(party_id)
        assert party is not None
        heads[round_id].append(schemas.DelegationHead(party=party, person=people[person_id]))

    outcomes: dict[int, list[schemas.OutcomeHeadline]] = defaultdict(list)
    for o in session.exec(
        select(Outcome).where(col(Outcome.round_id).in_(ids), col(Outcome.published)).order_by(col(Outcome.id))
    ):
        outcomes[o.round_id].append(schemas.OutcomeHeadline.model_validate(o))

    topic_rows = session.execute(
        sa.select(col(Position.round_id), col(Position.topic_id))
        .where(col(Position.round_id).in_(ids), col(Position.published))
        .distinct()
    ).all()
    topic_order = {topic_id: index for index, topic_id in enumerate(lookup.all_topics())}
    topics: dict[int, list[int]] = defaultdict(list)
    for round_id, topic_id in topic_rows:
        topics[round_id].append(topic_id)

    figures: dict[int, list[ReportedFigure]] = defaultdict(list)
    for figure in session.exec(
        select(ReportedFigure)
        .where(col(ReportedFigure.measure) == FigureMeasure.duration_minutes, col(ReportedFigure.round_id).in_(ids))
        .order_by(col(ReportedFigure.id))
    ):
        assert figure.round_id is not None
        figures[figure.round_id].append(figure)
    lookup.load_citations("figure_id", [f.id for fs in figures.values() for f in fs if f.id])

    entries = {}
    for r in rounds:
        assert r.id is not None
        entries[r.id] = schemas.TimelineRound(
            round=lookup.round_ref(r),
            venue=r.venue,
            summary=r.summary,
            duration=schemas.Measured(minutes=r.duration_minutes, reported=lookup.figures(figures[r.id])),
            heads=sorted(heads[r.id], key=lambda h: h.party.name),
            outcomes=outcomes[r.id],
            topics=[lookup.topic(t) for t in sorted(topics[r.id], key=topic_order.__getitem__)],
        )
    return entries


def _event_entries(session: Session, lookup: Lookup, ids: list[int]) -> dict[int, schemas.TimelineEvent]:
    if not ids:
        return {}
    events = session.exec(select(Event).where(col(Event.id).in_(ids))).all()
    lookup.load_citations("event_id", ids)
    negotiations = lookup.negotiations(e.negotiation_id for e in events if e.negotiation_id)
    return {
        e.id: schemas.TimelineEvent(event=event_public(lookup, e), negotiation=negotiations.get(e.negotiation_id or 0))
        for e in events
        if e.id
    }


def _options(session: Session, lookup: Lookup) -> schemas.TimelineOptions:
    negotiations = session.exec(select(Negotiation).order_by(col(Negotiation.title))).all()
    return schemas.TimelineOptions(
        negotiations=[schemas.FilterOption(value=n.slug, label=n.title) for n in negotiations],
        parties=[schemas.FilterOption(value=p.slug, label=p.name) for p in lookup.all_parties().values()],
        topics=[schemas.FilterOption(value=t.slug, label=t.name) for t in lookup.all_topics().values()],
        years=_years(session),
    )


class year_start(sa.sql.functions.GenericFunction[dt.date]):
    """1 January of a date's year."""

    type = sa.Date()
    inherit_cache = True


@compiles(year_start, "sqlite")
def _year_start_sqlite(element: year_start, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of year')"


@compiles(year_start, "postgresql")
def _year_start_postgresql(element: year_start, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(date_trunc('year', {compiler.process(element.clauses, **kw)}) AS DATE)"


def _dated_years(date: Any, visible: sa.ColumnElement[bool], name: str) -> sa.Select[int]:
    """Distinct years of ``date``, read by skipping down its index one year at a time.

    A recursive query takes the newest date, then the newest before 1 January of its year, and so
    on: one index probe per year present, however many rows each year holds.
    """
    newest = sa.select(sa.func.max(date)).where(visible).scalar_subquery()
    years = sa.select(newest.label("day")).cte(name, recursive=True)
    earlier = sa.select(sa.func.max(date)).where(visible, date < year_start(years.c.day)).scalar_subquery()
    years = years.union_all(sa.select(earlier).where(years.c.day.is_not(None)))
    return sa.select(sa.extract("year", years.c.day)).where(years.c.day.is_not(None))


def _years(session: Session) -> list[int]:
    """The years with a round or event a reader can see, newest first."""
    statement = sa.union(
        _dated_years(col(Round.date), visible_round(), "round_years"),
        _dated_years(col(Event.date), visible_event(), "event_years"),
    )
    return sorted({int(year) for year in session.execute(statement).scalars()}, reverse=True)
