"""The empty record and the health check. (The pages themselves: test_reading.py.)"""

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app


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
