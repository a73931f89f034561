"""The response cache (app/web/caching.py): what it keys on, what empties it, and what it does when the
database is away. Each test here fails if the protection it names is taken out."""

import asyncio
import datetime as dt
import re
import threading
import time

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import select
from starlette.types import Message, Receive, Scope, Send

from app.core.config import Settings
from app.core.db import session_scope
from app.main import create_app
from app.record.models import Round
from app.web import caching
from app.web.caching import QueryNames, ResponseCache
from tests.accounts_fixtures import PASSWORD, csrf
from tests.test_performance import ROUND_2, statements


@pytest.fixture
def cache(client: TestClient) -> ResponseCache:
    found = client.app.state.response_cache  # type: ignore[attr-defined]
    assert isinstance(found, ResponseCache)
    return found


def test_a_cache_of_no_size_renders_every_page_afresh(seeded: sa.Engine, settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"response_cache_mb": 0}))
    with TestClient(app) as client:
        first = client.get("/timeline")
        assert statements(client, "/timeline") != [], "rendered again, from the database"
        assert client.get("/timeline").content == first.content
        assert client.app.state.response_cache._answers == {}  # type: ignore[attr-defined]
    app.state.engine.dispose()


# ------------------------------------------------------------------ keyed on what the page reads


@pytest.mark.parametrize("junk", ["utm_source=newsletter", "fbclid=abc123", "x=1", "x=2&utm_medium=email"])
def test_parameters_a_page_does_not_read_make_no_new_entry(
    seeded: sa.Engine, client: TestClient, cache: ResponseCache, junk: str
) -> None:
    page = client.get("/timeline")
    entries = len(cache._answers)
    assert statements(client, f"/timeline?{junk}") == [], "answered from the entry of / without rendering"
    assert len(cache._answers) == entries
    assert client.get(f"/timeline?{junk}").content == page.content


def test_a_parameter_the_page_reads_is_its_own_entry(
    seeded: sa.Engine, client: TestClient, cache: ResponseCache
) -> None:
    everything = client.get("/timeline")
    filtered = client.get("/timeline?party=ukraine&utm_source=x")
    assert filtered.content != everything.content
    assert statements(client, "/timeline?party=ukraine") == [], "the junk was dropped from the key, the filter kept"


def test_a_page_never_sees_the_parameters_it_does_not_read(seeded: sa.Engine, client: TestClient) -> None:
    """The first request with junk renders the page; what it keeps must not carry the junk to later readers."""
    response = client.get("/compare?utm_source=poison&party=russia&party=ukraine")
    assert "poison" not in response.text
    assert "poison" not in response.headers["link"]
    assert "party=russia&party=ukraine" in response.headers["link"]


def test_editors_pages_keep_their_whole_query(client: TestClient) -> None:
    # Not answered from the cache, so not cut down to declared parameters: the sign-in comes back here.
    response = client.get("/rounds/new?negotiation=russia-ukraine-istanbul-2025", follow_redirects=False)
    assert response.headers["location"] == "/login?next=%2Frounds%2Fnew%3Fnegotiation%3Drussia-ukraine-istanbul-2025"


def test_query_names_keep_order_and_bytes() -> None:
    import re

    names = QueryNames([(re.compile("^/compare$"), frozenset({"party", "as_of"})), (re.compile("^/edit$"), None)])
    assert names.canonical("/compare", b"utm=1&party=b%20c&x&party=a&as_of=r") == b"party=b%20c&party=a&as_of=r"
    assert names.canonical("/edit", b"anything=1") == b"anything=1"
    assert names.canonical("/nowhere", b"a=1") == b""


# ------------------------------------------------------------------ emptied by record changes only


def test_a_failed_sign_in_leaves_the_cache_as_it_was(seeded: sa.Engine, client: TestClient, editor) -> None:  # type: ignore[no-untyped-def]
    client.get(f"/rounds/{ROUND_2}")
    token = csrf(client, "/login")
    for _ in range(3):
        response = client.post("/login", data={"email": editor.email, "password": "wrong", "csrf_token": token})
        assert response.status_code == 422
    anonymous = TestClient(client.app)  # a reader, without the sign-in page's cookie
    assert statements(anonymous, f"/rounds/{ROUND_2}") == [], "still answered from the cache"


def test_signing_in_and_out_leaves_the_cache_as_it_was(seeded: sa.Engine, client: TestClient, editor) -> None:  # type: ignore[no-untyped-def]
    reader = TestClient(client.app)
    reader.get("/timeline")
    token = csrf(client, "/login")
    assert (
        client.post("/login", data={"email": editor.email, "password": PASSWORD, "csrf_token": token}).status_code
        == 200
    )
    client.post("/logout", data={"csrf_token": csrf(client, "/compare")})
    assert statements(reader, "/timeline") == []


def test_a_change_to_the_record_empties_the_cache(seeded: sa.Engine, client: TestClient) -> None:
    client.get(f"/api/rounds/{ROUND_2}")
    with session_scope(seeded) as session:
        r = session.exec(select(Round).where(Round.slug == ROUND_2)).one()
        r.summary = "Changed in this process."
    assert client.get(f"/api/rounds/{ROUND_2}").json()["summary"] == "Changed in this process."


def test_the_record_version_leaves_accounts_out() -> None:
    sql = str(caching.version_query())
    assert "rounds.updated_at" in sql and "revisions.id" in sql
    assert "users" not in sql and "login_attempts" not in sql and "user_sessions" not in sql


@pytest.mark.parametrize("backend", ["postgresql"])
def test_other_processes_hear_of_a_change_at_once_on_postgresql(
    seeded: sa.Engine, client: TestClient, cache: ResponseCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LISTEN/NOTIFY: a commit made elsewhere reaches this process without waiting for the version's expiry."""
    listener = client.app.state.listener  # type: ignore[attr-defined]
    deadline = time.monotonic() + 10
    while not listener.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert listener.connected
    cache.version_ttl = cache.listening_ttl = 3600  # no polling: only the notification can tell
    client.get(f"/api/rounds/{ROUND_2}")
    monkeypatch.setattr(caching, "invalidate_all", lambda: None)  # as if the commit came from another process
    with session_scope(seeded) as session:
        r = session.exec(select(Round).where(Round.slug == ROUND_2)).one()
        r.summary = "Published by another worker."
    deadline = time.monotonic() + 5
    while client.get(f"/api/rounds/{ROUND_2}").json()["summary"] != "Published by another worker.":
        assert time.monotonic() < deadline, "the notification never arrived"
        time.sleep(0.02)


# ------------------------------------------------------------------ the database away


def test_a_version_check_that_hangs_does_not_hold_up_cached_answers(
    seeded: sa.Engine, client: TestClient, cache: ResponseCache
) -> None:
    client.get("/timeline")
    released = threading.Event()

    def stuck() -> tuple[object, ...]:
        released.wait(10)
        raise RuntimeError("no answer")

    cache.read_version, cache.version_wait = stuck, 0.05
    cache.invalidate()  # a check is due; the first request starts it and does not wait for it
    cache.generation = cache._cleared  # ...without emptying what is kept
    try:
        for _ in range(3):
            assert statements(client, "/timeline") == []
    finally:
        released.set()


def test_cached_answers_are_served_while_the_version_cannot_be_read(
    seeded: sa.Engine, client: TestClient, cache: ResponseCache
) -> None:
    page = client.get("/timeline")

    def unreachable() -> tuple[object, ...]:
        raise sa.exc.OperationalError("SELECT", {}, Exception("connection refused"))

    cache.read_version = unreachable
    cache._checked_at = float("-inf")
    again = client.get("/timeline")
    assert again.status_code == 200 and again.content == page.content
    assert cache.degraded


@pytest.mark.parametrize("page", ["/timeline", f"/rounds/{ROUND_2}", "/compare", "/api/compare", "/topics/territory"])
def test_public_pages_are_cacheable_and_answer_304(seeded, client: TestClient, page: str) -> None:
    first = client.get(page)
    etag = first.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{32}(-gzip)?"', etag)  # the test client takes gzip
    assert "public" in first.headers["cache-control"] and "max-age=" in first.headers["cache-control"]
    again = client.get(page, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert client.get(page, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_a_change_to_the_record_changes_the_etag(seeded, client: TestClient) -> None:
    before = client.get(f"/rounds/{ROUND_2}").headers["etag"]
    with session_scope(seeded) as session:
        session.execute(sa.update(Round).where(Round.slug == ROUND_2).values(venue="Çırağan Palace Kempinski"))
    after = client.get(f"/rounds/{ROUND_2}", headers={"If-None-Match": before})
    assert after.status_code == 200 and after.headers["etag"] != before


def test_a_new_day_renders_pages_afresh(seeded: sa.Engine, client: TestClient, cache: ResponseCache) -> None:
    """Pages say things that turn true with the date ("no date announced since"): none outlives its day."""
    client.get("/timeline")
    days = iter([dt.date(2025, 6, 30), dt.date(2025, 6, 30), dt.date(2025, 7, 1)])
    cache.today = lambda: next(days)
    for expected_statements in (True, False, True):  # the first check is a new version as well
        cache._checked_at = float("-inf")
        assert bool(statements(client, "/timeline")) is expected_statements


def test_a_render_that_fails_beside_one_kept_is_answered_with_the_copy_just_kept() -> None:
    """Two readers ask at once for a page the last change emptied, and the database goes away
    between their renders: the one that succeeds is kept, and replaces the last good copy; the one
    that fails is answered with it, not with an error (seen in `make soak`: cached pages answered 503
    during the database's restart, while other readers were being served them)."""
    cache = ResponseCache(max_bytes=1024 * 1024)
    renders: list[asyncio.Event] = []

    async def page(scope: Scope, receive: Receive, send: Send) -> None:
        # The first render is before the change; the second fails; the third succeeds.
        index, done = len(renders), asyncio.Event()
        renders.append(done)
        await done.wait()
        status, body = [(200, b"before the change"), (503, b"unavailable"), (200, b"after the change")][index]
        headers = [(b"content-type", b"text/html"), (b"etag", f'"{index}"'.encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    middleware = caching.ResponseCacheMiddleware(page, cache, QueryNames([]))
    scope = {"type": "http", "method": "GET", "scheme": "http", "path": "/p", "query_string": b"", "headers": []}

    async def ask() -> tuple[int, bytes]:
        answer: dict[str, object] = {}

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            answer.setdefault("status", message.get("status"))
            if message["type"] == "http.response.body":
                answer["body"] = message["body"]

        await middleware(dict(scope), receive, send)
        return int(answer["status"]), bytes(answer["body"])  # type: ignore[call-overload]

    async def readers() -> list[tuple[int, bytes]]:
        first = asyncio.create_task(ask())
        await asyncio.sleep(0)
        renders[0].set()
        assert await first == (200, b"before the change")
        cache.invalidate()  # a change: the copy kept becomes the last good one
        failing, succeeding = asyncio.create_task(ask()), asyncio.create_task(ask())
        while len(renders) < 3:
            await asyncio.sleep(0)
        renders[2].set()  # the second reader's render is kept first...
        assert await succeeding == (200, b"after the change")
        renders[1].set()  # ...then the first one's fails: the database is away
        return [await failing]

    assert asyncio.run(readers()) == [(200, b"after the change")]
