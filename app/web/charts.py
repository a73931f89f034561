"""Pictures drawn on the server as SVG: no script, no third-party library, readable in light and dark
mode (colours come from the page's own custom properties and the parties' colours, which keep 3:1
against both backgrounds), each with a title and a description, and a table of the same facts beside it.
"""

from collections.abc import Sequence

from markupsafe import Markup, escape

from app.reading import schemas
from app.record.models import MoveKind

LANE = 64  # the height of one party's track
LEFT = 120  # room for the parties' names
STEP = 120  # from one round to the next
TOP = 44  # room for the rounds' names


def _marker(move: MoveKind, x: int, y: int, colour: str) -> str:
    """A shape per kind of move, so that the picture does not rest on colour alone."""
    if move is MoveKind.first_stated:
        return f'<circle cx="{x}" cy="{y}" r="7" fill="{colour}"/>'
    if move is MoveKind.held:
        return f'<circle cx="{x}" cy="{y}" r="7" style="fill: var(--bg)" stroke="{colour}" stroke-width="3"/>'
    if move is MoveKind.hardened:
        return f'<path d="M{x} {y - 9} L{x + 8} {y + 6} L{x - 8} {y + 6} Z" fill="{colour}"/>'
    if move is MoveKind.softened:
        return f'<path d="M{x} {y + 9} L{x + 8} {y - 6} L{x - 8} {y - 6} Z" fill="{colour}"/>'
    if move is MoveKind.shifted:
        return f'<path d="M{x} {y - 9} L{x + 9} {y} L{x} {y + 9} L{x - 9} {y} Z" fill="{colour}"/>'
    if move is MoveKind.reversed:
        return f'<rect x="{x - 7}" y="{y - 7}" width="14" height="14" fill="{colour}"/>'
    return (  # dropped
        f'<path d="M{x - 7} {y - 7} L{x + 7} {y + 7} M{x + 7} {y - 7} L{x - 7} {y + 7}" '
        f'stroke="{colour}" stroke-width="3"/>'
    )


def movement_tracks(
    tracks: Sequence[schemas.PartyTrack], rounds: Sequence[schemas.RoundRef], topic: str, key: str
) -> Markup:
    """Each party's moves on a topic as a lane across the rounds: a marker and its word at each round a
    move was recorded at, the lane drawn from the party's first move to its last."""
    if not tracks or not rounds:
        return Markup("")
    column = {r.slug: index for index, r in enumerate(rounds)}
    width = LEFT + STEP * len(rounds)
    height = TOP + LANE * len(tracks)
    title_id, desc_id = f"{key}-title", f"{key}-desc"
    parts = [
        f'<svg class="movement-chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">How each party\u2019s stance on {escape(topic)} moved, round by round</title>',
        f'<desc id="{desc_id}">{escape(_described(tracks))}</desc>',
    ]
    for index, r in enumerate(rounds):
        x = LEFT + STEP * index + STEP // 2
        date = r.date.label if r.date else "undated"
        parts.append(
            f'<text x="{x}" y="16" text-anchor="middle" class="chart-axis">Round {r.sequence}</text>'
            f'<text x="{x}" y="32" text-anchor="middle" class="chart-note">{escape(date)}</text>'
        )
    for lane, track in enumerate(tracks):
        y = TOP + LANE * lane + LANE // 2 - 8
        colour = escape(track.party.colour)
        parts.append(f'<text x="4" y="{y + 5}" class="chart-axis">{escape(track.party.short_name)}</text>')
        xs = [LEFT + STEP * column[m.round.slug] + STEP // 2 for m in track.moves if m.round.slug in column]
        if len(xs) > 1:
            parts.append(f'<line x1="{min(xs)}" y1="{y}" x2="{max(xs)}" y2="{y}" stroke="{colour}" stroke-width="3"/>')
        for move, x in zip(track.moves, xs, strict=False):
            parts.append(_marker(move.move, x, y, str(colour)))
            parts.append(
                f'<text x="{x}" y="{y + 26}" text-anchor="middle" class="chart-note">{escape(move.label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every value is escaped above)


def _described(tracks: Sequence[schemas.PartyTrack]) -> str:
    """The picture in a sentence per party: "Ukraine: was first stated at round 1; held at round 2."."""
    lines = []
    for track in tracks:
        moves = "; ".join(f"{m.label.lower()} at round {m.round.sequence}" for m in track.moves)
        lines.append(f"{track.party.name}: {moves}.")
    return " ".join(lines)


GLOBALS = {"movement_tracks": movement_tracks}
