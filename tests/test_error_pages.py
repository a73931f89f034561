"""When things go wrong (app/web/error_pages.py): every failure ends in the site's own page, the database
going away gives 503 with Retry-After, and an editor's unsaved form comes back whole."""

import sqlite3
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import select

from app.core.config import Settings
from app.core.db import make_engine, session_scope
from app.main import create_app
from app.record.models import Round
from tests.accounts_fixtures import csrf
from tests.factories import text
from tests.test_performance import ROUND_2


def soup_of(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.text, "html.parser")


def unreachable_engine(backend: str) -> sa.Engine:
    """An engine whose database does not answer: refused on PostgreSQL, unopenable on SQLite."""
    if backend == "postgresql":
        return make_engine("postgresql+psycopg://postgres@127.0.0.1:1/test", pool_timeout=1)

    def refuse() -> sqlite3.Connection:
        raise sqlite3.OperationalError("unable to open database file")

    return sa.create_engine("sqlite://", creator=refuse)


@pytest.fixture
def take_database_away(backend: str) -> Iterator[Callable[[TestClient], None]]:
    """``take_database_away(client)``: from then on the database does not answer that client's app."""
    undo: list[Callable[[], None]] = []

    def away(client: TestClient) -> None:
        app = client.app
        working = app.state.engine  # type: ignore[attr-defined]
        broken = unreachable_engine(backend)

        def unreachable() -> tuple[object, ...]:
            with broken.connect():
                return ()

        app.state.engine = broken  # type: ignore[attr-defined]
        app.state.response_cache.read_version = unreachable  # type: ignore[attr-defined]
        app.state.response_cache._checked_at = float("-inf")  # type: ignore[attr-defined]

        def back() -> None:
            app.state.engine = working  # type: ignore[attr-defined]
            broken.dispose()

        undo.append(back)

    yield away
    for back in undo:
        back()


def test_an_unknown_address_gets_the_sites_page(client: TestClient) -> None:
    response = client.get("/nonexistent")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    soup = soup_of(response)
    assert soup.select_one("h1").get_text() == "There is nothing at this address"
    assert soup.select_one("nav[aria-label=Main]") is not None


def test_an_unknown_address_under_the_api_gets_json(client: TestClient) -> None:
    response = client.get("/api/nonexistent")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_a_wrong_method_gets_the_sites_page(client: TestClient) -> None:
    response = client.delete("/compare", headers={"X-CSRF-Token": "x"})
    assert response.status_code in (403, 405)  # CSRF refuses it first without a session; both are pages
    assert response.headers["content-type"].startswith("text/html")


def _change_round_2(seeded: sa.Engine) -> None:
    """A change to the record, as a publish makes: every page kept becomes a last good copy."""
    with session_scope(seeded) as session:
        session.exec(select(Round).where(Round.slug == ROUND_2)).one().summary = "Changed just before."


def _ask_once_each(client: TestClient, words: str, count: int) -> None:
    """``count`` pages asked once each, as readers trying filters and searches do."""
    for number in range(count):
        assert client.get(f"/timeline?q={words}{number}").status_code == 200


def test_cached_pages_are_served_while_the_database_is_away(
    seeded: sa.Engine, client: TestClient, take_database_away: Callable[[TestClient], None]
) -> None:
    page = client.get(f"/rounds/{ROUND_2}")
    take_database_away(client)
    again = client.get(f"/rounds/{ROUND_2}")
    assert again.status_code == 200 and again.content == page.content


def test_a_page_emptied_by_a_publish_just_before_the_outage_is_served_as_it_was(
    seeded: sa.Engine, client: TestClient, take_database_away: Callable[[TestClient], None]
) -> None:
    """stale-if-error: the copy kept before the last change beats an error page."""
    page = client.get(f"/rounds/{ROUND_2}")
    _change_round_2(seeded)
    take_database_away(client)
    again = client.get(f"/rounds/{ROUND_2}")
    assert again.status_code == 200 and again.content == page.content
    assert client.get("/compare?party=turkey").status_code == 503, "a page never rendered has no copy to fall back on"


def test_pages_asked_once_do_not_push_out_the_copies_kept_for_an_outage(
    seeded: sa.Engine, client: TestClient, take_database_away: Callable[[TestClient], None]
) -> None:
    """A publish turns every kept page into a last good copy; a flood of pages asked once (varied
    filters and searches) then filled the cache and pushed those copies out first, so that a page
    readers had been reading was answered 503 when the database went away (seen in `make soak`)."""
    cache = client.app.state.response_cache  # type: ignore[attr-defined]
    cache.max_bytes = 512 * 1024
    page = client.get(f"/rounds/{ROUND_2}")
    _change_round_2(seeded)
    _ask_once_each(client, "istanbul", 60)  # kept until the cache is full
    assert cache._size + cache._stale_size <= cache.max_bytes
    take_database_away(client)
    again = client.get(f"/rounds/{ROUND_2}")
    assert again.status_code == 200 and again.content == page.content


def test_the_copies_of_pages_asked_again_outlast_those_of_pages_asked_once(
    seeded: sa.Engine, client: TestClient, take_database_away: Callable[[TestClient], None]
) -> None:
    """Past their share of the cache, the last good copies of pages asked once go before those of
    pages readers came back to, however recently each was asked: the round page here was asked
    twice, then many pages once each, and least recently used alone would have let its copy go
    first."""
    cache = client.app.state.response_cache  # type: ignore[attr-defined]
    cache.max_bytes = 512 * 1024
    page = client.get(f"/rounds/{ROUND_2}")
    assert client.get(f"/rounds/{ROUND_2}").content == page.content  # asked again: served as kept
    _ask_once_each(client, "before", 30)  # after it: more recently used
    _change_round_2(seeded)
    _ask_once_each(client, "after", 60)  # after the change: the copies kept make way, down to their share
    assert cache._stale_size <= cache.max_bytes // 4
    take_database_away(client)
    again = client.get(f"/rounds/{ROUND_2}")
    assert again.status_code == 200 and again.content == page.content


def test_a_page_not_cached_gets_503_with_retry_after(
    seeded: sa.Engine, client: TestClient, take_database_away: Callable[[TestClient], None]
) -> None:
    take_database_away(client)
    response = client.get("/compare?party=russia&party=ukraine")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.headers["content-type"].startswith("text/html")
    assert soup_of(response).select_one("h1").get_text() == "Parley cannot reach its database just now"
    assert "no-store" in response.headers["cache-control"]

    api = client.get("/api/timeline?party=ukraine")
    assert api.status_code == 503 and api.headers["retry-after"] == "5"
    assert api.headers["content-type"] == "application/problem+json"
    assert api.json()["title"] == "Parley cannot reach its database just now"

    assert client.get("/healthz").status_code == 503


def test_an_editors_save_comes_back_whole_when_the_database_is_away(
    seeded: sa.Engine, editor_client: TestClient, take_database_away: Callable[[TestClient], None]
) -> None:
    token = csrf(editor_client, "/edit/rounds/new")
    take_database_away(editor_client)
    typed = {
        "csrf_token": token,
        "negotiation_id": "1",
        "sequence": "4",
        "slug": "2025-07-23-istanbul",
        "status": "held",
        "summary": "A third round, forty minutes long.",
        "action": "save",
    }
    response = editor_client.post("/edit/rounds/new/items/record/n0", data=typed)
    assert response.status_code == 503
    soup = soup_of(response)
    assert "Nothing was saved" in soup.select_one(".problems").get_text()
    form = soup.select_one("form.replay")
    assert form["action"] == "/edit/rounds/new/items/record/n0" and form["method"] == "post"
    sent_again = {field["name"]: field["value"] for field in form.select("input[type=hidden]")}
    assert sent_again == typed
    shown = soup.select_one(".replay-values").get_text(" ", strip=True)
    assert "A third round, forty minutes long." in shown


def test_an_htmx_request_that_fails_leaves_the_page_alone(
    seeded: sa.Engine, client: TestClient, take_database_away: Callable[[TestClient], None]
) -> None:
    take_database_away(client)
    response = client.get("/timeline?party=ukraine", headers={"HX-Request": "true"})
    assert response.status_code == 503
    assert response.headers["hx-retarget"] == "#flash"
    assert response.headers["hx-reswap"] == "innerHTML"
    soup = soup_of(response)
    assert soup.select_one("html") is None and soup.select_one("form") is None
    assert "Parley cannot reach its database just now" in soup.select_one("[role=alert]").get_text()


def test_a_pool_with_no_connection_free_answers_503_instead_of_waiting(
    seeded: sa.Engine, database_url: str, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    app = create_app(Settings(database_url=database_url, data_dir=tmp_path, threads=1, pool_timeout=0.2))
    with TestClient(app) as client:
        client.get("/timeline")  # cached
        engine: sa.Engine = app.state.engine  # type: ignore[attr-defined]
        held = [engine.connect() for _ in range(engine.pool.size() + engine.pool._max_overflow)]  # type: ignore[attr-defined]
        try:
            busy = client.get("/compare")
            assert busy.status_code == 503 and busy.headers["retry-after"] == "5"
            assert client.get("/timeline").status_code == 200, "cached pages do not need the pool"
        finally:
            for connection in held:
                connection.close()
        assert client.get("/compare").status_code == 200, "and all is well once connections are free"
    engine.dispose()


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("/timeline?year=abc", "“abc” is not a year: write it as four digits, such as 2025."),
        ("/timeline?q=" + "x" * 300, "The search is too long: at most 200 characters."),
        (
            "/rounds/2025_06_02",
            "“2025_06_02” is not the address of a round: addresses in Parley use lower-case letters, digits and "
            "hyphens only, such as 2025-06-02-istanbul.",
        ),
        ("/timeline?kind=talks", "“talks” is not one of the choices for “kind”: 'round', 'planned' or 'event'."),
    ],
)
def test_an_address_parley_cannot_read_is_explained_in_a_sentence(
    seeded, client: TestClient, url: str, said: str
) -> None:
    response = client.get(url)
    assert response.status_code == 422
    problems = text(BeautifulSoup(response.text, "html.parser").select_one(".problems"))
    assert said in problems and "start again from the timeline" in problems
    assert "pattern" not in problems and "Input should" not in problems


def test_an_address_in_capitals_leads_to_the_record(seeded, client: TestClient) -> None:
    response = client.get("/rounds/2025-06-02-ISTANBUL", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (301, "/rounds/2025-06-02-istanbul")


def test_an_id_too_large_for_the_database_is_refused_not_a_server_error(editor_client: TestClient) -> None:
    # PostgreSQL's integer columns end at 2**31 - 1; asking it for a larger id fails the query.
    for path in (
        "/edit/outcomes/9999999999",
        "/drafts/9999999999",
        "/edit/rounds/9999999999/history",
        "/outcomes/9999999999",
    ):
        answer = editor_client.get(path)
        assert answer.status_code == 422, path
        assert "must be at most 2147483647" in answer.text or "2,147,483,647" in answer.text, answer.text[-600:]
