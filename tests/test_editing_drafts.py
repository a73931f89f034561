"""Drafts (app/editing/drafts.py): a record and what hangs on it as a draft shows them, and the line
that names each item for an editor."""

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from app.core.errors import NotFound
from app.editing import drafts
from app.editing.kinds import spec_of
from app.record.models import Draft

ROUND_2 = 2  # 2 June 2025, Istanbul


def draft_of(kind: str = "rounds", entity_id: int | None = ROUND_2) -> Draft:
    """A draft held in memory: what a draft shows depends on its changes, not on who wrote them."""
    return Draft(kind=kind, entity_id=entity_id, author_id=0, changes={})


def view_of(session: Session, draft: Draft | None, kind: str = "rounds", entity_id: int | None = ROUND_2):
    return drafts.view(session, spec=spec_of(kind), entity_id=entity_id, draft=draft)


# ------------------------------------------------------------------ the published record


def test_a_published_round_is_shown_with_what_hangs_on_it(seeded: sa.Engine, session: Session) -> None:
    view = view_of(session, None)
    assert view.root.key == "rounds:2" and view.root.state == "published"
    assert view.root.fields["city"] == "Istanbul" and view.root.live is not None
    assert {"delegations:4", "delegation_members:4", "outcomes:8", "outcome_parties:14"} <= set(view.items)
    assert {"positions:1", "reported_figures:4", "events:1"} <= set(view.items), "the event the day before is near"
    assert not {"delegations:1", "positions:21", "reported_figures:1"} & set(view.items), "those are round 1's"
    assert {item.state for item in view.items.values()} == {"published"}


def test_a_record_deleted_or_never_made_is_not_found(seeded: sa.Engine, session: Session) -> None:
    with pytest.raises(NotFound) as missing:
        view_of(session, None, entity_id=999)
    assert str(missing.value) == "There is no round 999 in the record; it may have been deleted."


def test_a_new_record_begins_empty(seeded: sa.Engine, session: Session) -> None:
    view = view_of(session, None, entity_id=None)
    assert (view.root.key, view.root.state, view.root.fields, view.items) == ("rounds:+0", "new", {}, {})


def test_a_new_record_is_the_first_of_its_kind_its_draft_adds(seeded: sa.Engine, session: Session) -> None:
    draft = draft_of(entity_id=None)
    for kind, fields in [
        ("rounds", {"sequence": 4}),
        ("rounds", {"sequence": 5}),
        ("delegations", {"round_id": "rounds:+1", "party_id": 1}),
    ]:
        drafts.put(draft, drafts.Item(drafts.new_key(draft, kind), kind, None, {}, [], "new"), fields, [])
    view = view_of(session, draft, entity_id=None)
    assert view.root.key == "rounds:+1" and view.root.fields == {"sequence": 4}
    assert [(i.key, i.state) for i in view.changed()] == [
        ("rounds:+1", "new"),
        ("rounds:+2", "new"),
        ("delegations:+3", "new"),
    ]


# ------------------------------------------------------------------ a draft laid over it


def test_a_draft_shows_what_it_changes_adds_and_removes(seeded: sa.Engine, session: Session) -> None:
    draft = draft_of()
    before = view_of(session, draft)
    published = before.root.live
    drafts.put(draft, before.root, {**before.root.fields, "summary": "Moved to Ankara."}, [5])
    drafts.remove(draft, before, before.items["outcomes:8"])
    outcome = drafts.Item(drafts.new_key(draft, "outcomes"), "outcomes", None, {}, [], "new")
    drafts.put(draft, outcome, {"round_id": ROUND_2, "title": "A new outcome"}, [3])

    view = view_of(session, draft)
    root = view.root
    assert (root.state, root.fields["summary"], root.sources, root.base) == (
        "changed",
        "Moved to Ankara.",
        [5],
        published,
    )
    assert root.changed_fields() == ["summary", "sources"]
    assert view.items["outcomes:8"].state == "removed" and view.items["outcomes:8"].base is not None
    assert view.items["outcome_parties:14"].state == "published", "it goes with its outcome, unchanged"
    added = view.items["outcomes:+1"]
    assert (added.state, added.id, added.fields, added.sources) == (
        "new",
        None,
        {"round_id": 2, "title": "A new outcome"},
        [3],
    )
    assert [i.key for i in view.changed()] == ["rounds:2", "outcomes:+1", "outcomes:8"]


def test_a_change_to_a_record_outside_the_round_is_shown_as_published_now(seeded: sa.Engine, session: Session) -> None:
    person = drafts.live_item(session, "people", 3)
    assert person is not None
    draft = draft_of()
    drafts.put(draft, person, {**person.fields, "title": "Former Foreign Minister"}, [])
    shown = view_of(session, draft).items["people:3"]
    assert (shown.state, shown.fields["title"], shown.live) == ("changed", "Former Foreign Minister", person.live)


def test_a_change_to_a_record_deleted_since_stays_for_publishing_to_refuse(seeded: sa.Engine, session: Session) -> None:
    draft = draft_of()
    draft.changes = {
        "outcomes:77": {"kind": "outcomes", "id": 77, "base": None, "fields": {"title": "Gone"}, "sources": [1]},
        "outcomes:78": {"kind": "outcomes", "id": 78, "fields": {"title": "Also gone"}, "removed": True},
    }
    view = view_of(session, draft)
    changed, removed = view.items["outcomes:77"], view.items["outcomes:78"]
    assert (changed.id, changed.state, changed.live, changed.fields, changed.sources) == (
        77,
        "changed",
        None,
        {"title": "Gone"},
        [1],
    )
    assert (removed.state, removed.live, removed.fields) == ("removed", None, {"title": "Also gone"})


# ------------------------------------------------------------------ naming an item


@pytest.mark.parametrize(
    ("kind", "fields", "title"),
    [
        (
            "rounds",
            {"sequence": 2, "date": "2025-06-02", "date_precision": "day", "status": "held", "city": "Istanbul"},
            "Round 2 — 2 June 2025 · Istanbul",
        ),
        (
            "rounds",
            {"sequence": 5, "date": "2025-07-01", "date_precision": "month", "status": "planned"},
            "Round 5 — July 2025 (planned)",
        ),
        ("rounds", {"summary": "Not yet numbered"}, "Round 0 — date not set"),
        ("delegations", {"round_id": 2, "party_id": 1}, "Ukraine delegation"),
        ("delegations", {"round_id": 2, "party_id": 999}, "New delegation"),
        ("delegations", {"round_id": 2, "party_id": "parties:+1"}, "New delegation"),
        (
            "positions",
            {"party_id": 2, "topic_id": 1, "summary": "Withdrawal first"},
            "Russia on Ceasefire: Withdrawal first",
        ),
        ("positions", {"party_id": 1, "topic_id": "topics:+1"}, "Ukraine"),
        ("positions", {"summary": "Unattributed"}, ": Unattributed"),
        ("gap_assessments", {"topic_id": 2, "state": "far_apart"}, "Territory: far apart"),
        ("gap_assessments", {"topic_id": "topics:+1", "state": "far_apart"}, "New assessment of the gap"),
        (
            "reported_figures",
            {"measure": "duration_minutes", "as_reported": "under an hour"},
            "Duration minutes: under an hour",
        ),
        ("reported_figures", {"measure": None}, ": "),
        ("outcomes", {"title": "Further talks", "summary": "x"}, "Further talks"),
        ("parties", {"name": "Moldova", "slug": "moldova"}, "Moldova"),
        ("people", {"title": "", "name": "Oleh Novyi"}, "Oleh Novyi"),
        ("outcome_parties", {"outcome_id": 8, "party_id": 1}, "New party concerned"),
        ("sources", {}, "New source"),
    ],
)
def test_an_item_is_named_the_way_an_editor_would(
    seeded: sa.Engine, session: Session, kind: str, fields: dict[str, object], title: str
) -> None:
    assert drafts.title_of(session, drafts.Item(f"{kind}:+1", kind, None, fields, [], "new")) == title
