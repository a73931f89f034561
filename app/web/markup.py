"""The pieces of markup pages repeat many times (footnote marks, dates, names, round links, figures
as reported, state badges, a position's body), written in Python.

A Jinja macro call costs tens of microseconds before it writes a character; a comparison table calls
these a hundred times, which made them half of its rendering. Templates call them exactly as they
called the macros they replace (they are template globals of the same names), and what they write
is escaped here, as Jinja would have.
"""

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

try:  # what markupsafe.escape itself calls, before it wraps the result in Markup
    from markupsafe._speedups import _escape_inner
except ImportError:  # markupsafe built without its C speedups
    from markupsafe._native import _escape_inner

from app.reading import schemas


def escape_output(value: Any) -> str:
    """``markupsafe.escape`` without wrapping the result in ``Markup``, for text written into a page.

    Both the pieces built here and what a template writes (``{{ value }}`` compiles to this, see
    ``app.web.templating``) are joined into one string, so the wrapper is never read; building it
    cost twenty times the escaping itself (about 1 µs against 0.04), and a round page writes a
    thousand values: a tenth of the page.
    """
    if type(value) is str:
        return _escape_inner(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return _escape_inner(str(value))


_text = escape_output


def paragraphs(text: str | None) -> Markup:
    """Plain text with blank lines as paragraphs, escaped."""
    if not text:
        return Markup("")
    parts = [p.strip() for p in text.split("\n\n") if p.strip()]
    return Markup("".join(f"<p>{_text(p)}</p>" for p in parts))  # noqa: S704 (each part is escaped)


def number_ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 5] → "1–3, 5": footnote numbers as one short label."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)


def _anchor(ref: schemas.CitationRef) -> str:
    # The page's first citation of a source is where its footnote's "back" link returns to.
    return f' id="cited-{ref.number}"' if ref.first else ""


CATEGORY_WORDS = {
    "party_government": "a party's government",
    "party_state_media": "a party's state media",
    "party_independent_media": "a party's independent media",
    "host_or_mediator": "the host or mediator",
    "third_country": "a third country",
    "international_organisation": "an international organisation",
    "independent_or_wire": "an independent or wire service",
}


def category_words(category: object) -> str:
    """A source's category as a reader says it: "a party's state media"."""
    return CATEGORY_WORDS.get(str(getattr(category, "value", category)), str(category))


def one_side_mark(refs: Sequence[schemas.CitationRef]) -> Markup:
    """ "Sourced from Russia's side only", where every source of a claim stands with one party."""
    side = schemas.one_side(list(refs))
    if side is None:
        return Markup("")
    return Markup(f' <span class="one-side">sourced from {_text(side)}’s side only</span>')  # noqa: S704


def cites(refs: Sequence[schemas.CitationRef]) -> Markup:
    """A claim's sources as footnote marks, "[1][2]", each titled with its publisher (and note)."""
    marks = []
    for ref in refs:
        title = _text(ref.publisher) + (", " + _text(ref.note) if ref.note else "")
        marks.append(f'<a class="cite" href="#source-{ref.number}"{_anchor(ref)} title="{title}">[{ref.number}]</a>')
    return Markup("".join(marks)) + one_side_mark(refs)  # noqa: S704 (every value is escaped above)


def cites_grouped(refs: Sequence[schemas.CitationRef]) -> Markup:
    """A claim's sources as one link, "[1–3, 5]": one tab stop where a table row would otherwise have a
    dozen. The first source's footnote is the target; every footnote still finds its way back here."""
    if not refs:
        return Markup("")
    first = refs[0]
    title = "; ".join(_text(ref.publisher) for ref in refs)
    label = number_ranges([ref.number for ref in refs])
    html = (
        f'<a class="cite" href="#source-{first.number}"{_anchor(first)} title="{title}">[{label}]'
        '<span class="visually-hidden"> sources</span></a>'
    )
    html += "".join(f'<span id="cited-{ref.number}"></span>' for ref in refs[1:] if ref.first)
    return Markup(html) + one_side_mark(refs)  # noqa: S704 (every value is escaped above)


def cite_marks(refs: Sequence[schemas.CitationRef]) -> Markup:
    """Footnote numbers as text, "[1–3]", where a link each would cost a dense table tab stops: the
    sources are listed below the table, and their back-links return here."""
    if not refs:
        return Markup("")
    title = "; ".join(_text(ref.publisher) for ref in refs)
    anchors = "".join(f'<span id="cited-{ref.number}"></span>' for ref in refs if ref.first)
    label = number_ranges([ref.number for ref in refs])
    marks = Markup(f'{anchors}<span class="cite-marks" title="Sources: {title}">[{label}]</span>')  # noqa: S704
    return marks + one_side_mark(refs)


def said_by(refs: Sequence[schemas.CitationRef], linked: bool = True) -> Markup:
    """ "(The News, Reuters)" after a reported figure: who said it, by name, each publisher once;
    linked to the footnote where the page lists sources."""
    if not refs:
        return Markup("")
    shown: list[schemas.CitationRef] = []
    seen: set[str] = set()
    for ref in refs:  # each publisher once, compared as Jinja's `unique` did: ignoring case
        if ref.publisher.lower() not in seen:
            seen.add(ref.publisher.lower())
            shown.append(ref)
    if not linked:
        names = ", ".join(_text(ref.publisher) for ref in shown)
        return Markup(f" ({names})") + one_side_mark(refs)  # noqa: S704 (every value is escaped)
    names = ", ".join(
        f'<a class="cite-name" href="#source-{ref.number}"{_anchor(ref)}>{_text(ref.publisher)}</a>' for ref in shown
    )
    # A source cited again under a publisher already named still gets the anchor its footnote returns to.
    anchors = "".join(f'<span id="cited-{ref.number}"></span>' for ref in refs if ref.first and ref not in shown)
    return Markup(f" ({names}{anchors})") + one_side_mark(refs)  # noqa: S704 (every value is escaped)


def minutes(value: int | None) -> str:
    """90 → "1 h 30 min"."""
    if value is None:
        return ""
    hours, rest = divmod(value, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def measured(figure: schemas.Measured, linked: bool = True) -> Markup:
    """A duration or delay: the agreed figure and what each source reported, or where sources differ,
    each report with who said it."""
    reports = "; ".join(f"{_text(f.as_reported)}{said_by(f.citations, linked)}" for f in figure.reported)
    if figure.minutes is not None:
        said = f" — reported as {reports}" if figure.reported else ""
        return Markup(f"{_text(minutes(figure.minutes))}{said}")  # noqa: S704 (every value is escaped)
    if figure.reported:
        differ = '<span class="differ">sources differ:</span> ' if len(figure.reported) > 1 else ""
        return Markup(differ + reports)  # noqa: S704 (every value is escaped)
    return Markup('<span class="muted">not reported</span>')


def status_badge(status: Any) -> Markup:
    """A round's, outcome's or step's state as a coloured label: "Agreed"."""
    value = str(status.value)
    label = value.replace("_", " ").capitalize()
    return Markup(f'<span class="badge badge-{_text(value)}">{_text(label)}</span>')  # noqa: S704


def fuzzy(date: schemas.FuzzyDate | None) -> Markup:
    """A date as precisely as it is known, machine-readable in ``datetime``; or "date not set"."""
    if not date:
        return Markup('<span class="muted">date not set</span>')
    precision = date.precision.value
    if precision == "day":
        machine = date.date.isoformat()
    elif precision == "month":
        machine = date.date.isoformat()[:7]
    else:
        machine = str(date.date.year)
    html = f'<time datetime="{machine}">{_text(date.label)}</time>'
    if date.note:
        html += f' <span class="date-note">({_text(date.note)})</span>'
    return Markup(html)  # noqa: S704 (every value is escaped above)


def party_name(party: schemas.PartyRef, short: bool = False) -> Markup:
    name = party.short_name if short else party.name
    return Markup(  # noqa: S704 (every value is escaped)
        f'<a class="party" href="/parties/{_text(party.slug)}"><span class="party-dot" '
        f'style="--party: {_text(party.colour)}" aria-hidden="true"></span>{_text(name)}</a>'
    )


def person_name(person: schemas.PersonRef) -> Markup:
    html = f'<a href="/people/{_text(person.slug)}">{_text(person.name)}</a>'
    if person.name_native:
        html += f' <span class="native">({_text(person.name_native)})</span>'
    return Markup(html)  # noqa: S704 (every value is escaped above)


def round_date(round: Any) -> Markup:
    """A round's date; a planned round whose expected date has passed says nothing was announced since."""
    if getattr(round, "overdue", False):
        return (
            Markup("expected ") + fuzzy(round.date) + Markup(' <span class="overdue">— no date announced since</span>')
        )
    return fuzzy(round.date)


def round_link(round: Any) -> Markup:
    """ "Round 2, Istanbul (2 June 2025)", linked to the round."""
    city = f", {_text(round.city)}" if round.city else ""
    return Markup(  # noqa: S704 (every value is escaped)
        f'<a href="/rounds/{_text(round.slug)}">Round {round.sequence}{city}</a> ({round_date(round)})'
    )


def position_body(
    p: schemas.PositionPublic, with_round: bool = True, editing: Any = False, grouped: bool = False
) -> Markup:
    """A position as the round, compare, topic and person pages show it: what was said, with its sources;
    more of it (the full text, a quote) behind "More"; where and by whom it was said, the clause it comes
    from, and for an editor a link to edit it."""
    cited = cites_grouped(p.citations) if grouped else cites(p.citations)
    html = [f'<p class="position-summary">{_text(p.summary)}{cited}</p>\n']
    if (p.text and p.text != p.summary) or p.quote:
        html.append(
            f'<details class="more">\n  <summary>More<span class="visually-hidden"> on {_text(p.party.short_name)}’s '
            f"position: {_text(p.topic.name)}</span></summary>\n  {paragraphs(p.text)}\n"
        )
        if p.quote:
            html.append(f"<blockquote>“{_text(p.quote)}”</blockquote>")
        html.append("</details>\n")
    html.append(_position_meta(p, with_round=with_round, editing=editing, grouped=grouped))
    return Markup("".join(html))  # noqa: S704 (every value is escaped above)


def _position_meta(p: schemas.PositionPublic, *, with_round: bool, editing: Any, grouped: bool) -> str:
    """Where and by whom a position was said, the clause it comes from, and for an editor a link to edit it:
    what is known, joined by " · " (on a round's own page the round goes unsaid, and a line began with one)."""
    parts = []
    if with_round and p.round:
        parts.append(f"At {round_link(p.round)}")
    elif p.stated:
        parts.append(f"On {fuzzy(p.stated)}")
    if p.speaker:
        parts.append(f"{'by' if parts else 'By'} {person_name(p.speaker)}")
    if p.stated_in:
        stated_in = _text(p.stated_in)
        parts.append(stated_in if parts else stated_in[:1].upper() + stated_in[1:])
    if clause := p.clause:
        name = _text(clause.document_title)
        if clause.number:
            name += f", clause {_text(clause.number)}"
        elif clause.heading:
            name += f": {_text(clause.heading)}"
        # In the comparison table (grouped) the clause is named, not linked: a row there keeps to a few tab stops.
        if not grouped:
            name = f'<a href="/documents/{_text(clause.document_slug)}#{_text(clause.anchor)}">{name}</a>'
        parts.append(f"{'from' if parts else 'From'} {name}")
    if editing:
        parts.append(f'<a href="/edit/positions/{p.id}">Edit<span class="visually-hidden"> this position</span></a>')
    return f'<p class="position-meta">\n{" · ".join(parts)}</p>' if parts else ""


GLOBALS = {
    "position_body": position_body,
    "said_by": said_by,
    "measured": measured,
    "status_badge": status_badge,
    "cites": cites,
    "cites_grouped": cites_grouped,
    "cite_marks": cite_marks,
    "one_side_mark": one_side_mark,
    "fuzzy": fuzzy,
    "party_name": party_name,
    "person_name": person_name,
    "round_date": round_date,
    "round_link": round_link,
}
