"""What every public page shares: a JSON twin, and answers that can be cached.

Each page's own content is tested beside its module: test_timeline.py, test_rounds.py,
test_comparison.py, test_topics.py and test_parties.py.
"""

import re

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.db import session_scope
from app.models import Round
from tests.factories import ROUND_2, soup_of, text

PAGES_AND_TWINS = [
    ("/", "/api/timeline"),
    ("/?party=ukraine", "/api/timeline?party=ukraine"),
    (f"/rounds/{ROUND_2}", f"/api/rounds/{ROUND_2}"),
    ("/compare?as_of=2025-05-16-istanbul", "/api/compare?as_of=2025-05-16-istanbul"),
    ("/topics", "/api/topics"),
    ("/topics/territory", "/api/topics/territory"),
    ("/parties", "/api/parties"),
    ("/parties/ukraine", "/api/parties/ukraine"),
    ("/people/vladimir-medinsky", "/api/people/vladimir-medinsky"),
    ("/negotiations/russia-ukraine-istanbul-2025", "/api/timeline?negotiation=russia-ukraine-istanbul-2025"),
]


@pytest.mark.parametrize(("page", "twin"), PAGES_AND_TWINS)
def test_every_page_links_its_json_twin(seeded, client: TestClient, page: str, twin: str) -> None:
    response = client.get(page)
    link = BeautifulSoup(response.text, "html.parser").select_one('link[rel=alternate][type="application/json"]')
    assert link["href"] == twin
    assert response.headers["link"] == f'<{twin}>; rel="alternate"; type="application/json"'
    api = client.get(twin)
    assert api.status_code == 200 and api.headers["content-type"] == "application/json"


def test_json_twin_carries_the_pages_data(seeded, client: TestClient) -> None:
    detail = client.get(f"/api/rounds/{ROUND_2}").json()
    heads = {d["party"]["slug"]: d["head"]["person"]["name"] for d in detail["delegations"]}
    assert heads == {"russia": "Vladimir Medinsky", "turkey": "Hakan Fidan", "ukraine": "Rustem Umerov"}
    assert [f["as_reported"] for f in detail["duration"]["reported"]] == ["less than an hour", "a little over an hour"]
    comparison = client.get("/api/compare").json()
    assert [p["slug"] for p in comparison["parties"]] == ["russia", "ukraine"]
    assert comparison["as_of"]["slug"] == ROUND_2
    assert "version" not in detail and "created_at" not in str(detail)


def test_openapi_documents_every_json_twin(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in [
        "/api/timeline",
        "/api/rounds/{slug}",
        "/api/compare",
        "/api/topics",
        "/api/topics/{slug}",
        "/api/parties",
        "/api/parties/{slug}",
        "/api/people/{slug}",
    ]:
        assert "200" in paths[path]["get"]["responses"], path
    assert "/" not in paths and "/compare" not in paths  # HTML pages are not API operations


@pytest.mark.parametrize("page", ["/", f"/rounds/{ROUND_2}", "/compare", "/api/compare", "/topics/territory"])
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


def test_api_reference_is_served_by_parley_itself(client: TestClient) -> None:
    soup = soup_of(client, "/api")
    listed = [text(h.code) for h in soup.select(".api-operations h2")]
    assert "/api/compare" in listed and "/api/rounds/{slug}" in listed
    assert soup.select_one('link[rel=alternate][type="application/json"]')["href"] == "/openapi.json"
    assert client.get("/docs").status_code == 404  # FastAPI's own pages load scripts from a CDN
