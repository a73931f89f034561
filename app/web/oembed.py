"""oEmbed 1.0 (https://oembed.com): a publishing tool given the address of a compare, timeline,
round or document-comparison page gets the embed code of its widget."""

import re
from typing import Annotated
from urllib.parse import parse_qsl, urlsplit

from fastapi import Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from app.core.errors import InvalidChoice, NotFound
from app.reading import comparison, documents, rounds, schemas, timeline
from app.record.models import (
    SLUG_PATTERN,
)
from app.web.deps import Router, SessionDep
from app.web.embed_code import EmbedCode, compare_embeds, document_comparison_embed, round_embeds, timeline_embed

router = Router(include_in_schema=False)

OEMBED_CACHE_AGE = 3600
# Widgets read well from 300 to 1000 px wide; oEmbed offers the widest unless asked for less.
OEMBED_WIDTH = 1000
SLUG = SLUG_PATTERN.removeprefix("^").removesuffix("$")


# ------------------------------------------------------------------ oEmbed


def _embed_for(request: Request, session: Session, url: str) -> EmbedCode | None:
    """Embed code for a URL of an embeddable Parley page on this host, or None."""
    base = str(request.base_url)
    try:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc.lower() != urlsplit(base).netloc.lower():
            return None
        params = parse_qsl(parts.query)
        for embed in (_compare_embed, _timeline_embed, _round_embed, _document_comparison_embed):
            code = embed(session, base, parts.path, params)
            if code is not None:
                return code
    except (ValueError, NotFound, InvalidChoice, ValidationError):
        return None
    return None


Params = list[tuple[str, str]]


def _compare_embed(session: Session, base: str, path: str, params: Params) -> EmbedCode | None:
    if path != "/compare":
        return None
    view = comparison.compare(
        session=session,
        negotiation=dict(params).get("negotiation") or None,
        parties=[value for name, value in params if name == "party"],
        as_of=dict(params).get("as_of") or None,
        topics=[value for name, value in params if name == "topic"],
    )
    # Fixed as of the round the page shows, as the page's own Embed panel offers first.
    return compare_embeds(base, view, params)[0]


def _timeline_embed(session: Session, base: str, path: str, params: Params) -> EmbedCode | None:
    """The timeline, of all negotiations (/timeline) or of one (/negotiations/<slug>), with the page's filters.

    A filtered timeline kept from when it was at / (``/?party=…``) is the timeline still.
    """
    negotiation = re.fullmatch(f"/negotiations/({SLUG})", path)
    fields = schemas.TimelineFilters.model_fields
    filtered = any(name in fields and name != "negotiation" for name, _ in params)
    if path != "/timeline" and not negotiation and not (path == "/" and filtered):
        return None
    values = {name: value for name, value in params if name in fields}
    if negotiation:
        values["negotiation"] = negotiation[1]
    filters = schemas.TimelineFilters.model_validate(values)
    return timeline_embed(base, timeline.timeline(session=session, filters=filters, limit=1))


def _round_embed(session: Session, base: str, path: str, params: Params) -> EmbedCode | None:
    found = re.fullmatch(f"/rounds/({SLUG})", path)
    if not found:
        return None
    return round_embeds(base, rounds.round_detail(session=session, slug=found[1]))[0]


def _document_comparison_embed(session: Session, base: str, path: str, params: Params) -> EmbedCode | None:
    if path != "/documents/compare":
        return None
    chosen = dict(params)
    versions = {side: int(chosen[side]) for side in ("left_version", "right_version") if chosen.get(side, "").isdigit()}
    view = documents.compare_documents(
        session=session,
        left=chosen.get("left", ""),
        right=chosen.get("right", ""),
        left_version=versions.get("left_version"),
        right_version=versions.get("right_version"),
    )
    return document_comparison_embed(base, view, params)


@router.get("/oembed")
def oembed(
    request: Request,
    session: SessionDep,
    url: Annotated[str, Query(max_length=2000, description="Address of a Parley page.")],
    maxwidth: Annotated[int | None, Query(ge=1, le=100_000)] = None,
    maxheight: Annotated[int | None, Query(ge=1, le=100_000)] = None,
    response_format: Annotated[str, Query(alias="format", max_length=20)] = "json",
) -> Response:
    """oEmbed 1.0 (https://oembed.com) for the compare, timeline, round and document-comparison pages."""
    if response_format != "json":
        return PlainTextResponse("Parley answers oEmbed requests in JSON only.", status_code=501)
    code = _embed_for(request, session, url)
    if code is None:
        return JSONResponse({"detail": "That address is not an embeddable Parley page."}, status_code=404)
    width = min(maxwidth or OEMBED_WIDTH, OEMBED_WIDTH)
    height = min(maxheight or code.height, code.height)
    answer = {
        "type": "rich",
        "version": "1.0",
        "title": code.title,
        "provider_name": "Parley",
        "provider_url": str(request.base_url),
        "cache_age": OEMBED_CACHE_AGE,
        "width": width,
        "height": height,
        "html": code.html(width=width, height=height),
    }
    return JSONResponse(answer, headers={"Cache-Control": f"public, max-age={OEMBED_CACHE_AGE}"})
