"""One round, with everything the record holds about it."""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.core.db import any_of, read
from app.core.errors import NotFound
from app.reading import schemas
from app.reading.documents import documents_at
from app.reading.freshness import last_changed
from app.reading.lookup import Lookup, fuzzy
from app.record.models import (
    Delegation,
    DelegationMember,
    Event,
    FigureMeasure,
    Outcome,
    OutcomeParty,
    OutcomeStep,
    Position,
    ReportedFigure,
    Round,
    period_end,
    table_of,
)
from app.record.visibility import visible_event, visible_outcome, visible_position, visible_round

# Context events this close to a round are shown on its page.
NEARBY = dt.timedelta(days=7)

ROUNDS, EVENTS, FIGURES = table_of(Round), table_of(Event), table_of(ReportedFigure)
OUTCOMES, OUTCOME_PARTIES = table_of(Outcome), table_of(OutcomeParty)
DELEGATIONS, MEMBERS = table_of(Delegation), table_of(DelegationMember)

# What a round page reads, built once (building a statement costs more than running it), as rows
# rather than ORM instances.
_ROUND = sa.select(ROUNDS).where(ROUNDS.c.slug == sa.bindparam("slug"), visible_round())
# The figures of the round and of its outcomes, at once: their citations are then read at once too.
_FIGURES = (
    sa.select(FIGURES)
    .where(
        (FIGURES.c.round_id == sa.bindparam("round_id"))
        | FIGURES.c.outcome_id.in_(sa.select(OUTCOMES.c.id).where(OUTCOMES.c.round_id == sa.bindparam("round_id")))
    )
    .order_by(FIGURES.c.id)
)
_POSITIONS = (
    sa.select(table_of(Position))
    .where(col(Position.round_id) == sa.bindparam("round_id"), visible_position())
    .order_by(col(Position.topic_id), col(Position.id))
)
_NEARBY_EVENTS = (
    sa.select(EVENTS)
    .where(EVENTS.c.date.between(sa.bindparam("start"), sa.bindparam("end")), visible_event())
    .where((EVENTS.c.negotiation_id == sa.bindparam("negotiation_id")) | EVENTS.c.negotiation_id.is_(None))
    .order_by(EVENTS.c.sort_date, EVENTS.c.id)
)
_NEIGHBOURS = sa.select(ROUNDS).where(
    ROUNDS.c.negotiation_id == sa.bindparam("negotiation_id"),
    visible_round(),
    ROUNDS.c.sequence.in_([sa.bindparam("before"), sa.bindparam("after")]),
)
_DELEGATIONS = (
    sa.select(
        DELEGATIONS.c.id,
        DELEGATIONS.c.party_id,
        DELEGATIONS.c.note,
        MEMBERS.c.id.label("member_id"),
        MEMBERS.c.person_id,
        MEMBERS.c.title,
        MEMBERS.c.is_head,
    )
    .join(MEMBERS, MEMBERS.c.delegation_id == DELEGATIONS.c.id, isouter=True)
    .where(DELEGATIONS.c.round_id == sa.bindparam("round_id"))
    .order_by(DELEGATIONS.c.id, MEMBERS.c.is_head.desc(), MEMBERS.c.id)
)
_OUTCOMES = (
    sa.select(OUTCOMES)
    .where(col(Outcome.round_id) == sa.bindparam("round_id"), visible_outcome())
    .order_by(OUTCOMES.c.id)
)
_OUTCOME = sa.select(OUTCOMES).where(OUTCOMES.c.id == sa.bindparam("id"), visible_outcome())
_FIGURES_OF_OUTCOME = sa.select(FIGURES).where(FIGURES.c.outcome_id == sa.bindparam("id")).order_by(FIGURES.c.id)
_STEPS = (
    sa.select(table_of(OutcomeStep))
    .where(any_of(col(OutcomeStep.outcome_id)))
    .order_by(col(OutcomeStep.happened_on), col(OutcomeStep.id))
)
_OUTCOME_PARTIES = (
    sa.select(OUTCOME_PARTIES.c.outcome_id, OUTCOME_PARTIES.c.party_id)
    .where(any_of(OUTCOME_PARTIES.c.outcome_id))
    .order_by(OUTCOME_PARTIES.c.id)
)


def get_round(*, session: Session, slug: str) -> Round:
    found = session.exec(select(Round).where(col(Round.slug) == slug, visible_round())).first()
    if found is None:
        raise NotFound(f"There is no round {slug!r} in the record.")
    return found


def round_detail(*, session: Session, slug: str) -> schemas.RoundDetail:
    r = read(session, _ROUND, {"slug": slug}).first()
    if r is None:
        raise NotFound(f"There is no round {slug!r} in the record.")
    lookup = Lookup(session)
    lookup.people([r.chair_id])
    ref = lookup.round_ref(r)  # known now: the positions stated at this round need not read it again
    figures = read(session, _FIGURES, {"round_id": r.id}).all()
    lookup.load_citations("figure_id", [f.id for f in figures])
    # Each step cites its claims as it goes, so the steps keep the page's order: footnotes number down the page.
    citations = lookup.cite("round_id", r.id)
    durations, delays = _timings(lookup, [f for f in figures if f.round_id == r.id])
    delegations = _delegations(session, lookup, r.id)
    outcomes = _outcomes(session, lookup, r.id, [f for f in figures if f.outcome_id is not None])
    positions = _positions_by_topic(session, lookup, r.id)
    nearby = _nearby_events(session, lookup, r)
    handed_over, readouts = documents_at(session, lookup, r.id)
    previous, following = _neighbours(session, lookup, r)
    return schemas.RoundDetail(
        slug=r.slug,
        sequence=r.sequence,
        status=r.status,
        negotiation=ref.negotiation,
        date=ref.date,
        overdue=ref.overdue,
        scheduled_start=r.scheduled_start,
        start_time=r.start_time,
        timezone=r.timezone,
        city=r.city,
        venue=r.venue,
        host=lookup.party(r.host_party_id),
        chair=lookup.person(r.chair_id),
        duration=schemas.Measured(minutes=r.duration_minutes, reported=durations),
        delay=schemas.Measured(minutes=r.delay_minutes, reported=delays),
        summary=r.summary,
        atmosphere=r.atmosphere,
        citations=citations,
        delegations=delegations,
        outcomes=outcomes,
        positions=positions,
        nearby_events=nearby,
        documents=handed_over,
        readouts=readouts,
        sources=lookup.sources(),
        previous=previous,
        next=following,
        # The newest change to anything the page shows, as its widget says it too.
        updated_at=last_changed(
            session,
            rounds=[r.id],
            outcomes=[o.id for o in outcomes],
            positions=[p.id for group in positions for p in group.positions],
        )
        or r.updated_at,
    )


def _timings(
    lookup: Lookup, figures: list[sa.Row[Any]]
) -> tuple[list[schemas.ReportedFigurePublic], list[schemas.ReportedFigurePublic]]:
    """How long the round lasted and how late it began, as the sources reported them."""
    durations = lookup.figures([f for f in figures if f.measure is FigureMeasure.duration_minutes])
    delays = lookup.figures([f for f in figures if f.measure is FigureMeasure.delay_minutes])
    return durations, delays


def _positions_by_topic(session: Session, lookup: Lookup, round_id: int) -> list[schemas.TopicPositions]:
    """The positions stated at the round, grouped by topic, in the record's order of topics and parties."""
    positions = read(session, _POSITIONS, {"round_id": round_id}).all()
    topic_order = {topic_id: index for index, topic_id in enumerate(lookup.all_topics())}
    party_order = {party_id: index for index, party_id in enumerate(lookup.all_parties())}
    ordered = sorted(positions, key=lambda p: (topic_order[p.topic_id], party_order[p.party_id], p.id or 0))
    by_topic: dict[int, list[schemas.PositionPublic]] = defaultdict(list)
    for public, p in zip(lookup.positions(ordered), ordered, strict=True):
        by_topic[p.topic_id].append(public)
    return [schemas.TopicPositions(topic=lookup.topic(t), positions=ps) for t, ps in by_topic.items()]


def _nearby_events(session: Session, lookup: Lookup, r: sa.Row[Any]) -> list[schemas.EventPublic]:
    """Context events within NEARBY of the round: of its negotiation, or of none in particular."""
    if r.date is None:
        return []
    events = read(
        session, _NEARBY_EVENTS, {"start": r.date - NEARBY, "end": r.date + NEARBY, "negotiation_id": r.negotiation_id}
    ).all()
    lookup.load_citations("event_id", [e.id for e in events if e.id])
    return [event_public(lookup, e) for e in events]


def _neighbours(
    session: Session, lookup: Lookup, r: sa.Row[Any]
) -> tuple[schemas.RoundRef | None, schemas.RoundRef | None]:
    """The rounds just before and just after this one in its negotiation, where a reader may see them."""
    siblings = read(
        session, _NEIGHBOURS, {"negotiation_id": r.negotiation_id, "before": r.sequence - 1, "after": r.sequence + 1}
    ).all()
    previous = next((lookup.round_ref(s) for s in siblings if s.sequence == r.sequence - 1), None)
    following = next((lookup.round_ref(s) for s in siblings if s.sequence == r.sequence + 1), None)
    return previous, following


def _delegations(session: Session, lookup: Lookup, round_id: int) -> list[schemas.DelegationPublic]:
    rows = read(session, _DELEGATIONS, {"round_id": round_id}).all()
    lookup.people(row.person_id for row in rows)
    lookup.load_citations("delegation_id", {row.id for row in rows})
    delegations: dict[int, schemas.DelegationPublic] = {}
    for row in rows:
        entry = delegations.setdefault(
            row.id,
            schemas.DelegationPublic(party=lookup.party(row.party_id), head=None, members=[], note=row.note),
        )
        if row.member_id is None:
            continue
        public = schemas.DelegationMemberPublic(
            person=lookup.person(row.person_id), title=row.title, is_head=row.is_head
        )
        entry.members.append(public)
        if row.is_head:
            entry.head = public
    ordered = sorted(delegations.items(), key=lambda item: item[1].party.name)
    for delegation_id, entry in ordered:  # footnotes numbered in the order the page shows them
        entry.citations = lookup.cite("delegation_id", delegation_id)
    return [entry for _, entry in ordered]


def _outcomes(
    session: Session, lookup: Lookup, round_id: int, outcome_figures: list[sa.Row[Any]]
) -> list[schemas.OutcomePublic]:
    return outcomes_public(session, lookup, read(session, _OUTCOMES, {"round_id": round_id}).all(), outcome_figures)


def outcome_detail(*, session: Session, outcome_id: int) -> schemas.OutcomeDetail:
    """One outcome, its round, and how it was carried out, step by step."""
    found = read(session, _OUTCOME, {"id": outcome_id}).first()
    if found is None:
        raise NotFound(f"There is no outcome {outcome_id} in the record.")
    lookup = Lookup(session)
    figures = read(session, _FIGURES_OF_OUTCOME, {"id": outcome_id}).all()
    lookup.load_citations("figure_id", [f.id for f in figures])
    (public,) = outcomes_public(session, lookup, [found], figures)
    return schemas.OutcomeDetail(
        outcome=public, round=lookup.rounds([found.round_id])[found.round_id], sources=lookup.sources()
    )


def outcomes_public(
    session: Session, lookup: Lookup, outcomes: Sequence[sa.Row[Any]], outcome_figures: Sequence[sa.Row[Any]]
) -> list[schemas.OutcomePublic]:
    """Outcomes as readers see them, with the parties they concern, their figures and their steps;
    footnotes numbered outcome by outcome, down the page."""
    ids = [o.id for o in outcomes]
    parties: dict[int, list[schemas.PartyRef]] = defaultdict(list)
    if ids:
        for link in read(session, _OUTCOME_PARTIES, {"ids": ids}).all():
            party = lookup.party(link.party_id)
            if party:
                parties[link.outcome_id].append(party)
    figures: dict[int, list[sa.Row[Any]]] = defaultdict(list)
    for figure in outcome_figures:
        figures[figure.outcome_id].append(figure)
    lookup.load_citations("outcome_id", ids)
    steps = _steps(session, lookup, ids)
    result = []
    for o in outcomes:
        result.append(
            schemas.OutcomePublic(
                id=o.id,
                kind=o.kind,
                topic=lookup.topic(o.topic_id) if o.topic_id else None,
                title=o.title,
                description=o.description,
                status=o.status,
                implemented=fuzzy(o.implemented_on, o.implemented_precision),
                parties=parties[o.id],
                citations=lookup.cite("outcome_id", o.id),
                figures=lookup.figures(figures[o.id]),
                steps=[_step(lookup, step) for step in steps[o.id]],
            )
        )
    return result


def _steps(session: Session, lookup: Lookup, outcome_ids: list[int]) -> dict[int, list[sa.Row[Any]]]:
    steps: dict[int, list[sa.Row[Any]]] = defaultdict(list)
    if outcome_ids:
        for step in read(session, _STEPS, {"ids": outcome_ids}).all():
            steps[step.outcome_id].append(step)
        lookup.load_citations("step_id", [step.id for found in steps.values() for step in found])
    # A step known only by its month comes after one on a day of that month ("late May" after 16 May).
    for found in steps.values():
        found.sort(key=lambda step: (period_end(step.happened_on, step.date_precision), step.id))
    return steps


def _step(lookup: Lookup, step: sa.Row[Any]) -> schemas.OutcomeStepPublic:
    date = fuzzy(step.happened_on, step.date_precision)
    assert date is not None
    return schemas.OutcomeStepPublic(
        id=step.id,
        date=date,
        status=step.status,
        description=step.description,
        citations=lookup.cite("step_id", step.id),
        anchor=f"step-{step.id}",
    )


def event_public(lookup: Lookup, e: Event | sa.Row[Any]) -> schemas.EventPublic:
    assert e.id is not None
    date = fuzzy(e.date, e.date_precision)
    assert date is not None
    return schemas.EventPublic(
        slug=e.slug,
        date=date,
        kind=e.kind,
        title=e.title,
        description=e.description,
        citations=lookup.cite("event_id", e.id),
    )
