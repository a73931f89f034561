"""Builds the Parley application."""

import gc
import logging
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from functools import cache, partial

import anyio.to_thread
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from sqlalchemy.engine import make_url
from starlette.types import Message, Receive, Scope, Send

from app import __version__
from app.core.config import PROJECT_ROOT, Settings, get_settings
from app.core.db import make_engine
from app.core.errors import InvalidChoice, NotFound
from app.reading.lookup import KeptReference
from app.web import (
    accounts,
    admin,
    api,
    as_of,
    editor,
    embed_code,
    error_pages,
    exports,
    feeds,
    oembed,
    pages,
    releases,
    templating,
    widgets,
)
from app.web.accounts import AccessDenied, LoginRequired
from app.web.caching import (
    ChangeListener,
    ConditionalGetMiddleware,
    QueryNames,
    ResponseCache,
    ResponseCacheMiddleware,
    version_reader,
)
from app.web.deps import page_threads
from app.web.security import CsrfProtection, SecurityHeaders, Sessions, csrf_token_for_template, with_security_headers

# Every function templates call, in one place (the shared macros are loaded by app.web.templating).
templating.add_globals(
    csrf_token=csrf_token_for_template,
    current_user=accounts.current_user_for_template,
    embed_codes=embed_code.embed_codes,
    embed_head=embed_code.embed_head,
    as_of_release=as_of.as_of_release,
)

logger = logging.getLogger("parley")
# What readers are served, from the response cache when it can.
PUBLIC_ROUTERS = (
    pages.router,
    pages.health,
    feeds.router,
    exports.router,
    api.router,
    widgets.router,
    oembed.router,
    releases.router,
)


class Parley(FastAPI):
    """FastAPI, behind four things that must come before anything else.

    A request with two ``Host`` headers is refused: the cache would key on one and the page would
    link to the other. ``HEAD`` is answered as ``GET`` without the body, for every page. And public
    answers already rendered are sent before any of FastAPI's machinery runs: a cached answer, or
    the 304 that stands for it, needs none of it, and it costs a third of its time. ``/releases/N/view/…``
    goes to the app serving that release's record (app/web/as_of.py), which has a cache of its own.
    Whatever fails out here still ends in the site's own error page.
    """

    response_cache: ResponseCacheMiddleware | None = None
    release_views: as_of.ReleaseViews | None = None
    frame_origins: str = "*"
    page_threads: int = 1  # pages rendered at once (app/web/deps.py: PageRoute)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        scope["app"] = self
        page_threads.set(self.page_threads)
        if sum(1 for name, _ in scope["headers"] if name == b"host") > 1:
            await self._refuse(scope, receive, send, 400, "That request names more than one host")
            return
        if scope["method"] == "HEAD":
            scope = {**scope, "method": "GET"}
            send = _without_body(send)
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            if self.release_views is not None and (view := as_of.VIEW.match(scope["path"])):
                await self.release_views(scope, receive, tracked, int(view["number"]), view["rest"])
            elif self.response_cache is not None:
                await self.response_cache(scope, receive, tracked)
            else:
                await super().__call__(scope, receive, tracked)
        except Exception:
            if started:  # FastAPI answered (its own 500) before passing the error on to be logged
                raise
            logger.exception("Error in front of the application on %s %s", scope["method"], scope["path"])
            await self._refuse(
                scope, receive, send, 500, error_pages.SERVER_ERROR_TITLE, error_pages.SERVER_ERROR_MESSAGE
            )

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, status: int, title: str, message: str = ""
    ) -> None:
        sending = with_security_headers(scope, send, self.frame_origins)
        await error_pages.send_error(scope, receive, sending, status, title, message)


def _without_body(send: Send) -> Send:
    """A ``send`` for HEAD: the GET answer's status and headers (its Content-Length too), no body."""

    async def head(message: Message) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body", False):
                return
            message = {"type": "http.response.body", "body": b""}
        await send(message)

    return head


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
        lifespan=_lifespan,
    )
    app.state.settings = settings
    # Pages take turns on one thread on SQLite, where reading the record holds the interpreter too,
    # and on as many as requests on PostgreSQL, where a page waits for answers (PageRoute).
    database = make_url(settings.database_url)
    app.page_threads = 1 if database.get_backend_name() == "sqlite" else settings.threads
    # One connection per thread, page threads too: a request never waits on the pool for longer than
    # pool_timeout, and is answered 503 if it must (app/web/error_pages.py).
    app.state.engine = make_engine(
        settings.database_url, pool_size=settings.threads + app.page_threads, pool_timeout=settings.pool_timeout
    )
    # The cache's own connection: checking the record's version never waits behind the requests.
    app.state.version_engine = make_engine(
        settings.database_url, pool_size=1, max_overflow=0, pool_timeout=settings.pool_timeout
    )
    app.state.listener = None
    app.state.as_of = None  # set on the app that serves one release's pages (app/web/as_of.py)
    app.state.response_cache = ResponseCache(
        read_version=version_reader(app.state.version_engine), max_bytes=settings.response_cache_mb * 1024 * 1024
    )
    # Parties, topics, negotiations and the people pages name, kept for as long as the cache's record
    # version holds.
    app.state.reference = KeptReference(app.state.engine, app.state.response_cache.settled_generation)
    if database.get_backend_name() == "postgresql":
        cache = app.state.response_cache
        listener = ChangeListener(database, cache.invalidate, cache.recheck)
        app.state.listener = listener
        app.state.response_cache.listening = lambda: listener.connected

    # Outermost last: caching sees the session's cookie and headers; CSRF checks run inside the session.
    app.add_middleware(CsrfProtection)
    app.add_middleware(
        Sessions,
        secret_key=settings.secret_key,
        max_age=settings.session_days * 24 * 60 * 60,
        always_secure=settings.secure_cookies,
    )
    app.add_middleware(ConditionalGetMiddleware)
    # Security headers hold for every answer, 304s and errors included.
    app.add_middleware(SecurityHeaders, frame_origins=settings.embed_allowed_origins)
    if settings.forwarded_allow_ips:
        # Who the visitor is, as told by the proxies the operator trusts, and no one else. Only then:
        # trusting no one, the middleware would pass every request through unchanged, and importing it
        # imports all of uvicorn's server and command line (a fiftieth of a second of start-up).
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    app.frame_origins = settings.embed_allowed_origins
    app.release_views = as_of.ReleaseViews(
        settings=settings, engine=app.state.engine, build=create_app, frame_origins=settings.embed_allowed_origins
    )

    app.mount("/static", StaticFiles(directory=PROJECT_ROOT / "static"), name="static")
    # Before the public pages: /rounds/new must not be read as the round with the slug "new", nor
    # /documents/compare.csv as the document with the slug "compare.csv".
    app.include_router(editor.router)
    app.include_router(exports.router)
    app.include_router(pages.router)
    app.include_router(feeds.router)
    app.include_router(pages.health)
    app.include_router(api.router)
    app.include_router(widgets.router)
    app.include_router(oembed.router)
    app.include_router(releases.router)
    app.include_router(admin.router)
    for exception, handler in error_pages.HANDLERS.items():
        app.add_exception_handler(exception, handler)
    app.add_exception_handler(NotFound, error_pages.problem(404, "Not found"))
    app.add_exception_handler(InvalidChoice, error_pages.problem(422, "That view cannot be shown"))
    app.add_exception_handler(LoginRequired, accounts.send_to_login)
    app.add_exception_handler(AccessDenied, error_pages.problem(403, "Not for your account"))
    app.add_exception_handler(Exception, error_pages.server_error)

    # Outermost, in front of FastAPI itself: a public answer already rendered is sent again as it
    # was, with nothing else run.
    app.response_cache = ResponseCacheMiddleware(
        partial(FastAPI.__call__, app), cache=app.state.response_cache, query_names=QueryNames(_query_names(app))
    )
    return app


@cache  # once a process: in the test suite, an app frozen later would never be collected
def _tune_garbage_collector() -> None:
    """As the worker starts serving: what it has made by now (the modules and the app, 150,000
    objects) lasts as long as it does, so it is put out of the garbage collector's sight, and the
    youngest objects are collected every 10,000 allocations rather than 700.

    A full collection walked all of it, a tenth of a second, and a request that met one waited as
    long as for three pages (the 99th percentile of a cold timeline on the 10,000-round record went
    from 140–156 ms to 56–75). A page rendered afresh makes tens of thousands of objects that live as
    long as the request: collected every 700, they were walked again and again and moved on to the
    older generations, whose collections walk them again; every 10,000 served that page a fifth more
    often. Nearly everything a request makes is freed as soon as it is dropped, whatever the threshold.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    # Requests run in this many threads at once, and the pool holds a connection for each.
    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
    if app.state.listener is not None:
        app.state.listener.start()
    _tune_garbage_collector()
    try:
        yield
    finally:
        if app.state.listener is not None:
            app.state.listener.stop()
        app.state.version_engine.dispose()


def _query_names(app: FastAPI) -> Iterator[tuple[re.Pattern[str], frozenset[str] | None]]:
    """For each page answering GET, its address pattern and the query parameters it declares.

    Only public pages are answered from the cache; editors' pages (None) may read more of the query
    than they declare (``/rounds/new?negotiation=…``), and keep all of it.
    """
    public = {id(route) for router in PUBLIC_ROUTERS for route in router.routes}
    for route in iter_route_contexts(app.routes):
        original = route.original_route
        if isinstance(original, APIRoute) and "GET" in (original.methods or ()):
            names = frozenset(_declared_query(original.dependant)) if id(original) in public else None
            yield route.path_regex, names


def _declared_query(dependant: Dependant) -> Iterator[str]:
    for field in dependant.query_params:
        model = field.field_info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):  # a group of filters, e.g. Filters
            yield from (info.alias or name for name, info in model.model_fields.items())
        else:
            yield field.alias
    for sub in dependant.dependencies:
        yield from _declared_query(sub)
