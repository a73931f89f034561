"""What routes ask for, all in one place: the database session, a posted form, and who is asking.

- ``SessionDep``: the request's one database session (see ``REQUEST_SESSION``);
- ``FormDep``: the posted form, read before the route runs in its worker thread;
- ``CurrentUser``: the signed-in user, or None for a reader;
- ``EditorDep``: an editor or admin, else ``LoginRequired`` (a redirect to sign in);
- ``AdminDep``: an admin, else ``AccessDenied`` (403).
"""

import asyncio
import functools
import inspect
import logging
import re
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from typing import Annotated, Any
from weakref import WeakKeyDictionary

import anyio.to_thread
from fastapi import Depends, Request
from fastapi.routing import APIRoute, APIRouter
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette._utils import get_route_path
from starlette.datastructures import FormData
from starlette.routing import Match
from starlette.types import Scope

from app.core.db import REQUEST_SESSION
from app.reading.lookup import REFERENCE
from app.record.models import Role, User
from app.web.accounts import AccessDenied, LoginRequired, signed_in_user

logger = logging.getLogger("parley.db")


# The request's session, for ``SessionRoute`` to close in the worker thread that ran the route.
_REQUEST_SESSION: ContextVar[Session | None] = ContextVar("parley_request_session", default=None)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's one session, made on the event loop: making one does no I/O.

    The route closes it in its own worker thread as it finishes (``SessionRoute``); only when that
    did not happen (a coroutine route that asked for it) is it closed here, in a thread of its own,
    since giving back a connection talks to the database. Before, a plain dependency cost two more
    trips to a worker thread per request (one to open, one to close), 0.08 ms of CPU each, and more
    when the threads were busy: a request then held its connection while it waited for a thread.
    """
    session = Session(request.app.state.engine)
    session.info[REFERENCE] = request.app.state.reference
    setattr(request.state, REQUEST_SESSION, session)
    _REQUEST_SESSION.set(session)
    try:
        yield session
    finally:
        # An error page rendered after this point must not reopen a closed session (and leave its
        # connection in a transaction): it opens one of its own.
        delattr(request.state, REQUEST_SESSION)
        if session.in_transaction():
            await anyio.to_thread.run_sync(close_quietly, session)
        else:
            session.close()  # holds no connection: nothing to say to the database


def close_quietly(session: Session) -> None:
    try:
        session.close()
    except SQLAlchemyError:
        # The connection died under the request (a database restart): the pool has dropped it,
        # and the request's own error, if any, is what the reader is told about.
        logger.info("A database connection was lost while closing a request's session.")


class SessionRoute(APIRoute):
    """A route whose plain function closes the request's session as it returns, in its worker thread.

    Every router uses it. The page has been rendered by then, so its connection goes back to the
    pool at once, rather than after another trip through a worker thread. Its function runs on the
    worker's request threads (``PARLEY_THREADS`` of them), unless it is a ``PageRoute``'s page.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _closing_session(endpoint)
        super().__init__(path, endpoint, **kwargs)


class PageRoute(SessionRoute):
    """A route whose answers to GET are pages, rendered on threads of their own, in turn.

    Rendering is Python work that holds the interpreter, and on SQLite so is reading the record: two
    threads rendering at once took it from each other at every row read (sqlite3 lets go of it for
    each), and a worker rendered a fifth to a third fewer pages afresh than with one, its slowest
    hundredth twice as slow. On PostgreSQL a page spends much of its time waiting for answers, when
    another can render: there one thread rendered a fifth fewer than two. So a worker renders pages
    on one thread on SQLite, and on ``PARLEY_THREADS`` on PostgreSQL (``page_threads``, set by the
    app for each request). What writes (any other method) and what its router says is not a page
    (the exports: seconds of work on a large record) runs on the request threads beside them, so
    that a long export or save never holds up a page, nor a crowd of pages them.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        reads = set(kwargs.get("methods") or ["GET"]) <= {"GET", "HEAD"}
        if reads and not inspect.iscoroutinefunction(endpoint):
            endpoint = _on_page_threads(_closing_session(endpoint))
        super().__init__(path, endpoint, **kwargs)


# How many pages the app answering this request renders at once (app.main.Parley sets it).
page_threads: ContextVar[int] = ContextVar("parley_page_threads", default=1)

# The turns pages take, for each event loop (a lock belongs to the loop it waits on, and tests start
# apps on many) and each number of page threads (the app of a release's record is on SQLite).
_TURNS: WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, anyio.CapacityLimiter]] = WeakKeyDictionary()


def _turns() -> anyio.CapacityLimiter:
    limiters = _TURNS.setdefault(asyncio.get_running_loop(), {})
    threads = page_threads.get()
    if (limiter := limiters.get(threads)) is None:
        limiter = limiters[threads] = anyio.CapacityLimiter(threads)
    return limiter


def _on_page_threads(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(endpoint)  # FastAPI reads the parameters through __wrapped__, and awaits this
    async def run(*args: Any, **kwargs: Any) -> Any:
        return await anyio.to_thread.run_sync(functools.partial(endpoint, *args, **kwargs), limiter=_turns())

    return run


def _closing_session(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(endpoint)  # FastAPI reads the parameters through __wrapped__
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return endpoint(*args, **kwargs)
        finally:
            if (session := _REQUEST_SESSION.get()) is not None and session.in_transaction():
                close_quietly(session)

    return run


class Router(APIRouter):
    """Every router of the app: its routes are ``PageRoute``s (``SessionRoute``s where ``pages`` is
    False: downloads, not pages), and a path none of them can match is turned away at once.

    FastAPI asks each included router in turn whether it has the route, and each walked all its
    routes to say no, with some bookkeeping per route: an API request was matched against about 65
    routes before its own, 0.1–0.3 ms of a page rendered afresh. One regular expression made of all
    the routes' own says the same in one step.
    """

    def __init__(self, *, pages: bool = True, **kwargs: Any) -> None:
        super().__init__(route_class=PageRoute if pages else SessionRoute, **kwargs)
        self._paths: tuple[int, re.Pattern[str] | None] = (-1, None)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        paths = self._any_path()
        if paths is not None and paths.match(get_route_path(scope)) is None:
            return Match.NONE, {}
        return super().matches(scope)

    def _any_path(self) -> re.Pattern[str] | None:
        """A path any of the routes matches (None if one is not a plain route: nothing is ruled out)."""
        counted, paths = self._paths
        if counted != len(self.routes):  # routes are added as modules load, before any request
            routes = [route for route in self.routes if isinstance(route, APIRoute)]
            # Each route's pattern, its named groups unnamed: a name may appear in several.
            patterns = [_UNNAMED.sub("(?:", route.path_regex.pattern) for route in routes]
            plain = len(routes) == len(self.routes)
            paths = re.compile("|".join(f"(?:{pattern})" for pattern in patterns)) if plain else None
            self._paths = (len(self.routes), paths)
        return paths


_UNNAMED = re.compile(r"\(\?P<\w+>")


SessionDep = Annotated[Session, Depends(get_session)]


async def read_form(request: Request) -> FormData:
    """The posted form, read on the event loop so that the route itself can be a plain function.

    FastAPI runs plain functions in a worker thread; the database work of a save then never holds up
    the event loop.
    """
    return await request.form()


FormDep = Annotated[FormData, Depends(read_form)]


def current_user(request: Request) -> User | None:
    """Read on a session of its own, closed before the route runs.

    Dependencies run in one worker thread and the route in another. Had this read through the
    request's session, the request would keep that connection while waiting for a thread to run its
    route; a crowd of signed-in requests would then hold every connection with none able to run, and
    all be answered 503 when the pool gave up (tests/test_under_load.py). The user comes back with
    every column loaded, and is kept for the rest of the request (``signed_in_user``).
    """
    with Session(request.app.state.engine) as own:
        return signed_in_user(request, own)


CurrentUser = Annotated[User | None, Depends(current_user)]


# Coroutines, though they do no I/O: a plain function would be run in a worker thread.
async def require_editor(user: CurrentUser) -> User:
    if user is None:
        raise LoginRequired("Sign in to edit the record.")
    return user


EditorDep = Annotated[User, Depends(require_editor)]


async def require_admin(user: EditorDep) -> User:
    if user.role != Role.admin:
        raise AccessDenied("This page is for admins; you are signed in as an editor.")
    return user


AdminDep = Annotated[User, Depends(require_admin)]
