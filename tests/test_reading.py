"""What a reader sees on the public pages, read with an HTML parser, on SQLite and PostgreSQL."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient

from app.core.db import session_scope
from app.record.models import GapAssessment, GapState, Round, Topic
from tests.factories import many_rounds

ROUND_2 = "2025-06-02-istanbul"


def soup_of(client: TestClient, url: str, status: int = 200, **headers: str) -> BeautifulSoup:
    response = client.get(url, headers=headers)
    assert response.status_code == status, response.text[:500]
    return BeautifulSoup(response.text, "html.parser")


def text(node: Tag | None) -> str:
    assert node is not None
    return " ".join(node.get_text().split())


def entry_titles(soup: BeautifulSoup) -> list[str]:
    return [text(li.select_one(".entry-title")) for li in soup.select("#timeline-entries > li.entry")]


# ------------------------------------------------------------------ timeline


def test_timeline_entries_show_date_place_duration_heads_topics_and_outcomes(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/")
    dates = [text(li.select_one(".entry-date")) for li in soup.select("#timeline-entries > li.entry")]
    assert dates == [
        "16 May 2025",
        "1 June 2025",
        "2 June 2025",
        "June 2025 (before the end of June 2025, as Ukraine hoped)",
    ]

    round_2 = soup.select_one(f"#round-{ROUND_2}")
    assert round_2.select_one(".entry-title a")["href"] == f"/rounds/{ROUND_2}"
    facts = {text(div.dt): text(div.dd) for div in round_2.select(".facts > div")}
    assert facts["Duration"] == "sources differ: less than an hour (The News); a little over an hour (TASS, Censor.net)"
    assert "Rustem Umerov (Рустем Умєров) — Ukraine" in facts["Delegation heads"]
    assert "Vladimir Medinsky (Владимир Мединский) — Russia" in facts["Delegation heads"]
    topics = [text(li) for li in round_2.select(".tags li")]
    assert topics[:3] == ["Ceasefire", "Territory", "NATO and neutrality"] and len(topics) == 11
    outcomes = [text(li) for li in round_2.select(".outcomes li")]
    assert "Agreed New prisoner exchange prioritising severely wounded and young prisoners" in outcomes


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "party=turkey",
            [
                "Round 1 · Istanbul",
                "Context Ukrainian drone strikes on Russian strategic bombers",
                "Round 2 · Istanbul",
            ],
        ),
        ("kind=planned", ["Round 3 Planned"]),
        ("kind=event", ["Context Ukrainian drone strikes on Russian strategic bombers"]),
        ("kind=round&topic=leaders-meeting", ["Round 1 · Istanbul", "Round 2 · Istanbul"]),
        ("q=%C3%A7%C4%B1ra%C4%9Fan", ["Round 2 · Istanbul"]),  # "çırağan", matching "Çırağan Palace"
        ("q=bombers&kind=round", ["Round 2 · Istanbul"]),
        ("year=2024", []),
    ],
)
def test_timeline_filters(seeded, client: TestClient, query: str, expected: list[str]) -> None:
    soup = soup_of(client, f"/?{query}")
    assert entry_titles(soup) == expected
    if not expected:
        assert "Nothing in the record matches these filters" in text(soup.select_one("#results"))


def test_filter_form_keeps_the_chosen_values_and_works_without_javascript(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/?party=ukraine&kind=round&q=palace")
    form = soup.select_one("form.filters")
    assert form["method"] == "get" and form["action"] == "/"
    assert form.select_one("#filter-party option[selected]")["value"] == "ukraine"
    assert form.select_one("#filter-kind option[selected]")["value"] == "round"
    assert form.select_one("#filter-q")["value"] == "palace"
    assert form["data-hx-get"] == "/" and form["data-hx-push-url"] == "true" and form["data-hx-target"] == "#results"


def test_htmx_filter_request_gets_only_the_results(seeded, client: TestClient) -> None:
    response = client.get("/?kind=planned", headers={"HX-Request": "true"})
    assert response.headers["vary"] == "HX-Request, Accept-Encoding"
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.find("html") is None and soup.select_one("form") is None
    assert soup.select_one("section#results") is not None
    assert entry_titles(soup) == ["Round 3 Planned"]
    # A boosted request or a history restore wants the whole page.
    for header in ("HX-Boosted", "HX-History-Restore-Request"):
        full = client.get("/?kind=planned", headers={"HX-Request": "true", header: "true"})
        assert BeautifulSoup(full.text, "html.parser").find("html") is not None


def test_unknown_filter_value_is_a_clear_404(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/?party=atlantis", status=404)
    assert "There is no party 'atlantis' in the record." in text(soup.select_one("main"))


def test_invalid_filter_value_is_a_clear_422(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/?year=soon", status=422)
    assert "year:" in text(soup.select_one(".problems"))


def test_long_timeline_loads_later_entries_by_keyset(engine, client: TestClient) -> None:
    with session_scope(engine) as session:
        many_rounds(session, 45)
    seen: list[str] = []
    url: str | None = "/?negotiation=synthetic-talks"
    pages = 0
    while url:
        soup = soup_of(client, url)
        seen += [li["id"] for li in soup.select("#timeline-entries > li.entry")]
        more = soup.select_one("#timeline-entries > li.load-more a")
        url = more["href"] if more else None
        if more:
            assert more["data-hx-get"] == more["href"] and more["data-hx-swap"] == "outerHTML"
            assert "after" in parse_qs(urlparse(more["href"]).query)
            assert parse_qs(urlparse(more["href"]).query)["negotiation"] == ["synthetic-talks"]
        pages += 1
    assert pages == 3
    assert seen == [f"round-synthetic-talks-round-{n}" for n in range(1, 46)]

    # htmx asks for the next entries only: list items to put where the link was.
    first = soup_of(client, "/?negotiation=synthetic-talks")
    link = first.select_one("li.load-more a")["href"]
    fragment = BeautifulSoup(client.get(link, headers={"HX-Request": "true"}).text, "html.parser")
    entries = fragment.find_all("li", class_="entry", recursive=False)
    assert fragment.find("html") is None and entries[0]["id"] == "round-synthetic-talks-round-21"


def test_tampered_cursor_is_refused_plainly(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/?after=yesterday", status=422)
    assert "after: String should match pattern" in text(soup.select_one(".problems"))


# ------------------------------------------------------------------ round page


def test_round_page_holds_everything_about_the_round(seeded, client: TestClient) -> None:
    soup = soup_of(client, f"/rounds/{ROUND_2}")
    assert text(soup.select_one("h1")) == "Round 2 · Istanbul 2 June 2025"
    facts = {text(div.dt): text(div.dd) for div in soup.select(".facts-round > div")}
    assert facts["Date and local time"] == "2 June 2025, 13:00 (Europe/Istanbul)"
    assert facts["Place"] == "Çırağan Palace, Istanbul"
    assert facts["Host"] == "Turkey"
    assert facts["Chair"] == "Hakan Fidan, Foreign Minister"
    assert facts["Duration"] == "sources differ: less than an hour (The News); a little over an hour (TASS, Censor.net)"
    assert facts["Delay"] == "nearly two hours (The News)"

    delegations = {text(d.h3): d for d in soup.select(".delegation")}
    assert list(delegations) == ["Russia", "Turkey", "Ukraine"]
    assert text(delegations["Ukraine"].select_one(".head")) == "Led by Rustem Umerov (Рустем Умєров), Defence Minister"
    assert "Sergiy Kyslytsya (Сергій Кислиця), First Deputy Foreign Minister" in text(
        delegations["Ukraine"].select_one(".members")
    )

    outcomes = {text(li.h3).split("[")[0]: li for li in soup.select(".outcome-list > li")}
    memo = outcomes["Russia handed over a draft peace memorandum"]
    assert "Implemented Document exchanged · implemented 2 June 2025" in text(memo.select_one(".outcome-meta"))

    topics = [text(h) for h in soup.select(".topic-group h3")]
    assert topics[:3] == ["Ceasefire", "Territory", "NATO and neutrality"]
    territory = soup.select_one("#topic-territory").parent
    assert [text(a.h4) for a in territory.select("article.position")] == ["Russia", "Ukraine"]

    assert "Ukrainian drone strikes on Russian strategic bombers" in text(soup.select_one(".events"))
    assert text(soup.select_one(".pager a[rel=prev]")).startswith("← Round 1")
    assert text(soup.select_one(".pager a[rel=next]")).startswith("Round 3")


def test_every_citation_on_a_round_page_points_at_a_listed_source_with_its_standpoint(
    seeded, client: TestClient
) -> None:
    soup = soup_of(client, f"/rounds/{ROUND_2}")
    sources = {li["id"]: li for li in soup.select(".sources li")}
    numbers = [int(li["value"]) for li in sources.values()]
    assert numbers == list(range(1, len(numbers) + 1))
    cited = {a["href"].removeprefix("#") for a in soup.select("a.cite, a.cite-name")}
    assert cited == set(sources)
    tass = [li for li in sources.values() if "TASS" in text(li)]
    assert tass and all("Standpoint: Russian state news agency" in text(li) for li in tass)


def test_missing_round_is_404(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/rounds/2031-01-01-nowhere", status=404)
    assert "There is no round '2031-01-01-nowhere' in the record." in text(soup.select_one("main"))


# ------------------------------------------------------------------ compare


def comparison_cells(soup: BeautifulSoup) -> dict[tuple[str, str], Tag]:
    parties = [text(th) for th in soup.select("table.comparison thead th")][1:]
    cells = {}
    for row in soup.select("table.comparison tbody tr"):
        topic = text(row.th.a)
        for party, td in zip(parties, row.select("td"), strict=True):
            cells[(topic, party)] = td
    return cells


def test_compare_defaults_to_the_negotiating_parties_as_of_the_latest_round_held(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/compare")
    assert [text(th) for th in soup.select("table.comparison thead th")] == ["Topic", "Russia", "Ukraine"]
    assert soup.select_one("#compare-as-of option[selected]")["value"] == ROUND_2
    cells = comparison_cells(soup)
    territory = text(cells[("Territory", "Russia")].select_one(".position-summary"))
    assert territory.startswith("International legal recognition of Crimea, Donetsk, Luhansk, Zaporizhzhia and Kherson")
    assert cells[("Territory", "Russia")].select_one(".position-summary a.cite") is not None
    assert text(cells[("Security guarantees", "Russia")]) == "Nothing stated as of round 2."
    leaders = cells[("Leaders' meeting", "Ukraine")].select_one("a.change-changed")
    assert text(leaders).startswith("Changed since round 1")
    assert re.fullmatch(
        r"/topics/leaders-meeting\?negotiation=russia-ukraine-istanbul-2025#position-\d+", leaders["href"]
    )
    assert text(cells[("Ceasefire", "Ukraine")].select_one(".change")) == "New since round 1"


def test_compare_as_of_round_1_with_three_parties(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/compare?party=russia&party=ukraine&party=turkey&as_of=2025-05-16-istanbul")
    assert [text(th) for th in soup.select("table.comparison thead th")] == ["Topic", "Russia", "Ukraine", "Turkey"]
    cells = comparison_cells(soup)
    assert text(cells[("Ceasefire", "Russia")]) == "Nothing stated as of round 1."
    assert text(cells[("Leaders' meeting", "Ukraine")].select_one(".change")) == "First stated"
    checked = [i["value"] for i in soup.select("input[name=party][checked]")]
    assert checked == ["russia", "turkey", "ukraine"]


def test_compare_rows_carry_the_state_of_the_gap(seeded, client: TestClient) -> None:
    with session_scope(seeded) as session:
        round_2 = session.execute(sa.select(Round.id).where(Round.slug == ROUND_2)).scalar_one()
        topic = session.execute(sa.select(Topic.id).where(Topic.slug == "territory")).scalar_one()
        session.add(GapAssessment(round_id=round_2, topic_id=topic, state=GapState.apart, note="No overlap"))
    row = soup_of(client, "/compare").select_one("tr#topic-territory")
    assert text(row.select_one(".gap")) == "apart"


def test_compare_refuses_unknown_and_unrelated_choices_plainly(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/compare?party=atlantis", status=404)
    assert "There is no party 'atlantis' in the record." in text(soup.select_one("main"))
    with session_scope(seeded) as session:
        many_rounds(session, 2, slug="other-talks")
    soup = soup_of(client, "/compare?negotiation=russia-ukraine-istanbul-2025&party=other-talks-north", status=422)
    expected = "party: 'other-talks-north' took no part in Russia–Ukraine talks, Istanbul 2025"
    assert expected in text(soup.select_one("main"))
    assert client.get("/api/compare?negotiation=russia-ukraine-istanbul-2025&as_of=other-talks-round-1").json() == {
        "detail": "as_of: 'other-talks-round-1' is not a round of Russia–Ukraine talks, Istanbul 2025"
    }


def test_htmx_compare_request_swaps_the_controls_and_table_only(seeded, client: TestClient) -> None:
    response = client.get("/compare?as_of=2025-05-16-istanbul", headers={"HX-Request": "true"})
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.find("html") is None
    assert soup.select_one("div#comparison form") is not None and soup.select_one("table.comparison") is not None
    assert response.headers["vary"] == "HX-Request, Accept-Encoding"


# ------------------------------------------------------------------ topics, parties, people


def test_topic_page_shows_each_partys_statements_with_a_word_diff(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/topics/leaders-meeting")
    histories = {text(s.h2): s for s in soup.select(".party-history")}
    assert list(histories) == ["Russia", "Ukraine"]
    ukraine = histories["Ukraine"].select(".statements > li")
    assert len(ukraine) == 2
    diff = ukraine[1].select_one(".diff-text")
    assert diff.select("ins") and diff.select("del")
    assert "Zelenskiy" in " ".join(text(i) for i in diff.select("ins"))


def test_a_topic_page_shows_one_negotiation_at_a_time(seeded, client: TestClient) -> None:
    """A topic spans the record; its page shows one negotiation's statements, the latest to meet by default."""
    with session_scope(seeded) as session:
        many_rounds(session, 3, slug="other")  # held in 2030: it met last
    soup = soup_of(client, "/topics/ceasefire")
    chooser = soup.select("select#topic-negotiation option")
    assert [text(o) for o in chooser] == ["Russia–Ukraine talks, Istanbul 2025", "Synthetic talks (other)"]
    assert chooser[1].has_attr("selected") and not chooser[0].has_attr("selected")
    assert [text(s.h2) for s in soup.select(".party-history")] == ["North (other)", "South (other)"]

    soup = soup_of(client, "/topics/ceasefire?negotiation=russia-ukraine-istanbul-2025")
    assert [text(s.h2) for s in soup.select(".party-history")] == ["Russia", "Ukraine"]
    assert soup.select_one("select#topic-negotiation option[selected]")["value"] == "russia-ukraine-istanbul-2025"
    twin = client.get("/api/topics/ceasefire?negotiation=russia-ukraine-istanbul-2025").json()
    assert twin["negotiation"]["slug"] == "russia-ukraine-istanbul-2025"
    assert [p["party"]["slug"] for p in twin["parties"]] == ["russia", "ukraine"]

    missing = soup_of(client, "/topics/ceasefire?negotiation=no-such-talks", status=404)
    assert "There is no negotiation 'no-such-talks' in the record." in text(missing.main)
    unrelated = client.get("/api/topics/territory?negotiation=other")
    assert unrelated.status_code == 422
    assert unrelated.json()["detail"] == "negotiation: Synthetic talks (other) has no published position on Territory"


def test_topic_links_carry_their_negotiation(seeded, client: TestClient) -> None:
    with session_scope(seeded) as session:
        many_rounds(session, 3, slug="other")
    round_page = soup_of(client, f"/rounds/{ROUND_2}")
    link = round_page.select_one("#topic-ceasefire a")["href"]
    assert link == "/topics/ceasefire?negotiation=russia-ukraine-istanbul-2025"
    assert [text(s.h2) for s in soup_of(client, link).select(".party-history")] == ["Russia", "Ukraine"]


def test_party_page_lists_roles_and_rounds(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/parties/turkey")
    roles = text(soup.select_one("section[aria-labelledby=roles-heading]"))
    assert "Host in Russia–Ukraine talks, Istanbul 2025" in roles and "Mediator in" in roles
    rounds = [text(li) for li in soup.select("section[aria-labelledby=rounds-heading] li")]
    assert rounds[0].startswith("Round 1, Istanbul (16 May 2025) — delegation and host; delegation led by Hakan Fidan")
    assert len(rounds) == 2


def test_person_page_lists_the_delegations_led(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/people/rustem-umerov")
    led = [text(li) for li in soup.select("section[aria-labelledby=delegations-heading] li")]
    assert led == [
        "Round 1, Istanbul (16 May 2025) — Led Ukraine’s delegation as Defence Minister",
        "Round 2, Istanbul (2 June 2025) — Led Ukraine’s delegation as Defence Minister",
    ]
    assert text(soup.select_one("h1")) == "Rustem Umerov (Рустем Умєров)"


# ------------------------------------------------------------------ JSON twins, caching


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
