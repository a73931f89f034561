"""A crowd of signed-in editors at once: every one is answered, none waits for the pool to time out.

Each request runs its dependencies in one worker thread and its route in another. A dependency that
reads the database through the request's session keeps a connection from then until the request ends,
even while it waits for a thread to run the route: with more such requests than connections, every
connection is held by a request that cannot run, every thread waits for a connection, and all of them
are answered 503 once the pool gives up. Only real concurrency shows it, so this serves Parley with
uvicorn and asks from many threads.
"""

import asyncio
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener, urlopen

import pytest
import sqlalchemy as sa
import uvicorn
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from app.web import exports
from app.web.deps import PageRoute, Router, SessionRoute, page_threads
from tests.accounts_fixtures import PASSWORD

CROWD = 16


@pytest.fixture
def small_app(seeded: sa.Engine, settings: Settings) -> Iterator[Any]:
    """Parley with one request thread (so one connection, and four spare), nothing cached."""
    app = create_app(settings.model_copy(update={"threads": 1, "pool_timeout": 3.0, "response_cache_mb": 0}))
    yield app
    app.state.engine.dispose()


@pytest.fixture
def small_server(small_app: Any) -> Iterator[str]:
    """``small_app`` served by uvicorn."""
    app = small_app
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    running = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=running.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    while not running.started:
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)
    listener.close()


def _signed_in_cookie(base: str, email: str) -> str:
    jar = CookieJar()
    opener = build_opener(HTTPCookieProcessor(jar))
    form = opener.open(base + "/login", timeout=10).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    data = urlencode({"csrf_token": token, "next": "/drafts", "email": email, "password": PASSWORD}).encode()
    assert opener.open(Request(base + "/login", data=data), timeout=10).status == 200
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def test_a_crowd_of_signed_in_editors_is_answered_without_waiting_on_the_pool(small_server: str, editor) -> None:  # type: ignore[no-untyped-def]
    cookie = _signed_in_cookie(small_server, editor.email)

    def ask(_: int) -> tuple[int, float]:
        started = time.monotonic()
        try:
            with urlopen(Request(small_server + "/drafts", headers={"Cookie": cookie}), timeout=30) as answer:
                assert b"Drafts" in answer.read()
                return answer.status, time.monotonic() - started
        except HTTPError as refused:
            return refused.code, time.monotonic() - started

    with ThreadPoolExecutor(CROWD) as crowd:
        answers = list(crowd.map(ask, range(CROWD * 3)))
    assert [status for status, _ in answers] == [200] * len(answers), "none answered 503 for want of a connection"


def test_a_crowd_of_readers_is_served_on_connections_opened_once(small_app: Any, small_server: str) -> None:
    """Each connection, once opened, serves request after request, and each request gives its back.

    A request used to keep its connection for a moment after its route had run, while the next
    began: under a crowd the spare connections were always in use, and each was closed as it came
    back and opened again for the next request (on SQLite the schema read and every statement
    prepared again; on PostgreSQL a new server process), a quarter of what a page took.
    """
    opened: list[object] = []
    sa.event.listen(small_app.state.engine, "connect", lambda connection, _: opened.append(connection))
    pages = ["/timeline", "/rounds/2025-06-02-istanbul", "/api/timeline", "/rounds/no-such-round"]

    def ask(number: int) -> int:
        try:
            with urlopen(small_server + pages[number % len(pages)], timeout=30) as answer:
                answer.read()
                return int(answer.status)
        except HTTPError as refused:
            return refused.code

    with ThreadPoolExecutor(CROWD) as crowd:
        statuses = list(crowd.map(ask, range(CROWD * 6)))
    assert statuses == [200, 200, 200, 404] * (CROWD * 6 // 4)
    pool = small_app.state.engine.pool
    assert len(opened) <= pool.size(), f"{len(opened)} connections opened for a pool of {pool.size()}"
    assert pool.checkedout() == 0, "every request, the one not found too, gave its connection back"


def test_every_route_gives_its_connection_back_as_it_returns(settings: Settings) -> None:
    """Every router is a ``Router``, whose routes are ``SessionRoute``s: a route left out would still have its session
    closed, but only after another trip through a worker thread, holding its connection meanwhile."""
    app = create_app(settings)
    routes = [
        route
        for included in app.routes
        for route in getattr(getattr(included, "original_router", None), "routes", [])
        if isinstance(route, APIRoute)
    ]
    assert len(routes) > 100
    assert [route.path for route in routes if not isinstance(route, SessionRoute)] == []
    assert {type(included.original_router) for included in app.routes if hasattr(included, "original_router")} == {
        Router
    }


def test_a_router_turns_away_only_paths_none_of_its_routes_can_match() -> None:
    """A router says "not mine" to a path none of its routes matches without asking them, and still
    finds what they do match, whatever a route begins with."""
    words, anything = Router(), Router()
    words.get("/rounds/{slug}")(lambda slug: slug)
    anything.get("/{slug}")(lambda slug: slug)
    app = FastAPI()
    app.include_router(words)
    app.include_router(anything)
    (route,) = words.routes
    asked: list[str] = []
    route_matches = route.matches

    def counted(scope: Any) -> Any:
        asked.append(scope["path"])
        return route_matches(scope)

    route.matches = counted  # type: ignore[method-assign]
    with TestClient(app) as client:
        assert client.get("/round-2").json() == "round-2"
        assert asked == [], "a path none of the router's routes matches never reaches them"
        assert client.get("/rounds/round-2").json() == "round-2"
        assert client.get("/rounds/round-2/edit").status_code == 404


async def _ask(app: FastAPI, method: str, path: str) -> Any:
    """One request straight into the app, as a server would make it; the JSON it answered."""
    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": b""}
    scope |= {"headers": [(b"host", b"parley.test")], "http_version": "1.1", "scheme": "http", "root_path": ""}
    body = bytearray()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        body.extend(message.get("body", b""))

    await app(scope, receive, send)
    return json.loads(body)


def _overlaps(router: Router, method: str, path: str, asks: int, threads: int = 1) -> int:
    """The most requests to ``path`` that ran at once, of ``asks`` sent together to a plain function,
    in an app that renders pages on ``threads`` threads."""
    running, most = 0, 0
    lock = threading.Lock()

    def slow() -> str:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return "done"

    router.add_api_route(path, slow, methods=[method])
    app = FastAPI()
    app.include_router(router)

    async def crowd() -> None:
        page_threads.set(threads)
        answers = await asyncio.gather(*(_ask(app, method, path) for _ in range(asks)))
        assert answers == ["done"] * asks

    asyncio.run(crowd())
    return most


def test_pages_are_rendered_one_at_a_time_and_the_rest_beside_them() -> None:
    """On SQLite two threads rendering at once each took the interpreter from the other at every row
    read, and rendered a fifth to a third fewer pages than one: pages take turns on a thread of their
    own. On PostgreSQL, where a page waits for answers, on as many as requests."""
    assert _overlaps(Router(), "GET", "/page", 4) == 1
    assert _overlaps(Router(), "GET", "/page", 6, threads=2) == 2
    assert _overlaps(Router(pages=False), "GET", "/export.csv", 4) > 1, "what is not a page runs on the other threads"
    assert _overlaps(Router(), "POST", "/save", 4) > 1, "and so does what writes"


def test_a_page_is_rendered_while_a_long_export_or_save_is_under_way() -> None:
    """The export (or save) waits for a page to be rendered: on one thread with it, it would wait in vain."""
    rendered = threading.Event()
    pages, downloads = Router(), Router(pages=False)
    pages.add_api_route("/page", lambda: rendered.set() or "page", methods=["GET"])
    pages.add_api_route("/save", lambda: "saved" if rendered.wait(10) else "alone", methods=["POST"])
    downloads.add_api_route("/export.csv", lambda: "exported" if rendered.wait(10) else "alone", methods=["GET"])
    app = FastAPI()
    app.include_router(pages)
    app.include_router(downloads)

    async def meanwhile(method: str, path: str) -> str:
        rendered.clear()
        long = asyncio.create_task(_ask(app, method, path))
        await asyncio.sleep(0.05)  # under way, and holding its thread
        assert await _ask(app, "GET", "/page") == "page"
        return str(await long)

    assert asyncio.run(meanwhile("GET", "/export.csv")) == "exported"
    assert asyncio.run(meanwhile("POST", "/save")) == "saved"


def test_every_page_is_rendered_on_the_page_thread_but_exports_and_the_health_check(settings: Settings) -> None:
    app = create_app(settings)
    elsewhere = sorted(
        route.path
        for included in app.routes
        for route in getattr(getattr(included, "original_router", None), "routes", [])
        if isinstance(route, APIRoute) and "GET" in route.methods and not isinstance(route, PageRoute)
    )
    assert elsewhere == sorted([route.path for route in exports.router.routes] + ["/healthz"])
    app.state.engine.dispose()


def test_an_app_renders_pages_on_one_thread_on_sqlite_and_on_as_many_as_requests_on_postgresql(
    settings: Settings, database_url: str
) -> None:
    app = create_app(settings.model_copy(update={"threads": 3}))
    extra = Router()
    extra.add_api_route("/threads", lambda: page_threads.get(), methods=["GET"])
    app.include_router(extra)
    with TestClient(app) as client:
        assert client.get("/threads").json() == (1 if database_url.startswith("sqlite") else 3)
    app.state.engine.dispose()
