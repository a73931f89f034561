"""Parties and people: the rounds a party took part in, the delegations a person led or joined."""

from collections import defaultdict

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.core.db import read
from app.core.errors import NotFound
from app.reading import schemas
from app.reading.lookup import Lookup
from app.record.models import Delegation, DelegationMember, NegotiationParty, Party, Person, Position, Round
from app.record.visibility import visible_position, visible_round


def party_detail(*, session: Session, slug: str) -> schemas.PartyDetail:
    party = session.exec(select(Party).where(col(Party.slug) == slug)).first()
    if party is None or party.id is None:
        raise NotFound(f"There is no party {slug!r} in the record.")
    lookup = Lookup(session)
    roles = _roles(session, lookup, party.id)
    rounds = _party_rounds(session, lookup, party.id)
    people = _people(session, lookup, party)
    topics = _topics_stated(session, lookup, party.id)
    return schemas.PartyDetail(
        slug=party.slug,
        name=party.name,
        short_name=party.short_name,
        colour=party.colour,
        roles=roles,
        rounds=rounds,
        people=people,
        topics=topics,
    )


def _roles(session: Session, lookup: Lookup, party_id: int) -> list[schemas.PartyInNegotiation]:
    roles = session.exec(
        select(NegotiationParty).where(col(NegotiationParty.party_id) == party_id).order_by(col(NegotiationParty.id))
    ).all()
    negotiations = lookup.negotiations(r.negotiation_id for r in roles)
    return [
        schemas.PartyInNegotiation(negotiation=negotiations[r.negotiation_id], role=r.role, note=r.note) for r in roles
    ]


def _party_rounds(session: Session, lookup: Lookup, party_id: int) -> list[schemas.PartyRound]:
    """The rounds the party sent a delegation to or hosted, in date order, with who led its delegation."""
    delegations = read(
        session,
        sa.select(col(Delegation.round_id), col(DelegationMember.person_id))
        .outerjoin(
            DelegationMember,
            sa.and_(col(DelegationMember.delegation_id) == Delegation.id, col(DelegationMember.is_head)),
        )
        .where(col(Delegation.party_id) == party_id),
    ).all()
    heads = {round_id: person_id for round_id, person_id in delegations}
    rounds = session.exec(
        select(Round)
        .where(col(Round.id).in_(list(heads)) | (col(Round.host_party_id) == party_id), visible_round())
        .order_by(col(Round.sort_date), col(Round.id))
    ).all()
    lookup.negotiations(r.negotiation_id for r in rounds)
    lookup.people(heads.values())
    party_rounds = []
    for r in rounds:
        labels = (["delegation"] if r.id in heads else []) + (["host"] if r.host_party_id == party_id else [])
        party_rounds.append(
            schemas.PartyRound(round=lookup.round_ref(r), roles=labels, head=lookup.person(heads.get(r.id or 0)))
        )
    return party_rounds


def _people(session: Session, lookup: Lookup, party: Party) -> list[schemas.PersonRef]:
    """The party's people. Those the lookup already holds as delegation heads keep their place first."""
    people = session.exec(select(Person).where(col(Person.party_id) == party.id).order_by(col(Person.name))).all()
    known = lookup.people(p.id for p in people)
    return [p for p in known.values() if p.party and p.party.slug == party.slug]


def _topics_stated(session: Session, lookup: Lookup, party_id: int) -> list[schemas.TopicRef]:
    """The topics the party has a visible position on, in the record's order of topics."""
    topic_ids = read(
        session,
        sa.select(col(Position.topic_id)).where(col(Position.party_id) == party_id, visible_position()).distinct(),
    )
    stated = set(topic_ids.scalars())
    return [lookup.topic(t) for t in lookup.all_topics() if t in stated]


def party_list(*, session: Session) -> list[schemas.PartySummary]:
    took_part = sa.union(
        sa.select(col(Delegation.party_id).label("party_id"), col(Delegation.round_id).label("round_id"))
        .join(Round, col(Round.id) == Delegation.round_id)
        .where(visible_round()),
        sa.select(col(Round.host_party_id), col(Round.id)).where(
            col(Round.host_party_id).is_not(None), visible_round()
        ),
    ).subquery()
    counts = dict(read(session, sa.select(took_part.c.party_id, sa.func.count()).group_by(took_part.c.party_id)).all())
    parties = session.exec(select(Party).order_by(col(Party.name))).all()
    return [
        schemas.PartySummary(
            slug=p.slug, name=p.name, short_name=p.short_name, colour=p.colour, rounds=counts.get(p.id, 0)
        )
        for p in parties
    ]


def person_detail(*, session: Session, slug: str) -> schemas.PersonDetail:
    person = session.exec(select(Person).where(col(Person.slug) == slug)).first()
    if person is None or person.id is None:
        raise NotFound(f"There is no person {slug!r} in the record.")
    lookup = Lookup(session)
    memberships = session.exec(
        select(DelegationMember, Delegation, Round)
        .join(Delegation, col(Delegation.id) == DelegationMember.delegation_id)
        .join(Round, col(Round.id) == Delegation.round_id)
        .where(col(DelegationMember.person_id) == person.id, visible_round())
        .order_by(col(Round.sort_date), col(Round.id))
    ).all()
    chaired = session.exec(
        select(Round)
        .where(col(Round.chair_id) == person.id, visible_round())
        .order_by(col(Round.sort_date), col(Round.id))
    ).all()
    lookup.negotiations([r.negotiation_id for _, _, r in memberships] + [r.negotiation_id for r in chaired])
    positions = session.exec(
        select(Position).where(col(Position.speaker_id) == person.id, visible_position()).order_by(col(Position.id))
    ).all()
    by_round: dict[int, list[schemas.PersonDelegation]] = defaultdict(list)
    for member, delegation, r in memberships:
        party = lookup.party(delegation.party_id)
        assert party is not None and r.id is not None
        by_round[r.id].append(
            schemas.PersonDelegation(round=lookup.round_ref(r), party=party, title=member.title, is_head=member.is_head)
        )
    return schemas.PersonDetail(
        slug=person.slug,
        name=person.name,
        name_native=person.name_native,
        title=person.title,
        party=lookup.party(person.party_id),
        delegations=[d for ds in by_round.values() for d in ds],
        chaired=[lookup.round_ref(r) for r in chaired],
        positions=lookup.positions(positions),
        sources=lookup.sources(),
    )
