"""Build records for tests (a negotiation with many rounds, each with the trimmings pages show),
and read the pages they make as a reader would."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import sqlalchemy as sa
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.record.models import (
    Citation,
    Delegation,
    DelegationMember,
    FigureMeasure,
    Negotiation,
    NegotiationParty,
    Outcome,
    OutcomeKind,
    OutcomeStatus,
    Party,
    PartyRole,
    Person,
    Position,
    ReportedFigure,
    Round,
    RoundStatus,
    Source,
    Topic,
)

if TYPE_CHECKING:
    from app.record.models import User

# A round of the bundled record with some of everything: delegations, outcomes, positions, figures.
ROUND_2 = "2025-06-02-istanbul"


def many_rounds(session: Session, count: int, *, slug: str = "synthetic-talks") -> Negotiation:
    """A negotiation of ``count`` held rounds, a week apart, each fully furnished and cited."""
    parties = [
        Party(slug=f"{slug}-north", name=f"North ({slug})", short_name="North", colour="#1c7ed6"),
        Party(slug=f"{slug}-south", name=f"South ({slug})", short_name="South", colour="#e03131"),
    ]
    topic = session.exec(select(Topic).where(Topic.slug == "ceasefire")).first() or Topic(
        slug="ceasefire", name="Ceasefire"
    )
    negotiation = Negotiation(slug=slug, title=f"Synthetic talks ({slug})")
    source = Source(url=f"https://example.org/{slug}", publisher="Example Wire", standpoint="test fixture")
    session.add_all([*parties, topic, negotiation, source])
    session.flush()
    people = [Person(slug=f"{p.slug}-envoy", name=f"{p.short_name} Envoy", party_id=p.id) for p in parties]
    session.add_all(people)
    session.add_all(
        NegotiationParty(negotiation_id=negotiation.id, party_id=p.id, role=PartyRole.negotiating_party)
        for p in parties
    )
    session.flush()
    start = dt.date(2030, 1, 7)
    for n in range(1, count + 1):
        r = Round(
            negotiation_id=negotiation.id,
            sequence=n,
            slug=f"{slug}-round-{n}",
            status=RoundStatus.held,
            date=start + dt.timedelta(weeks=n),
            city="Geneva",
            venue="Palais des Nations",
            summary=f"Round {n} of the synthetic talks.",
        )
        session.add(r)
        session.flush()
        outcome = Outcome(
            round_id=r.id, kind=OutcomeKind.agreement, title=f"Agreement {n}", status=OutcomeStatus.agreed
        )
        figure = ReportedFigure(round_id=r.id, measure=FigureMeasure.duration_minutes, low=60, as_reported="an hour")
        session.add_all([outcome, figure])
        for party, person in zip(parties, people, strict=True):
            delegation = Delegation(round_id=r.id, party_id=party.id)
            session.add(delegation)
            session.flush()
            session.add(DelegationMember(delegation_id=delegation.id, person_id=person.id, is_head=True, title="Envoy"))
            position = Position(
                negotiation_id=negotiation.id,
                party_id=party.id,
                topic_id=topic.id,
                round_id=r.id,
                summary=f"{party.short_name} position at round {n}",
            )
            session.add(position)
            session.flush()
            session.add(Citation(source_id=source.id, position_id=position.id))
        session.flush()
        session.add_all(
            [
                Citation(source_id=source.id, round_id=r.id),
                Citation(source_id=source.id, outcome_id=outcome.id),
                Citation(source_id=source.id, figure_id=figure.id),
            ]
        )
    session.flush()
    return negotiation


def large_document(*, rounds: int) -> str:
    """A record document of about ``rounds`` synthetic rounds (plus the bundled record), as text."""
    import json

    from tests.benchmarks.generate import build

    return json.dumps(build(negotiations=2, rounds_per_negotiation=rounds // 2, source_count=rounds))


def publish_change(session: Session, editor: "User", kind: str, entity_id: int, **changes: object) -> None:
    """Change a published record through the editors' own path: a draft of it, published."""
    from app.editing import drafts, publishing
    from app.editing.kinds import spec_of

    draft = drafts.start(session, kind=kind, entity_id=entity_id, author=editor)
    view = drafts.view(session, spec=spec_of(kind), entity_id=entity_id, draft=draft)
    drafts.put(draft, view.root, {**view.root.fields, **changes}, view.root.sources)
    publishing.publish(session, draft=draft, editor=editor)


def soup_of(client: TestClient, url: str, status: int = 200, **headers: str) -> BeautifulSoup:
    response = client.get(url, headers=headers)
    assert response.status_code == status, response.text[:500]
    return BeautifulSoup(response.text, "html.parser")


def text(node: Tag | None) -> str:
    assert node is not None
    return " ".join(node.get_text().split())


def round_named(session: Session, slug: str) -> Round:
    return session.exec(select(Round).where(Round.slug == slug)).one()


def outcome_titled(session: Session, title_start: str) -> Outcome:
    return next(o for o in session.exec(select(Outcome)).all() if o.title.startswith(title_start))


@contextmanager
def statements_sent(client: TestClient) -> Iterator[list[str]]:
    """The SQL statements the app sends while the block runs."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    engine = client.app.state.engine  # type: ignore[attr-defined]
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
