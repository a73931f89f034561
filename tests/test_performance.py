"""What keeps a page's cost flat as the record grows: a bounded number of SQL statements per page,
work inside the database that does not grow with rounds the page doesn't show, and a cache of
rendered answers that is byte-identical to a fresh render and follows every publish.

No timings are asserted here; `make bench` measures them (tests/benchmarks/).
"""

import gc
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.core.config import Settings
from app.core.db import any_of, session_scope
from app.editing.publishing import delete_record
from app.main import create_app
from app.record.models import Role, Round, User
from app.web import caching
from app.web.caching import ResponseCache
from tests.accounts_fixtures import make_user
from tests.factories import many_rounds, publish_change
from tests.test_query_cost import counted

ROUNDS = 150  # large enough that a statement per row would show, small enough to keep the suite quick
MAX_STATEMENTS = 25
# Opened at a round past the first page, the timeline widget reads the round, then the timeline twice.
MAX_STATEMENTS_FOCUSED = 40
ROUND_2 = "2025-06-02-istanbul"
PAGES = [
    "/timeline?negotiation={n}",
    "/rounds/{n}-round-75",
    "/compare?negotiation={n}",
    "/embed/compare?negotiation={n}",
    "/embed/timeline?negotiation={n}",
    "/embed/timeline?negotiation={n}&focus={n}-round-140",
    "/embed/round/{n}-round-75",
    "/api/timeline?negotiation={n}",
    "/api/rounds/{n}-round-75",
    "/api/compare?negotiation={n}",
]
CACHED = ["/timeline", f"/rounds/{ROUND_2}", "/compare", "/embed/compare", "/api/timeline", "/api/compare"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def cache(client: TestClient) -> ResponseCache:
    found = client.app.state.response_cache  # type: ignore[attr-defined]
    assert isinstance(found, ResponseCache)
    return found


@pytest.fixture
def clock(cache: ResponseCache, monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(cache, "clock", clock)
    cache.invalidate()
    return clock


@pytest.fixture
def large(seeded: sa.Engine) -> str:
    with session_scope(seeded) as session:
        many_rounds(session, ROUNDS, slug="large")
    return "large"


@contextmanager
def elsewhere() -> Iterator[None]:
    """Writes as another process makes them: this process's commit hook does not see them."""
    invalidate_all = caching.invalidate_all
    caching.invalidate_all = lambda: None  # type: ignore[assignment]
    try:
        yield
    finally:
        caching.invalidate_all = invalidate_all  # type: ignore[assignment]


def statements(client: TestClient, url: str, headers: dict[str, str] | None = None) -> list[str]:
    with counted(client.app.state.engine) as seen:  # type: ignore[attr-defined]
        assert client.get(url, headers=headers).status_code == 200, url
    return seen


def round_summary(client: TestClient, slug: str) -> str:
    soup = BeautifulSoup(client.get(f"/rounds/{slug}").text, "html.parser")
    return soup.get_text(" ", strip=True)


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_page_cost_is_bounded_with_a_large_record_and_nothing_once_cached(
    large: str, client: TestClient, page: str
) -> None:
    url = page.format(n=large)
    assert len(statements(client, url)) <= (MAX_STATEMENTS_FOCUSED if "focus=" in url else MAX_STATEMENTS)
    assert statements(client, url) == [], "the second request is answered from the cache"


# Pages about the Istanbul talks, whose content stays the same when other negotiations grow.
ISTANBUL = "russia-ukraine-istanbul-2025"
UNRELATED_PAGES = [
    f"/timeline?negotiation={ISTANBUL}",
    f"/rounds/{ROUND_2}",
    f"/compare?negotiation={ISTANBUL}",
    f"/embed/compare?negotiation={ISTANBUL}",
    f"/embed/timeline?negotiation={ISTANBUL}",
    f"/embed/round/{ROUND_2}",
    f"/api/timeline?negotiation={ISTANBUL}",
]


@contextmanager
def sqlite_work(engine: sa.Engine) -> Iterator[list[int]]:
    """How much work SQLite does, counted in its virtual machine's instructions (a count, not a time)."""
    work = [0]

    def tick() -> int:
        work[0] += 1
        return 0  # carry on

    def checkout(dbapi_connection, *_args) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.set_progress_handler(tick, 1)  # every instruction

    def checkin(dbapi_connection, *_args) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.set_progress_handler(None, 1)

    sa.event.listen(engine, "checkout", checkout)
    sa.event.listen(engine, "checkin", checkin)
    try:
        yield work
    finally:
        sa.event.remove(engine, "checkout", checkout)
        sa.event.remove(engine, "checkin", checkin)


def page_work(client: TestClient, cache: ResponseCache) -> dict[str, int]:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    cache.max_bytes = 0  # render every time
    found = {}
    for url in UNRELATED_PAGES:
        with sqlite_work(engine) as work:
            assert client.get(url).status_code == 200, url
        found[url] = work[0]
    return found


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_page_does_no_more_work_in_the_database_when_other_negotiations_grow(
    seeded: sa.Engine, client: TestClient, cache: ResponseCache
) -> None:
    """SQLite only: its instruction count is exact. A query that reads every round (the planner
    walking an index on ``published`` instead of the negotiation's, a DISTINCT over every date)
    shows here as work that grows with the unrelated rounds: 1.5 to 3.4 times, when last seen."""
    with session_scope(seeded) as session:
        many_rounds(session, 20, slug="elsewhere")
    before = page_work(client, cache)
    with session_scope(seeded) as session:
        for n in range(3):  # within the same year: the timeline's year filter rightly grows with the years
            many_rounds(session, 50, slug=f"further-{n}")
    after = page_work(client, cache)
    grown = {url: round(after[url] / before[url], 2) for url in UNRELATED_PAGES}
    # What grows at all is the filters listing three more negotiations and their parties.
    assert max(grown.values()) < 1.2, grown


def test_a_cached_answer_is_byte_identical_to_a_fresh_one(seeded, client: TestClient, cache: ResponseCache) -> None:
    for url in CACHED:
        for headers in ({}, {"HX-Request": "true"}):
            cache.invalidate()
            fresh = client.get(url, headers=headers)
            cached = client.get(url, headers=headers)
            assert statements(client, url, headers) == [], url
            assert cached.content == fresh.content, url
            assert {k: v for k, v in cached.headers.items() if k != "date"} == {
                k: v for k, v in fresh.headers.items() if k != "date"
            }, url
            assert client.get(url, headers={**headers, "If-None-Match": fresh.headers["etag"]}).status_code == 304


def test_a_fragment_and_its_page_are_cached_apart(seeded, client: TestClient) -> None:
    page = client.get("/timeline")
    fragment = client.get("/timeline", headers={"HX-Request": "true"})
    assert client.get("/timeline").content == page.content
    assert client.get("/timeline", headers={"HX-Request": "true"}).content == fragment.content
    assert fragment.content != page.content and b"<html" not in fragment.content
    assert page.headers["vary"] == fragment.headers["vary"] == "HX-Request, Accept-Encoding"


IDENTITY = {"Accept-Encoding": "identity"}


@pytest.mark.parametrize(
    "url", ["/timeline", f"/embed/compare?negotiation={ISTANBUL}", "/api/timeline", "/static/parley.css"]
)
def test_an_answer_is_sent_gzipped_to_a_client_that_takes_it(seeded, client: TestClient, url: str) -> None:
    plain = client.get(url, headers=IDENTITY)
    assert "content-encoding" not in plain.headers
    for _ in range(2):  # rendered, then from the cache
        packed = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert packed.headers["content-encoding"] == "gzip"
        assert packed.content == plain.content  # as decoded by the client
        assert int(packed.headers["content-length"]) < len(plain.content)
        assert "Accept-Encoding" in packed.headers["vary"] and "Accept-Encoding" in plain.headers["vary"]
    # Different bytes, different ETags; each answers its own condition.
    assert packed.headers["etag"] != plain.headers["etag"]
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == packed.headers["etag"]
    assert client.get(url, headers={**IDENTITY, "If-None-Match": plain.headers["etag"]}).status_code == 304


def test_with_a_cache_of_no_size_a_client_that_takes_gzip_still_gets_it(seeded, settings: Settings) -> None:
    """Nothing is kept, so nothing is compressed ahead of need: only for the client that takes gzip."""
    app = create_app(settings.model_copy(update={"response_cache_mb": 0}))
    with TestClient(app) as cold:
        plain = cold.get("/timeline", headers=IDENTITY)
        packed = cold.get("/timeline", headers={"Accept-Encoding": "gzip"})
        assert "content-encoding" not in plain.headers and packed.headers["content-encoding"] == "gzip"
        assert packed.content == plain.content and "Accept-Encoding" in plain.headers["vary"]
        assert plain.headers["etag"] != packed.headers["etag"]
    app.state.engine.dispose()


def test_a_client_that_refuses_gzip_gets_the_plain_answer(seeded, client: TestClient) -> None:
    for refusal in ("gzip;q=0", "br", "identity"):
        answer = client.get("/timeline", headers={"Accept-Encoding": refusal})
        assert "content-encoding" not in answer.headers and b"<html" in answer.content


def test_a_signed_in_editor_is_never_answered_from_the_cache(
    seeded, client: TestClient, editor_client: TestClient
) -> None:
    client.get("/timeline")
    assert statements(editor_client, "/timeline") != []
    assert "no-store" in editor_client.get("/timeline").headers["cache-control"]


def test_publishing_through_the_editing_service_shows_on_the_next_request(
    seeded: sa.Engine, client: TestClient, clock: Clock
) -> None:
    assert "Moved to Ankara" not in round_summary(client, ROUND_2)
    editor: User = make_user(seeded, email="pat@example.org", name="Pat", role=Role.editor)
    with session_scope(seeded) as session:
        r = session.exec(select(Round).where(Round.slug == ROUND_2)).one()
        assert r.id is not None
        publish_change(session, session.merge(editor), "rounds", r.id, summary="Moved to Ankara at the last minute.")
    assert "Moved to Ankara" in round_summary(client, ROUND_2), "a commit in this process empties the cache"


# The version polled, as SQLite's other processes are noticed; PostgreSQL's are told at once
# (tests/test_caching.py).
@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_change_made_by_another_process_shows_after_expiry(
    seeded: sa.Engine, client: TestClient, cache: ResponseCache, clock: Clock
) -> None:
    before = client.get("/api/rounds/" + ROUND_2).json()["summary"]
    with elsewhere(), session_scope(seeded) as session:
        r = session.exec(select(Round).where(Round.slug == ROUND_2)).one()
        r.summary = "Changed by another worker."  # the ORM bumps updated_at, and with it the version
        session.add(r)
    clock.now += cache.version_ttl / 2
    assert client.get("/api/rounds/" + ROUND_2).json()["summary"] == before, "still within the expiry"
    clock.now += cache.version_ttl
    assert client.get("/api/rounds/" + ROUND_2).json()["summary"] == "Changed by another worker."


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_deletion_by_another_process_shows_after_expiry(
    seeded: sa.Engine, client: TestClient, cache: ResponseCache, clock: Clock
) -> None:
    """A delete leaves no updated_at behind; the editing services record it as a revision instead."""
    editor = make_user(seeded, email="sam@example.org", name="Sam", role=Role.editor)
    assert client.get("/api/rounds/" + ROUND_2).status_code == 200
    with elsewhere(), session_scope(seeded) as session:
        r = session.exec(select(Round).where(Round.slug == ROUND_2)).one()
        assert r.id is not None
        delete_record(session=session, entity="rounds", entity_id=r.id, editor=session.merge(editor))
    clock.now += cache.version_ttl * 2
    assert client.get("/api/rounds/" + ROUND_2).status_code == 404


def test_the_cache_keeps_to_its_size(seeded, client: TestClient, cache: ResponseCache) -> None:
    cache.max_bytes = 64 * 1024
    for page in range(1, 40):
        client.get(f"/api/timeline?limit={page}")
    assert cache._size + cache._stale_size <= cache.max_bytes


def test_a_session_in_this_process_reads_without_emptying_the_cache(
    seeded: sa.Engine, client: TestClient, cache: ResponseCache
) -> None:
    client.get("/timeline")
    with Session(seeded) as session:  # closing without a commit is no write
        session.exec(select(Round)).all()
    assert statements(client, "/timeline") == []


@pytest.mark.parametrize(
    ("accept_encoding", "takes_gzip"),
    [
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8, *;q=0.1", True),
        ("*", True),
        ("*;q=0, gzip", True),
        ("gzip;q=0, *", False),
        ("gzip;q=0.0", False),
        ("identity", False),
        ("gzip;q=unreadable", False),
    ],
)
def test_which_clients_take_gzip(accept_encoding: str, takes_gzip: bool) -> None:
    assert caching.accepts_gzip(accept_encoding) is takes_gzip


def test_rows_read_by_a_list_of_ids_are_one_statement_whatever_its_length(seeded: sa.Engine) -> None:
    """``any_of`` binds the list as one value: the same statement text for one id or three (PostgreSQL
    keeps one plan for it), and none for an empty list, by id or by slug."""
    by_id = sa.select(col(Round.slug)).where(any_of(col(Round.id))).order_by(col(Round.id))
    by_slug = sa.select(col(Round.id)).where(any_of(col(Round.slug), "slugs")).order_by(col(Round.id))
    texts: list[str] = []

    def keep(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        texts.append(statement)

    with seeded.connect() as connection:
        ids, slugs = zip(
            *connection.execute(sa.select(col(Round.id), col(Round.slug)).order_by(col(Round.id))), strict=True
        )
        sa.event.listen(seeded, "before_cursor_execute", keep)
        try:
            assert [r.slug for r in connection.execute(by_id, {"ids": ids[:1]})] == list(slugs[:1])
            assert [r.slug for r in connection.execute(by_id, {"ids": list(ids)})] == list(slugs)
            assert connection.execute(by_id, {"ids": []}).all() == []
            assert [r.id for r in connection.execute(by_slug, {"slugs": slugs[1:3]})] == list(ids[1:3])
        finally:
            sa.event.remove(seeded, "before_cursor_execute", keep)
    assert len(ids) == 3 and len(set(texts[:3])) == 1
    with pytest.raises(TypeError, match="ids or slugs"):
        any_of(col(Round.date))  # a date would go into the list unconverted


def test_the_app_starts_without_importing_what_only_some_deployments_or_routes_use(tmp_path) -> None:
    # Issue 13's start-up budget: each of these is only needed by the command line, by one route when
    # it is asked, by PostgreSQL deployments or behind a named proxy, and costs start-up time to import.
    lazy = ["alembic", "icalendar", "resvg_py", "uvicorn", "psycopg", "sqlalchemy.dialects.postgresql"]
    script = (
        "import json, sys; from app.main import create_app; create_app(); "
        f"print(json.dumps([m for m in {lazy!r} if m in sys.modules]))"
    )
    env = {**os.environ, "PARLEY_DATABASE_URL": f"sqlite:///{tmp_path / 'parley.db'}", "PARLEY_DATA_DIR": str(tmp_path)}
    env.pop("PARLEY_FORWARDED_ALLOW_IPS", None)
    answer = subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True)
    assert json.loads(answer.stdout.strip().splitlines()[-1]) == []


def test_a_serving_app_keeps_what_it_started_with_out_of_the_garbage_collectors_sight(settings: Settings) -> None:
    # A full collection walking the whole app held a request up as long as three pages (app.main).
    app = create_app(settings)
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        assert gc.get_freeze_count() > 100_000
        assert gc.get_threshold()[0] == 10_000
    app.state.engine.dispose()
