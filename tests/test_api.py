"""The JSON API (app/web/api.py): every page's JSON twin, its OpenAPI schema and reference page.

Each page's own content is tested beside its service: test_timeline.py, test_rounds.py,
test_comparison.py, test_topics.py and test_parties.py.
"""

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from tests.factories import ROUND_2, soup_of, text

PAGES_AND_TWINS = [
    ("/timeline", "/api/timeline"),
    ("/timeline?party=ukraine", "/api/timeline?party=ukraine"),
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


def test_api_reference_is_served_by_parley_itself(client: TestClient) -> None:
    soup = soup_of(client, "/api")
    listed = [text(h.code) for h in soup.select(".api-operations h3")]
    assert "/api/compare" in listed and "/api/rounds/{slug}" in listed
    # The API first, then the downloads and feeds; schema texts with `backticks` shown as code.
    assert [text(h) for h in soup.select("h2.api-group")] == ["Operations", "Downloads and feeds"]
    assert listed[0].startswith("/api/") and listed.index("/feed.atom") > listed.index("/api/compare")
    assert "`" not in text(soup.select_one("main"))
    tried = [a["href"] for a in soup.select(".api-operations a[href^='/api/search']")]
    assert tried == ["/api/search?q=prisoners"], "an example that finds something"
    assert soup.select_one('link[rel=alternate][type="application/json"]')["href"] == "/openapi.json"
    assert client.get("/docs").status_code == 404  # FastAPI's own pages load scripts from a CDN
