"""Embed code (app/web/embed_code.py): the Embed panel of the compare, timeline and round pages."""

from urllib.parse import parse_qsl, urlsplit

from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient

from tests.test_widgets import BASE, NEGOTIATION, ROUND_2, ROUND_3, soup_of, text


def embed_snippets(soup: BeautifulSoup) -> list[tuple[Tag, Tag]]:
    """(iframe, script) of each snippet in the page's Embed panel, read as HTML."""
    panel = soup.select_one("details.embed-panel")
    assert panel is not None and text(panel.summary) == "Embed this view on another site"
    found = []
    for textarea in panel.select("textarea"):
        assert textarea.has_attr("readonly")
        assert text(panel.select_one(f'label[for="{textarea["id"]}"]')).endswith("embed code")
        snippet = BeautifulSoup(textarea.string or "", "html.parser")
        iframe, script = snippet.select_one("iframe"), snippet.select_one("script")
        assert iframe is not None and script is not None
        found.append((iframe, script))
    return found


def widget_query(iframe: Tag) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(iframe["src"]).query)


def test_compare_page_offers_the_embed_code_of_its_current_view(seeded, client: TestClient) -> None:
    soup = soup_of(client, f"/compare?party=russia&party=ukraine&as_of={ROUND_2}")
    [(iframe, script), (latest, _)] = embed_snippets(soup)
    assert iframe["src"] == f"{BASE}embed/compare?party=russia&party=ukraine&as_of={ROUND_2}"
    assert iframe["title"] == "Russia vs Ukraine: what each side demands, as of 2 June 2025 — Parley"
    assert iframe["width"] == "100%" and int(iframe["height"]) >= 300
    assert iframe["loading"] == "lazy" and iframe.has_attr("data-parley-embed")
    assert iframe["style"] == "border:0;width:100%"
    assert script["src"] == f"{BASE}static/embed.js" and script.has_attr("async")
    assert latest["src"] == f"{BASE}embed/compare?party=russia&party=ukraine"
    labels = [text(label) for label in soup.select(".embed-code label")]
    assert labels == ["This view, fixed as of round 2: embed code", "Always the latest round: embed code"]
    assert "Starts 600 px tall" in text(soup.select_one(".embed-code .hint"))
    # The widget the snippet points at shows that view.
    widget = soup_of(client, iframe["src"].removeprefix(BASE.rstrip("/")))
    assert text(widget.select_one("h1")) == "Russia vs Ukraine: what each side demands"

    # htmx swaps the comparison, and the panel with it.
    fragment = client.get("/compare?party=turkey&as_of=2025-05-16-istanbul", headers={"HX-Request": "true"})
    [(iframe, _), _] = embed_snippets(BeautifulSoup(fragment.text, "html.parser"))
    assert widget_query(iframe) == [("party", "turkey"), ("as_of", "2025-05-16-istanbul")]

    # Without a chosen round the page shows the latest: the code offered first is fixed at it, so that a
    # published article does not change under its author; following the latest round is the second choice.
    [(fixed, _), (latest, _)] = embed_snippets(soup_of(client, "/compare"))
    assert fixed["src"] == f"{BASE}embed/compare?as_of={ROUND_2}"
    assert latest["src"] == f"{BASE}embed/compare"
    assert latest["title"] == "Russia vs Ukraine: what each side demands, as of the latest round — Parley"


def test_timeline_pages_offer_the_embed_code_of_their_filters(seeded, client: TestClient) -> None:
    [(iframe, _)] = embed_snippets(soup_of(client, "/timeline?party=turkey&kind=round"))
    assert widget_query(iframe) == [("party", "turkey"), ("kind", "round")]
    [(iframe, _)] = embed_snippets(soup_of(client, f"/negotiations/{NEGOTIATION}?topic=territory"))
    assert widget_query(iframe) == [("negotiation", NEGOTIATION), ("topic", "territory")]
    assert iframe["title"] == "Russia–Ukraine talks, Istanbul 2025: timeline — Parley"


def test_round_page_offers_the_card_and_the_timeline_opened_at_the_round(seeded, client: TestClient) -> None:
    [(card, _), (timeline, _)] = embed_snippets(soup_of(client, f"/rounds/{ROUND_3}"))
    assert card["src"] == f"{BASE}embed/round/{ROUND_3}"
    address = urlsplit(timeline["src"])
    assert address.path == "/embed/timeline" and address.fragment == f"round-{ROUND_3}"
    assert parse_qsl(address.query) == [("negotiation", NEGOTIATION), ("focus", ROUND_3)]


# ------------------------------------------------------------------ oEmbed
