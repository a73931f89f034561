"""Validation (app/editing/validation.py): which duplicates and inconsistencies are refused, and
what stops a draft being published, each with the sentence an editor reads."""

from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from app.editing import drafts, validation
from app.editing.drafts import Item
from app.editing.kinds import spec_of
from app.editing.validation import Problem
from app.record.models import Draft

ROUND_2 = 2  # 2 June 2025, Istanbul; Ukraine, Russia and Turkey sent delegations


def new(kind: str, fields: dict[str, Any], n: int = 1, state: str = "new") -> Item:
    return Item(f"{kind}:+{n}", kind, None, fields, [], state)


def published(session: Session, kind: str, entity_id: int, state: str = "changed", **changes: Any) -> Item:
    found = drafts.live_item(session, kind, entity_id)
    assert found is not None
    return Item(found.key, kind, entity_id, {**found.fields, **changes}, found.sources, state, found.live)


def taken(
    session: Session, kind: str, values: dict[str, Any], *others: Item, item: Item | None = None
) -> dict[str, str]:
    item = item or new(kind, values)
    return validation.uniqueness(session, spec_of(kind), values, item=item, others=[item, *others])


# ------------------------------------------------------------------ what must be unique


@pytest.mark.parametrize(
    ("kind", "values", "errors"),
    [
        (
            "people",
            {"slug": "hakan-fidan"},
            {"slug": "Another person already has the address “hakan-fidan”: choose another."},
        ),
        ("parties", {"slug": "ukraine"}, {"slug": "Another party already has the address “ukraine”: choose another."}),
        (
            "sources",
            {"url": "https://tass.com/politics/1989745"},
            {"url": "This address is already in the record: attach that source from the list instead."},
        ),
        (
            "rounds",
            {"negotiation_id": 1, "sequence": 2},
            {"sequence": "Round 2 of this negotiation is already on the record."},
        ),
        (
            "delegations",
            {"round_id": ROUND_2, "party_id": 1},
            {"party_id": "This round already has a delegation of Ukraine."},
        ),
        (
            "delegation_members",
            {"delegation_id": 4, "person_id": 1},
            {"person_id": "This person is already in the delegation."},
        ),
        (
            "outcome_parties",
            {"outcome_id": 8, "party_id": 1},
            {"party_id": "This party is already among those the outcome concerns."},
        ),
        (
            "negotiation_parties",
            {"negotiation_id": 1, "party_id": 3, "role": "host"},
            {"role": "This party already has this role in the negotiation."},
        ),
    ],
)
def test_what_a_published_record_already_holds_is_refused(
    seeded: sa.Engine, session: Session, kind: str, values: dict[str, Any], errors: dict[str, str]
) -> None:
    assert taken(session, kind, values) == errors


def test_what_no_record_holds_is_not_refused(seeded: sa.Engine, session: Session) -> None:
    assert taken(session, "people", {"slug": "oleh-novyi"}) == {}
    assert taken(session, "delegations", {"round_id": ROUND_2, "party_id": 4}) == {}
    assert (
        taken(session, "negotiation_parties", {"negotiation_id": 1, "party_id": 3, "role": "negotiating_party"}) == {}
    )


def test_a_value_not_yet_given_clashes_with_nothing(seeded: sa.Engine, session: Session) -> None:
    assert taken(session, "rounds", {"negotiation_id": 1, "sequence": None, "slug": None}) == {}


def test_every_clash_is_reported_at_once(seeded: sa.Engine, session: Session) -> None:
    assert taken(session, "rounds", {"negotiation_id": 1, "sequence": 1, "slug": "2025-05-16-istanbul"}) == {
        "sequence": "Round 1 of this negotiation is already on the record.",
        "slug": "Another round already has the address “2025-05-16-istanbul”: choose another.",
    }


def test_a_record_does_not_clash_with_itself(seeded: sa.Engine, session: Session) -> None:
    fidan = published(session, "people", 3)
    assert taken(session, "people", fidan.fields, item=fidan) == {}


def test_two_records_the_draft_adds_may_not_clash(seeded: sa.Engine, session: Session) -> None:
    # Neither is in the record yet: a new round's key stands for its id.
    values = {"round_id": "rounds:+1", "party_id": 1}
    assert taken(session, "delegations", values) == {}
    twin = new("delegations", dict(values), n=2)
    assert taken(session, "delegations", values, twin) == {
        "party_id": "This round already has a delegation of Ukraine."
    }
    assert taken(session, "delegations", values, new("delegations", dict(values), n=2, state="removed")) == {}
    assert taken(session, "delegations", values, new("outcome_parties", dict(values), n=2)) == {}, "another kind"


def test_a_place_the_draft_frees_may_be_taken(seeded: sa.Engine, session: Session) -> None:
    values = {"slug": "hakan-fidan"}
    assert taken(session, "people", values, published(session, "people", 3, state="removed")) == {}
    assert taken(session, "people", values, published(session, "people", 3, slug="hakan-fidan-tr")) == {}
    refused = {"slug": "Another person already has the address “hakan-fidan”: choose another."}
    assert taken(session, "people", values, published(session, "people", 3, name="Hakan Fidan")) == refused


def test_a_position_stated_at_a_round_belongs_to_its_negotiation(seeded: sa.Engine, session: Session) -> None:
    spec = spec_of("positions")
    assert validation.kind_rules(session, spec, {"round_id": ROUND_2, "negotiation_id": 1}, None) == {}
    assert validation.kind_rules(session, spec, {"round_id": ROUND_2, "negotiation_id": 2}, None) == {
        "round_id": "That round belongs to another negotiation than the one chosen."
    }


def test_a_delegation_lists_each_person_once_and_is_headed_from_its_party(seeded: sa.Engine, session: Session) -> None:
    rows = [{"person_id": 1, "is_head": False}, {"person_id": 2, "is_head": True}, {"person_id": 1}]
    assert validation.member_rules(session, 1, rows) == {
        "row-1-person_id": (
            "Vladimir Medinsky belongs to another party; a delegation's head belongs to the delegation's party."
        ),
        "row-2-person_id": "This person is listed twice.",
    }
    assert validation.member_rules(session, 2, rows[1:2]) == {}


# ------------------------------------------------------------------ before publishing


def problems(session: Session, draft: Draft) -> list[Problem]:
    view = drafts.view(session, spec=spec_of(draft.kind), entity_id=draft.entity_id, draft=draft)
    return validation.publish_problems(session, view)


def round_2_draft(session: Session, sources: list[int] | None = None, **changes: Any) -> Draft:
    draft = Draft(kind="rounds", entity_id=ROUND_2, author_id=0, changes={})
    root = drafts.view(session, spec=spec_of("rounds"), entity_id=ROUND_2, draft=draft).root
    drafts.put(draft, root, {**root.fields, **changes}, root.sources if sources is None else sources)
    return draft


def test_a_held_round_needs_its_date_its_place_and_a_source(seeded: sa.Engine, session: Session) -> None:
    draft = round_2_draft(session, sources=[], date=None, city=None, venue=None)
    assert problems(session, draft) == [
        Problem("rounds:2", "sources", "Round 2 — date not set needs a source before it can be published."),
        Problem("rounds:2", "date", "A round that was held needs its date before it can be published."),
        Problem(
            "rounds:2", "city", "A round that was held needs its place (a city or a venue) before it can be published."
        ),
    ]


def test_a_venue_is_place_enough_and_a_planned_round_needs_neither(seeded: sa.Engine, session: Session) -> None:
    assert problems(session, round_2_draft(session, city=None, venue="Çırağan Palace")) == []
    assert problems(session, round_2_draft(session, status="planned", date=None, city=None, venue=None)) == []


def test_a_claim_without_a_source_is_named_in_the_message(seeded: sa.Engine, session: Session) -> None:
    draft = round_2_draft(session)
    outcome = new("outcomes", {})
    drafts.put(draft, outcome, {"round_id": ROUND_2, "title": "A new outcome"}, [])
    person = new("people", {})
    drafts.put(draft, person, {"name": "Oleh Novyi", "slug": "oleh-novyi"}, [])
    assert problems(session, draft) == [
        Problem("outcomes:+1", "sources", "Outcome “A new outcome” needs a source before it can be published.")
    ], "people are not claims: they need no source"


def test_a_delegation_needs_someone_in_it(seeded: sa.Engine, session: Session) -> None:
    draft = round_2_draft(session)
    view = drafts.view(session, spec=spec_of("rounds"), entity_id=ROUND_2, draft=draft)
    delegation = view.items["delegations:4"]
    drafts.put(draft, delegation, {**delegation.fields, "note": "Smaller this time."}, [2])
    assert problems(session, draft) == []
    for member in view.embedded(delegation):
        drafts.remove(draft, view, member)
    assert problems(session, draft) == [
        Problem(
            "delegations:4",
            "members",
            "Name who was in the delegation “ukraine delegation” (at least its head) before publishing it.",
        )
    ]


def test_what_others_published_since_is_checked_again(seeded: sa.Engine, session: Session) -> None:
    draft = round_2_draft(session, sequence=1, slug="2025-05-16-istanbul", chair_id=999)
    assert problems(session, draft) == [
        Problem("rounds:2", "sequence", "Round 1 of this negotiation is already on the record."),
        Problem("rounds:2", "slug", "Another round already has the address “2025-05-16-istanbul”: choose another."),
        Problem("rounds:2", "chair_id", "The chair chosen has been deleted since; choose another."),
    ]


def test_a_record_deleted_since_is_only_to_be_removed(seeded: sa.Engine, session: Session) -> None:
    draft = round_2_draft(session)
    draft.changes = {
        **draft.changes,
        "outcomes:77": {"kind": "outcomes", "id": 77, "base": None, "fields": {"title": "Gone"}, "sources": []},
    }
    assert problems(session, draft) == [
        Problem("outcomes:77", None, "Outcome “Gone” was deleted after you began; remove it from your draft.")
    ]


def test_what_the_draft_removes_is_not_checked(seeded: sa.Engine, session: Session) -> None:
    draft = round_2_draft(session)
    view = drafts.view(session, spec=spec_of("rounds"), entity_id=ROUND_2, draft=draft)
    drafts.remove(draft, view, view.items["outcomes:8"])
    draft.changes["outcomes:77"] = {"kind": "outcomes", "id": 77, "fields": {"title": "Gone"}, "removed": True}
    assert problems(session, draft) == []
