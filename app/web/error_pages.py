"""The site's own answer to everything that goes wrong: a page for people, JSON under /api/.

Every error ends here, whether FastAPI's handlers catch it or it happens in front of FastAPI (the
response cache, a malformed request): never a server's bare "Internal Server Error". When the
database cannot be reached, the answer is 503 with ``Retry-After``; a form that could not be saved
comes back with everything that was typed, ready to send again; an htmx request gets a short
message in the page's alert area and leaves what is on screen alone.
"""

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from fastapi.concurrency import run_in_threadpool
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from app.core.db import is_unavailable
from app.record import addresses
from app.web.htmx import swap_into, wants_fragment
from app.web.security import FORM_BODY, add_security_headers
from app.web.templating import render

logger = logging.getLogger("parley.errors")

# Long enough for a database restart or a burst to pass, short enough that a reader's retry helps.
RETRY_AFTER_SECONDS = 5
# Never written back into a page, even to the person who typed it.
NOT_REPLAYED = frozenset({"password"})

UNAVAILABLE_TITLE = "Parley cannot reach its database just now"
UNAVAILABLE_MESSAGE = f"This is usually over within seconds. Try again in {RETRY_AFTER_SECONDS} seconds."
NOT_SAVED_MESSAGE = "Nothing was saved. Everything you typed is below; press “Send again” when the database is back."
SERVER_ERROR_TITLE = "Something went wrong on our side"
SERVER_ERROR_MESSAGE = "The error has been logged. Nothing was changed; try again, or go back to the timeline."

STATUS_TITLES = {
    400: "That request cannot be answered",
    404: "There is nothing at this address",
    405: "That address does not take this kind of request",
    413: "That request is too large",
}
STATUS_MESSAGES = {
    404: "Check the address, or start from the timeline, the topics or the parties.",
    405: "Follow a link or a button on the site rather than sending this request yourself.",
}

Handler = Callable[[Request, Exception], Awaitable[Response]]


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _problem_json(status: int, title: str, detail: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    # RFC 9457 problem details; "detail" is what Parley's API has always said.
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


def _replayable(request: Request) -> list[tuple[str, str]]:
    body = request.scope.get(FORM_BODY)
    if request.method != "POST" or not isinstance(body, bytes):
        return []
    fields = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    return [(name, value) for name, value in fields if name not in NOT_REPLAYED]


def error_page(
    request: Request,
    status: int,
    title: str,
    messages: list[str],
    *,
    headers: Mapping[str, str] | None = None,
    replay: list[tuple[str, str]] | None = None,
) -> Response:
    """The error page (or, for htmx, a notice in the alert area).

    It touches the database only to show who is signed in; callers answering a database failure set
    ``request.state.user`` to None first.
    """
    as_notice = wants_fragment(request)
    context = {
        "title": title,
        "messages": messages,
        "replay": replay or [],
        "action": request.url.path,
        "as_notice": as_notice,
    }
    try:
        response = render(
            request, "error.html", context, fragment="notice" if as_notice else None, status_code=status, retitle=False
        )
    except SQLAlchemyError as exc:
        if not is_unavailable(exc):
            raise
        request.state.user = None  # who is signed in cannot be known without the database
        response = render(
            request, "error.html", context, fragment="notice" if as_notice else None, status_code=status, retitle=False
        )
    if as_notice:
        # Whatever the request meant to swap stays as it is; the notice goes to the page's alert area.
        swap_into(response, "#flash")
    response.headers.update(headers or {})
    response.headers["Cache-Control"] = "no-store"
    return response


async def http_error(request: Request, exc: Exception) -> Response:
    """404 for unknown addresses, 405, and every other HTTPException, as a page (or JSON under /api/)."""
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    title = STATUS_TITLES.get(exc.status_code, "That request cannot be answered")
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail not in ("Not Found", "Method Not Allowed") else ""
    message = detail or STATUS_MESSAGES.get(exc.status_code, "")
    if wants_json(request):
        return _problem_json(exc.status_code, title, message or title, headers)
    return await run_in_threadpool(error_page, request, exc.status_code, title, [message], headers=headers)


def moved(request: Request) -> Response | None:
    """A 301 to a record's current address, when a slug asked for is one it used to have."""
    with Session(request.app.state.engine) as session:
        current = addresses.address_now(request, session)
    return RedirectResponse(current, status_code=301) if current is not None else None


def problem(status: int, title: str) -> Handler:
    """A handler for one of Parley's own exceptions: its message, under ``title``."""

    async def handle(request: Request, exc: Exception) -> Response:
        if status in (404, 422) and (redirect := await run_in_threadpool(moved, request)) is not None:
            return redirect
        if wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=status)
        return await run_in_threadpool(error_page, request, status, title, [str(exc)])

    return handle


# What each part of an address stands for, to say in a sentence what is wrong with it.
PARAMETER_NOUNS = {
    "slug": "the address of a record",
    "negotiation": "the address of a negotiation",
    "party": "the address of a party",
    "topic": "the address of a topic",
    "round": "the address of a round",
    "year": "a year",
    "after": "a place in the timeline",
    "q": "the search",
}
# A slug in the path names a record of the kind its first segment names.
PATH_KINDS = {
    "rounds": "round",
    "parties": "party",
    "topics": "topic",
    "people": "person",
    "negotiations": "negotiation",
}
SLUG_RULE = "addresses in Parley use lower-case letters, digits and hyphens only, such as 2025-06-02-istanbul"
INVALID_ADDRESS_TITLE = "Parley cannot read part of that address"
INVALID_ADDRESS_ADVICE = (
    "Correct the address, or start again from the timeline, where every choice is a link or a list."
)


def in_plain_words(error: Mapping[str, Any], path: str = "/") -> str:
    """One sentence a reader can act on for one invalid part of an address: which part, what was
    given, and what it should look like (never a pattern or a parser's words)."""
    name = str(error["loc"][-1]) if error.get("loc") else "address"
    noun = PARAMETER_NOUNS.get(name, f"“{name}”")
    if name == "slug" and (kind_in_path := PATH_KINDS.get(path.strip("/").split("/")[0])):
        noun = f"the address of a {kind_in_path}"
    given = error.get("input")
    shown = f"“{given}”" if isinstance(given, str) and 0 < len(given) <= 80 else "What was given"
    context = error.get("ctx") or {}
    kind = error["type"]
    if kind in ("int_parsing", "int_type", "int_from_float"):
        example = "four digits, such as 2025" if name == "year" else "digits only, such as 3"
        return f"{shown} is not {noun}: write it as {example}."
    if kind == "string_pattern_mismatch" and name == "after":
        return (
            f"{shown} is not {noun}: follow the timeline’s “Show later entries” link rather than writing it yourself."
        )
    if kind == "string_pattern_mismatch":
        return f"{shown} is not {noun}: {SLUG_RULE}."
    if kind == "string_too_long":
        return f"{noun[0].upper()}{noun[1:]} is too long: at most {context.get('max_length')} characters."
    if kind in ("literal_error", "enum"):
        return f"{shown} is not one of the choices for {noun}: {context.get('expected')}."
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(context.values()), "")
        words = {"greater_than_equal": "at least", "greater_than": "more than", "less_than_equal": "at most"}
        return f"{shown} is out of range for {noun}: it must be {words.get(kind, 'less than')} {bound}."
    return f"{noun[0].upper()}{noun[1:]} is not valid: {str(error.get('msg', '')).lower()}."


async def invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if wants_json(request):
        return await request_validation_exception_handler(request, exc)
    path = request.url.path
    if request.method in ("GET", "HEAD") and path != path.lower():
        # Every address Parley makes is lower case: /rounds/2025-06-02-ISTANBUL means the round.
        query = request.url.query
        return RedirectResponse(path.lower() + (f"?{query}" if query else ""), status_code=301)
    messages = [in_plain_words(e, path) for e in exc.errors()] + [INVALID_ADDRESS_ADVICE]
    return await run_in_threadpool(error_page, request, 422, INVALID_ADDRESS_TITLE, messages)


async def database_error(request: Request, exc: Exception) -> Response:
    """503 when the database is unreachable or too busy; anything else it raises is a 500."""
    if not is_unavailable(exc):
        return await server_error(request, exc)
    logger.warning("Database unavailable for %s %s: %s", request.method, request.url.path, exc)
    return await run_in_threadpool(unavailable, request)


def unavailable(request: Request) -> Response:
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if wants_json(request):
        return _problem_json(503, UNAVAILABLE_TITLE, UNAVAILABLE_MESSAGE, headers)
    request.state.user = None
    replay = _replayable(request)
    messages = [NOT_SAVED_MESSAGE if replay or request.method == "POST" else UNAVAILABLE_MESSAGE]
    return error_page(request, 503, UNAVAILABLE_TITLE, messages, headers=headers, replay=replay)


async def server_error(request: Request, exc: Exception) -> Response:
    logger.error("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if wants_json(request):
        return _problem_json(500, SERVER_ERROR_TITLE, SERVER_ERROR_MESSAGE)
    request.state.user = None
    replay = _replayable(request)
    response = await run_in_threadpool(
        error_page, request, 500, SERVER_ERROR_TITLE, [SERVER_ERROR_MESSAGE], replay=replay
    )
    # Starlette sends this answer from outside every middleware, SecurityHeaders included.
    add_security_headers(
        request.scope, response.headers, frame_origins=request.app.state.settings.embed_allowed_origins
    )
    return response


HANDLERS: dict[Any, Handler] = {
    HTTPException: http_error,
    RequestValidationError: invalid_request,
    SQLAlchemyError: database_error,
}


async def send_error(scope: Scope, receive: Receive, send: Send, status: int, title: str, message: str) -> None:
    """An error page for a request refused in front of FastAPI (no route, no session, no database)."""
    request = Request(scope, receive)
    if wants_json(request):
        response: Response = _problem_json(status, title, message)
    else:
        response = await run_in_threadpool(error_page, request, status, title, [message])
    await response(scope, receive, send)
