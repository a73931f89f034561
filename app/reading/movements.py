"""Movement: how each party's stance on each topic moved from one round to the next, as editors
judged it with sources. Shown in the comparison (at the as-of round) and drawn on a topic's page."""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from app.core.db import any_of, read
from app.reading import schemas
from app.reading.lookup import Lookup
from app.record.models import MoveKind, Movement, Round, table_of
from app.record.visibility import visible_round

MOVES = table_of(Movement)

# How each move reads beside a party's name: "Ukraine's stance held".
MOVE_LABELS = {
    MoveKind.first_stated: "Was first stated",
    MoveKind.held: "Held",
    MoveKind.shifted: "Shifted",
    MoveKind.hardened: "Hardened",
    MoveKind.softened: "Softened",
    MoveKind.reversed: "Reversed",
    MoveKind.dropped: "Was dropped",
}

_MOVES = (
    sa.select(MOVES, col(Round.sequence))
    .join(Round, col(Round.id) == MOVES.c.round_id)
    .where(
        col(Round.negotiation_id) == sa.bindparam("negotiation_id"),
        any_of(MOVES.c.topic_id, "topic_ids"),
        MOVES.c.published,
        visible_round(),
    )
    .order_by(col(Round.sequence), MOVES.c.id)
)


def moves_in(
    session: Session,
    lookup: Lookup,
    *,
    negotiation_id: int,
    topic_ids: Iterable[int],
    round_id: int | None = None,
) -> list[schemas.MovementPublic]:
    """Every published move on these topics in the negotiation (or at one round of it), in round
    order, with its sources numbered as the page goes."""
    wanted = sorted(set(topic_ids))
    if not wanted:
        return []
    rows = read(session, _MOVES, {"negotiation_id": negotiation_id, "topic_ids": wanted}).all()
    if round_id is not None:
        rows = [row for row in rows if row.round_id == round_id]
    lookup.rounds(row.round_id for row in rows)
    lookup.load_citations("movement_id", [row.id for row in rows])
    return [_public(lookup, row) for row in rows]


def _public(lookup: Lookup, row: sa.Row[Any]) -> schemas.MovementPublic:
    party = lookup.party(row.party_id)
    assert party is not None
    return schemas.MovementPublic(
        party=party,
        topic=lookup.topic(row.topic_id),
        round=lookup.rounds([row.round_id])[row.round_id],
        move=row.move,
        label=MOVE_LABELS[row.move],
        note=row.note,
        citations=lookup.cite("movement_id", row.id),
    )


def tracks(lookup: Lookup, moves: list[schemas.MovementPublic]) -> list[schemas.PartyTrack]:
    """Each party's moves, parties in the record's order."""
    by_party: dict[str, list[schemas.MovementPublic]] = defaultdict(list)
    for move in moves:
        by_party[move.party.slug].append(move)
    return [
        schemas.PartyTrack(party=party, moves=by_party[party.slug])
        for party in lookup.all_parties().values()
        if party.slug in by_party
    ]
