"""A topic's page: each party's statements in one negotiation at a time, with what changed."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.core.db import session_scope
from app.reading.topics import word_diff
from app.record.models import Position, Round, Topic
from tests.factories import ROUND_2, many_rounds, soup_of, text


def topic_id(session: Session, slug: str) -> int:
    found = session.exec(select(Topic.id).where(Topic.slug == slug)).one()
    assert found is not None
    return found


def test_a_statement_worded_anew_is_shown_before_and_now(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/topics/leaders-meeting")
    histories = {text(s.h2): s for s in soup.select(".party-history")}
    assert list(histories) == ["Russia", "Ukraine"]
    ukraine = histories["Ukraine"].select(".statements > li")
    assert len(ukraine) == 2
    # "Asked for a meeting of the two presidents" and "Only a direct Zelenskiy–Putin meeting can settle …"
    # share almost no words: a word diff of them would read as garbled text.
    assert ukraine[1].select_one(".diff-text") is None
    assert text(ukraine[1].select_one(".diff-before")).startswith("Before: Asked for a meeting")
    assert "Zelenskiy" in text(ukraine[1].select_one(".diff-after ins"))
    # A summary and its text are two paragraphs on both sides (shown apart, white-space: pre-line), not run together.
    before, now = (
        ukraine[1].select_one(f"{side} {tag}").get_text()
        for side, tag in ((".diff-before", "del"), (".diff-after", "ins"))
    )
    assert "presidents\n\n" in before and "\n\n" in now


def test_a_statement_changed_in_a_few_words_has_them_marked_with_spaces_kept(
    seeded, client: TestClient, session: Session
) -> None:
    at_round_1, at_round_2 = session.exec(
        select(Position)
        .join(Round, col(Round.id) == Position.round_id)
        .where(Position.topic_id == topic_id(session, "leaders-meeting"), Position.party_id == 1)
        .order_by(col(Round.sequence))
    ).all()
    at_round_1.summary = "Only a direct meeting of the two presidents can settle the contentious issues"
    at_round_2.summary = "Only a direct meeting of Zelenskiy and Putin can settle the contentious issues"
    at_round_1.text = at_round_2.text = ""
    session.add_all([at_round_1, at_round_2])
    session.commit()
    soup = soup_of(client, "/topics/leaders-meeting")
    diff = soup.select(".party-history")[1].select(".statements > li")[1].select_one(".diff-text")
    marked = {text(d) for d in diff.select("del")} | {text(i) for i in diff.select("ins")}
    assert marked == {"the two presidents", "Zelenskiy and Putin"}
    assert "meeting of the two presidents Zelenskiy and Putin can" in diff.get_text()


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("Asked for talks", "Only a summit", "<Asked for talks> <Only a summit>"),
        ("a b c", "a x c", "a <b> <x> c"),
    ],
)
def test_struck_and_inserted_words_never_run_together(before: str, after: str, expected: str) -> None:
    shown = "".join(f"<{s.text}>" if s.op != "equal" else s.text for s in word_diff(before, after))
    assert shown == expected


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
