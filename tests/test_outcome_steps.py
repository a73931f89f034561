"""Outcomes carried out step by step (app/reading/rounds.py): dated steps with their sources, drawn as
a progress line on the round page and the outcome's own page, each an entry in the feed."""

import sqlalchemy as sa
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.record.models import Outcome, OutcomeStatus, OutcomeStep
from tests.factories import soup_of, text
from tests.test_editor import post

ROUND_1 = "2025-05-16-istanbul"


def _exchange(session: Session) -> Outcome:
    return session.exec(select(Outcome).where(Outcome.title == "1,000-for-1,000 prisoner exchange")).one()


def test_an_outcomes_steps_are_a_progress_line_in_date_order_with_their_sources(
    seeded: sa.Engine, client: TestClient, session: Session
) -> None:
    exchange = _exchange(session)
    soup = soup_of(client, f"/rounds/{ROUND_1}")
    line = soup.select_one(f"#outcome-{exchange.id} ol.progress-line")
    assert line is not None
    steps = [text(li) for li in line.select("li")]
    assert steps[0].startswith("16 May 2025 Agreed Agreed at round 1 in Istanbul.")
    assert steps[1].startswith("May 2025 Implemented Carried out in late May"), "late May comes after 16 May"
    assert all("[" in step for step in steps), "each step cites its sources"
    own = soup.select_one(f'#outcome-{exchange.id} a[href="/outcomes/{exchange.id}"]')
    assert own is not None
    page = soup_of(client, f"/outcomes/{exchange.id}")
    assert text(page.select_one("h1")).startswith("1,000-for-1,000 prisoner exchange")
    assert [li["id"] for li in page.select("ol.progress-line li")] == ["step-1", "step-2"]
    assert page.select(".sources li"), "the page lists its sources"
    data = client.get(f"/api/outcomes/{exchange.id}").json()
    assert [(s["status"], s["date"]["label"]) for s in data["outcome"]["steps"]] == [
        ("agreed", "16 May 2025"),
        ("implemented", "May 2025"),
    ]
    assert client.get("/outcomes/999999").status_code == 404


def test_each_change_of_an_outcomes_state_is_an_entry_in_the_feed(seeded: sa.Engine, client: TestClient) -> None:
    feed = client.get("/feed.atom").text
    assert '<title type="text">1,000-for-1,000 prisoner exchange: implemented (May 2025)</title>' in feed
    assert "/outcomes/1#step-2" in feed


def test_an_editor_adds_a_step_from_the_outcomes_page_and_it_needs_a_source(
    seeded: sa.Engine, editor_client: TestClient, session: Session
) -> None:
    outcome = session.exec(select(Outcome).where(Outcome.title.startswith("New prisoner exchange"))).one()  # type: ignore[attr-defined]
    page = soup_of(editor_client, f"/outcomes/{outcome.id}")
    add = page.select_one(f'a[href="/edit/outcome_steps/new?outcome_id={outcome.id}"]')
    assert add is not None
    form = BeautifulSoup(editor_client.get(add["href"]).text, "html.parser")
    assert form.select_one(f'select[name="outcome_id"] option[value="{outcome.id}"][selected]') is not None
    data = {
        "outcome_id": str(outcome.id),
        "happened_on": "2025-06-09",
        "date_precision": "day",
        "status": "in_progress",
        "description": "The first stage of the exchange.",
        "action": "publish",
    }
    refused = post(editor_client, "/edit/outcome_steps/new/items/record/n0", data)
    assert refused.status_code == 422 and "needs a source" in refused.text
    done = post(editor_client, "/edit/outcome_steps/new/items/record/n0", {**data, "source": ["6"]})
    assert done.status_code == 303 and done.headers["location"].startswith(f"/outcomes/{outcome.id}?published=1#step-")
    step = session.exec(select(OutcomeStep).where(OutcomeStep.outcome_id == outcome.id)).one()
    assert step.status is OutcomeStatus.in_progress
    line = soup_of(editor_client, f"/outcomes/{outcome.id}").select_one("ol.progress-line")
    assert "The first stage of the exchange." in text(line)
