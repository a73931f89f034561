"""Widgets for other sites, their embed code and oEmbed, framing and caching; on SQLite and PostgreSQL."""

import datetime as dt
import gzip
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient
from sqlmodel import select

from app.core.db import session_scope
from app.main import create_app
from app.record.models import Negotiation, Party, Position, Round, Topic
from tests.factories import many_rounds
from tests.test_drafts import SECRET, drafts  # noqa: F401 (a fixture)
from tests.test_query_cost import MAX_STATEMENTS, cost

BASE = "http://testserver/"
ROUND_2 = "2025-06-02-istanbul"
ROUND_3 = "2025-06-next-round"
NEGOTIATION = "russia-ukraine-istanbul-2025"
RUSSIA_VS_UKRAINE = f"/embed/compare?party=russia&party=ukraine&as_of={ROUND_2}"
WIDGETS = [
    RUSSIA_VS_UKRAINE,
    "/embed/compare",
    "/embed/compare?party=russia&party=ukraine&party=turkey&party=united-states&theme=dark",
    "/embed/compare?topic=territory&topic=ceasefire&compact=true&theme=light",
    "/embed/timeline",
    f"/embed/timeline?focus={ROUND_3}",
    "/embed/timeline?party=turkey&kind=round&compact=true",
    f"/embed/round/{ROUND_2}",
    f"/embed/round/{ROUND_3}?compact=true",
]
# HTML and CSS together, gzip-compressed.
SIZE_BUDGET = 12 * 1024
WIDGET_CACHE_CONTROL = "public, max-age=60, s-maxage=300, stale-while-revalidate=600"


def soup_of(client: TestClient, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == status, response.text[:500]
    return BeautifulSoup(response.text, "html.parser")


def text(node: Tag | None) -> str:
    assert node is not None
    return " ".join(node.get_text().split())


def assert_self_contained(soup: BeautifulSoup) -> None:
    """A widget: no site navigation, no htmx or parley.css, nothing from another host, every citation listed."""
    assert soup.select_one("nav, .site-header") is None
    assert [s["src"] for s in soup.select("script")] == ["/static/embed-frame.js"]
    assert soup.select("link[rel=stylesheet]") == []
    assert soup.select_one("style") is not None
    for element in soup.select("[src]"):
        assert urlsplit(element["src"]).netloc in ("", "testserver"), element
    listed = {li["id"] for li in soup.select(".sources li")}
    cited = {a["href"].removeprefix("#") for a in soup.select("a.cite, a.cite-name")}
    assert cited <= listed
    for link in soup.select("a[href]"):
        if not link["href"].startswith("#"):
            assert link.get("target") == "_blank" and "noopener" in link.get("rel", []), link


def sources(soup: BeautifulSoup) -> dict[int, str]:
    return {int(li["value"]): text(li) for li in soup.select(".sources li")}


def last_updated(soup: BeautifulSoup) -> str:
    time = soup.select_one(".meta time")
    assert time is not None
    return str(time["datetime"])


def link_back(soup: BeautifulSoup) -> Tag:
    link = soup.select_one(".meta a")
    assert link is not None and text(link) == "Full view on Parley (opens in a new tab)"
    return link


# ------------------------------------------------------------------ widgets


def test_compare_widget_russia_vs_ukraine_as_of_2_june_2025(seeded, client: TestClient) -> None:
    soup = soup_of(client, RUSSIA_VS_UKRAINE)
    assert_self_contained(soup)
    assert text(soup.select_one("h1")) == "Russia vs Ukraine: what each side demands"
    assert text(soup.title) == "Russia vs Ukraine: what each side demands, as of 2 June 2025 · Parley"
    assert text(soup.select_one(".sub")).startswith("As of round 2, 2 June 2025 · Russia–Ukraine talks, Istanbul 2025")
    assert [text(th) for th in soup.select("thead th")] == ["Topic", "Russia", "Ukraine"]

    territory = soup.select_one("tr#topic-territory")
    russia, ukraine = (text(td.select_one(".summary")) for td in territory.select("td"))
    assert russia.startswith("International legal recognition of Crimea, Donetsk, Luhansk, Zaporizhzhia and Kherson")
    assert ukraine.startswith("No recognition of Russian claims over Ukrainian regions")
    assert text(soup.select_one("tr#topic-security-guarantees td")) == "Nothing stated as of round 2."
    assert text(soup.select_one("tr#topic-leaders-meeting td:nth-of-type(2) .chg")) == "Changed since round 1"

    listed = sources(soup)
    assert list(listed) == list(range(1, len(listed) + 1))
    assert any("TASS" in s and "Standpoint: Russian state news agency" in s for s in listed.values())
    assert dt.datetime.fromisoformat(last_updated(soup).replace("Z", "+00:00")).tzinfo is not None
    assert link_back(soup)["href"] == f"{BASE}compare?party=russia&party=ukraine&as_of={ROUND_2}"


def test_compare_widget_takes_a_subset_of_topics_a_theme_and_a_compact_option(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/embed/compare?topic=territory&topic=ceasefire&theme=dark&compact=true")
    assert [row["id"] for row in soup.select("tbody tr")] == ["topic-territory", "topic-ceasefire"]
    assert soup.html["class"] == ["dark", "compact"]
    assert soup.select_one('meta[name="color-scheme"]')["content"] == "dark"
    # Compact: no fuller text, no change marks, the sources folded away (but there).
    assert soup.select("td details, .chg") == []
    assert soup.select_one("details.sources summary") is not None and sources(soup)
    default = soup_of(client, "/embed/compare")
    assert default.html["class"] == ["auto"]
    assert default.select_one('meta[name="color-scheme"]')["content"] == "light dark"
    assert default.select("td details")


def test_timeline_widget_lists_rounds_and_events_with_numbered_sources(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/embed/timeline")
    assert_self_contained(soup)
    assert text(soup.select_one("h1")) == "Timeline of the talks"
    assert [li["id"] for li in soup.select("ol.timeline > li")] == [
        "round-2025-05-16-istanbul",
        "event-2025-06-01-drone-strikes-on-bombers",
        f"round-{ROUND_2}",
        f"round-{ROUND_3}",
    ]
    round_2 = soup.select_one(f"#round-{ROUND_2}")
    assert round_2.select_one("h2 a")["href"] == f"/rounds/{ROUND_2}"
    assert "sources differ: less than an hour (The News); a little over an hour (TASS, Censor.net)" in text(round_2)
    cited = {int(a["href"].removeprefix("#source-")) for a in round_2.select("a.cite")}
    listed = sources(soup)
    assert cited and cited <= set(listed) and list(listed) == list(range(1, len(listed) + 1))
    assert all("Standpoint:" in s for n, s in listed.items() if n in cited)
    assert soup.html.get("data-fixed-height") is None and soup.select(".focus") == []
    assert link_back(soup)["href"] == BASE


def test_timeline_widget_keeps_the_timelines_filters(seeded, client: TestClient) -> None:
    soup = soup_of(client, f"/embed/timeline?negotiation={NEGOTIATION}&party=turkey&kind=round")
    assert text(soup.select_one("h1")) == "Russia–Ukraine talks, Istanbul 2025: timeline"
    assert text(soup.select_one(".sub")) == "Party: Turkey · Rounds held or called off"
    assert [li["id"] for li in soup.select("ol.timeline > li")] == ["round-2025-05-16-istanbul", f"round-{ROUND_2}"]
    assert link_back(soup)["href"] == f"{BASE}negotiations/{NEGOTIATION}?party=turkey&kind=round"


def test_timeline_widget_opens_at_the_focused_round(seeded, client: TestClient) -> None:
    soup = soup_of(client, f"/embed/timeline?focus={ROUND_3}")
    focused = soup.select(".focus")
    assert [li["id"] for li in focused] == [f"round-{ROUND_3}"] and focused[0]["aria-current"] == "true"
    # A focused widget keeps the height it is given, so that it can open scrolled to the round.
    assert soup.html.has_attr("data-fixed-height")
    assert link_back(soup)["href"] == f"{BASE}#round-{ROUND_3}"
    soup_of(client, "/embed/timeline?focus=2031-01-01-nowhere", status=404)


def test_focus_beyond_the_first_entries_starts_the_timeline_at_that_round(engine, client: TestClient) -> None:
    with session_scope(engine) as session:
        many_rounds(session, 45)
    soup = soup_of(client, "/embed/timeline?negotiation=synthetic-talks&focus=synthetic-talks-round-40")
    ids = [li["id"] for li in soup.select("ol.timeline > li")]
    assert ids[0] == "round-synthetic-talks-round-40" and ids[-1] == "round-synthetic-talks-round-45"
    assert [li["id"] for li in soup.select(".focus")] == ["round-synthetic-talks-round-40"]
    assert text(soup.select_one("main > p a")) == "Earlier entries on Parley"
    # Without a focus, the first entries and a way to the rest.
    soup = soup_of(client, "/embed/timeline?negotiation=synthetic-talks")
    assert len(soup.select("ol.timeline > li")) == 20
    assert "Later entries on Parley" in [text(a) for a in soup.select("main > p a")]


def test_round_widget_is_a_card_citing_only_what_it_shows(seeded, client: TestClient) -> None:
    soup = soup_of(client, f"/embed/round/{ROUND_2}")
    assert_self_contained(soup)
    assert text(soup.select_one("h1")) == "Round 2 · Istanbul"
    assert text(soup.title) == "Round 2 · Istanbul, 2 June 2025 · Parley"
    assert text(soup.select_one(".sub")).startswith("2 June 2025 · Russia–Ukraine talks, Istanbul 2025 · Held")
    facts = {text(div.dt): text(div.dd) for div in soup.select(".facts > div")}
    assert facts["Place"] == "Çırağan Palace, Istanbul"
    assert facts["Duration"] == "sources differ: less than an hour (The News); a little over an hour (TASS, Censor.net)"
    heads = [text(li) for li in soup.select("h2 + ul.plain")[0].select("li")]
    assert "Ukraine: led by Rustem Umerov, Defence Minister" in heads
    assert "Agreed Return of 6,000 bodies of fallen soldiers to each side" in text(soup)
    cited = {a["href"].removeprefix("#") for a in soup.select("a.cite, a.cite-name")}
    assert cited == {li["id"] for li in soup.select(".sources li")}
    assert link_back(soup)["href"] == f"{BASE}rounds/{ROUND_2}"


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/embed/round/2031-01-01-nowhere", 404, "There is no round '2031-01-01-nowhere' in the record."),
        ("/embed/compare?party=atlantis", 404, "There is no party 'atlantis' in the record."),
        ("/embed/timeline?topic=unicorns", 404, "There is no topic 'unicorns' in the record."),
    ],
)
def test_a_widget_that_cannot_be_shown_says_why_in_widget_form(
    seeded, client: TestClient, url: str, status: int, message: str
) -> None:
    soup = soup_of(client, url, status=status)
    assert message in text(soup.select_one("main"))
    assert soup.select_one("nav, .site-header") is None and soup.select("link[rel=stylesheet]") == []


# ------------------------------------------------------------------ drafts, cookies, size


DRAFT_WIDGETS = [
    *WIDGETS,
    "/embed/timeline?q=unpublished",
    f"/embed/compare?as_of={ROUND_2}&party=ukraine",
    f"/embed/timeline?focus={ROUND_2}",
]


@pytest.mark.parametrize("url", DRAFT_WIDGETS)
def test_no_widget_shows_a_draft(drafts, client: TestClient, url: str) -> None:  # noqa: F811
    response = client.get(url)
    assert response.status_code == 200
    assert SECRET not in response.text and "2025-07-draft" not in response.text


@pytest.mark.parametrize(
    "url",
    [
        "/embed/round/2025-07-draft",
        "/embed/timeline?focus=2025-07-draft",
        "/embed/compare?as_of=2025-07-draft",
        f"/oembed?url={BASE}rounds/2025-07-draft",
    ],
)
def test_a_draft_round_cannot_be_embedded(drafts, client: TestClient, url: str) -> None:  # noqa: F811
    response = client.get(url)
    assert response.status_code == 404
    assert SECRET not in response.text


def test_publishing_shows_in_the_widget_at_its_next_fetch(seeded, client: TestClient) -> None:
    first = client.get(RUSSIA_VS_UKRAINE)
    etag = first.headers["etag"]
    with session_scope(seeded) as session:
        negotiation = session.exec(select(Negotiation)).one()
        guarantees = session.exec(select(Topic).where(Topic.slug == "security-guarantees")).one()
        russia = session.exec(select(Party).where(Party.slug == "russia")).one()
        round_2 = session.exec(select(Round).where(Round.slug == ROUND_2)).one()
        draft = Position(
            negotiation_id=negotiation.id,
            party_id=russia.id,
            topic_id=guarantees.id,
            round_id=round_2.id,
            summary="Guarantees only from the permanent members of the Security Council",
            published=False,
        )
        session.add(draft)
    assert client.get(RUSSIA_VS_UKRAINE, headers={"If-None-Match": etag}).status_code == 304

    with session_scope(seeded) as session:
        session.execute(
            sa.update(Position).where(Position.summary.startswith("Guarantees only")).values(published=True)
        )
    response = client.get(RUSSIA_VS_UKRAINE, headers={"If-None-Match": etag})
    assert response.status_code == 200 and response.headers["etag"] != etag
    soup = BeautifulSoup(response.text, "html.parser")
    cell = soup.select_one("tr#topic-security-guarantees td")
    assert text(cell.select_one(".summary")) == "Guarantees only from the permanent members of the Security Council"
    assert last_updated(soup) >= last_updated(BeautifulSoup(first.text, "html.parser"))


@pytest.mark.parametrize("url", WIDGETS)
def test_a_widget_is_small_cacheable_and_sets_no_cookie(seeded, client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    assert response.headers["cache-control"] == WIDGET_CACHE_CONTROL
    etag = response.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")

    soup = BeautifulSoup(response.text, "html.parser")
    stylesheets = [client.get(link["href"]).content for link in soup.select("link[rel=stylesheet]")]
    size = sum(len(gzip.compress(part)) for part in [response.content, *stylesheets])
    assert size < SIZE_BUDGET, f"{url}: {size} bytes compressed"

    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag and again.headers["cache-control"] == WIDGET_CACHE_CONTROL
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_a_long_record_keeps_widgets_within_budget(engine, client: TestClient) -> None:
    with session_scope(engine) as session:
        many_rounds(session, 60)
    for url in ["/embed/timeline?negotiation=synthetic-talks", "/embed/compare?negotiation=synthetic-talks"]:
        response = client.get(url)
        assert response.status_code == 200
        assert len(gzip.compress(response.content)) < SIZE_BUDGET, url


def test_a_signed_in_editor_gets_no_cookie_from_a_widget(seeded, editor_client: TestClient) -> None:
    response = editor_client.get(RUSSIA_VS_UKRAINE)
    assert response.status_code == 200 and "set-cookie" not in response.headers


@pytest.mark.parametrize(
    "page",
    [
        "/embed/timeline?negotiation={n}",
        "/embed/compare?negotiation={n}",
        "/embed/round/{n}-round-2",
    ],
)
def test_widget_cost_is_the_same_for_3_rounds_and_for_60(seeded, client: TestClient, page: str) -> None:
    with session_scope(seeded) as session:
        many_rounds(session, 3, slug="small")
    small = cost(client, page.format(n="small"))
    with session_scope(seeded) as session:
        many_rounds(session, 60, slug="large")
    large = cost(client, page.format(n="large"))
    assert large == small, f"{page}: {small} statements with 3 rounds, {large} with 60"
    assert large <= MAX_STATEMENTS


# ------------------------------------------------------------------ framing


@pytest.mark.parametrize("url", [RUSSIA_VS_UKRAINE, "/embed/timeline", f"/embed/round/{ROUND_2}", "/embed/round/nope"])
def test_widgets_may_be_framed_anywhere(seeded, client: TestClient, url: str) -> None:
    response = client.get(url)
    assert "x-frame-options" not in response.headers
    policy = [d.strip() for d in response.headers["content-security-policy"].split(";")]
    assert "frame-ancestors *" in policy
    assert "default-src 'self'" in policy  # and they load nothing from elsewhere


@pytest.mark.parametrize(
    "url",
    ["/", "/compare", f"/rounds/{ROUND_2}", "/api/compare", "/oembed?url=x", "/static/embed.js", "/no-such-page"],
)
def test_every_other_answer_refuses_to_be_framed(seeded, client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_framing_can_be_limited_to_chosen_sites(seeded, settings) -> None:
    allowed = "https://news.example.org https://*.example.com"
    app = create_app(settings.model_copy(update={"embed_allowed_origins": allowed}))
    with TestClient(app) as client:
        policy = client.get("/embed/timeline").headers["content-security-policy"]
        assert policy.endswith(f"frame-ancestors {allowed}")
        # Even a 304 carries the rule.
        etag = client.get("/embed/timeline").headers["etag"]
        not_modified = client.get("/embed/timeline", headers={"If-None-Match": etag})
        assert not_modified.status_code == 304
        assert not_modified.headers["content-security-policy"] == f"frame-ancestors {allowed}"
    app.state.engine.dispose()


# ------------------------------------------------------------------ embed code


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
    [(iframe, script)] = embed_snippets(soup)
    assert iframe["src"] == f"{BASE}embed/compare?party=russia&party=ukraine&as_of={ROUND_2}"
    assert iframe["title"] == "Russia vs Ukraine: what each side demands, as of 2 June 2025 — Parley"
    assert iframe["width"] == "100%" and int(iframe["height"]) >= 300
    assert iframe["loading"] == "lazy" and iframe.has_attr("data-parley-embed")
    assert iframe["style"] == "border:0;width:100%"
    assert script["src"] == f"{BASE}static/embed.js" and script.has_attr("async")
    # The widget the snippet points at shows that view.
    widget = soup_of(client, iframe["src"].removeprefix(BASE.rstrip("/")))
    assert text(widget.select_one("h1")) == "Russia vs Ukraine: what each side demands"

    # htmx swaps the comparison, and the panel with it.
    fragment = client.get("/compare?party=turkey&as_of=2025-05-16-istanbul", headers={"HX-Request": "true"})
    [(iframe, _)] = embed_snippets(BeautifulSoup(fragment.text, "html.parser"))
    assert widget_query(iframe) == [("party", "turkey"), ("as_of", "2025-05-16-istanbul")]

    # Without a chosen round the embed follows the latest one, and its title says so.
    [(iframe, _)] = embed_snippets(soup_of(client, "/compare"))
    assert iframe["src"] == f"{BASE}embed/compare"
    assert iframe["title"] == "Russia vs Ukraine: what each side demands, as of the latest round — Parley"


def test_timeline_pages_offer_the_embed_code_of_their_filters(seeded, client: TestClient) -> None:
    [(iframe, _)] = embed_snippets(soup_of(client, "/?party=turkey&kind=round"))
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
        (BASE, "embed/timeline"),
        (f"{BASE}?party=ukraine&kind=round", "embed/timeline?party=ukraine&kind=round"),
        (f"{BASE}negotiations/{NEGOTIATION}", f"embed/timeline?negotiation={NEGOTIATION}"),
        (f"{BASE}rounds/{ROUND_2}", f"embed/round/{ROUND_2}"),
        (f"{BASE}compare", "embed/compare"),
        ("https://testserver/compare?topic=territory", "embed/compare?topic=territory"),
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


@pytest.mark.parametrize("path", ["/", f"/negotiations/{NEGOTIATION}", f"/rounds/{ROUND_2}", "/compare?party=russia"])
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
