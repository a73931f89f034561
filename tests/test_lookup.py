"""What a page's Lookup promises: footnotes numbered from 1 in order, each pointing at a listed source."""

import time

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.core.config import Settings
from app.core.db import session_scope
from app.main import create_app
from app.reading.lookup import REFERENCE, KeptReference, Lookup
from app.record.models import Party
from app.web import caching
from app.web.caching import ResponseCache
from tests.factories import ROUND_2, soup_of, text
from tests.test_performance import statements


def test_every_citation_on_a_round_page_points_at_a_listed_source_with_its_standpoint(
    seeded, client: TestClient
) -> None:
    soup = soup_of(client, f"/rounds/{ROUND_2}")
    sources = {li["id"]: li for li in soup.select(".sources li")}
    numbers = [int(li["value"]) for li in sources.values()]
    assert numbers == list(range(1, len(numbers) + 1))
    cited = {a["href"].removeprefix("#") for a in soup.select("a.cite, a.cite-name")}
    assert cited == set(sources)
    tass = [li for li in sources.values() if "TASS" in text(li)]
    assert tass and all("Standpoint: Russian state news agency" in text(li) for li in tass)


# ------------------------------------------------------------------ the reference tables kept between pages


def _rename_ukraine(engine: sa.Engine, name: str) -> None:
    with session_scope(engine) as session:
        session.exec(select(Party).where(Party.slug == "ukraine")).one().name = name


def _settle(app: FastAPI) -> None:
    """As a worker is once it has run a while: on PostgreSQL, listening for changes (the moment it
    starts to listen it reads the version again, as a change may have passed unheard), and a request
    slowed by a loaded machine does not outlast the time the version is trusted."""
    listener = app.state.listener
    deadline = time.monotonic() + 10
    while listener is not None and not listener.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    cache: ResponseCache = app.state.response_cache
    cache.version_ttl = cache.listening_ttl = 3600


def test_a_page_rendered_afresh_reads_no_reference_table_it_has_read_since_the_last_change(
    seeded: sa.Engine, settings: Settings
) -> None:
    app = create_app(settings.model_copy(update={"response_cache_mb": 0}))
    with TestClient(app) as cold:
        _settle(app)
        assert "Ukraine" in cold.get("/compare").text
        again = " ".join(statements(cold, "/compare"))
        assert "FROM parties" not in again and "FROM topics" not in again, "kept since the first page"
        _rename_ukraine(seeded, "Ukraine (renamed here)")
        assert "Ukraine (renamed here)" in cold.get("/compare").text, "a change in this process shows at once"
    app.state.engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite"])  # PostgreSQL hears of it at once: the next test
def test_a_change_made_by_another_process_shows_once_the_record_version_is_read_again(
    seeded: sa.Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(settings.model_copy(update={"response_cache_mb": 0}))
    cache: ResponseCache = app.state.response_cache
    now = [1000.0]
    cache.clock = lambda: now[0]
    with TestClient(app) as cold:
        cold.get("/compare")
        monkeypatch.setattr(caching, "invalidate_all", lambda: None)  # as if the commit came from elsewhere
        _rename_ukraine(seeded, "Ukraine (renamed elsewhere)")
        assert "Ukraine (renamed elsewhere)" not in cold.get("/compare").text, "not yet: the version holds"
        now[0] += cache.version_ttl
        assert "Ukraine (renamed elsewhere)" in cold.get("/compare").text
    app.state.engine.dispose()


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_change_made_by_another_process_shows_at_once_on_postgresql(
    seeded: sa.Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(settings.model_copy(update={"response_cache_mb": 0}))
    cache: ResponseCache = app.state.response_cache
    with TestClient(app) as cold:
        deadline = time.monotonic() + 10
        while not app.state.listener.connected and time.monotonic() < deadline:
            time.sleep(0.05)
        cache.version_ttl = cache.listening_ttl = 3600  # no polling: only the notification can tell
        cold.get("/compare")
        monkeypatch.setattr(caching, "invalidate_all", lambda: None)  # as if the commit came from elsewhere
        _rename_ukraine(seeded, "Ukraine (renamed elsewhere)")
        deadline = time.monotonic() + 5
        while "Ukraine (renamed elsewhere)" not in cold.get("/compare").text:
            assert time.monotonic() < deadline, "the notification never reached the kept tables"
            time.sleep(0.02)
    app.state.engine.dispose()


def test_a_transaction_that_wrote_the_record_reads_references_within_itself(seeded: sa.Engine) -> None:
    """A draft's preview applies the draft, shows it and rolls back: what it shows must be the draft's."""
    kept = KeptReference(seeded, lambda: 1)
    with Session(seeded) as session:
        session.info[REFERENCE] = kept
        assert "Ukraine" in {p.name for p in Lookup(session).all_parties().values()}
        session.exec(select(Party).where(Party.slug == "ukraine")).one().name = "Ukraine (in a preview)"
        session.flush()
        assert "Ukraine (in a preview)" in {p.name for p in Lookup(session).all_parties().values()}
        session.rollback()
        assert "Ukraine" in {p.name for p in Lookup(session).all_parties().values()}, "the kept tables are untouched"
