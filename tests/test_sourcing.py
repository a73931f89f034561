"""The bundled record says no more than its sources: every published claim carries at least one."""

import sqlalchemy as sa
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.record.models import (
    Citation,
    Delegation,
    Document,
    Event,
    Movement,
    Outcome,
    OutcomeStep,
    PartyRole,
    Position,
    ReportedFigure,
    Round,
    Source,
    SourceCategory,
)
from tests.test_editor import post

# Each kind of claim, the column of ``citations`` that points at it, and which of its rows readers see.
# (A gap assessment is the editors' own judgement of sourced positions, not a claim of its own.)
CLAIMS = [
    (Round, "round_id", col(Round.published)),
    (Outcome, "outcome_id", col(Outcome.published)),
    (Position, "position_id", col(Position.published)),
    (Event, "event_id", col(Event.published)),
    (ReportedFigure, "figure_id", sa.true()),
    (Delegation, "delegation_id", sa.true()),
    (Document, "document_id", col(Document.published)),
    (Movement, "movement_id", col(Movement.published)),
    (OutcomeStep, "step_id", sa.true()),
]


def unsourced(session: Session) -> list[str]:
    found = []
    for model, subject, published in CLAIMS:
        subject_column = Citation.__table__.c[subject]  # type: ignore[attr-defined]
        cited = sa.select(subject_column).where(subject_column.is_not(None))
        rows = session.execute(sa.select(model.id).where(published, model.id.not_in(cited))).scalars()  # type: ignore[attr-defined]
        found += [f"{model.__tablename__} {row_id}" for row_id in rows]
    return found


def test_every_published_claim_has_a_source(seeded: sa.Engine) -> None:
    with Session(seeded) as session:
        assert unsourced(session) == []
        # The check itself works: a claim with its sources taken away is caught.
        session.execute(sa.delete(Citation).where(col(Citation.delegation_id).is_not(None)))
        assert "delegations 1" in unsourced(session)


def test_roles_are_what_the_fact_sheet_says(seeded: sa.Engine) -> None:
    with Session(seeded) as session:
        query = "SELECT parties.name, role FROM negotiation_parties JOIN parties ON parties.id = party_id"
        roles = {(party, PartyRole(role)) for party, role in session.execute(sa.text(query))}
    assert roles == {
        ("Ukraine", PartyRole.negotiating_party),
        ("Russia", PartyRole.negotiating_party),
        ("Turkey", PartyRole.host),
        ("Turkey", PartyRole.chair),
        ("United States", PartyRole.outside_party),
    }


def test_sources_known_second_hand_are_not_linked(seeded: sa.Engine) -> None:
    with Session(seeded) as session:
        axios = session.exec(select(Source).where(Source.publisher == "Axios")).one()
        seed_article = session.exec(select(Source).where(Source.publisher == "The News")).one()
        moscow_times = session.exec(select(Source).where(Source.publisher == "The Moscow Times")).one()
    assert (axios.url, axios.via) == (None, "babel.ua")
    # The record knows the article's title and publisher, not its address: it must not link to the home page.
    assert seed_article.url is None and seed_article.title
    assert moscow_times.citing == "Reuters"


# ------------------------------------------------------------------ sourced from one side only


def test_a_claim_whose_sources_all_stand_with_one_party_is_marked_so_everywhere(
    seeded: sa.Engine, client: TestClient
) -> None:
    """The 6,000 bodies rest on TASS alone, Russia's state news agency: pages, widget and API say so."""
    page = BeautifulSoup(client.get("/rounds/2025-06-02-istanbul").text, "html.parser")
    bodies = next(li for li in page.select("li[id^=outcome-]") if "6,000 bodies" in li.get_text())
    assert "sourced from Russia’s side only" in bodies.get_text(" ", strip=True)
    exchange = next(li for li in page.select("li[id^=outcome-]") if "New prisoner exchange" in li.get_text())
    assert "side only" not in exchange.get_text(), "other sources too: no mark"
    tass = next(li for li in page.select(".sources li") if "TASS" in li.get_text())
    assert "Stands: a party's state media (Russia)" in tass.get_text(" ", strip=True)
    outcomes = {o["title"]: o for o in client.get("/api/rounds/2025-06-02-istanbul").json()["outcomes"]}
    assert outcomes["Return of 6,000 bodies of fallen soldiers to each side"]["sourced_from_one_side"] == "Russia"
    assert outcomes["Further talks"]["sourced_from_one_side"] is None
    widget = BeautifulSoup(client.get("/embed/round/2025-06-02-istanbul").text, "html.parser")
    assert "sourced from Russia’s side only" in widget.get_text(" ", strip=True)


def test_an_editor_sets_where_a_source_stands(seeded: sa.Engine, editor_client: TestClient, session: Session) -> None:
    source = session.exec(select(Source).where(Source.publisher == "The News")).one()
    form = {
        "title": source.title or "",
        "publisher": source.publisher,
        "citing": "",
        "via": "",
        "url": "",
        "published_on": "",
        "language": source.language,
        "standpoint": source.standpoint or "",
        "category": "party_independent_media",
        "party_id": "",
        "action": "publish",
    }
    refused = post(editor_client, f"/edit/sources/{source.id}/items/record/{source.id}", form)
    assert refused.status_code == 422
    assert "names the party" in refused.text
    done = post(
        editor_client,
        f"/edit/sources/{source.id}/items/record/{source.id}",
        {**form, "category": "third_country"},
    )
    assert done.status_code == 303, done.text[:500]
    session.expire_all()
    assert session.get(Source, source.id).category == SourceCategory.third_country  # type: ignore[union-attr]
