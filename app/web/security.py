"""Sessions, CSRF and the security headers every answer carries.

Sessions live in a signed cookie that exists only once someone opens the sign-in form: readers of
public pages never get one, so their answers stay cookie-free and publicly cacheable. Every
state-changing request must carry the session's CSRF token, as the ``csrf_token`` form field or the
``X-CSRF-Token`` header (static/parley.js adds it to htmx requests).
"""

import re
import secrets
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlsplit

from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from jinja2 import pass_context
from jinja2.runtime import Context
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.web.htmx import is_htmx, swap_into
from app.web.templating import render

SESSION_COOKIE = "parley_session"
CSRF_SESSION_KEY = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
PRIVATE_CACHE_CONTROL = "private, no-store"
# Where CsrfProtection leaves a posted form's body in the request's scope (see app/web/error_pages.py).
FORM_BODY = "parley.form_body"
# Pages that must never be where a sign-in sends someone back to.
NOT_A_DESTINATION = frozenset({"/login", "/logout"})

# The scope of the request being answered, for template functions called from macros, whose Jinja
# context is the macro module's and holds no request.
_current_scope: ContextVar[Scope | None] = ContextVar("parley_request_scope", default=None)


class Sessions:
    """Starlette's signed-cookie sessions, with the cookie marked Secure whenever the request came over HTTPS.

    Starlette writes the cookie only for a non-empty session (HttpOnly, SameSite=Lax). Any answer to
    someone with a session is marked ``private, no-store``: it may hold their name or drafts.
    """

    def __init__(self, app: ASGIApp, *, secret_key: str, max_age: int, always_secure: bool = False) -> None:
        inner = _PrivateToSessions(app)
        options: dict[str, Any] = {
            "secret_key": secret_key,
            "session_cookie": SESSION_COOKIE,
            "max_age": max_age,
            "same_site": "lax",
        }
        self.over_https = SessionMiddleware(inner, https_only=True, **options)
        self.over_http = SessionMiddleware(inner, https_only=always_secure, **options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        secure = scope.get("scheme") in ("https", "wss")
        await (self.over_https if secure else self.over_http)(scope, receive, send)


class _PrivateToSessions:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _current_scope.set(scope)

        async def mark_private(message: Message) -> None:
            if (
                message["type"] == "http.response.start"
                and scope.get("session")
                and not scope["path"].startswith("/static/")
            ):
                MutableHeaders(scope=message)["Cache-Control"] = PRIVATE_CACHE_CONTROL
            await send(message)

        try:
            await self.app(scope, receive, mark_private)
        finally:
            _current_scope.reset(token)


def request_of(context: Context) -> Request | None:
    """The request a template is rendering for, also from inside a shared macro."""
    request = context.get("request")
    if isinstance(request, Request):
        return request
    scope = _current_scope.get()
    return Request(scope) if scope is not None else None


# ---------------------------------------------------------------- CSRF


def csrf_token(request: Request) -> str:
    """The session's CSRF token; made on first use, which starts the session (and its cookie)."""
    token = request.session.get(CSRF_SESSION_KEY)
    if not isinstance(token, str):
        token = new_csrf_token()
        request.session[CSRF_SESSION_KEY] = token
    return token


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


@pass_context
def csrf_token_for_template(context: Context) -> str:
    request = request_of(context)
    if request is None:
        raise RuntimeError("csrf_token() needs a template rendered for a request")
    return csrf_token(request)


def token_matches(sent: str | None, expected: object) -> bool:
    if not sent or not isinstance(expected, str) or not expected:
        return False
    return secrets.compare_digest(sent.encode(), expected.encode())


class CsrfProtection:
    """Refuses with 403 any POST, PUT, PATCH or DELETE that does not carry the session's CSRF token.

    Runs before routing, so no route can forget it. Needs ``Sessions`` outside it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        sent = request.headers.get(CSRF_HEADER)
        if sent is None and _media_type(request) in FORM_TYPES:
            # Read the form here and hand the route the same bytes again.
            body = await request.body()
            scope[FORM_BODY] = body  # for a save that fails, to come back with what was typed
            receive = _replay(body, receive)
            sent = await _form_token(request)
        if not token_matches(sent, scope.get("session", {}).get(CSRF_SESSION_KEY)):
            response = await _refusal(request)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def _form_token(request: Request) -> str | None:
    try:
        async with request.form() as form:
            value = form.get(CSRF_FIELD)
    except HTTPException:  # a malformed body carries no token
        return None
    return value if isinstance(value, str) else None


def _replay(body: bytes, receive: Receive) -> Receive:
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


REFUSAL_TITLE = "Nothing was changed"
REFUSAL_MESSAGE = (
    "This form has expired or did not come from Parley, so it was refused. "
    "Go back, reload the page and try again; signing in needs cookies to be allowed for this site."
)


async def _refusal(request: Request) -> Response:
    if request.url.path.startswith("/api/"):
        detail = f"CSRF token missing or invalid: send the session's token in the {CSRF_HEADER} header."
        return JSONResponse({"detail": detail}, status_code=403)
    response = await run_in_threadpool(
        render,
        request,
        "error.html",
        {"title": REFUSAL_TITLE, "messages": [REFUSAL_MESSAGE]},
        fragment="main",
        status_code=403,
    )
    if is_htmx(request):
        swap_into(response, "#main")  # the refusal in place of the page's content
    return response


# ---------------------------------------------------------------- where to go after signing in


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` when it is a path on this site, else ``default``: a sign-in never sends anyone elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    # Browsers read "\" as "/" and drop tabs and newlines, so "/\evil.example" would leave the site.
    if "\\" in target or any(ord(character) < 0x20 or ord(character) == 0x7F for character in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path in NOT_A_DESTINATION:
        return default
    return target


# ---------------------------------------------------------------- headers on every answer

# Only widgets may be framed, by the sites PARLEY_EMBED_ALLOWED_ORIGINS names; no other page ever.
FRAMEABLE_PREFIX = "/embed/"
# Public data anyone's page may fetch: the API and the files it points to. No cookie is ever needed.
OPEN_DATA_PREFIXES = ("/api/", "/openapi.json", "/exports/", "/oembed", "/feed.atom", "/calendar.ics")
# Scripts from Parley itself only, none inline; styles may be inline (party colours are style attributes).
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'"
)
ALWAYS = (
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
)
PREFLIGHT_MAX_AGE = "86400"
TOKEN = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")


def _with_frame_ancestors(policy: str | None, sources: str) -> str:
    kept = [d.strip() for d in (policy or "").split(";") if d.strip() and not d.strip().startswith("frame-ancestors")]
    return "; ".join([*kept, f"frame-ancestors {sources}"])


def with_security_headers(scope: Scope, send: Send, frame_origins: str) -> Send:
    """``send``, adding the security headers to the answer's start."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            add_security_headers(scope, MutableHeaders(scope=message), frame_origins=frame_origins)
        await send(message)

    return sending


def add_security_headers(scope: Scope, headers: MutableHeaders, *, frame_origins: str) -> None:
    """What every answer says about itself: its CSP and framing rule, nosniff, referrer and permissions policies,
    and, for open data, that any site's scripts may read it."""
    path = scope["path"]
    policy = headers.get("content-security-policy") or PAGE_CSP  # widgets set a stricter one of their own
    if path.startswith(FRAMEABLE_PREFIX):
        headers["content-security-policy"] = _with_frame_ancestors(policy, frame_origins)
        del headers["x-frame-options"]
        del headers["set-cookie"]  # a cookie in a third-party frame serves no reader
    else:
        headers["content-security-policy"] = _with_frame_ancestors(policy, "'none'")
        headers["x-frame-options"] = "DENY"
    for name, value in ALWAYS:
        headers[name] = value
    if path.startswith(OPEN_DATA_PREFIXES):
        headers["access-control-allow-origin"] = "*"
        headers["access-control-expose-headers"] = "ETag, Link, Retry-After"


class SecurityHeaders:
    """Adds ``add_security_headers`` to every answer, and answers CORS preflights for open data.

    Sits inside the response cache, so a cached answer carries what it carried when rendered.
    """

    def __init__(self, app: ASGIApp, *, frame_origins: str = "*") -> None:
        self.app = app
        self.frame_origins = frame_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and scope["path"].startswith(OPEN_DATA_PREFIXES):
            await self._preflight(scope, send)
            return

        await self.app(scope, receive, with_security_headers(scope, send, self.frame_origins))

    async def _preflight(self, scope: Scope, send: Send) -> None:
        asked = Headers(scope=scope).get("access-control-request-headers", "")
        allowed = [name.strip() for name in asked.split(",") if TOKEN.match(name.strip())]
        headers = MutableHeaders(
            {
                "access-control-allow-origin": "*",
                "access-control-allow-methods": "GET, HEAD, OPTIONS",
                "access-control-max-age": PREFLIGHT_MAX_AGE,
                "allow": "GET, HEAD, OPTIONS",
            }
        )
        if allowed:
            headers["access-control-allow-headers"] = ", ".join(allowed)
        add_security_headers(scope, headers, frame_origins=self.frame_origins)
        await send({"type": "http.response.start", "status": 204, "headers": headers.raw})
        await send({"type": "http.response.body", "body": b""})
