"""Side by side: each party's latest position on each topic, as of a chosen round."""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.core.errors import InvalidChoice, NotFound
from app.reading import schemas
from app.reading.lookup import Lookup
from app.record.models import GapAssessment, Negotiation, NegotiationParty, PartyRole, Position, Round, RoundStatus
from app.record.visibility import visible_gap, visible_position, visible_round


def _negotiation(session: Session, slug: str | None) -> Negotiation:
    if slug:
        found = session.exec(select(Negotiation).where(col(Negotiation.slug) == slug)).first()
        if found is None:
            raise NotFound(f"There is no negotiation {slug!r} in the record.")
        return found
    # Without a choice, the negotiation that met most recently.
    latest = session.exec(
        select(Negotiation)
        .join(Round)
        .where(visible_round())
        .order_by(col(Round.sort_date).desc(), col(Negotiation.id))
    ).first()
    latest = latest or session.exec(select(Negotiation).order_by(col(Negotiation.id))).first()
    if latest is None:
        raise NotFound("The record holds no negotiation yet.")
    return latest


def _latest(
    positions: Sequence[Position], included: set[int], on_or_before: dt.date | None
) -> dict[tuple[int, int], Position]:
    """The last position per (topic, party) among those stated at ``included`` rounds or by a date."""
    latest: dict[tuple[int, int], Position] = {}
    for p in positions:  # already in the order they were stated
        at_round = p.round_id is not None and p.round_id in included
        between = (
            p.round_id is None and p.stated_on is not None and (on_or_before is None or p.stated_on <= on_or_before)
        )
        if at_round or between:
            latest[(p.topic_id, p.party_id)] = p
    return latest


def compare(
    *,
    session: Session,
    negotiation: str | None = None,
    parties: Sequence[str] = (),
    as_of: str | None = None,
    topics: Sequence[str] = (),
) -> schemas.Comparison:
    n = _negotiation(session, negotiation)
    assert n.id is not None
    lookup = Lookup(session)
    negotiation_ref = lookup.negotiations([n.id])[n.id]

    rounds = session.exec(
        select(Round).where(col(Round.negotiation_id) == n.id, visible_round()).order_by(col(Round.sequence))
    ).all()
    by_slug = {r.slug: r for r in rounds}
    if as_of:
        if as_of not in by_slug:
            elsewhere = session.exec(select(Round.id).where(col(Round.slug) == as_of, visible_round())).first()
            if elsewhere is None:
                raise NotFound(f"There is no round {as_of!r} in the record.")
            raise InvalidChoice(f"as_of: {as_of!r} is not a round of {n.title}")
        as_of_round: Round | None = by_slug[as_of]
    else:
        held = [r for r in rounds if r.status is RoundStatus.held]
        candidates = held or list(rounds)
        as_of_round = candidates[-1] if candidates else None
    earlier = [r for r in rounds if as_of_round and r.sequence < as_of_round.sequence]
    previous_round = earlier[-1] if earlier else None

    roles = session.exec(select(NegotiationParty).where(col(NegotiationParty.negotiation_id) == n.id)).all()
    positions = session.exec(
        select(Position)
        .outerjoin(Round, col(Round.id) == Position.round_id)
        .where(col(Position.negotiation_id) == n.id, visible_position())
        .order_by(sa.func.coalesce(Position.stated_on, Round.date), col(Position.id))
    ).all()

    all_parties = lookup.all_parties()
    involved = {role.party_id for role in roles} | {p.party_id for p in positions}
    available = [party for party_id, party in all_parties.items() if party_id in involved]
    slug_to_id = {party.slug: party_id for party_id, party in all_parties.items()}
    if parties:
        unknown = [slug for slug in parties if slug not in slug_to_id]
        if unknown:
            raise NotFound(f"There is no party {', '.join(map(repr, unknown))} in the record.")
        absent = [slug for slug in parties if slug_to_id[slug] not in involved]
        if absent:
            raise InvalidChoice(f"party: {', '.join(map(repr, absent))} took no part in {n.title}")
        chosen = list(dict.fromkeys(slug_to_id[slug] for slug in parties))
    else:
        negotiating = [r.party_id for r in roles if r.role is PartyRole.negotiating_party]
        chosen = [party_id for party_id in all_parties if party_id in negotiating]

    all_topics = lookup.all_topics()
    topic_ids = list(all_topics)
    if topics:
        by_topic_slug = {t.slug: topic_id for topic_id, t in all_topics.items()}
        unknown = [slug for slug in topics if slug not in by_topic_slug]
        if unknown:
            raise NotFound(f"There is no topic {', '.join(map(repr, unknown))} in the record.")
        topic_ids = [by_topic_slug[slug] for slug in topics]

    included = {r.id for r in rounds if as_of_round and r.sequence <= as_of_round.sequence and r.id}
    current = _latest(positions, included, as_of_round.date if as_of_round else None)
    before_ids = {r.id for r in earlier if r.id}
    before = _latest(positions, before_ids, previous_round.date if previous_round else None) if previous_round else {}

    gaps: dict[int, GapAssessment] = {}
    if included:
        sequence = {r.id: r.sequence for r in rounds}
        for gap in session.exec(select(GapAssessment).where(col(GapAssessment.round_id).in_(included), visible_gap())):
            kept: GapAssessment | None = gaps.get(gap.topic_id)
            if kept is None or sequence[gap.round_id] > sequence[kept.round_id]:
                gaps[gap.topic_id] = gap

    shown = [current[key] for key in ((t, p) for t in topic_ids for p in chosen) if key in current]
    public = {p.id: pub for p, pub in zip(shown, lookup.positions(shown), strict=True)}
    round_refs = [lookup.round_ref(r) for r in rounds]
    ref_by_id = {r.id: ref for r, ref in zip(rounds, round_refs, strict=True)}

    rows = []
    for topic_id in topic_ids:
        cells = []
        for party_id in chosen:
            now = current.get((topic_id, party_id))
            then = before.get((topic_id, party_id))
            if now is None:
                change: schemas.ChangeMark = "none"
            elif then is None:
                change = "new"
            elif then.id == now.id or (then.summary, then.text) == (now.summary, now.text):
                change = "unchanged"
            else:
                change = "changed"
            party = lookup.party(party_id)
            assert party is not None
            cells.append(
                schemas.ComparisonCell(
                    party=party,
                    position=public[now.id] if now else None,
                    change=change,
                    previous_position_id=then.id if then and change == "changed" else None,
                )
            )
        assessed = gaps.get(topic_id)
        rows.append(
            schemas.ComparisonRow(
                topic=lookup.topic(topic_id),
                gap=(
                    schemas.GapPublic(state=assessed.state, note=assessed.note, as_of=ref_by_id[assessed.round_id])
                    if assessed
                    else None
                ),
                cells=cells,
            )
        )

    return schemas.Comparison(
        negotiation=negotiation_ref,
        negotiations=[
            schemas.FilterOption(value=x.slug, label=x.title)
            for x in session.exec(select(Negotiation).order_by(col(Negotiation.title)))
        ],
        parties=[p for p in (lookup.party(i) for i in chosen) if p],
        available_parties=[schemas.PartyRef.model_validate(p) for p in available],
        as_of=ref_by_id[as_of_round.id] if as_of_round else None,
        previous_round=ref_by_id[previous_round.id] if previous_round else None,
        rounds=round_refs,
        topics=[lookup.topic(t) for t in topic_ids],
        rows=rows,
        sources=lookup.sources(),
    )
