"""Topics: each party's positions on one issue over time, and what changed between statements."""

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.core.db import read
from app.core.errors import InvalidChoice, NotFound
from app.reading import movements, schemas
from app.reading.lookup import Lookup
from app.record.models import Negotiation, Position, Round, Topic
from app.record.visibility import visible_position, visible_position_of_all, visible_round

_WORDS = re.compile(r"(\S+)(\s*)")


def _words(text: str) -> list[tuple[str, str]]:
    """Each word with the whitespace after it: words are compared, the whitespace is kept as typed."""
    return [(m.group(1), m.group(2)) for m in _WORDS.finditer(text)]


def _joined(words: list[tuple[str, str]]) -> str:
    return "".join(word + space for word, space in words)


def word_diff(before: str, after: str) -> list[schemas.DiffSegment]:
    """What changed from ``before`` to ``after``, word by word (whitespace kept as it was)."""
    old, new = _words(before), _words(after)
    segments: list[schemas.DiffSegment] = []
    lead = after[: len(after) - len(after.lstrip())]
    if lead:
        segments.append(schemas.DiffSegment(op="equal", text=lead))
    matcher = difflib.SequenceMatcher(a=[w for w, _ in old], b=[w for w, _ in new], autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(schemas.DiffSegment(op="equal", text=_joined(new[b1:b2])))
            continue
        removed, added = _joined(old[a1:a2]), _joined(new[b1:b2])
        # The space after a changed run is not itself a change: keep it outside the marks.
        after_run = (added or removed)[len((added or removed).rstrip()) :]
        if removed.strip():
            segments.append(schemas.DiffSegment(op="delete", text=removed.rstrip()))
        if removed.strip() and added.strip():
            # Struck and inserted words side by side must not read as one word ("forOnly").
            segments.append(schemas.DiffSegment(op="equal", text=" "))
        if added.strip():
            segments.append(schemas.DiffSegment(op="insert", text=added.rstrip()))
        if after_run:
            segments.append(schemas.DiffSegment(op="equal", text=after_run))
    return segments


# Below this share of words in common, a word-by-word diff of two statements is noise: show them whole.
REWRITTEN_BELOW = 0.4


def rewritten(before: str, after: str) -> bool:
    """Whether two statements share too few words for marking the changed ones to help a reader."""
    old, new = before.split(), after.split()
    if not old or not new:
        return True
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    kept = sum(block.size for block in matcher.get_matching_blocks())
    return kept / max(len(old), len(new)) < REWRITTEN_BELOW


def statement_text(position: schemas.PositionPublic) -> str:
    return f"{position.summary}\n\n{position.text}".strip()


def topic_history(*, session: Session, slug: str, negotiation: str | None = None) -> schemas.TopicHistory:
    """Each party's statements on a topic in one negotiation: the chosen one, or else the one whose
    latest round is the most recent. A topic spans every negotiation in the record, so showing them
    all at once would grow with the record (11 MB for a topic of the 10,000-round benchmark record)."""
    topic = session.exec(select(Topic).where(col(Topic.slug) == slug)).first()
    if topic is None:
        raise NotFound(f"There is no topic {slug!r} in the record.")
    lookup = Lookup(session)
    choices = _negotiations_with(session, topic)
    chosen_id = _chosen_negotiation(session, topic, choices, negotiation)
    positions = _positions(session, topic, chosen_id)
    statements = _statements_by_party(lookup, positions)
    parties = _party_statements(lookup, statements)
    moves = (
        movements.moves_in(session, lookup, negotiation_id=chosen_id, topic_ids=[topic.id or 0])
        if chosen_id is not None
        else []
    )
    return schemas.TopicHistory(
        slug=topic.slug,
        name=topic.name,
        description=topic.description,
        negotiation=choices[chosen_id] if chosen_id is not None else None,
        negotiations=[schemas.FilterOption(value=ref.slug, label=ref.title) for ref in choices.values()],
        parties=parties,
        tracks=movements.tracks(lookup, moves),
        rounds=_rounds_until(session, lookup, chosen_id, moves),
        sources=lookup.sources(),
    )


def _rounds_until(
    session: Session, lookup: Lookup, negotiation_id: int | None, moves: list[schemas.MovementPublic]
) -> list[schemas.RoundRef]:
    """The negotiation's rounds, in order, up to the last one a move was recorded at: the tracks' axis."""
    if negotiation_id is None or not moves:
        return []
    last = max(move.round.sequence for move in moves)
    ids = list(
        read(
            session,
            sa.select(col(Round.id))
            .where(col(Round.negotiation_id) == negotiation_id, col(Round.sequence) <= last, visible_round())
            .order_by(col(Round.sequence)),
        ).scalars()
    )
    found = lookup.rounds(ids)
    return [found[i] for i in ids]


def _chosen_negotiation(
    session: Session, topic: Topic, choices: dict[int, schemas.NegotiationRef], slug: str | None
) -> int | None:
    """The negotiation asked for, if it has a position on the topic; by default the latest to meet."""
    if not slug:
        return _latest_to_meet(session, choices) if choices else None
    found = session.exec(select(Negotiation).where(col(Negotiation.slug) == slug)).first()
    if found is None:
        raise NotFound(f"There is no negotiation {slug!r} in the record.")
    if found.id not in choices:
        raise InvalidChoice(f"negotiation: {found.title} has no published position on {topic.name}")
    return found.id


def _positions(session: Session, topic: Topic, negotiation_id: int | None) -> Sequence[Position]:
    """The visible positions on the topic in the negotiation, by party, each party's in the order stated."""
    if negotiation_id is None:
        return []
    return session.exec(
        select(Position)
        .outerjoin(Round, col(Round.id) == Position.round_id)
        .where(col(Position.negotiation_id) == negotiation_id, col(Position.topic_id) == topic.id, visible_position())
        .order_by(col(Position.party_id), sa.func.coalesce(Position.stated_on, Round.date), col(Position.id))
    ).all()


def _statements_by_party(lookup: Lookup, positions: Sequence[Position]) -> dict[int, list[schemas.Statement]]:
    """Each party's statements, each with what changed since the party's statement before it."""
    by_party: dict[int, list[schemas.Statement]] = defaultdict(list)
    for public, p in zip(lookup.positions(positions), positions, strict=True):
        statements = by_party[p.party_id]
        previous = statements[-1].position if statements else None
        before, after = (statement_text(previous), statement_text(public)) if previous else ("", "")
        statements.append(
            schemas.Statement(
                position=public,
                previous_position_id=previous.id if previous else None,
                diff=word_diff(before, after) if previous else None,
                rewritten=previous is not None and rewritten(before, after),
                previous_text=before if previous else None,
            )
        )
    return by_party


def _party_statements(lookup: Lookup, by_party: dict[int, list[schemas.Statement]]) -> list[schemas.PartyStatements]:
    """The parties that made a statement, in the record's order of parties."""
    return [
        schemas.PartyStatements(party=party, statements=by_party[party_id])
        for party_id in lookup.all_parties()
        if party_id in by_party and (party := lookup.party(party_id))
    ]


def _negotiations_with(session: Session, topic: Topic) -> dict[int, schemas.NegotiationRef]:
    """The negotiations with a published position on ``topic``, by title.

    One probe per negotiation through the (negotiation, topic, party) index, rather than a DISTINCT
    over every position on the topic.
    """
    stated = sa.exists().where(
        col(Position.negotiation_id) == Negotiation.id, col(Position.topic_id) == topic.id, visible_position()
    )
    found = session.exec(select(Negotiation).where(stated).order_by(col(Negotiation.title))).all()
    return {n.id: schemas.NegotiationRef.model_validate(n) for n in found if n.id is not None}


def _latest_to_meet(session: Session, negotiation_ids: Iterable[int]) -> int | None:
    """Of these negotiations, the one whose latest round is the most recent.

    Each negotiation's latest round is one step down ix_rounds_negotiation_timeline from its end.
    """
    latest = (
        sa.select(sa.func.max(Round.sort_date))
        .where(col(Round.negotiation_id) == Negotiation.id, visible_round())
        .scalar_subquery()
    )
    chosen: int | None = read(
        session,
        sa.select(col(Negotiation.id))
        .where(col(Negotiation.id).in_(list(negotiation_ids)))
        .order_by(latest.desc().nulls_last(), col(Negotiation.id))
        .limit(1),
    ).scalar()
    return chosen


# Built once: read() then sends it to the driver as compiled, rather than building it at every request.
_POSITIONS_BY_TOPIC = (
    sa.select(col(Position.topic_id), sa.func.count()).where(visible_position_of_all()).group_by(col(Position.topic_id))
)


def topic_list(*, session: Session) -> list[schemas.TopicSummary]:
    counts = dict(read(session, _POSITIONS_BY_TOPIC).all())
    topics = session.exec(select(Topic).order_by(col(Topic.sort_order), col(Topic.name))).all()
    return [
        schemas.TopicSummary(slug=t.slug, name=t.name, description=t.description, positions=counts.get(t.id, 0))
        for t in topics
    ]
