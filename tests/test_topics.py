"""A topic's page: each party's statements in one negotiation at a time, with what changed."""

from fastapi.testclient import TestClient

from app.core.db import session_scope
from tests.factories import ROUND_2, many_rounds, soup_of, text


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
