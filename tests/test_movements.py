"""Movement (app/reading/movements.py): how each party's stance on a topic moved from round to round,
as editors judged it with sources; shown in the comparison, drawn on a topic's page, and edited in a
round's composer."""

import sqlalchemy as sa
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.record.models import MoveKind, Movement, Party, Round, Topic
from tests.factories import soup_of, text
from tests.test_editor import post

ROUND_2 = "2025-06-02-istanbul"


def test_a_topic_page_draws_each_partys_moves_over_the_rounds_with_a_table_of_the_same(
    seeded: sa.Engine, client: TestClient
) -> None:
    soup = soup_of(client, "/topics/leaders-meeting")
    chart = soup.select_one("svg.movement-chart")
    assert chart is not None and chart["role"] == "img"
    labelled = chart["aria-labelledby"].split()
    assert [soup.select_one(f"#{i}").name for i in labelled] == ["title", "desc"]
    assert text(soup.select_one(f"#{labelled[1]}")) == "Ukraine: was first stated at round 1; held at round 2."
    assert [text(t) for t in chart.select("text.chart-axis")][:2] == ["Round 1", "Round 2"]
    rows = [[text(c) for c in tr.select("th, td")] for tr in soup.select(".movement-table tbody tr")]
    assert [row[:3] for row in rows] == [
        ["Ukraine", "Round 1, Istanbul (16 May 2025)", "Was first stated"],
        ["Ukraine", "Round 2, Istanbul (2 June 2025)", "Held"],
    ]
    assert "[" in rows[0][3], "each move cites its sources"
    data = client.get("/api/topics/leaders-meeting").json()
    assert [m["move"] for m in data["tracks"][0]["moves"]] == ["first_stated", "held"]
    assert [r["sequence"] for r in data["rounds"]] == [1, 2]


def test_the_comparison_says_how_a_stance_moved_at_the_round_shown(seeded: sa.Engine, client: TestClient) -> None:
    soup = soup_of(client, "/compare?negotiation=russia-ukraine-istanbul-2025")
    row = soup.select_one("#topic-leaders-meeting")
    ukraine = row.select_one('td[data-party="Ukraine"] .movement')
    assert ukraine is not None and text(ukraine).startswith("Held at round 2: Ukraine again called")
    assert row.select_one('td[data-party="Russia"] .movement') is None, "nothing recorded, nothing said"
    earlier = soup_of(client, "/compare?negotiation=russia-ukraine-istanbul-2025&as_of=2025-05-16-istanbul")
    moved = earlier.select_one('#topic-leaders-meeting td[data-party="Ukraine"] .movement')
    assert moved is not None and text(moved).startswith("Was first stated at round 1")


def test_an_unpublished_move_is_not_shown(seeded: sa.Engine, client: TestClient, session: Session) -> None:
    held = session.exec(select(Movement).where(Movement.move == MoveKind.held)).one()
    held.published = False
    session.add(held)
    session.commit()
    rows = soup_of(client, "/topics/leaders-meeting").select(".movement-table tbody tr")
    assert len(rows) == 1


def test_an_editor_records_a_move_in_the_rounds_composer(
    seeded: sa.Engine, editor_client: TestClient, session: Session
) -> None:
    round_2 = session.exec(select(Round).where(Round.slug == ROUND_2)).one()
    russia = session.exec(select(Party).where(Party.slug == "russia")).one()
    territory = session.exec(select(Topic).where(Topic.slug == "territory")).one()
    composer = soup_of(editor_client, f"/edit/rounds/{round_2.id}")
    assert "How each side's stance moved since the round before" in text(composer)
    data = {
        "party_id": "Russia",
        "topic_id": "Territory",
        "move": "hardened",
        "note": "Claims all four regions in full.",
        "source": ["10"],
        "action": "publish",
    }
    answer = post(editor_client, f"/edit/rounds/{round_2.id}/items/movements/new", data)
    assert answer.status_code == 303, answer.text[:800]
    saved = session.exec(
        select(Movement).where(Movement.party_id == russia.id, Movement.topic_id == territory.id)
    ).one()
    assert saved.move is MoveKind.hardened
    cell = soup_of(editor_client, "/compare").select_one('#topic-territory td[data-party="Russia"] .movement')
    assert cell is not None and text(cell).startswith("Hardened at round 2: Claims all four regions in full.")


def test_a_move_without_a_source_is_not_published(
    seeded: sa.Engine, editor_client: TestClient, session: Session
) -> None:
    round_2 = session.exec(select(Round).where(Round.slug == ROUND_2)).one()
    data = {"party_id": "Russia", "topic_id": "Sanctions", "move": "held", "note": "", "action": "publish"}
    answer = post(editor_client, f"/edit/rounds/{round_2.id}/items/movements/new", data)
    assert answer.status_code == 422, answer.headers.get("location")
    problems = BeautifulSoup(answer.text, "html.parser").select_one(".form-problems")
    assert "needs a source before it can be published" in text(problems)
    topics = [m.topic_id for m in session.exec(select(Movement)).all()]
    assert len(topics) == 2, "nothing was published"
