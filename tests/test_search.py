"""Search (app/reading/search.py): words looked for across the record, on SQLite (FTS5) and PostgreSQL."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.record.models import Position, Topic
from tests.factories import soup_of, text


def test_search_finds_every_kind_grouped_with_counts_and_the_words_marked(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/search?q=children")
    assert text(soup.select_one(".search-summary")) == (
        "6 matches for “children”: 1 round, 2 positions, 1 outcome, 2 clauses of documents."
    )
    groups = {g["aria-labelledby"]: g for g in soup.select(".search-group")}
    assert list(groups) == ["found-round", "found-position", "found-outcome", "found-clause"]
    positions = [text(h) for h in groups["found-position"].select("h3")]
    assert sorted(positions) == ["Russia on Deported children", "Ukraine on Deported children"]
    assert {text(m).lower() for m in soup.select("mark")} == {"children"}
    link = groups["found-outcome"].select_one("h3 a")["href"]
    assert link == "/rounds/2025-06-02-istanbul#outcome-6"

    twin = client.get("/api/search?q=children").json()
    assert (twin["total"], [g["kind"] for g in twin["groups"]]) == (6, ["round", "position", "outcome", "clause"])
    assert any(part["marked"] for part in twin["groups"][1]["hits"][0]["snippet"])


@pytest.mark.parametrize(
    ("words", "kinds"),
    [
        ("Medinsky", {"round", "outcome", "person"}),  # a person, and where they are named
        ("babel", {"source"}),  # a source's outlet, known only second-hand
        ("memorand", {"round", "outcome"}),  # the start of a word is enough
    ],
)
def test_search_looks_in_people_and_sources_and_word_starts(seeded, client: TestClient, words: str, kinds) -> None:
    found = client.get("/api/search", params={"q": words}).json()
    assert {g["kind"] for g in found["groups"]} >= kinds


@pytest.mark.parametrize("words", ['"NEAR(', "a'b) OR * -", "<script>", "\\", "AND"])
def test_any_words_are_taken_as_words(seeded, client: TestClient, words: str) -> None:
    assert client.get("/api/search", params={"q": words}).status_code == 200
    assert client.get("/search", params={"q": words}).status_code == 200


def test_the_index_follows_every_change_and_shows_only_what_readers_may_see(
    seeded, client: TestClient, session: Session
) -> None:
    children = session.exec(select(Topic).where(Topic.slug == "children")).one()
    position = session.exec(select(Position).where(Position.topic_id == children.id)).first()
    assert position is not None
    position.summary = "Wants <b>every</b> abducted child home"
    session.add(position)
    session.commit()
    soup = soup_of(client, "/search?q=abducted")
    # What the record holds is shown as text, never as markup (PostgreSQL's snippets leave tags out).
    assert "every abducted child home" in text(soup.select_one(".snippet")).replace("<b>", "").replace("</b>", "")
    assert soup.select_one(".snippet b") is None

    position.published = False
    session.add(position)
    session.commit()
    assert client.get("/api/search?q=abducted").json()["total"] == 0


def test_the_timeline_says_what_else_in_the_record_matches(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/timeline?q=children")
    also = soup.select_one(".search-also")
    assert text(also).startswith("“children” in the whole record: 1 round, 2 positions, 1 outcome")
    assert also.select_one("a")["href"] == "/search?q=children"
