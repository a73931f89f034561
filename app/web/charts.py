"""Pictures drawn on the server as SVG: no script, no third-party library, readable in light and dark
mode (colours come from the page's own custom properties and the parties' colours, which keep 3:1
against both backgrounds), each with a title and a description, and a table of the same facts beside it.
"""

from collections.abc import Sequence

from markupsafe import Markup, escape

from app.reading import schemas
from app.record.models import MoveKind, period_end

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


# ------------------------------------------------------------------ the state of play

# Fills by state, from the page's own palette (and, in a standalone file, from STANDALONE_STYLE).
STATE_CLASS = {
    "proposed": "fill-muted",
    "agreed": "fill-accent",
    "in_progress": "fill-warn",
    "implemented": "fill-ok",
    "stalled": "fill-bad",
    "broken": "fill-bad-dark",
}
# For a picture downloaded on its own, which has no page around it to take colours from.
STANDALONE_STYLE = (
    "<style>"
    "svg{color:#1b1d21;background:#fff;font-family:system-ui,sans-serif}"
    ".fill-muted{fill:#6b7280}.fill-accent{fill:#1f5fbf}.fill-warn{fill:#a15c00}.fill-ok{fill:#1d7a46}"
    ".fill-bad{fill:#b3261e}.fill-bad-dark{fill:#7a1712}.ink{fill:currentColor}.line{stroke:currentColor}"
    "@media (prefers-color-scheme:dark){svg{color:#e8eaed;background:#15171a}"
    ".fill-muted{fill:#9aa0a6}.fill-accent{fill:#8ab4f8}.fill-warn{fill:#f2b36b}.fill-ok{fill:#81c995}"
    ".fill-bad{fill:#f28b82}.fill-bad-dark{fill:#ee675c}}"
    "</style>"
)


def _svg_open(key: str, width: int, height: int, title: str, described: str, *, standalone: bool) -> str:
    head = (
        f'<svg class="chart-svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{key}-title {key}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{key}-title">{escape(title)}</title><desc id="{key}-desc">{escape(described)}</desc>'
    )
    return head + (STANDALONE_STYLE if standalone else "")


def outcome_states(view: schemas.StateOfPlay, key: str = "outcomes", *, standalone: bool = False) -> Markup:
    """The negotiation's outcomes by state, as one bar cut into states, each part labelled with its count."""
    counts = [c for c in view.outcomes if c.count]
    total = sum(c.count for c in counts)
    if not total:
        return Markup("")
    width, bar, top = 640, 36, 8
    described = "; ".join(f"{c.label}: {c.count}" for c in counts) + f". {total} outcomes in all."
    title = f"{view.negotiation.title}: outcomes by state"
    parts = [_svg_open(key, width, 96, title, described, standalone=standalone)]
    x = 0.0
    for c in counts:
        share = c.count / total * width
        parts.append(
            f'<rect x="{x:.1f}" y="{top}" width="{share:.1f}" height="{bar}" class="{STATE_CLASS[c.status.value]}"/>'
        )
        label_x = x + share / 2
        parts.append(
            f'<text x="{label_x:.1f}" y="{top + bar + 20}" text-anchor="middle" class="ink chart-note">'
            f"{escape(c.label)}: {c.count}</text>"
        )
        x += share
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every value is escaped above)


GAP_POSITIONS = {"apart": 0, "narrowing": 1, "agreed": 2, "not_discussed": None}


def gap_chart(view: schemas.StateOfPlay, key: str = "gaps", *, standalone: bool = False) -> Markup:
    """How far apart the parties are per topic: a dot on a scale from apart to agreed."""
    shown = [g for g in view.gaps if GAP_POSITIONS.get(g.state.value) is not None]
    if not shown:
        return Markup("")
    left, step, row = 180, 150, 30
    height = 30 + row * len(shown)
    described = "; ".join(
        f"{g.topic.name}: {g.state.value.replace('_', ' ')} as of round {g.as_of.sequence}" for g in shown
    )
    title = f"{view.negotiation.title}: how far apart the parties are, by topic"
    parts = [_svg_open(key, left + step * 2 + 60, height, title, described, standalone=standalone)]
    for index, words in enumerate(("apart", "narrowing", "agreed")):
        parts.append(
            f'<text x="{left + step * index}" y="16" text-anchor="middle" class="ink chart-axis">{words}</text>'
        )
    for number, gap in enumerate(shown):
        y = 34 + row * number
        x = left + step * (GAP_POSITIONS[gap.state.value] or 0)
        parts.append(f'<text x="4" y="{y + 4}" class="ink chart-note">{escape(gap.topic.name)}</text>')
        parts.append(
            f'<line x1="{left}" y1="{y}" x2="{left + step * 2}" y2="{y}" class="line" stroke-width="1" '
            'stroke-dasharray="3 3"/>'
        )
        fill = {"apart": "fill-bad", "narrowing": "fill-warn", "agreed": "fill-ok"}[gap.state.value]
        parts.append(f'<circle cx="{x}" cy="{y}" r="7" class="{fill}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every value is escaped above)


def time_strip(view: schemas.StateOfPlay, key: str = "strip", *, standalone: bool = False) -> Markup:
    """The rounds (circles, above the line) and context events (diamonds, below) over time."""
    entries = view.strip
    if not entries:
        return Markup("")

    def day(entry: schemas.StripEntry) -> int:
        # "June 2025" is drawn at the end of June: it may be any day of it, and comes after 2 June.
        return period_end(entry.date.date, entry.date.precision).toordinal()

    first, last = day(entries[0]), day(entries[-1])
    span = max(last - first, 1)
    width, left, right = 640, 48, 48

    def x_of(entry: schemas.StripEntry) -> float:
        return left + (day(entry) - first) / span * (width - left - right)

    described = "; ".join(f"{e.date.label}: {e.label}" for e in entries)
    title = f"{view.negotiation.title}: rounds and context events over time"
    parts = [_svg_open(key, width, 120, title, described, standalone=standalone)]
    parts.append(f'<line x1="{left}" y1="60" x2="{width - right}" y2="60" class="line" stroke-width="2"/>')
    rounds = [e for e in entries if e.kind == "round"]
    for index, entry in enumerate(rounds):
        x = x_of(entry)
        parts.append(f'<circle cx="{x:.1f}" cy="60" r="7" class="fill-accent"/>')
        y = 40 if index % 2 == 0 else 24  # alternate heights, so that close rounds' names do not overlap
        name = escape(entry.label.split(",")[0])
        parts.append(f'<text x="{x:.1f}" y="{y}" text-anchor="middle" class="ink chart-note">{name}</text>')
    for number, entry in enumerate((e for e in entries if e.kind == "event"), start=1):
        x = x_of(entry)
        parts.append(f'<path d="M{x:.1f} 66 L{x + 7:.1f} 73 L{x:.1f} 80 L{x - 7:.1f} 73 Z" class="fill-warn"/>')
        parts.append(f'<text x="{x:.1f}" y="98" text-anchor="middle" class="ink chart-note">event {number}</text>')
    start, end = escape(entries[0].date.label), escape(entries[-1].date.label)
    parts.append(
        f'<text x="{left}" y="116" class="ink chart-note">{start}</text>'
        f'<text x="{width - right}" y="116" text-anchor="end" class="ink chart-note">{end}</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every value is escaped above)


PICTURES = {"outcomes": outcome_states, "gaps": gap_chart, "strip": time_strip}

GLOBALS = {"movement_tracks": movement_tracks, **PICTURES}
