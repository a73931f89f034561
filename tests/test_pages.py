"""The readers' pages (app/web/pages.py): the empty record and the health check. What each page shows is
tested beside its service (test_timeline.py, test_comparison.py …)."""

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app


def test_an_empty_record_says_so_to_readers_and_leads_editors_to_start_it(
    client: TestClient, editor_client: TestClient
) -> None:
    soup = BeautifulSoup(client.get("/").text, "html.parser")
    assert soup.select("ol.timeline") == []
    assert soup.select_one(".empty").get_text(" ", strip=True) == "Nothing is on the record yet."
    assert soup.select_one(".empty a") is None
    editor = BeautifulSoup(editor_client.get("/").text, "html.parser")
    assert editor.select_one(".empty a[href='/start']").get_text() == "Start the record"


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
