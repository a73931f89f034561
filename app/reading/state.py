"""The state of play of one negotiation, at a glance: where the talks stand, what came of them, how far
apart the parties are, their rounds and events over time, and how much rests on one side's sources."""

import datetime as dt
from collections import defaultdict

import sqlalchemy as sa
from sqlmodel import Session, col

from app.core.db import read
from app.core.errors import NotFound
from app.reading import schemas
from app.reading.lookup import Lookup, fuzzy, of_one_party
from app.record.models import (
    Citation,
    Event,
    GapAssessment,
    Negotiation,
    Outcome,
    OutcomeStatus,
    Position,
    Round,
    RoundStatus,
    Source,
    period_end,
    table_of,
)
from app.record.visibility import visible_event, visible_gap, visible_outcome, visible_position, visible_round

# Each state as a reader says it, in the order a line of progress reads.
STATUS_WORDS = {
    OutcomeStatus.proposed: "proposed",
    OutcomeStatus.agreed: "agreed",
    OutcomeStatus.in_progress: "in progress",
    OutcomeStatus.implemented: "carried out",
    OutcomeStatus.stalled: "stalled",
    OutcomeStatus.broken: "abandoned",
}
ROUNDS = table_of(Round)

# Built once: building a statement cost more than running it (a third of the page, rendered afresh).
_NEGOTIATION: sa.BindParameter[int] = sa.bindparam("negotiation_id")
_ROUNDS = sa.select(ROUNDS).where(ROUNDS.c.negotiation_id == _NEGOTIATION, visible_round()).order_by(ROUNDS.c.sequence)
_BY_SLUG = sa.select(col(Negotiation.id)).where(col(Negotiation.slug) == sa.bindparam("slug"))
_MET_LAST = sa.select(col(Round.negotiation_id)).where(visible_round()).order_by(col(Round.sort_date).desc()).limit(1)
_FIRST = sa.select(col(Negotiation.id)).order_by(col(Negotiation.id)).limit(1)
_OUTCOMES = (
    sa.select(col(Outcome.status), sa.func.count())
    .join(Round, col(Round.id) == Outcome.round_id)
    .where(col(Round.negotiation_id) == _NEGOTIATION, visible_outcome())
    .group_by(col(Outcome.status))
)
_GAPS = (
    sa.select(table_of(GapAssessment), col(Round.sequence))
    .join(Round, col(Round.id) == GapAssessment.round_id)
    .where(col(Round.negotiation_id) == _NEGOTIATION, visible_gap())
    .order_by(col(Round.sequence))
)
_EVENTS = (
    sa.select(col(Event.slug), col(Event.title), col(Event.date), col(Event.date_precision))
    .where(col(Event.negotiation_id) == _NEGOTIATION, visible_event())
    .order_by(col(Event.sort_date))
)


def _sources_of_claims() -> list[tuple[str, sa.Select[tuple[int, int]]]]:
    """For each kind of claim, a statement of its citations' sides: the party a source stands with,
    or -1 for a source that stands with none."""
    side = sa.case((of_one_party(), col(Source.party_id)), else_=-1)
    in_negotiation = col(Round.negotiation_id) == _NEGOTIATION
    outcomes = sa.select(col(Outcome.id)).join(Round, col(Round.id) == Outcome.round_id)
    claims = [
        ("round", col(Citation.round_id), sa.select(col(Round.id)).where(in_negotiation, visible_round())),
        (
            "position",
            col(Citation.position_id),
            sa.select(col(Position.id)).where(col(Position.negotiation_id) == _NEGOTIATION, visible_position()),
        ),
        ("outcome", col(Citation.outcome_id), outcomes.where(in_negotiation, visible_outcome())),
        (
            "event",
            col(Citation.event_id),
            sa.select(col(Event.id)).where(col(Event.negotiation_id) == _NEGOTIATION, visible_event()),
        ),
    ]
    return [
        (kind, sa.select(subject, side).join(Source, col(Source.id) == Citation.source_id).where(subject.in_(ids)))
        for kind, subject, ids in claims
    ]


_SOURCES_OF_CLAIMS = _sources_of_claims()


def state_of_play(
    *, session: Session, negotiation: str | None = None, today: dt.date | None = None
) -> schemas.StateOfPlay:
    """The state of play of the negotiation named, or else of the one that met last."""
    today = today or dt.date.today()
    lookup = Lookup(session)
    negotiation_id = _negotiation_id(session, negotiation)
    rounds = read(session, _ROUNDS, {"negotiation_id": negotiation_id}).all()
    refs = [lookup.round_ref(r) for r in rounds]
    held = [(r, ref) for r, ref in zip(rounds, refs, strict=True) if r.status is RoundStatus.held and r.date]
    planned = [ref for r, ref in zip(rounds, refs, strict=True) if r.status is RoundStatus.planned]
    latest = held[-1] if held else None
    ref = lookup.negotiations([negotiation_id])[negotiation_id]
    return schemas.StateOfPlay(
        negotiation=ref,
        negotiations=lookup.negotiation_options(),
        latest=latest[1] if latest else None,
        days_since_latest=(today - latest[0].date).days if latest else None,
        next=planned[0] if planned else None,
        outcomes=_outcomes(session, negotiation_id),
        gaps=_gaps(session, lookup, negotiation_id),
        strip=_strip(session, refs, negotiation_id, ref.slug),
        sourcing=_sourcing(session, lookup, negotiation_id),
    )


def _negotiation_id(session: Session, slug: str | None) -> int:
    if slug:
        found = read(session, _BY_SLUG, {"slug": slug}).scalar()
        if found is None:
            raise NotFound(f"There is no negotiation {slug!r} in the record.")
        return int(found)
    latest = read(session, _MET_LAST).scalar()
    if latest is None:
        latest = read(session, _FIRST).scalar()
    if latest is None:
        raise NotFound("The record holds no negotiation yet.")
    return int(latest)


def _outcomes(session: Session, negotiation_id: int) -> list[schemas.StatusCount]:
    rows = read(session, _OUTCOMES, {"negotiation_id": negotiation_id}).all()
    counted = {status: count for status, count in rows}
    return [
        schemas.StatusCount(status=status, label=words, count=counted.get(status, 0))
        for status, words in STATUS_WORDS.items()
    ]


def _gaps(session: Session, lookup: Lookup, negotiation_id: int) -> list[schemas.TopicGap]:
    """The latest assessment of each topic, in the record's order of topics."""
    rows = read(session, _GAPS, {"negotiation_id": negotiation_id}).all()
    latest = {row.topic_id: row for row in rows}  # later rounds overwrite earlier ones
    order = list(lookup.all_topics())
    lookup.rounds(row.round_id for row in latest.values())
    return [
        schemas.TopicGap(
            topic=lookup.topic(topic_id),
            state=latest[topic_id].state,
            note=latest[topic_id].note,
            as_of=lookup.rounds([latest[topic_id].round_id])[latest[topic_id].round_id],
        )
        for topic_id in order
        if topic_id in latest
    ]


def _strip(
    session: Session, refs: list[schemas.RoundRef], negotiation_id: int, negotiation_slug: str
) -> list[schemas.StripEntry]:
    entries = [
        schemas.StripEntry(
            kind="round",
            date=ref.date,
            label=f"Round {ref.sequence}" + (f", {ref.city}" if ref.city else ""),
            url=f"/rounds/{ref.slug}",
        )
        for ref in refs
        if ref.date
    ]
    events = read(session, _EVENTS, {"negotiation_id": negotiation_id}).all()
    for slug, title, date, precision in events:
        when = fuzzy(date, precision)
        assert when is not None
        entries.append(
            schemas.StripEntry(
                kind="event", date=when, label=title, url=f"/negotiations/{negotiation_slug}#event-{slug}"
            )
        )
    return sorted(entries, key=lambda e: (period_end(e.date.date, e.date.precision), e.kind == "round"))


def _sourcing(session: Session, lookup: Lookup, negotiation_id: int) -> schemas.OneSidedShare:
    """Of the negotiation's sourced claims (rounds, positions, outcomes, events), those whose sources all
    stand with one party."""
    sides: dict[tuple[str, int], set[int]] = defaultdict(set)
    for kind, statement in _SOURCES_OF_CLAIMS:
        for claim_id, party_id in read(session, statement, {"negotiation_id": negotiation_id}):
            sides[(kind, claim_id)].add(party_id)
    by_party: dict[str, int] = defaultdict(int)
    for parties in sides.values():
        if len(parties) == 1 and -1 not in parties:
            party = lookup.party(next(iter(parties)))
            if party is not None:
                by_party[party.name] += 1
    return schemas.OneSidedShare(claims=len(sides), one_sided=sum(by_party.values()), by_party=dict(by_party))
