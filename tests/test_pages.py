"""The first page and the health check, read as a visitor's browser would (parsed HTML)."""

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app


def _entries(html: str) -> list[tuple[str, str]]:
    soup = BeautifulSoup(html, "html.parser")
    return [
        (
            item.select_one(".entry-date time").get_text(strip=True),
            item.select_one(".entry-title").get_text(" ", strip=True),
        )
        for item in soup.select("ol.timeline > li")
    ]


def test_timeline_lists_the_bundled_rounds_and_events_in_date_order(seeded, client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    entries = _entries(response.text)
    assert [date for date, _ in entries] == ["16 May 2025", "1 June 2025", "2 June 2025", "June 2025"]
    titles = [title for _, title in entries]
    assert titles[0].startswith("Round 1 · Istanbul")
    assert "drone strikes" in titles[1].lower()
    assert titles[2].startswith("Round 2 · Istanbul")
    assert titles[3].startswith("Round 3") and "planned" in titles[3]


def test_timeline_shows_heads_venue_outcomes_and_disputed_durations(seeded, client: TestClient) -> None:
    soup = BeautifulSoup(client.get("/").text, "html.parser")
    round_2 = soup.select_one("#round-2025-06-02-istanbul")
    assert "Çırağan Palace" in round_2.select_one(".entry-meta").get_text()
    facts = {div.dt.get_text(strip=True): div.dd.get_text(" ", strip=True) for div in round_2.select(".facts > div")}
    assert facts["Duration"].startswith("sources differ:")
    assert "less than an hour (The News)" in facts["Duration"]
    assert "Rustem Umerov (Ukraine)" in facts["Delegation heads"]
    assert "Vladimir Medinsky (Russia)" in facts["Delegation heads"]
    outcomes = [li.get_text(" ", strip=True) for li in round_2.select(".outcomes li")]
    assert any("prisoner" in outcome.lower() for outcome in outcomes)


def test_empty_record_says_how_to_load_one(client: TestClient) -> None:
    soup = BeautifulSoup(client.get("/").text, "html.parser")
    assert soup.select("ol.timeline") == []
    assert "parley seed" in soup.select_one(".empty").get_text()


def test_healthz_answers_200_when_the_database_is_reachable(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "reachable"}


def test_healthz_answers_503_when_the_database_is_not(tmp_path) -> None:
    settings = Settings(
        database_url="postgresql+psycopg://parley@127.0.0.1:1/nowhere?connect_timeout=2", data_dir=tmp_path
    )
    with TestClient(create_app(settings)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
