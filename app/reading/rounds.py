"""One round, with everything the record holds about it."""

import datetime as dt
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.core.errors import NotFound
from app.reading import schemas
from app.reading.lookup import Lookup, fuzzy
from app.record.models import (
    Delegation,
    DelegationMember,
    Event,
    FigureMeasure,
    Outcome,
    OutcomeParty,
    Position,
    ReportedFigure,
    Round,
)
from app.record.visibility import visible_event, visible_outcome, visible_position, visible_round

# Context events this close to a round are shown on its page.
NEARBY = dt.timedelta(days=7)


def get_round(*, session: Session, slug: str) -> Round:
    found = session.exec(select(Round).where(col(Round.slug) == slug, visible_round())).first()
    if found is None:
        raise NotFound(f"There is no round {slug!r} in the record.")
    return found


def round_detail(*, session: Session, slug: str) -> schemas.RoundDetail:
    r = get_round(session=session, slug=slug)
    assert r.id is not None
    lookup = Lookup(session)
    lookup.people([r.chair_id])
    # Each step cites its claims as it goes, so the steps keep the page's order: footnotes number down the page.
    citations = lookup.cite("round_id", r.id)
    durations, delays = _timings(session, lookup, r.id)
    delegations = _delegations(session, lookup, r.id)
    outcomes = _outcomes(session, lookup, r.id)
    positions = _positions_by_topic(session, lookup, r.id)
    nearby = _nearby_events(session, lookup, r)
    previous, following = _neighbours(session, lookup, r)

    ref = lookup.round_ref(r)
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
        sources=lookup.sources(),
        previous=previous,
        next=following,
        updated_at=r.updated_at,
    )


def _timings(
    session: Session, lookup: Lookup, round_id: int
) -> tuple[list[schemas.ReportedFigurePublic], list[schemas.ReportedFigurePublic]]:
    """How long the round lasted and how late it began, as the sources reported them."""
    figures = session.exec(
        select(ReportedFigure).where(col(ReportedFigure.round_id) == round_id).order_by(col(ReportedFigure.id))
    ).all()
    durations = lookup.figures([f for f in figures if f.measure is FigureMeasure.duration_minutes])
    delays = lookup.figures([f for f in figures if f.measure is FigureMeasure.delay_minutes])
    return durations, delays


def _positions_by_topic(session: Session, lookup: Lookup, round_id: int) -> list[schemas.TopicPositions]:
    """The positions stated at the round, grouped by topic, in the record's order of topics and parties."""
    positions = session.exec(
        select(Position)
        .where(col(Position.round_id) == round_id, visible_position())
        .order_by(col(Position.topic_id), col(Position.id))
    ).all()
    topic_order = {topic_id: index for index, topic_id in enumerate(lookup.all_topics())}
    party_order = {party_id: index for index, party_id in enumerate(lookup.all_parties())}
    ordered = sorted(positions, key=lambda p: (topic_order[p.topic_id], party_order[p.party_id], p.id or 0))
    by_topic: dict[int, list[schemas.PositionPublic]] = defaultdict(list)
    for public, p in zip(lookup.positions(ordered), ordered, strict=True):
        by_topic[p.topic_id].append(public)
    return [schemas.TopicPositions(topic=lookup.topic(t), positions=ps) for t, ps in by_topic.items()]


def _nearby_events(session: Session, lookup: Lookup, r: Round) -> list[schemas.EventPublic]:
    """Context events within NEARBY of the round: of its negotiation, or of none in particular."""
    if r.date is None:
        return []
    events = session.exec(
        select(Event)
        .where(col(Event.date).between(r.date - NEARBY, r.date + NEARBY), visible_event())
        .where((col(Event.negotiation_id) == r.negotiation_id) | col(Event.negotiation_id).is_(None))
        .order_by(col(Event.sort_date), col(Event.id))
    ).all()
    lookup.load_citations("event_id", [e.id for e in events if e.id])
    return [event_public(lookup, e) for e in events]


def _neighbours(session: Session, lookup: Lookup, r: Round) -> tuple[schemas.RoundRef | None, schemas.RoundRef | None]:
    """The rounds just before and just after this one in its negotiation, where a reader may see them."""
    siblings = session.exec(
        select(Round)
        .where(col(Round.negotiation_id) == r.negotiation_id, visible_round())
        .where(col(Round.sequence).in_([r.sequence - 1, r.sequence + 1]))
    ).all()
    previous = next((lookup.round_ref(s) for s in siblings if s.sequence == r.sequence - 1), None)
    following = next((lookup.round_ref(s) for s in siblings if s.sequence == r.sequence + 1), None)
    return previous, following


def _delegations(session: Session, lookup: Lookup, round_id: int) -> list[schemas.DelegationPublic]:
    rows = session.exec(
        select(Delegation, DelegationMember)
        .join(DelegationMember, col(DelegationMember.delegation_id) == Delegation.id, isouter=True)
        .where(col(Delegation.round_id) == round_id)
        .order_by(col(Delegation.id), col(DelegationMember.is_head).desc(), col(DelegationMember.id))
    ).all()
    lookup.people(m.person_id for _, m in rows if m is not None)
    lookup.load_citations("delegation_id", {d.id for d, _ in rows if d.id is not None})
    delegations: dict[int, schemas.DelegationPublic] = {}
    for delegation, member in rows:
        assert delegation.id is not None
        entry = delegations.setdefault(
            delegation.id,
            schemas.DelegationPublic(
                party=lookup.party(delegation.party_id), head=None, members=[], note=delegation.note
            ),
        )
        if member is None:
            continue
        public = schemas.DelegationMemberPublic(
            person=lookup.person(member.person_id), title=member.title, is_head=member.is_head
        )
        entry.members.append(public)
        if member.is_head:
            entry.head = public
    ordered = sorted(delegations.items(), key=lambda item: item[1].party.name)
    for delegation_id, entry in ordered:  # footnotes numbered in the order the page shows them
        entry.citations = lookup.cite("delegation_id", delegation_id)
    return [entry for _, entry in ordered]


def _outcomes(session: Session, lookup: Lookup, round_id: int) -> list[schemas.OutcomePublic]:
    outcomes = session.exec(
        select(Outcome).where(col(Outcome.round_id) == round_id, visible_outcome()).order_by(col(Outcome.id))
    ).all()
    ids = [o.id for o in outcomes if o.id]
    parties: dict[int, list[schemas.PartyRef]] = defaultdict(list)
    for link in session.exec(
        select(OutcomeParty).where(col(OutcomeParty.outcome_id).in_(ids)).order_by(col(OutcomeParty.id))
    ):
        party = lookup.party(link.party_id)
        if party:
            parties[link.outcome_id].append(party)
    figures: dict[int, list[ReportedFigure]] = defaultdict(list)
    for figure in session.exec(
        select(ReportedFigure).where(col(ReportedFigure.outcome_id).in_(ids)).order_by(col(ReportedFigure.id))
    ):
        assert figure.outcome_id is not None
        figures[figure.outcome_id].append(figure)
    lookup.load_citations("outcome_id", ids)
    lookup.load_citations("figure_id", [f.id for fs in figures.values() for f in fs if f.id])
    result = []
    for o in outcomes:
        assert o.id is not None
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
            )
        )
    return result


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
