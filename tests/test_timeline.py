"""The timeline as a reader sees it: its entries, its filters and their refusals, and paging by keyset."""

import datetime as dt
from urllib.parse import parse_qs, urlparse

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.core.db import session_scope
from tests.factories import ROUND_2, many_rounds, soup_of, text


def entry_titles(soup: BeautifulSoup) -> list[str]:
    return [text(li.select_one(".entry-title")) for li in soup.select("#timeline-entries > li.entry")]


def test_timeline_entries_show_date_place_duration_heads_topics_and_outcomes(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/timeline")
    dates = [text(li.select_one(".entry-date")) for li in soup.select("#timeline-entries > li.entry")]
    assert dates == [
        "16 May 2025",
        "1 June 2025",
        "2 June 2025",
        "expected June 2025 (before the end of June 2025, as Ukraine hoped) — no date announced since",
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
    # A round's topics include those its outcomes bear on, not only those it heard positions on.
    round_1 = soup.select_one("#round-2025-05-16-istanbul")
    assert [text(li) for li in round_1.select(".tags li")] == [
        "Ceasefire",
        "Prisoners and humanitarian issues",
        "Leaders' meeting",
    ]


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
        # Round 1 stated no position on prisoners; its main outcome was the 1,000-for-1,000 exchange.
        ("topic=prisoners-humanitarian", ["Round 1 · Istanbul", "Round 2 · Istanbul"]),
        ("q=%C3%A7%C4%B1ra%C4%9Fan", ["Round 2 · Istanbul"]),  # "çırağan", matching "Çırağan Palace"
        ("q=bombers&kind=round", ["Round 2 · Istanbul"]),
        ("year=2024", []),
    ],
)
def test_timeline_filters(seeded, client: TestClient, query: str, expected: list[str]) -> None:
    soup = soup_of(client, f"/timeline?{query}")
    assert entry_titles(soup) == expected
    if not expected:
        assert "Nothing in the record matches these filters" in text(soup.select_one("#results"))


def test_filter_form_keeps_the_chosen_values_and_works_without_javascript(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/timeline?party=ukraine&kind=round&q=palace")
    form = soup.select_one("form.filters")
    assert form["method"] == "get" and form["action"] == "/timeline"
    assert form.select_one("#filter-party option[selected]")["value"] == "ukraine"
    assert form.select_one("#filter-kind option[selected]")["value"] == "round"
    assert form.select_one("#filter-q")["value"] == "palace"
    assert (
        form["data-hx-get"] == "/timeline"
        and form["data-hx-push-url"] == "true"
        and form["data-hx-target"] == "#results"
    )


def test_htmx_filter_request_gets_only_the_results(seeded, client: TestClient) -> None:
    response = client.get("/timeline?kind=planned", headers={"HX-Request": "true"})
    assert response.headers["vary"] == "HX-Request, Accept-Encoding"
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.find("html") is None and soup.select_one("form") is None
    assert soup.select_one("section#results") is not None
    assert entry_titles(soup) == ["Round 3 Planned"]
    # A boosted request or a history restore wants the whole page.
    for header in ("HX-Boosted", "HX-History-Restore-Request"):
        full = client.get("/timeline?kind=planned", headers={"HX-Request": "true", header: "true"})
        assert BeautifulSoup(full.text, "html.parser").find("html") is not None


def test_unknown_filter_value_is_a_clear_404(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/timeline?party=atlantis", status=404)
    assert "There is no party 'atlantis' in the record." in text(soup.select_one("main"))


def test_invalid_filter_value_is_a_clear_422(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/timeline?year=soon", status=422)
    assert "year:" in text(soup.select_one(".problems"))


@pytest.mark.parametrize("order", ["", "&order=newest"])
def test_long_timeline_loads_later_entries_by_keyset(engine, client: TestClient, order: str) -> None:
    with session_scope(engine) as session:
        many_rounds(session, 45)
    seen: list[str] = []
    url: str | None = f"/timeline?negotiation=synthetic-talks{order}"
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
    every = [f"round-synthetic-talks-round-{n}" for n in range(1, 46)]
    assert seen == (every[::-1] if order else every)

    # htmx asks for the next entries only: list items to put where the link was.
    first = soup_of(client, "/timeline?negotiation=synthetic-talks")
    link = first.select_one("li.load-more a")["href"]
    fragment = BeautifulSoup(client.get(link, headers={"HX-Request": "true"}).text, "html.parser")
    entries = fragment.find_all("li", class_="entry", recursive=False)
    assert fragment.find("html") is None and entries[0]["id"] == "round-synthetic-talks-round-21"


def test_newest_first_puts_the_latest_developments_at_the_top(seeded, client: TestClient) -> None:
    oldest_first = entry_titles(soup_of(client, "/timeline"))
    soup = soup_of(client, "/timeline?order=newest")
    assert entry_titles(soup) == oldest_first[::-1]
    assert soup.select_one("#filter-order option[selected]")["value"] == "newest"
    # The page says the order in the form alone: the line above it stays true when the order changes in place.
    assert "first" not in text(soup.select_one(".lede")).replace("which come first", "")
    widget = soup_of(client, "/embed/timeline?order=newest")
    assert text(widget.select_one(".entry h2")).startswith("Round 3")


def test_the_timeline_opens_with_where_the_talks_stand_and_folded_filters(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/timeline")
    latest = [text(li) for li in soup.select(".latest li")]
    assert latest == [
        "Latest Round 2, Istanbul (2 June 2025)",
        "Next Round 3 (expected June 2025 (before the end of June 2025, as Ukraine hoped) — no date announced since)",
    ]
    fold = soup.select_one("details.filters-fold")
    assert fold is not None and not fold.has_attr("open") and text(fold.summary) == "Filters"
    assert fold.select_one("form.filters") is not None
    chosen = soup_of(client, "/timeline?party=turkey&kind=round").select_one("details.filters-fold")
    assert chosen.has_attr("open") and text(chosen.summary) == "Filters (2 chosen)"
    assert client.get("/api/timeline").json()["latest"][0]["slug"] == ROUND_2


def test_tampered_cursor_is_refused_plainly(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/timeline?after=yesterday", status=422)
    assert "“yesterday” is not a place in the timeline: follow the timeline’s “Show later entries” link" in text(
        soup.select_one(".problems")
    )


def test_a_cursor_past_the_largest_id_continues_after_its_date(seeded, client: TestClient) -> None:
    # Ids are 32-bit on PostgreSQL: a cursor naming a larger one once answered 500 there.
    everything = entry_titles(soup_of(client, "/timeline"))
    first_day = dt.date(2025, 5, 16).toordinal()
    later = entry_titles(soup_of(client, f"/timeline?after={first_day}~1~999999999999"))
    assert everything[0].startswith("Round 1") and later == everything[1:]
    assert client.get(f"/api/timeline?after={first_day}~1~999999999999").status_code == 200
