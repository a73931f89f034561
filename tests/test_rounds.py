"""A round's page as a reader sees it, read with an HTML parser, on SQLite and PostgreSQL."""

import pytest
from fastapi.testclient import TestClient

from tests.factories import ROUND_2, soup_of, text


def test_round_page_holds_everything_about_the_round(seeded, client: TestClient) -> None:
    soup = soup_of(client, f"/rounds/{ROUND_2}")
    assert text(soup.select_one("h1")) == "Round 2 · Istanbul 2 June 2025"
    facts = {text(div.dt): text(div.dd) for div in soup.select(".facts-round > div")}
    assert facts["Date"] == "2 June 2025"
    # The talks were due at 13:00 and began nearly two hours late: the page says which time is which.
    assert facts["Scheduled start"] == "13:00 local time (Europe/Istanbul)"
    assert facts["Began"] == "not reported"
    assert facts["Place"] == "Çırağan Palace, Istanbul"
    assert facts["Host"] == "Turkey"
    assert facts["Chair"] == "Hakan Fidan, Foreign Minister"
    assert facts["Duration"] == "sources differ: less than an hour (The News); a little over an hour (TASS, Censor.net)"
    assert facts["Delay"] == "nearly two hours (The News)"

    delegations = {text(d.h3).split("[")[0]: d for d in soup.select(".delegation")}
    assert list(delegations) == ["Russia", "Turkey", "Ukraine"]
    assert text(delegations["Ukraine"].select_one(".head")) == "Led by Rustem Umerov (Рустем Умєров), Defence Minister"
    # No source in the record says who else sat in the delegations, so none are listed; each carries its sources.
    assert delegations["Ukraine"].select_one(".members") is None
    assert all(d.select(".cite") for d in delegations.values())

    outcomes = {text(li.h3).split("[")[0]: li for li in soup.select(".outcome-list > li")}
    memo = outcomes["Russia handed over a draft peace memorandum"]
    assert "Implemented Document exchanged · implemented 2 June 2025" in text(memo.select_one(".outcome-meta"))

    topics = [text(h) for h in soup.select(".topic-group h3")]
    assert topics[:3] == ["Ceasefire", "Territory", "NATO and neutrality"]
    territory = soup.select_one("#topic-territory").parent
    assert [text(a.h4) for a in territory.select("article.position")] == ["Russia", "Ukraine"]
    # Who said it and where, the round itself unsaid on its own page: no line starts with a stray separator.
    metas = [text(p) for p in soup.select(".position-meta")]
    assert metas and not [m for m in metas if m.startswith("·") or m.endswith("·") or not m]
    assert any("Follow-up talks" in text(m) for m in soup.select(".outcome-meta")), "a kind's words, hyphen and all"

    assert "Ukrainian drone strikes on Russian strategic bombers" in text(soup.select_one(".events"))
    assert text(soup.select_one(".pager a[rel=prev]")).startswith("← Round 1")
    assert text(soup.select_one(".pager a[rel=next]")).startswith("Round 3")


def test_a_round_page_and_its_widget_say_the_same_last_change(seeded, client: TestClient) -> None:
    """The newest change to anything either shows (here a source cited, 30 November), not the round's own
    row (29 November) on one and everything on the other."""
    page = soup_of(client, f"/rounds/{ROUND_2}").select_one("p.updated time")["datetime"]
    widget = soup_of(client, f"/embed/round/{ROUND_2}").select_one(".meta time")["datetime"]
    api = client.get(f"/api/rounds/{ROUND_2}").json()["updated_at"]
    assert page == widget == "2026-11-30T00:00:00Z" and api.startswith("2026-11-30T00:00:00")


def test_missing_round_is_404(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/rounds/2031-01-01-nowhere", status=404)
    assert "There is no round '2031-01-01-nowhere' in the record." in text(soup.select_one("main"))


def test_a_planned_round_whose_month_has_passed_says_no_date_was_announced(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/rounds/2025-06-next-round")
    facts = {text(div.dt): text(div.dd) for div in soup.select(".facts-round > div")}
    assert facts["Date"] == (
        "expected June 2025 (before the end of June 2025, as Ukraine hoped) — no date announced since"
    )
    timeline = soup_of(client, "/timeline")
    assert "no date announced since" in text(timeline.select_one("#round-2025-06-next-round .entry-date"))
    widget = soup_of(client, "/embed/timeline?negotiation=russia-ukraine-istanbul-2025")
    assert "no date announced since" in text(widget)
    assert client.get("/api/rounds/2025-06-next-round").json()["overdue"] is True
    assert "no date has been announced since" in client.get("/feed.atom").text


@pytest.mark.parametrize("page", [f"/rounds/{ROUND_2}", "/rounds/2025-05-16-istanbul", "/compare", "/topics/children"])
def test_every_footnote_leads_back_to_the_text_citing_it(seeded, client: TestClient, page: str) -> None:
    soup = soup_of(client, page)
    backs = soup.select(".sources li .cite-back")
    assert backs and len(backs) == len(soup.select(".sources li"))
    for back in backs:
        target = soup.find(id=back["href"].removeprefix("#"))
        assert target is not None, f"{back['href']} leads nowhere on {page}"
        assert target.name in ("a", "span") and target.find_parent(class_="sources") is None
