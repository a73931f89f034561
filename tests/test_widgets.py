"""Widgets for other sites (app/web/widgets.py): what each shows, framing and caching; on SQLite and
PostgreSQL. Their embed code is tested in test_embed_code.py, oEmbed in test_oembed.py."""

import datetime as dt
import gzip
from urllib.parse import urlsplit

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
MEMORANDA = "/embed/documents/compare?left=2025-06-02-russian-memorandum&right=2025-06-02-ukrainian-memorandum"
WIDGETS = [
    RUSSIA_VS_UKRAINE,
    MEMORANDA,
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
    link = soup.select_one(".meta a:not([download])")
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
    assert text(soup.select_one("tr#topic-security-guarantees td")) == "No position recorded as of round 2."
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
    assert default.html["class"] == ["light"], (
        "light unless asked: a widget must not put a dark block in a light article"
    )
    assert default.select_one('meta[name="color-scheme"]')["content"] == "light"
    assert default.select("td details")
    auto = soup_of(client, "/embed/compare?theme=auto")
    assert auto.html["class"] == ["auto"] and auto.select_one('meta[name="color-scheme"]')["content"] == "light dark"


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
    assert link_back(soup)["href"] == f"{BASE}timeline"


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
    assert link_back(soup)["href"] == f"{BASE}timeline#round-{ROUND_3}"
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


@pytest.mark.parametrize(
    "url", [RUSSIA_VS_UKRAINE, MEMORANDA, "/embed/timeline", f"/embed/round/{ROUND_2}", "/embed/round/nope"]
)
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


# ------------------------------------------------------------------ two documents


def test_the_memoranda_widget_sets_their_clauses_side_by_side_with_the_data_and_the_full_view(
    seeded, client: TestClient
) -> None:
    soup = BeautifulSoup(client.get(MEMORANDA).text, "html.parser")
    assert text(soup.select_one("h1")) == "Russian memorandum and Ukrainian memorandum, clause by clause"
    rows = {text(tr.select_one("th")): tr for tr in soup.select("tbody tr")}
    assert "Two options" in text(rows["Ceasefire"].select("td")[0])
    leaders = next(tr for name, tr in rows.items() if name.startswith("Leaders"))
    assert "Only in the Ukrainian memorandum" in text(leaders.select_one("th"))
    data = soup.select_one('a[download][href*="/documents/compare.csv?"]')
    full = soup.select_one('footer a[href*="/documents/compare?"]')
    assert data is not None and full is not None
    csv_text = client.get(urlsplit(data["href"]).path + "?" + urlsplit(data["href"]).query).text
    assert csv_text.splitlines()[0] == "topic,only_in,document,version,clause_number,clause_heading,clause_text,address"
    assert "Leaders' meeting,Ukrainian memorandum,Ukrainian memorandum,1,8" in csv_text


def test_the_document_comparison_page_offers_its_widget_fixed_to_the_versions_shown(seeded, client: TestClient) -> None:
    page = BeautifulSoup(
        client.get("/documents/compare?left=2025-06-02-russian-memorandum&right=2025-06-02-ukrainian-memorandum").text,
        "html.parser",
    )
    code = page.select_one(".embed-panel textarea").get_text()
    assert (
        "/embed/documents/compare?left=2025-06-02-russian-memorandum&amp;right=2025-06-02-ukrainian-memorandum" in code
    )
    assert "left_version=1&amp;right_version=1" in code
    oembed = client.get(
        "/oembed",
        params={
            "url": "http://testserver/documents/compare?left=2025-06-02-russian-memorandum&right=2025-06-02-ukrainian-memorandum"
        },
    )
    assert oembed.status_code == 200 and "embed/documents/compare" in oembed.json()["html"]
