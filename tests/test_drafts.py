"""Drafts are for editors: no public page, API answer, feed, calendar or export shows them."""

import csv
import datetime as dt
import io

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import select

from app.core.db import session_scope
from app.record.models import (
    Citation,
    Event,
    EventKind,
    Negotiation,
    Outcome,
    OutcomeKind,
    OutcomeStatus,
    Party,
    Position,
    Round,
    RoundStatus,
    Source,
    Topic,
)

SECRET = "Unpublished draft material"


@pytest.fixture
def drafts(seeded: sa.Engine) -> sa.Engine:
    """A draft round (with a position and an outcome), a draft position and outcome at a published
    round, and a draft event — all carrying the same recognisable words."""
    with session_scope(seeded) as session:
        negotiation = session.exec(select(Negotiation)).one()
        ukraine = session.exec(select(Party).where(Party.slug == "ukraine")).one()
        territory = session.exec(select(Topic).where(Topic.slug == "territory")).one()
        round_2 = session.exec(select(Round).where(Round.slug == "2025-06-02-istanbul")).one()
        source = session.exec(select(Source)).first()
        assert source is not None
        draft_round = Round(
            negotiation_id=negotiation.id,
            sequence=4,
            slug="2025-07-draft",
            status=RoundStatus.held,
            date=dt.date(2025, 7, 1),
            city="Istanbul",
            summary=SECRET,
            published=False,
        )
        session.add(draft_round)
        session.flush()
        claims = [
            Position(
                negotiation_id=negotiation.id,
                party_id=ukraine.id,
                topic_id=territory.id,
                round_id=draft_round.id,
                summary=SECRET,
            ),
            Position(
                negotiation_id=negotiation.id,
                party_id=ukraine.id,
                topic_id=territory.id,
                round_id=round_2.id,
                summary=SECRET,
                published=False,
            ),
            Outcome(round_id=draft_round.id, kind=OutcomeKind.other, title=SECRET, status=OutcomeStatus.agreed),
            Outcome(
                round_id=round_2.id, kind=OutcomeKind.other, title=SECRET, status=OutcomeStatus.agreed, published=False
            ),
            Event(
                slug="draft-event",
                negotiation_id=negotiation.id,
                date=dt.date(2025, 6, 1),
                kind=EventKind.other,
                title=SECRET,
                published=False,
            ),
        ]
        session.add_all(claims)
        session.flush()
        session.add(Citation(source_id=source.id, position_id=claims[1].id))
    return seeded


PUBLIC = [
    "/",
    "/?q=unpublished",
    "/?kind=planned",
    "/rounds/2025-06-02-istanbul",
    "/compare",
    "/compare?as_of=2025-06-02-istanbul",
    "/topics",
    "/topics/territory",
    "/parties/ukraine",
    "/people/rustem-umerov",
    "/api/timeline",
    "/api/rounds/2025-06-02-istanbul",
    "/api/compare",
    "/api/topics/territory",
    "/feed.atom",
    "/calendar.ics",
    "/exports/record.json",
    "/exports/rounds.csv",
    "/exports/positions.csv",
    "/exports/outcomes.csv",
    "/exports/events.csv",
    "/exports/citations.csv",
]


@pytest.mark.parametrize("url", PUBLIC)
def test_no_public_answer_shows_a_draft(drafts, client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert SECRET not in response.text and "2025-07-draft" not in response.text


def test_topics_count_only_the_positions_readers_can_see(drafts, client: TestClient) -> None:
    """Neither the draft position nor the one stated at the draft round is counted."""
    with session_scope(drafts) as session:
        published = {r.id: r.published for r in session.exec(select(Round))}
        territory = session.exec(select(Topic).where(Topic.slug == "territory")).one()
        on_it = session.exec(select(Position).where(Position.topic_id == territory.id)).all()
        seen = sum(1 for p in on_it if p.published and (p.round_id is None or published[p.round_id]))
    assert len(on_it) >= seen + 2
    counts = {t["slug"]: t["positions"] for t in client.get("/api/topics").json()}
    assert counts["territory"] == seen > 0
    assert f"{seen} stated positions" in client.get("/topics").text


def test_a_draft_round_has_no_public_page(drafts, client: TestClient) -> None:
    assert client.get("/rounds/2025-07-draft").status_code == 404
    assert client.get("/api/rounds/2025-07-draft").status_code == 404
    assert client.get("/compare?as_of=2025-07-draft").status_code == 404


def test_exports_leave_out_what_hangs_on_a_draft(drafts, client: TestClient) -> None:
    positions = list(csv.DictReader(io.StringIO(client.get("/exports/positions.csv").text)))
    citations = list(csv.DictReader(io.StringIO(client.get("/exports/citations.csv").text)))
    shown = {row["id"] for row in positions}
    assert all(row["position_id"] in shown for row in citations if row["position_id"])
    assert all(row["published"] == "true" for row in positions)
