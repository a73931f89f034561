"""oEmbed (app/web/oembed.py): a page's address gives its widget's embed code; pages advertise it."""

from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from tests.test_widgets import BASE, NEGOTIATION, ROUND_2, soup_of


def oembed(client: TestClient, url: str, **params: str | int) -> dict:
    response = client.get("/oembed?" + urlencode({"url": url, **params}))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return dict(response.json())


def test_oembed_describes_the_widget_of_a_page(seeded, client: TestClient) -> None:
    page = f"{BASE}compare?party=russia&party=ukraine&as_of={ROUND_2}"
    answer = oembed(client, page, format="json")
    assert answer["type"] == "rich" and answer["version"] == "1.0"
    assert answer["title"] == "Russia vs Ukraine: what each side demands, as of 2 June 2025"
    assert answer["provider_name"] == "Parley" and answer["provider_url"] == BASE
    assert isinstance(answer["cache_age"], int) and answer["cache_age"] > 0
    assert answer["width"] == 1000 and answer["height"] == 600
    snippet = BeautifulSoup(answer["html"], "html.parser")
    iframe = snippet.select_one("iframe")
    assert iframe["src"] == f"{BASE}embed/compare?party=russia&party=ukraine&as_of={ROUND_2}"
    assert (iframe["width"], iframe["height"]) == ("1000", "600")
    assert snippet.select_one("script")["src"] == f"{BASE}static/embed.js"


@pytest.mark.parametrize(("maxwidth", "maxheight"), [(400, 300), (320, 2000), (5000, 250), (100, 100)])
def test_oembed_keeps_within_the_maxima(seeded, client: TestClient, maxwidth: int, maxheight: int) -> None:
    answer = oembed(client, f"{BASE}rounds/{ROUND_2}", maxwidth=maxwidth, maxheight=maxheight)
    assert answer["width"] <= maxwidth and answer["height"] <= maxheight
    iframe = BeautifulSoup(answer["html"], "html.parser").select_one("iframe")
    assert int(iframe["width"]) == answer["width"] and int(iframe["height"]) == answer["height"]
    assert f"max-width:{answer['width']}px" in iframe["style"]


@pytest.mark.parametrize(
    ("page", "widget"),
    [
        (f"{BASE}timeline", "embed/timeline"),
        (f"{BASE}timeline?party=ukraine&kind=round", "embed/timeline?party=ukraine&kind=round"),
        (f"{BASE}negotiations/{NEGOTIATION}", f"embed/timeline?negotiation={NEGOTIATION}"),
        (f"{BASE}rounds/{ROUND_2}", f"embed/round/{ROUND_2}"),
        # A comparison is embedded fixed as of the round it shows, so that it does not change under an article.
        (f"{BASE}compare", f"embed/compare?as_of={ROUND_2}"),
        ("https://testserver/compare?topic=territory", f"embed/compare?topic=territory&as_of={ROUND_2}"),
    ],
)
def test_oembed_knows_every_embeddable_page(seeded, client: TestClient, page: str, widget: str) -> None:
    iframe = BeautifulSoup(oembed(client, page)["html"], "html.parser").select_one("iframe")
    assert iframe["src"] == BASE + widget


@pytest.mark.parametrize(
    "url",
    [
        "https://elsewhere.example/compare",
        f"{BASE}topics/territory",
        f"{BASE}api/compare",
        f"{BASE}embed/compare",
        f"{BASE}rounds/2031-01-01-nowhere",
        f"{BASE}compare?party=atlantis",
        f"{BASE}?year=soon",
        "javascript:alert(1)",
        "http://[::1",
        "",
    ],
)
def test_oembed_refuses_what_is_not_an_embeddable_parley_page(seeded, client: TestClient, url: str) -> None:
    response = client.get("/oembed?" + urlencode({"url": url, "format": "json"}))
    assert response.status_code == 404
    assert response.json() == {"detail": "That address is not an embeddable Parley page."}


def test_oembed_answers_json_only(seeded, client: TestClient) -> None:
    response = client.get("/oembed?" + urlencode({"url": f"{BASE}compare", "format": "xml"}))
    assert response.status_code == 501


@pytest.mark.parametrize(
    "path", ["/timeline", f"/negotiations/{NEGOTIATION}", f"/rounds/{ROUND_2}", "/compare?party=russia"]
)
def test_embeddable_pages_advertise_oembed(seeded, client: TestClient, path: str) -> None:
    soup = soup_of(client, path)
    link = soup.select_one('link[rel="alternate"][type="application/json+oembed"]')
    assert link is not None and link["title"]
    discovered = urlsplit(link["href"])
    assert discovered.path == "/oembed"
    query = dict(parse_qsl(discovered.query))
    assert query == {"url": f"http://testserver{path}", "format": "json"}
    assert client.get(f"/oembed?{discovered.query}").json()["title"] == link["title"]


def test_other_pages_do_not_advertise_oembed(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/topics/territory")
    assert soup.select_one('link[type="application/json+oembed"]') is None
