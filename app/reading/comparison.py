"""Side by side: each party's latest position on each topic, as of a chosen round."""

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeAlias

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.core.db import any_of, read
from app.core.errors import InvalidChoice, NotFound
from app.reading import movements, schemas
from app.reading.lookup import Lookup
from app.record.models import (
    GapAssessment,
    Negotiation,
    NegotiationParty,
    PartyRole,
    Position,
    Round,
    RoundStatus,
    table_of,
)
from app.record.visibility import visible_gap, visible_position, visible_round

# Rows, not ORM instances: a comparison reads a whole negotiation's positions on every page.
RoundRow: TypeAlias = sa.Row[Any]
PositionRow: TypeAlias = sa.Row[Any]
GapRow: TypeAlias = sa.Row[Any]
NegotiationRow: TypeAlias = sa.Row[Any]
ROUNDS, POSITIONS, NEGOTIATIONS = table_of(Round), table_of(Position), table_of(Negotiation)

# A party's latest position on a topic, by (topic id, party id).
Standing = dict[tuple[int, int], PositionRow]

# What every comparison reads, built once: building a statement costs more than running it.
_NEGOTIATION = sa.select(NEGOTIATIONS).where(NEGOTIATIONS.c.slug == sa.bindparam("slug"))
# Without a choice, the negotiation that met most recently (or else the first in the record).
_LATEST_NEGOTIATION = (
    sa.select(NEGOTIATIONS)
    .join(ROUNDS, ROUNDS.c.negotiation_id == NEGOTIATIONS.c.id)
    .where(visible_round())
    .order_by(ROUNDS.c.sort_date.desc(), NEGOTIATIONS.c.id)
    .limit(1)
)
_FIRST_NEGOTIATION = sa.select(NEGOTIATIONS).order_by(NEGOTIATIONS.c.id).limit(1)
_ROUNDS = (
    sa.select(ROUNDS)
    .where(ROUNDS.c.negotiation_id == sa.bindparam("negotiation_id"), visible_round())
    .order_by(ROUNDS.c.sequence)
)
_ROLES = sa.select(col(NegotiationParty.party_id), col(NegotiationParty.role)).where(
    col(NegotiationParty.negotiation_id) == sa.bindparam("negotiation_id")
)
_POSITIONS = (
    sa.select(POSITIONS)
    .outerjoin(ROUNDS, ROUNDS.c.id == POSITIONS.c.round_id)
    .where(POSITIONS.c.negotiation_id == sa.bindparam("negotiation_id"), visible_position())
    .order_by(sa.func.coalesce(POSITIONS.c.stated_on, ROUNDS.c.date), POSITIONS.c.id)
)
_GAPS = sa.select(table_of(GapAssessment)).where(any_of(col(GapAssessment.round_id)), visible_gap())


def compare(
    *,
    session: Session,
    negotiation: str | None = None,
    parties: Sequence[str] = (),
    as_of: str | None = None,
    topics: Sequence[str] = (),
) -> schemas.Comparison:
    """Each choice is checked as soon as what it is checked against has been read, so a wrong
    ``as_of`` is refused before the negotiation's positions are loaded."""
    lookup = Lookup(session)
    n = _negotiation(session, negotiation)
    assert n.id is not None
    negotiation_ref = lookup.negotiations([n.id])[n.id]

    rounds = _rounds(session, n.id)
    as_of_round = _as_of_round(session, n, rounds, as_of)
    previous_round = _round_before(rounds, as_of_round)
    roles = _roles(session, n.id)
    positions = _positions(session, n.id)
    available = _parties_involved(lookup, roles, positions)
    party_ids = _chosen_parties(lookup, n, roles, available, parties)
    topic_ids = _chosen_topics(lookup, topics)

    now = _standing(positions, rounds, as_of_round)
    # With no earlier round to compare with, every position held now is new.
    then = _standing(positions, rounds, previous_round) if previous_round else {}
    gaps = _latest_gaps(session, rounds, as_of_round)

    public = _public_positions(lookup, now, topic_ids, party_ids)
    round_refs = {r.id: lookup.round_ref(r) for r in rounds}
    moved = _moves_at(session, lookup, n.id, topic_ids, as_of_round)
    rows = [
        _row(lookup, topic_id, party_ids, now, then, public, _gap_public(gaps.get(topic_id), round_refs), moved)
        for topic_id in topic_ids
    ]
    return schemas.Comparison(
        negotiation=negotiation_ref,
        negotiations=lookup.negotiation_options(),
        parties=_party_refs(lookup, party_ids),
        available_parties=list(available.values()),
        as_of=_ref_of(as_of_round, round_refs),
        previous_round=_ref_of(previous_round, round_refs),
        rounds=list(round_refs.values()),
        topics=[lookup.topic(t) for t in topic_ids],
        available_topics=[lookup.topic(t) for t in lookup.all_topics()],
        rows=rows,
        sources=lookup.sources(),
    )


# ------------------------------------------------------------------ resolve: negotiation, as-of round, choices


def _negotiation(session: Session, slug: str | None) -> NegotiationRow:
    if slug:
        found = read(session, _NEGOTIATION, {"slug": slug}).first()
        if found is None:
            raise NotFound(f"There is no negotiation {slug!r} in the record.")
        return found
    latest = read(session, _LATEST_NEGOTIATION).first() or read(session, _FIRST_NEGOTIATION).first()
    if latest is None:
        raise NotFound("The record holds no negotiation yet.")
    return latest


def _as_of_round(session: Session, n: NegotiationRow, rounds: Sequence[RoundRow], slug: str | None) -> RoundRow | None:
    """The round asked for, or else the latest held (the latest planned while none has been held)."""
    if not slug:
        held = [r for r in rounds if r.status is RoundStatus.held]
        candidates = held or list(rounds)
        return candidates[-1] if candidates else None
    by_slug = {r.slug: r for r in rounds}
    if slug in by_slug:
        return by_slug[slug]
    # A round of another negotiation is a wrong choice here, not a missing page.
    elsewhere = session.exec(select(Round.id).where(col(Round.slug) == slug, visible_round())).first()
    if elsewhere is None:
        raise NotFound(f"There is no round {slug!r} in the record.")
    raise InvalidChoice(f"as_of: {slug!r} is not a round of {n.title}")


def _round_before(rounds: Sequence[RoundRow], as_of_round: RoundRow | None) -> RoundRow | None:
    earlier = [r for r in rounds if as_of_round and r.sequence < as_of_round.sequence]
    return earlier[-1] if earlier else None


def _parties_involved(
    lookup: Lookup, roles: Sequence[sa.Row[Any]], positions: Sequence[PositionRow]
) -> dict[int, schemas.PartyRef]:
    """The parties with a role in the negotiation or a position stated in it, in name order."""
    involved = {role.party_id for role in roles} | {p.party_id for p in positions}
    return {party_id: party for party_id, party in lookup.all_parties().items() if party_id in involved}


def _chosen_parties(
    lookup: Lookup,
    n: NegotiationRow,
    roles: Sequence[sa.Row[Any]],
    available: dict[int, schemas.PartyRef],
    slugs: Sequence[str],
) -> list[int]:
    """The parties asked for, in the order asked; by default the negotiating parties, in name order."""
    if not slugs:
        negotiating = [r.party_id for r in roles if r.role is PartyRole.negotiating_party]
        return [party_id for party_id in lookup.all_parties() if party_id in negotiating]
    return _asked_parties(lookup, n, available, slugs)


def _asked_parties(
    lookup: Lookup, n: NegotiationRow, available: dict[int, schemas.PartyRef], slugs: Sequence[str]
) -> list[int]:
    slug_to_id = {party.slug: party_id for party_id, party in lookup.all_parties().items()}
    unknown = [slug for slug in slugs if slug not in slug_to_id]
    if unknown:
        raise NotFound(f"There is no party {', '.join(map(repr, unknown))} in the record.")
    involved = available.keys()
    absent = [slug for slug in slugs if slug_to_id[slug] not in involved]
    if absent:
        raise InvalidChoice(f"party: {', '.join(map(repr, absent))} took no part in {n.title}")
    return list(dict.fromkeys(slug_to_id[slug] for slug in slugs))


def _chosen_topics(lookup: Lookup, slugs: Sequence[str]) -> list[int]:
    """The topics asked for, in the order asked; by default every topic, in the record's order."""
    all_topics = lookup.all_topics()
    if not slugs:
        return list(all_topics)
    by_slug = {t.slug: topic_id for topic_id, t in all_topics.items()}
    unknown = [slug for slug in slugs if slug not in by_slug]
    if unknown:
        raise NotFound(f"There is no topic {', '.join(map(repr, unknown))} in the record.")
    return [by_slug[slug] for slug in slugs]


# ------------------------------------------------------------------ query: what the record holds


def _rounds(session: Session, negotiation_id: int) -> Sequence[RoundRow]:
    return read(session, _ROUNDS, {"negotiation_id": negotiation_id}).all()


def _roles(session: Session, negotiation_id: int) -> Sequence[sa.Row[Any]]:
    return read(session, _ROLES, {"negotiation_id": negotiation_id}).all()


def _positions(session: Session, negotiation_id: int) -> Sequence[PositionRow]:
    """Every visible position in the negotiation, in the order they were stated."""
    return read(session, _POSITIONS, {"negotiation_id": negotiation_id}).all()


def _rounds_up_to(rounds: Sequence[RoundRow], last: RoundRow | None) -> set[int]:
    return {r.id for r in rounds if last and r.sequence <= last.sequence}


def _standing(positions: Sequence[PositionRow], rounds: Sequence[RoundRow], as_of_round: RoundRow | None) -> Standing:
    """Each party's latest position on each topic as of a round (with no round at all, as of now)."""
    return _latest(positions, _rounds_up_to(rounds, as_of_round), as_of_round.date if as_of_round else None)


def _latest(positions: Sequence[PositionRow], included: set[int], on_or_before: dt.date | None) -> Standing:
    """The last position per (topic, party) among those stated at ``included`` rounds or by a date."""
    latest: Standing = {}
    for p in positions:  # already in the order they were stated
        at_round = p.round_id is not None and p.round_id in included
        between = (
            p.round_id is None and p.stated_on is not None and (on_or_before is None or p.stated_on <= on_or_before)
        )
        if at_round or between:
            latest[(p.topic_id, p.party_id)] = p
    return latest


def _latest_gaps(session: Session, rounds: Sequence[RoundRow], as_of_round: RoundRow | None) -> dict[int, GapRow]:
    """The latest visible gap assessment on each topic, up to the as-of round."""
    included = _rounds_up_to(rounds, as_of_round)
    gaps: dict[int, GapRow] = {}
    if not included:
        return gaps
    sequence = {r.id: r.sequence for r in rounds}
    for gap in read(session, _GAPS, {"ids": sorted(included)}).all():
        kept = gaps.get(gap.topic_id)
        if kept is None or sequence[gap.round_id] > sequence[kept.round_id]:
            gaps[gap.topic_id] = gap
    return gaps


# ------------------------------------------------------------------ assemble: rows of cells


def _public_positions(
    lookup: Lookup, now: Standing, topic_ids: list[int], party_ids: list[int]
) -> dict[int | None, schemas.PositionPublic]:
    """The positions the table shows, loaded in the order it shows them: footnotes number down the table."""
    shown = [now[key] for key in ((t, p) for t in topic_ids for p in party_ids) if key in now]
    return {p.id: public for p, public in zip(shown, lookup.positions(shown), strict=True)}


def _moves_at(
    session: Session, lookup: Lookup, negotiation_id: int, topic_ids: list[int], as_of_round: RoundRow | None
) -> dict[tuple[str, str], schemas.MovementPublic]:
    """How each party's stance moved at the as-of round, by (topic slug, party slug)."""
    if as_of_round is None:
        return {}
    moves = movements.moves_in(
        session, lookup, negotiation_id=negotiation_id, topic_ids=topic_ids, round_id=as_of_round.id
    )
    return {(move.topic.slug, move.party.slug): move for move in moves}


def _row(
    lookup: Lookup,
    topic_id: int,
    party_ids: list[int],
    now: Standing,
    then: Standing,
    public: dict[int | None, schemas.PositionPublic],
    gap: schemas.GapPublic | None,
    moved: dict[tuple[str, str], schemas.MovementPublic],
) -> schemas.ComparisonRow:
    topic = lookup.topic(topic_id)
    cells = [
        _cell(lookup, party_id, now.get((topic_id, party_id)), then.get((topic_id, party_id)), public)
        for party_id in party_ids
    ]
    for cell in cells:
        cell.movement = moved.get((topic.slug, cell.party.slug))
    return schemas.ComparisonRow(topic=topic, gap=gap, cells=cells)


def _cell(
    lookup: Lookup,
    party_id: int,
    now: PositionRow | None,
    then: PositionRow | None,
    public: dict[int | None, schemas.PositionPublic],
) -> schemas.ComparisonCell:
    party = lookup.party(party_id)
    assert party is not None
    change = _change(now, then)
    return schemas.ComparisonCell(
        party=party,
        position=public[now.id] if now else None,
        change=change,
        previous_position_id=then.id if then and change == "changed" else None,
    )


def _change(now: PositionRow | None, then: PositionRow | None) -> schemas.ChangeMark:
    """How a party's position now differs from its position at the round before."""
    if now is None:
        return "none"
    if then is None:
        return "new"
    # Restating the same words at a later round is no change.
    if then.id == now.id or (then.summary, then.text) == (now.summary, now.text):
        return "unchanged"
    return "changed"


def _gap_public(gap: GapRow | None, round_refs: dict[int | None, schemas.RoundRef]) -> schemas.GapPublic | None:
    if gap is None:
        return None
    return schemas.GapPublic(state=gap.state, note=gap.note, as_of=round_refs[gap.round_id])


def _ref_of(r: RoundRow | None, round_refs: dict[int | None, schemas.RoundRef]) -> schemas.RoundRef | None:
    return round_refs[r.id] if r else None


def _party_refs(lookup: Lookup, party_ids: list[int]) -> list[schemas.PartyRef]:
    return [p for p in (lookup.party(i) for i in party_ids) if p]
