"""The bundled record says no more than its sources: every published claim carries at least one."""

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.record.models import (
    Citation,
    Delegation,
    Event,
    Outcome,
    PartyRole,
    Position,
    ReportedFigure,
    Round,
    Source,
)

# Each kind of claim, the column of ``citations`` that points at it, and which of its rows readers see.
# (A gap assessment is the editors' own judgement of sourced positions, not a claim of its own.)
CLAIMS = [
    (Round, "round_id", col(Round.published)),
    (Outcome, "outcome_id", col(Outcome.published)),
    (Position, "position_id", col(Position.published)),
    (Event, "event_id", col(Event.published)),
    (ReportedFigure, "figure_id", sa.true()),
    (Delegation, "delegation_id", sa.true()),
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
