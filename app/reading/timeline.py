"""The timeline: rounds and context events in date order, filtered, a page at a time.

Pages are cut by keyset, not OFFSET: the cursor is the last entry's
(sort date, kind, id), and each branch of the query starts right after it
using the (sort_date, id) indexes, so page 100 costs what page 1 costs.
"""

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlmodel import Session, col

from app.core.db import any_of, read
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
    table_of,
)
from app.record.visibility import visible_event, visible_round

ROUNDS, EVENTS, FIGURES = table_of(Round), table_of(Event), table_of(ReportedFigure)
PAGE_SIZE = 20
# Events sort before rounds on the same day: the context comes before the talks it overshadows.
EVENT, ROUND = 0, 1


# A position in the timeline as it appears in URLs: "<day number>~<kind>~<id>".
CURSOR_PATTERN = r"^\d{1,7}~[01]~\d{1,18}$"
MAX_ID = 2**31 - 1


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
        # Ids are 32-bit on PostgreSQL, which refuses a larger one as out of range; none is larger,
        # so continuing after the largest there can be is continuing after this one.
        return cls(dt.date.fromordinal(ordinal), int(kind), min(int(ident), MAX_ID))


def _after(sort_date: Any, ident: Any, kind: int, cursor_kind: int | None, newest_first: bool = False) -> Any:
    """Rows of one branch (all of one ``kind``) that come after the cursor (bound as ``cursor_date``
    and ``cursor_id``) in the page's order (the ascending order of (sort_date, kind, id), or its
    reverse), in index-friendly form."""
    if cursor_kind is None:
        return sa.true()
    day = sa.bindparam("cursor_date", type_=sa.Date)
    if kind == cursor_kind:
        mine, theirs = sa.tuple_(sort_date, ident), sa.tuple_(day, sa.bindparam("cursor_id", type_=sa.Integer))
        return mine < theirs if newest_first else mine > theirs
    if newest_first:
        return sort_date <= day if kind < cursor_kind else sort_date < day
    return sort_date >= day if kind > cursor_kind else sort_date > day


def _in_order(newest_first: bool, *columns: Any) -> list[Any]:
    return [c.desc() for c in columns] if newest_first else list(columns)


def timeline(
    *, session: Session, filters: schemas.TimelineFilters, after: str | None = None, limit: int = PAGE_SIZE
) -> schemas.TimelinePage:
    cursor = Cursor.decode(after) if after else None
    scope = _Scope.resolve(session, filters)

    keys = _keys(session, scope, cursor, limit)
    # One key more than a page was read: it tells whether another page follows.
    next_cursor = keys[limit - 1].encode() if len(keys) > limit else None
    keys = keys[:limit]

    lookup = Lookup(session)
    entries = _entries(session, lookup, keys)
    negotiation = _negotiation_ref(lookup, scope.negotiation_id)
    return schemas.TimelinePage(
        filters=filters,
        entries=entries,
        next_cursor=next_cursor,
        options=_options(session, lookup),
        negotiation=negotiation,
        latest=_latest(session, lookup, scope.negotiation_id),
    )


def _newest(status: RoundStatus, *, in_negotiation: bool) -> Any:
    query = sa.select(col(Round.id)).where(col(Round.status) == status, visible_round())
    if in_negotiation:
        query = query.where(col(Round.negotiation_id) == sa.bindparam("negotiation_id"))
    return query.order_by(col(Round.sort_date).desc(), col(Round.id).desc()).limit(1).scalar_subquery()


# The newest round held and the newest one planned (one query, each a step down a date index), in
# the record or in one negotiation. Statements a page runs every time are built once, here and below:
# building one costs more than running it.
_LATEST = {
    scoped: sa.select(ROUNDS).where(
        ROUNDS.c.id.in_(
            [_newest(RoundStatus.held, in_negotiation=scoped), _newest(RoundStatus.planned, in_negotiation=scoped)]
        )
    )
    for scoped in (False, True)
}
_ROUNDS_BY_ID = sa.select(ROUNDS).where(any_of(ROUNDS.c.id))
_EVENTS_BY_ID = sa.select(EVENTS).where(any_of(EVENTS.c.id))


def _latest(session: Session, lookup: Lookup, negotiation_id: int | None) -> list[schemas.RoundRef]:
    rows = read(session, _LATEST[bool(negotiation_id)], {"negotiation_id": negotiation_id}).all()
    # Held before planned: where the talks stand, then what comes next.
    return [lookup.round_ref(r) for r in sorted(rows, key=lambda r: r.status == RoundStatus.planned)]


# ------------------------------------------------------------------ resolve: the filters, as ids


@dataclass(frozen=True)
class _Scope:
    """What the reader narrowed the timeline to, with slugs read as ids and words as a LIKE pattern."""

    kind: schemas.TimelineKind | None
    negotiation_id: int | None
    party_id: int | None
    topic_id: int | None
    year: int | None
    text: str | None
    newest_first: bool = False

    @classmethod
    def resolve(cls, session: Session, filters: schemas.TimelineFilters) -> "_Scope":
        words = filters.q.strip() if filters.q else ""
        return cls(
            kind=filters.kind,
            negotiation_id=_slug_id(session, Negotiation, filters.negotiation, "negotiation"),
            party_id=_slug_id(session, Party, filters.party, "party"),
            topic_id=_slug_id(session, Topic, filters.topic, "topic"),
            year=filters.year,
            text=f"%{words.lower()}%" if words else None,
            newest_first=filters.order == "newest",
        )


def _slug_id(session: Session, model: Any, slug: str | None, noun: str) -> int | None:
    if not slug:
        return None
    found = read(session, sa.select(model.id).where(model.slug == slug)).scalar()
    if found is None:
        raise NotFound(f"There is no {noun} {slug!r} in the record.")
    return int(found)


# ------------------------------------------------------------------ query: the page's keys


def _keys(session: Session, scope: _Scope, cursor: Cursor | None, limit: int) -> list[Cursor]:
    """Up to ``limit + 1`` entries after ``cursor``, merged from the round and event branches."""
    shape = _Shape(
        kind=scope.kind,
        negotiation=bool(scope.negotiation_id),
        party=bool(scope.party_id),
        topic=bool(scope.topic_id),
        year=bool(scope.year),
        text=bool(scope.text),
        newest_first=scope.newest_first,
        cursor_kind=cursor.kind if cursor else None,
        limit=limit,
    )
    if not (shape.wants_rounds or shape.wants_events):
        return []
    params: dict[str, Any] = {
        "negotiation_id": scope.negotiation_id,
        "party_id": scope.party_id,
        "topic_id": scope.topic_id,
        "text": scope.text,
    }
    if scope.year:
        params |= {"year_start": dt.date(scope.year, 1, 1), "year_end": dt.date(scope.year, 12, 31)}
    if cursor:
        params |= {"cursor_date": cursor.sort_date, "cursor_id": cursor.id}
    rows = read(session, _keys_statement(shape), {name: value for name, value in params.items() if value is not None})
    return [Cursor(_as_date(row.sort_date), row.kind, row.id) for row in rows]


@dataclass(frozen=True)
class _Shape:
    """What a timeline query's SQL depends on, as opposed to the values bound into it."""

    kind: schemas.TimelineKind | None
    negotiation: bool
    party: bool
    topic: bool
    year: bool
    text: bool
    newest_first: bool
    cursor_kind: int | None
    limit: int

    @property
    def wants_rounds(self) -> bool:
        return self.kind in (None, "round", "planned")

    @property
    def wants_events(self) -> bool:
        # Events are about no topic in particular: a topic filter leaves them all out.
        return self.kind in (None, "event") and not self.topic


# Built once for each shape of query: building the statement cost more than running it.
@functools.lru_cache(maxsize=256)
def _keys_statement(shape: _Shape) -> sa.Select[Any]:
    branches = []
    if shape.wants_rounds:
        branches.append(_round_keys(shape))
    if shape.wants_events:
        branches.append(_event_keys(shape))
    combined = sa.union_all(*(branch.subquery().select() for branch in branches)).subquery()
    order = _in_order(shape.newest_first, combined.c.sort_date, combined.c.kind, combined.c.id)
    return sa.select(combined).order_by(*order).limit(shape.limit + 1)


def _round_keys(shape: _Shape) -> Any:
    rounds: Any = sa.select(
        col(Round.sort_date).label("sort_date"), sa.literal(ROUND).label("kind"), col(Round.id).label("id")
    ).where(_after(col(Round.sort_date), col(Round.id), ROUND, shape.cursor_kind, shape.newest_first), visible_round())
    for condition in _round_conditions(shape):
        rounds = rounds.where(condition)
    return rounds.order_by(*_in_order(shape.newest_first, col(Round.sort_date), col(Round.id))).limit(shape.limit + 1)


def _round_conditions(shape: _Shape) -> Iterator[sa.ColumnElement[bool]]:
    if shape.kind == "planned":
        yield col(Round.status) == RoundStatus.planned
    elif shape.kind == "round":
        yield col(Round.status) != RoundStatus.planned
    if shape.negotiation:
        yield col(Round.negotiation_id) == sa.bindparam("negotiation_id")
    if shape.party:
        party: sa.BindParameter[int] = sa.bindparam("party_id")
        took_part = sa.exists().where(col(Delegation.round_id) == Round.id, col(Delegation.party_id) == party)
        yield took_part | (col(Round.host_party_id) == party)
    if shape.topic:
        # A round is about a topic when a position was stated on it there, or an outcome bears on it.
        topic: sa.BindParameter[int] = sa.bindparam("topic_id")
        yield sa.exists().where(
            col(Position.round_id) == Round.id, col(Position.topic_id) == topic, col(Position.published)
        ) | sa.exists().where(col(Outcome.round_id) == Round.id, col(Outcome.topic_id) == topic, col(Outcome.published))
    if shape.year:
        yield _in_year(col(Round.date))
    if shape.text:
        yield _mentions([Round.summary, Round.venue, Round.city, Round.date_note, Round.atmosphere])


def _event_keys(shape: _Shape) -> Any:
    events: Any = sa.select(
        col(Event.sort_date).label("sort_date"), sa.literal(EVENT).label("kind"), col(Event.id).label("id")
    ).where(_after(col(Event.sort_date), col(Event.id), EVENT, shape.cursor_kind, shape.newest_first), visible_event())
    for condition in _event_conditions(shape):
        events = events.where(condition)
    return events.order_by(*_in_order(shape.newest_first, col(Event.sort_date), col(Event.id))).limit(shape.limit + 1)


def _event_conditions(shape: _Shape) -> Iterator[sa.ColumnElement[bool]]:
    if shape.negotiation:
        yield col(Event.negotiation_id) == sa.bindparam("negotiation_id")
    if shape.party:
        # An event concerns a party through the negotiation it belongs to.
        yield sa.exists().where(
            col(NegotiationParty.negotiation_id) == Event.negotiation_id,
            col(NegotiationParty.party_id) == sa.bindparam("party_id"),
        )
    if shape.year:
        yield _in_year(col(Event.date))
    if shape.text:
        yield _mentions([Event.title, Event.description])


def _in_year(date: Any) -> sa.ColumnElement[bool]:
    return sa.between(date, sa.bindparam("year_start", type_=sa.Date), sa.bindparam("year_end", type_=sa.Date))


def _mentions(columns: list[Any]) -> sa.ColumnElement[bool]:
    pattern = sa.bindparam("text", type_=sa.String)
    return sa.or_(*(sa.func.lower(c).like(pattern) for c in columns))


def _as_date(value: Any) -> dt.date:
    # SQLite hands back ISO strings from a UNION of date columns.
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


# ------------------------------------------------------------------ assemble: the entries of the page


def _entries(
    session: Session, lookup: Lookup, keys: list[Cursor]
) -> list[schemas.TimelineRound | schemas.TimelineEvent]:
    round_entries = _round_entries(session, lookup, [k.id for k in keys if k.kind == ROUND])
    event_entries = _event_entries(session, lookup, [k.id for k in keys if k.kind == EVENT])
    return [round_entries[k.id] if k.kind == ROUND else event_entries[k.id] for k in keys]


def _negotiation_ref(lookup: Lookup, negotiation_id: int | None) -> schemas.NegotiationRef | None:
    return lookup.negotiations([negotiation_id])[negotiation_id] if negotiation_id else None


def _round_entries(session: Session, lookup: Lookup, ids: list[int]) -> dict[int, schemas.TimelineRound]:
    if not ids:
        return {}
    rounds = read(session, _ROUNDS_BY_ID, {"ids": ids}).all()
    heads = _heads(session, lookup, ids)
    outcomes = _outcome_headlines(session, ids)
    topics = _topics_discussed(session, lookup, ids)
    durations = reported_durations(session, lookup, ids)

    entries = {}
    for r in rounds:
        assert r.id is not None
        entries[r.id] = schemas.TimelineRound(
            round=lookup.round_ref(r),
            venue=r.venue,
            summary=r.summary,
            duration=schemas.Measured(minutes=r.duration_minutes, reported=lookup.figures(durations[r.id])),
            heads=sorted(heads[r.id], key=lambda h: h.party.name),
            outcomes=outcomes[r.id],
            topics=topics[r.id],
        )
    return entries


_HEADS = (
    sa.select(col(Delegation.round_id), col(Delegation.party_id), col(DelegationMember.person_id))
    .join(DelegationMember, col(DelegationMember.delegation_id) == Delegation.id)
    .where(col(DelegationMember.is_head), any_of(col(Delegation.round_id)))
)


def _heads(session: Session, lookup: Lookup, round_ids: list[int]) -> dict[int, list[schemas.DelegationHead]]:
    """Who led each party's delegation at each round."""
    rows = read(session, _HEADS, {"ids": round_ids}).all()
    people = lookup.people(person_id for _, _, person_id in rows)
    heads: dict[int, list[schemas.DelegationHead]] = defaultdict(list)
    for round_id, party_id, person_id in rows:
        party = lookup.party(party_id)
        assert party is not None
        heads[round_id].append(schemas.DelegationHead(party=party, person=people[person_id]))
    return heads


_OUTCOME_HEADLINES = (
    sa.select(col(Outcome.round_id), col(Outcome.id), col(Outcome.title), col(Outcome.status))
    .where(any_of(col(Outcome.round_id)), col(Outcome.published))
    .order_by(col(Outcome.id))
)


def _outcome_headlines(session: Session, round_ids: list[int]) -> dict[int, list[schemas.OutcomeHeadline]]:
    outcomes: dict[int, list[schemas.OutcomeHeadline]] = defaultdict(list)
    for o in read(session, _OUTCOME_HEADLINES, {"ids": round_ids}).all():
        outcomes[o.round_id].append(schemas.OutcomeHeadline(id=o.id, title=o.title, status=o.status))
    return outcomes


_TOPICS_DISCUSSED: sa.CompoundSelect[Any] = sa.union(
    sa.select(col(Position.round_id), col(Position.topic_id)).where(
        any_of(col(Position.round_id)), col(Position.published)
    ),
    sa.select(col(Outcome.round_id), col(Outcome.topic_id)).where(
        any_of(col(Outcome.round_id)),
        col(Outcome.published),
        col(Outcome.topic_id).is_not(None),
    ),
)


def _topics_discussed(session: Session, lookup: Lookup, round_ids: list[int]) -> dict[int, list[schemas.TopicRef]]:
    """The topics each round heard a position on or produced an outcome on, in the record's order of topics."""
    rows = read(session, _TOPICS_DISCUSSED, {"ids": round_ids}).all()
    topic_order = {topic_id: index for index, topic_id in enumerate(lookup.all_topics())}
    topic_ids: dict[int, list[int]] = defaultdict(list)
    for round_id, topic_id in rows:
        topic_ids[round_id].append(topic_id)
    topics: dict[int, list[schemas.TopicRef]] = defaultdict(list)
    for round_id, ids in topic_ids.items():
        topics[round_id] = [lookup.topic(t) for t in sorted(ids, key=topic_order.__getitem__)]
    return topics


_DURATIONS = (
    sa.select(FIGURES)
    .where(FIGURES.c.measure == FigureMeasure.duration_minutes, any_of(FIGURES.c.round_id))
    .order_by(FIGURES.c.id)
)


def reported_durations(session: Session, lookup: Lookup, round_ids: list[int]) -> dict[int, list[sa.Row[Any]]]:
    """How long each round lasted, as the sources reported it; their citations loaded at once (the
    timeline widget numbers them among its own footnotes)."""
    figures: dict[int, list[sa.Row[Any]]] = defaultdict(list)
    for figure in read(session, _DURATIONS, {"ids": round_ids}).all():
        figures[figure.round_id].append(figure)
    lookup.load_citations("figure_id", [f.id for fs in figures.values() for f in fs if f.id])
    return figures


def _event_entries(session: Session, lookup: Lookup, ids: list[int]) -> dict[int, schemas.TimelineEvent]:
    if not ids:
        return {}
    events = read(session, _EVENTS_BY_ID, {"ids": ids}).all()
    lookup.load_citations("event_id", ids)
    negotiations = lookup.negotiations(e.negotiation_id for e in events if e.negotiation_id)
    return {
        e.id: schemas.TimelineEvent(event=event_public(lookup, e), negotiation=negotiations.get(e.negotiation_id or 0))
        for e in events
        if e.id
    }


def _options(session: Session, lookup: Lookup) -> schemas.TimelineOptions:
    return schemas.TimelineOptions(
        negotiations=lookup.negotiation_options(),
        parties=lookup.party_options(),
        topics=lookup.topic_options(),
        years=lookup.years(_years),
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


_YEARS = sa.union(
    _dated_years(col(Round.date), visible_round(), "round_years"),
    _dated_years(col(Event.date), visible_event(), "event_years"),
)


def _years(connection: sa.Connection | Session) -> list[int]:
    """The years with a round or event a reader can see, newest first."""
    return sorted({int(year) for year in connection.execute(_YEARS).scalars()}, reverse=True)
