"""Widgets for other sites' pages: the comparison, the timeline and a round card.

A widget renders what the reading services return, so it shows published claims only, exactly as
the pages do; what it adds around them (its own footnote numbers, when it last changed) it asks of
the record here. It is a page of its own, small enough to serve from a CDN: its CSS inline, no htmx,
no cookies, nothing from other hosts. Widgets may be framed by any site (or by those a setting
allows); ``app.web.security`` makes every other answer refuse to be framed.
"""

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlmodel import Session

from app.core.config import PROJECT_ROOT
from app.core.db import any_of, read
from app.core.errors import InvalidChoice, NotFound
from app.reading import comparison, documents, rounds, schemas, state, timeline
from app.reading.freshness import last_changed
from app.reading.lookup import Lookup
from app.record import addresses
from app.record.models import (
    SLUG_PATTERN,
    Clause,
    Document,
    DocumentVersion,
    Event,
    Round,
    table_of,
)
from app.web import charts
from app.web.deps import Router, SessionDep
from app.web.embed_code import (
    COMPARE_PARAMS,
    DOCUMENT_PARAMS,
    compare_heading,
    compare_title,
    document_comparison_title,
    page_address,
    round_title,
    timeline_filters_label,
    timeline_title,
)
from app.web.params import (
    AsOf,
    DocumentChoice,
    Filters,
    NegotiationChoice,
    PartyChoice,
    Slug,
    TopicChoice,
    VersionChoice,
)
from app.web.templating import render

router = Router(include_in_schema=False)

# Fit for a CDN: browsers recheck within a minute, shared caches within five, and may serve a
# stale copy for ten more while they refetch. The ETag (app/web/caching.py) makes a recheck cheap.
WIDGET_CACHE_CONTROL = "public, max-age=60, s-maxage=300, stale-while-revalidate=600"
# Nothing from other hosts and no inline script; the widget's CSS is inline to save a request.
WIDGET_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; base-uri 'none'; form-action 'none'"
)


def _minified(css: str) -> Markup:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    css = re.sub(r"\s*([{};,>])\s*", r"\1", css)
    return Markup(re.sub(r"\s+", " ", css).replace(";}", "}").strip())  # noqa: S704 (our own stylesheet)


# Read once: every widget carries it inline, which saves a request and keeps the size budget honest.
WIDGET_CSS = _minified((PROJECT_ROOT / "static" / "embed.css").read_text())

Theme = Annotated[
    Literal["auto", "light", "dark"],
    Query(description="Colours: light, dark, or auto to follow the reader's system setting."),
]
Compact = Annotated[bool, Query(description="Tighter spacing and less detail, for narrow columns.")]
Picture = Annotated[
    str | None,
    Query(pattern="^(outcomes|gaps|strip)$", description="One picture of the state of play; default: all of them."),
]
Focus = Annotated[
    str | None,
    Query(pattern=SLUG_PATTERN, description="Slug of a round: the widget keeps its height and opens at that round."),
]


# ------------------------------------------------------------------ what a widget shows around its content


def _ids(session: Session, model: Any, slugs: Iterable[str]) -> dict[str, int]:
    return {slug: ident for slug, ident in read(session, _ids_statement(model), {"slugs": list(slugs)})}


@functools.cache
def _ids_statement(model: Any) -> sa.Select[Any]:
    return sa.select(model.slug, model.id).where(any_of(model.slug, "slugs"))


def _round_slugs(page: schemas.TimelinePage) -> set[str]:
    return {e.round.slug for e in page.entries if isinstance(e, schemas.TimelineRound)}


def _distinct(refs: Iterable[schemas.CitationRef]) -> list[schemas.CitationRef]:
    return sorted({ref.number: ref for ref in refs}.values(), key=lambda ref: ref.number)


def _compare_updated(session: Session, view: schemas.Comparison) -> dt.datetime | None:
    positions = [cell.position.id for row in view.rows for cell in row.cells if cell.position]
    gaps = [(row.topic.slug, row.gap.as_of.slug) for row in view.rows if row.gap]
    return last_changed(session, positions=positions, gaps=gaps)


@dataclass
class TimelineCitations:
    """The timeline's footnotes, numbered for the widget: per entry (by its element id), and the sources."""

    refs: dict[str, list[schemas.CitationRef]]
    sources: list[schemas.SourcePublic]
    updated: dt.datetime | None


def _timeline_citations(session: Session, page: schemas.TimelinePage) -> TimelineCitations:
    shown_rounds = [e for e in page.entries if isinstance(e, schemas.TimelineRound)]
    shown_events = [e for e in page.entries if isinstance(e, schemas.TimelineEvent)]
    round_ids = _ids(session, Round, [e.round.slug for e in shown_rounds])
    event_ids = _ids(session, Event, [e.event.slug for e in shown_events])
    outcome_ids = [o.id for e in shown_rounds for o in e.outcomes]

    lookup = Lookup(session)
    lookup.load_citations("round_id", round_ids.values())
    durations = timeline.reported_durations(session, lookup, list(round_ids.values()))
    lookup.load_citations("outcome_id", outcome_ids)
    lookup.load_citations("event_id", event_ids.values())
    refs: dict[str, list[schemas.CitationRef]] = {}
    for entry in page.entries:
        if isinstance(entry, schemas.TimelineRound):
            refs[f"round-{entry.round.slug}"] = _round_refs(lookup, entry, round_ids[entry.round.slug], durations)
        else:
            refs[f"event-{entry.event.slug}"] = _distinct(lookup.cite("event_id", event_ids[entry.event.slug]))
    updated = last_changed(
        session, rounds=list(round_ids.values()), events=list(event_ids.values()), outcomes=outcome_ids
    )
    return TimelineCitations(refs=refs, sources=lookup.sources(), updated=updated)


def _round_refs(
    lookup: Lookup, entry: schemas.TimelineRound, round_id: int, durations: dict[int, list[sa.Row[Any]]]
) -> list[schemas.CitationRef]:
    """A round's footnotes in the widget: the round's own, its reported durations', its outcomes'."""
    cited = lookup.cite("round_id", round_id)
    cited += [ref for f in durations[round_id] if f.id for ref in lookup.cite("figure_id", f.id)]
    cited += [ref for o in entry.outcomes for ref in lookup.cite("outcome_id", o.id)]
    return _distinct(cited)


def _round_cited(detail: schemas.RoundDetail) -> list[schemas.SourcePublic]:
    """The sources the round card cites (the round page cites more: every position stated there)."""
    refs = [*detail.citations]
    for measured in (detail.duration, detail.delay):
        refs += [ref for figure in measured.reported for ref in figure.citations]
    refs += [ref for outcome in detail.outcomes for ref in outcome.citations]
    numbers = {ref.number for ref in refs}
    return [source for source in detail.sources if source.number in numbers]


# ------------------------------------------------------------------ widgets


def _widget(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    theme: str,
    compact: bool,
    status_code: int = 200,
) -> HTMLResponse:
    response = render(
        request,
        template,
        {**context, "theme": theme, "compact": compact, "embed_css": WIDGET_CSS},
        status_code=status_code,
    )
    response.headers["Content-Security-Policy"] = WIDGET_CSP
    if status_code == 200:
        response.headers["Cache-Control"] = WIDGET_CACHE_CONTROL
    return response


def _widget_error(
    request: Request, session: Session, error: Exception, *, theme: str, compact: bool
) -> HTMLResponse | RedirectResponse:
    current = addresses.address_now(request, session)
    if current is not None:  # a published page may embed a widget under an address that has since moved
        return RedirectResponse(current, status_code=301)
    missing = isinstance(error, NotFound)
    context = {"title": "Not found" if missing else "That view cannot be shown", "message": str(error)}
    return _widget(
        request, "embed_base.html", context, theme=theme, compact=compact, status_code=404 if missing else 422
    )


@router.get("/embed/compare", response_class=HTMLResponse)
def embed_compare(
    request: Request,
    session: SessionDep,
    negotiation: NegotiationChoice = None,
    party: PartyChoice = [],  # noqa: B006 (FastAPI copies defaults)
    as_of: AsOf = None,
    topic: TopicChoice = [],  # noqa: B006
    theme: Theme = "light",
    compact: Compact = False,
) -> Response:
    try:
        view = comparison.compare(session=session, negotiation=negotiation, parties=party, as_of=as_of, topics=topic)
    except (NotFound, InvalidChoice) as error:
        return _widget_error(request, session, error, theme=theme, compact=compact)
    query = [(name, value) for name, value in request.query_params.multi_items() if name in COMPARE_PARAMS]
    context = {
        "view": view,
        "title": compare_title(view),
        "heading": compare_heading(view),
        "full_url": f"{request.base_url}{page_address('compare', query)}",
        "data_url": f"{request.base_url}{page_address('compare.csv', query)}",
        "sources": view.sources,
        "updated": _compare_updated(session, view),
    }
    return _widget(request, "embed_compare.html", context, theme=theme, compact=compact)


@router.get("/embed/documents/compare", response_class=HTMLResponse)
def embed_document_comparison(
    request: Request,
    session: SessionDep,
    left: DocumentChoice,
    right: DocumentChoice,
    left_version: VersionChoice = None,
    right_version: VersionChoice = None,
    theme: Theme = "light",
    compact: Compact = False,
) -> Response:
    try:
        view = documents.compare_documents(
            session=session, left=left, right=right, left_version=left_version, right_version=right_version
        )
    except (NotFound, InvalidChoice) as error:
        return _widget_error(request, session, error, theme=theme, compact=compact)
    query = [(name, value) for name, value in request.query_params.multi_items() if name in DOCUMENT_PARAMS]
    context = {
        "view": view,
        "title": document_comparison_title(view),
        "full_url": f"{request.base_url}{page_address('documents/compare', query)}",
        "data_url": f"{request.base_url}{page_address('documents/compare.csv', query)}",
        "updated": _documents_updated(session, view),
    }
    return _widget(request, "embed_document_compare.html", context, theme=theme, compact=compact)


def _documents_updated(session: Session, view: schemas.DocumentComparison) -> dt.datetime | None:
    """When either document, a version of it or a clause of one last changed."""
    slugs = [view.left.slug, view.right.slug]
    documents_, versions, clauses = (table_of(m) for m in (Document, DocumentVersion, Clause))
    ids = sa.select(documents_.c.id).where(documents_.c.slug.in_(slugs)).scalar_subquery()
    moments = [
        sa.select(sa.func.max(documents_.c.updated_at)).where(documents_.c.slug.in_(slugs)).scalar_subquery(),
        sa.select(sa.func.max(versions.c.updated_at)).where(versions.c.document_id.in_(ids)).scalar_subquery(),
        sa.select(sa.func.max(clauses.c.updated_at))
        .join(versions, versions.c.id == clauses.c.version_id)
        .where(versions.c.document_id.in_(ids))
        .scalar_subquery(),
    ]
    found = [m for m in session.execute(sa.select(*moments)).one() if m is not None]
    return max(found) if found else None


@router.get("/embed/state", response_class=HTMLResponse)
def embed_state(
    request: Request,
    session: SessionDep,
    negotiation: NegotiationChoice = None,
    picture: Picture = None,
    theme: Theme = "light",
    compact: Compact = False,
) -> Response:
    """The state of play's pictures (or one of them, ``picture``), for another site's page."""
    try:
        view = state.state_of_play(session=session, negotiation=negotiation)
    except (NotFound, InvalidChoice) as error:
        return _widget_error(request, session, error, theme=theme, compact=compact)
    query = [("negotiation", view.negotiation.slug)]
    context = {
        "view": view,
        "picture": picture,
        "title": f"{view.negotiation.title}: the state of play",
        "full_url": f"{request.base_url}{page_address('', query)}",
        "data_url": None,
        "updated": None,
    }
    return _widget(request, "embed_state.html", context, theme=theme, compact=compact)


@router.get("/state.svg", response_class=Response)
def state_svg(
    session: SessionDep,
    picture: Annotated[str, Query(pattern="^(outcomes|gaps|strip)$", description="Which picture.")],
    negotiation: NegotiationChoice = None,
) -> Response:
    """One picture of the state of play as an SVG file of its own, for a newsroom's graphics desk."""
    view = state.state_of_play(session=session, negotiation=negotiation)
    drawn = charts.PICTURES[picture](view, picture, standalone=True)
    if not drawn:
        raise NotFound(f"There is nothing to draw for {picture} in {view.negotiation.title} yet.")
    return Response(
        str(drawn),
        media_type="image/svg+xml",
        headers={"Content-Disposition": f'attachment; filename="parley-{view.negotiation.slug}-{picture}.svg"'},
    )


@router.get("/state.png", response_class=Response)
def state_png(
    session: SessionDep,
    picture: Annotated[str, Query(pattern="^(outcomes|gaps|strip)$", description="Which picture.")],
    negotiation: NegotiationChoice = None,
) -> Response:
    """The same picture as a PNG, twice its size, on white: for slides and print."""
    view = state.state_of_play(session=session, negotiation=negotiation)
    drawn = charts.PICTURES[picture](view, picture, standalone=True)
    if not drawn:
        raise NotFound(f"There is nothing to draw for {picture} in {view.negotiation.title} yet.")
    import resvg_py  # only here: the app starts without loading the renderer (issue 13's start-up budget)

    png = bytes(resvg_py.svg_to_bytes(svg_string=str(drawn), zoom=2, background="white"))
    return Response(
        png,
        media_type="image/png",
        headers={"Content-Disposition": f'attachment; filename="parley-{view.negotiation.slug}-{picture}.png"'},
    )


@router.get("/embed/timeline", response_class=HTMLResponse)
def embed_timeline(
    request: Request,
    session: SessionDep,
    filters: Filters,
    focus: Focus = None,
    theme: Theme = "light",
    compact: Compact = False,
) -> Response:
    try:
        focused = rounds.get_round(session=session, slug=focus) if focus else None
        page = timeline.timeline(session=session, filters=filters)
        later = bool(focused and focused.sort_date and page.next_cursor and focus not in _round_slugs(page))
        if later:
            # Further on than the first entries: start on the focused round's day.
            assert focused is not None and focused.sort_date is not None
            start = timeline.Cursor(focused.sort_date, timeline.EVENT, 0).encode()
            page = timeline.timeline(session=session, filters=filters, after=start)
    except (NotFound, InvalidChoice) as error:
        return _widget_error(request, session, error, theme=theme, compact=compact)
    focus = focus if focus in _round_slugs(page) else None
    cited = _timeline_citations(session, page)
    path = f"negotiations/{page.negotiation.slug}" if page.negotiation else "timeline"
    query = [(k, v) for k, v in page.filters.query().items() if k != "negotiation" or not page.negotiation]
    context = {
        "page": page,
        "title": timeline_title(page),
        "subtitle": timeline_filters_label(page),
        "focus": focus,
        "later": later,
        "refs": cited.refs,
        "full_url": f"{request.base_url}{page_address(path, query, f'round-{focus}' if focus else '')}",
        "data_url": f"{request.base_url}{page_address('timeline.csv', page.filters.query().items())}",
        "sources": cited.sources,
        "updated": cited.updated,
    }
    return _widget(request, "embed_timeline.html", context, theme=theme, compact=compact)


@router.get("/embed/round/{slug}", response_class=HTMLResponse)
def embed_round(
    request: Request, session: SessionDep, slug: Slug, theme: Theme = "light", compact: Compact = False
) -> Response:
    try:
        detail = rounds.round_detail(session=session, slug=slug)
    except NotFound as error:
        return _widget_error(request, session, error, theme=theme, compact=compact)
    context = {
        "round": detail,
        "title": round_title(detail),
        "full_url": f"{request.base_url}rounds/{slug}",
        "data_url": f"{request.base_url}rounds/{slug}/outcomes.csv",
        "sources": _round_cited(detail),
        "updated": detail.updated_at,  # as the round's page says it
    }
    return _widget(request, "embed_round.html", context, theme=theme, compact=compact)
