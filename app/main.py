"""Builds the Parley application."""

from functools import partial

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from app import __version__, accounts, admin, api, datasets, edit_pages, embeds, pages
from app.accounts import AccessDenied, LoginRequired
from app.caching import ConditionalGetMiddleware, ResponseCache, ResponseCacheMiddleware
from app.config import PROJECT_ROOT, Settings, get_settings
from app.db import make_engine
from app.errors import InvalidChoice, NotFound
from app.security import CsrfProtection, Sessions
from app.templating import render


class Parley(FastAPI):
    """FastAPI, with public answers already rendered sent before any of its machinery runs.

    The response cache sits in front of FastAPI's own wrappers (error pages, request body limits):
    a cached answer, or the 304 that stands for it, needs none of them, and they cost a third of
    its time.
    """

    response_cache: ResponseCacheMiddleware | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.response_cache is not None and scope["type"] == "http":
            await self.response_cache(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> Parley:
    settings = settings or get_settings()
    app = Parley(
        title="Parley",
        version=__version__,
        description="Peace negotiations, round by round: rounds, delegations, outcomes and positions, with sources.",
        # FastAPI's /docs and /redoc load their scripts from a CDN; Parley serves everything itself,
        # so the readable reference is /api, made from the same schema.
        docs_url=None,
        redoc_url=None,
        # Parley sets up no OpenTelemetry; asking whether it has been, on every request, reads the
        # environment three times and cost a tenth of a cached answer's time.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    # Outermost last: caching sees the session's cookie and headers; CSRF checks run inside the session.
    app.add_middleware(CsrfProtection)
    app.add_middleware(
        Sessions,
        secret_key=settings.secret_key,
        max_age=settings.session_days * 24 * 60 * 60,
        always_secure=settings.secure_cookies,
    )
    app.add_middleware(ConditionalGetMiddleware)
    # Framing rules hold for every answer, 304s and errors included.
    app.add_middleware(embeds.FramingMiddleware, allowed_origins=settings.embed_allowed_origins)
    # Outermost, in front of FastAPI itself: a public answer already rendered is sent again as it
    # was, with nothing else run.
    app.state.response_cache = ResponseCache()
    app.response_cache = ResponseCacheMiddleware(
        partial(FastAPI.__call__, app), cache=app.state.response_cache, engine=app.state.engine
    )
    app.mount("/static", StaticFiles(directory=PROJECT_ROOT / "static"), name="static")
    # Before the public pages: /rounds/new must not be read as the round with the slug "new".
    app.include_router(edit_pages.router)
    app.include_router(pages.router)
    app.include_router(datasets.router)
    app.include_router(pages.health)
    app.include_router(api.router)
    app.include_router(embeds.router)
    app.include_router(admin.router)
    app.add_exception_handler(NotFound, _problem(404, "Not found"))
    app.add_exception_handler(InvalidChoice, _problem(422, "That view cannot be shown"))
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(LoginRequired, accounts.send_to_login)
    app.add_exception_handler(AccessDenied, _problem(403, "Not for your account"))
    return app


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _problem(status: int, title: str):  # type: ignore[no-untyped-def]
    async def handle(request: Request, exc: Exception) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=status)
        return render(request, "error.html", {"title": title, "messages": [str(exc)]}, status_code=status)

    return handle


async def _invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if _wants_json(request):
        return await request_validation_exception_handler(request, exc)
    messages = [f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors()]
    return render(
        request,
        "error.html",
        {"title": "That address asks for something invalid", "messages": messages},
        status_code=422,
    )
