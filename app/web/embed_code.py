"""Embed code: what a publisher pastes to show a widget in an article, and the words that name each
view (its heading and title). The compare, timeline and round pages offer it in their Embed panel,
and oEmbed hands it to publishing tools; the snippet itself is a template, ``_embed_code.html``.
"""

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from markupsafe import Markup

from app.reading import schemas
from app.record.models import (
    round_name,
)
from app.web.templating import route_path, templates

# Each widget's height when embedded; the script in the embed code then fits it to its content.
HEIGHTS = {"compare": 600, "timeline": 600, "round": 480, "focus": 480, "documents": 600}
COMPARE_PARAMS = ("negotiation", "party", "as_of", "topic")
DOCUMENT_PARAMS = ("left", "right", "left_version", "right_version")


# ------------------------------------------------------------------ titles


def _joined(names: Sequence[str]) -> str:
    if len(names) == 2:
        return f"{names[0]} vs {names[1]}"
    return f"{', '.join(names[:-1])} and {names[-1]}" if len(names) > 2 else "".join(names)


def compare_heading(view: schemas.Comparison) -> str:
    names = [p.name for p in view.parties]
    if not names:
        return "What each side demands"
    return f"{_joined(names)}: what {'each side demands' if len(names) > 1 else 'it demands'}"


def compare_title(view: schemas.Comparison, *, live: bool = False) -> str:
    """``live``: the embed follows the latest round rather than the one shown now."""
    heading = compare_heading(view)
    if view.as_of is None:
        return heading
    if live:
        return f"{heading}, as of the latest round"
    return f"{heading}, as of {view.as_of.date.label if view.as_of.date else f'round {view.as_of.sequence}'}"


def timeline_title(page: schemas.TimelinePage) -> str:
    return f"{page.negotiation.title}: timeline" if page.negotiation else "Timeline of the talks"


def timeline_filters_label(page: schemas.TimelinePage) -> str:
    """The filters other than the negotiation, in words: "Party: Turkey · Planned rounds"."""
    f, options = page.filters, page.options
    labels = {
        "party": {o.value: o.label for o in options.parties},
        "topic": {o.value: o.label for o in options.topics},
    }
    kinds = {"round": "Rounds held or called off", "planned": "Planned rounds", "event": "Context events"}
    words = [
        f"{name.capitalize()}: {labels[name].get(value, value)}" for name, value in f.query().items() if name in labels
    ]
    if f.year:
        words.append(str(f.year))
    if f.kind:
        words.append(kinds[f.kind])
    if f.q:
        words.append(f"Matching “{f.q.strip()}”")
    return " · ".join(words)


def round_title(r: schemas.RoundDetail | schemas.RoundRef) -> str:
    return f"{round_name(r.sequence, r.city)}, {r.date.label if r.date else 'date not set'}"


# ------------------------------------------------------------------ embed code


@dataclass(frozen=True)
class EmbedCode:
    """One view's embed code: an iframe of the widget, then the script that fits it to its content."""

    label: str
    base: str  # Parley's own address, ending in "/"
    path: str  # the widget's address below it, with query and fragment
    title: str
    height: int

    @property
    def src(self) -> str:
        return self.base + self.path

    def html(self, *, width: int | None = None, height: int | None = None) -> str:
        style = f"border:0;width:100%;max-width:{width}px" if width else "border:0;width:100%"
        snippet = templates.get_template("_embed_code.html")
        return snippet.render(code=self, width=width, height=height, style=style)

    @property
    def snippet(self) -> str:
        return self.html()


def page_address(path: str, query: Iterable[tuple[str, str]], fragment: str = "") -> str:
    encoded = urlencode(list(query))
    return path + (f"?{encoded}" if encoded else "") + (f"#{fragment}" if fragment else "")


def compare_embed(base: str, view: schemas.Comparison, params: Iterable[tuple[str, str]]) -> EmbedCode:
    """The comparison with the same choices as ``params`` (a page's or an oEmbed URL's query)."""
    query = [(name, value) for name, value in params if name in COMPARE_PARAMS and value]
    live = not any(name == "as_of" for name, _ in query)
    return EmbedCode(
        "This comparison",
        base,
        page_address("embed/compare", query),
        compare_title(view, live=live),
        HEIGHTS["compare"],
    )


def compare_embeds(base: str, view: schemas.Comparison, params: Iterable[tuple[str, str]]) -> list[EmbedCode]:
    """The comparison fixed as of the round it shows (first: an article should not change under its
    author), then the same comparison following the latest round."""
    if view.as_of is None:
        return [compare_embed(base, view, params)]
    chosen = [(name, value) for name, value in params if name in COMPARE_PARAMS and value and name != "as_of"]
    fixed = compare_embed(base, view, [*chosen, ("as_of", view.as_of.slug)])
    latest = compare_embed(base, view, chosen)
    return [
        EmbedCode(f"This view, fixed as of round {view.as_of.sequence}", base, fixed.path, fixed.title, fixed.height),
        EmbedCode("Always the latest round", base, latest.path, latest.title, latest.height),
    ]


def document_comparison_title(view: schemas.DocumentComparison) -> str:
    return f"{view.left.title} and {view.right.title}, clause by clause"


def document_comparison_embed(
    base: str, view: schemas.DocumentComparison, params: Iterable[tuple[str, str]]
) -> EmbedCode:
    """Two documents side by side, with the versions shown now: an article should not change under its
    author when a new version is added."""
    chosen = dict((name, value) for name, value in params if name in DOCUMENT_PARAMS and value)
    query = [("left", view.left.slug), ("right", view.right.slug)]
    for side, version in (("left_version", view.left_version), ("right_version", view.right_version)):
        number = chosen.get(side) or (str(version.number) if version else "")
        if number:
            query.append((side, number))
    return EmbedCode(
        "These two documents",
        base,
        page_address("embed/documents/compare", query),
        document_comparison_title(view),
        HEIGHTS["documents"],
    )


def timeline_embed(base: str, page: schemas.TimelinePage) -> EmbedCode:
    return EmbedCode(
        "This timeline",
        base,
        page_address("embed/timeline", page.filters.query().items()),
        timeline_title(page),
        HEIGHTS["timeline"],
    )


def round_embeds(base: str, detail: schemas.RoundDetail) -> list[EmbedCode]:
    """The round card, and the negotiation's timeline opened at this round."""
    focus = [("negotiation", detail.negotiation.slug), ("focus", detail.slug)]
    return [
        EmbedCode("This round", base, f"embed/round/{detail.slug}", round_title(detail), HEIGHTS["round"]),
        EmbedCode(
            "The timeline, opened at this round",
            base,
            page_address("embed/timeline", focus, f"round-{detail.slug}"),
            f"{detail.negotiation.title}: timeline, at round {detail.sequence}",
            HEIGHTS["focus"],
        ),
    ]


def embed_codes(request: Request, subject: Any) -> list[EmbedCode]:
    """Embed code for what a page shows; the Embed panel of the compare, timeline, round and
    document-comparison pages."""
    base = str(request.base_url)
    if isinstance(subject, schemas.Comparison):
        return compare_embeds(base, subject, request.query_params.multi_items())
    if isinstance(subject, schemas.TimelinePage):
        return [timeline_embed(base, subject)]
    if isinstance(subject, schemas.RoundDetail):
        return round_embeds(base, subject)
    if isinstance(subject, schemas.DocumentComparison):
        return [document_comparison_embed(base, subject, request.query_params.multi_items())]
    raise TypeError(f"nothing to embed for {type(subject).__name__}")


def embed_head(request: Request, subject: Any) -> Markup:
    """For an embeddable page's <head>: oEmbed discovery, and the script behind the Copy button."""
    code = embed_codes(request, subject)[0]
    oembed = f"{request.base_url}oembed?{urlencode({'url': str(request.url), 'format': 'json'})}"
    script = route_path(request.app, "static", path="embed-panel.js")
    return Markup(  # noqa: S704 (every value is escaped)
        f'<link rel="alternate" type="application/json+oembed" href="{html.escape(oembed)}" '
        f'title="{html.escape(code.title)}">\n  <script src="{html.escape(script)}" defer></script>'
    )
