"""The editing services (app/editing/): drafts kept apart from the record, three-way merging,
publishing with its rules, revisions, restoring one field, and addresses that last."""

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.editing import drafts, history, publishing
from app.editing.kinds import spec_of
from app.record import addresses
from app.record.models import (
    Delegation,
    DelegationMember,
    Draft,
    Outcome,
    Revision,
    RevisionAction,
    Role,
    Round,
    SlugRedirect,
    User,
)
from tests.accounts_fixtures import make_user
from tests.factories import publish_change

ROUND_2 = 2  # 2 June 2025, Istanbul


@pytest.fixture
def olena(seeded: sa.Engine, session: Session) -> User:
    return session.merge(make_user(seeded, email="olena@example.org", name="Olena", role=Role.editor))


@pytest.fixture
def taras(seeded: sa.Engine, session: Session) -> User:
    return session.merge(make_user(seeded, email="taras@example.org", name="Taras", role=Role.editor))


def draft_of(session: Session, editor: User, kind: str = "rounds", entity_id: int | None = ROUND_2) -> Draft:
    return drafts.start(session, kind=kind, entity_id=entity_id, author=editor)


def change_root(session: Session, draft: Draft, **fields: object) -> drafts.DraftView:
    view = drafts.view(session, spec=spec_of(draft.kind), entity_id=draft.entity_id, draft=draft)
    drafts.put(draft, view.root, {**view.root.fields, **fields}, view.root.sources)
    session.flush()
    return view


def live_round(session: Session, round_id: int = ROUND_2) -> Round:
    session.expire_all()
    found = session.get(Round, round_id)
    assert found is not None
    return found


# ------------------------------------------------------------------ a draft is kept apart


def test_a_draft_changes_nothing_readers_see_until_published(session: Session, olena: User) -> None:
    before = live_round(session).summary
    draft = draft_of(session, olena)
    change_root(session, draft, summary="Talks moved to Ankara.")
    session.commit()
    assert live_round(session).summary == before
    view = drafts.view(session, spec=spec_of("rounds"), entity_id=ROUND_2, draft=draft)
    assert view.root.state == "changed" and view.root.changed_fields() == ["summary"]

    publishing.publish(session, draft=draft, editor=olena)
    session.commit()
    assert live_round(session).summary == "Talks moved to Ankara."
    assert session.get(Draft, draft.id) is None, "a published draft is gone"


def test_a_new_round_and_what_hangs_on_it_are_published_together(session: Session, olena: User) -> None:
    draft = draft_of(session, olena, entity_id=None)
    view = drafts.view(session, spec=spec_of("rounds"), entity_id=None, draft=draft)
    root = drafts.Item(drafts.new_key(draft, "rounds"), "rounds", None, {}, [], "new")
    fields = {
        "negotiation_id": 1,
        "sequence": 4,
        "slug": "2025-07-23-istanbul",
        "status": "held",
        "date": "2025-07-23",
        "date_precision": "day",
        "city": "Istanbul",
        "summary": "The third round.",
    }
    drafts.put(draft, root, {**_defaults("rounds"), **fields}, [5])
    delegation = drafts.Item(drafts.new_key(draft, "delegations"), "delegations", None, {}, [], "new")
    drafts.put(draft, delegation, {**_defaults("delegations"), "round_id": root.key, "party_id": 1}, [5])
    member = drafts.Item(drafts.new_key(draft, "delegation_members"), "delegation_members", None, {}, [], "new")
    drafts.put(
        draft,
        member,
        {**_defaults("delegation_members"), "delegation_id": delegation.key, "person_id": 1, "is_head": True},
        [],
    )
    session.flush()
    assert session.exec(select(Round).where(col(Round.slug) == "2025-07-23-istanbul")).first() is None
    assert [i.state for i in drafts.view(session, spec=spec_of("rounds"), entity_id=None, draft=draft).changed()] == [
        "new",
        "new",
        "new",
    ]

    published = publishing.publish(session, draft=draft, editor=olena)
    session.commit()
    new_round = session.get(Round, published.id)
    assert new_round is not None and new_round.published and new_round.city == "Istanbul"
    head = session.exec(select(DelegationMember).join(Delegation).where(col(Delegation.round_id) == new_round.id)).one()
    assert head.person_id == 1 and head.is_head
    assert history.cited_sources(session, "delegations", head.delegation_id) == [5]
    actions = {r.entity: r.action for r in session.exec(select(Revision))}
    assert actions == {
        "rounds": RevisionAction.publish,
        "delegations": RevisionAction.create,
        "delegation_members": RevisionAction.create,
    }
    del view


def _defaults(kind: str) -> dict[str, object]:
    record = spec_of(kind).kind.record
    return {
        n: f.default for n, f in record.model_fields.items() if n not in ("id", "published") and not f.is_required()
    }


def test_two_authors_keep_drafts_of_one_round_apart(session: Session, olena: User, taras: User) -> None:
    hers = draft_of(session, olena)
    change_root(session, hers, summary="Olena's summary.")
    his = draft_of(session, taras)
    change_root(session, his, atmosphere="Taras's atmosphere.")
    session.commit()
    assert drafts.own_draft(session, kind="rounds", entity_id=ROUND_2, author=olena) == hers
    others = drafts.others_drafts(session, kind="rounds", entity_id=ROUND_2, author=olena)
    assert [(d.id, u.name) for d, u in others] == [(his.id, "Taras")]


def test_going_on_from_someone_elses_draft_leaves_theirs_in_place(session: Session, olena: User, taras: User) -> None:
    hers = draft_of(session, olena)
    change_root(session, hers, summary="Olena's summary.")
    mine = drafts.copy(session, draft=hers, author=taras)
    session.commit()
    assert mine.id != hers.id and mine.author_id == taras.id
    assert mine.changes == hers.changes
    assert session.get(Draft, hers.id) is not None


def test_removing_in_a_draft_deletes_on_publish(session: Session, olena: User) -> None:
    draft = draft_of(session, olena)
    view = drafts.view(session, spec=spec_of("rounds"), entity_id=ROUND_2, draft=draft)
    outcome = view.items["outcomes:8"]
    drafts.remove(draft, view, outcome)
    session.flush()
    assert session.get(Outcome, 8) is not None
    publishing.publish(session, draft=draft, editor=olena)
    session.commit()
    assert session.get(Outcome, 8) is None
    deleted = session.exec(select(Revision).where(col(Revision.action) == RevisionAction.delete)).one()
    assert deleted.entity == "outcomes" and deleted.snapshot["fields"]["title"] == "Further talks"


# ------------------------------------------------------------------ merging


def test_changes_to_different_fields_merge_by_themselves(session: Session, olena: User, taras: User) -> None:
    draft = draft_of(session, olena)
    change_root(session, draft, atmosphere="Tense, then businesslike.")
    session.commit()
    publish_change(session, taras, "rounds", ROUND_2, delay_minutes=110)
    session.commit()

    publishing.publish(session, draft=draft, editor=olena)
    session.commit()
    merged = live_round(session)
    assert merged.atmosphere == "Tense, then businesslike." and merged.delay_minutes == 110


def test_the_same_field_changed_differently_is_a_conflict_with_the_words_marked(
    session: Session, olena: User, taras: User
) -> None:
    draft = draft_of(session, olena)
    change_root(session, draft, summary="The talks lasted under an hour.", atmosphere="Tense.")
    session.commit()
    publish_change(session, taras, "rounds", ROUND_2, summary="The talks lasted a little over an hour.")
    session.commit()

    with pytest.raises(publishing.Conflicted) as conflicted:
        publishing.publish(session, draft=draft, editor=olena)
    [conflict] = conflicted.value.conflicts
    assert conflict.field == "summary" and conflict.key == "rounds:2"
    assert "under" in " ".join(s.text for s in conflict.yours_diff if s.op == "insert").split()
    assert {s.text for s in conflict.theirs_diff if s.op == "insert"} >= {"little"}
    session.commit()  # what merged stays merged in the draft
    assert live_round(session).summary == "The talks lasted a little over an hour.", "nothing was overwritten"

    keep_mine = {"rounds:2": {"version": conflict.version, "fields": {"summary": "yours"}}}
    publishing.publish(session, draft=draft, editor=olena, resolutions=keep_mine)
    session.commit()
    assert (live_round(session).summary, live_round(session).atmosphere) == (
        "The talks lasted under an hour.",
        "Tense.",
    )


def test_a_resolution_for_a_version_since_replaced_counts_for_nothing(
    session: Session, olena: User, taras: User
) -> None:
    draft = draft_of(session, olena)
    change_root(session, draft, summary="Olena's words.")
    session.commit()
    publish_change(session, taras, "rounds", ROUND_2, summary="Taras's words.")
    session.commit()
    with pytest.raises(publishing.Conflicted) as first:
        publishing.publish(session, draft=draft, editor=olena)
    seen = first.value.conflicts[0].version
    session.commit()
    publish_change(session, taras, "rounds", ROUND_2, summary="Taras's newer words.")  # while Olena was choosing
    session.commit()
    with pytest.raises(publishing.Conflicted) as again:
        publishing.publish(
            session,
            draft=draft,
            editor=olena,
            resolutions={"rounds:2": {"version": seen, "fields": {"summary": "yours"}}},
        )
    assert again.value.conflicts[0].theirs == "Taras's newer words."
    session.rollback()
    assert live_round(session).summary == "Taras's newer words."


# ------------------------------------------------------------------ what publishing needs


def test_claims_without_sources_and_an_incomplete_held_round_are_refused(session: Session, olena: User) -> None:
    draft = draft_of(session, olena)
    view = drafts.view(session, spec=spec_of("rounds"), entity_id=ROUND_2, draft=draft)
    drafts.put(
        draft, view.root, {**view.root.fields, "date": None, "date_precision": "day", "city": None, "venue": None}, []
    )
    outcome = drafts.Item(drafts.new_key(draft, "outcomes"), "outcomes", None, {}, [], "new")
    fields = {
        **_defaults("outcomes"),
        "round_id": ROUND_2,
        "kind": "other",
        "title": "A new outcome",
        "status": "agreed",
    }
    drafts.put(draft, outcome, fields, [])
    delegation = drafts.Item(drafts.new_key(draft, "delegations"), "delegations", None, {}, [], "new")
    drafts.put(draft, delegation, {**_defaults("delegations"), "round_id": ROUND_2, "party_id": 4}, [1])
    session.flush()
    with pytest.raises(publishing.Refused) as refused:
        publishing.publish(session, draft=draft, editor=olena)
    messages = [p.message for p in refused.value.problems]
    assert "A round that was held needs its date before it can be published." in messages
    assert "A round that was held needs its place (a city or a venue) before it can be published." in messages
    assert "Outcome “A new outcome” needs a source before it can be published." in messages
    assert any("Name who was in the delegation" in m for m in messages)
    assert any("needs a source" in m and m.startswith("Round 2") for m in messages)


# ------------------------------------------------------------------ history and addresses


def test_a_seeded_record_keeps_its_first_state_when_first_changed(session: Session, olena: User) -> None:
    assert history.revisions(session=session, entity="rounds", entity_id=ROUND_2) == []
    original = live_round(session).summary
    publish_change(session, olena, "rounds", ROUND_2, summary="Changed.")
    session.commit()
    first, second = reversed(history.revisions(session=session, entity="rounds", entity_id=ROUND_2))
    assert first.summary == history.LOADED and first.editor == "Parley (loaded from a file)"
    baseline = history.get_revision(session=session, entity="rounds", entity_id=ROUND_2, revision_id=first.id)
    assert baseline.snapshot["fields"]["summary"] == original
    assert second.action == RevisionAction.update and second.editor == "Olena"


def test_reverting_one_field_leaves_the_others_as_they_are(session: Session, olena: User, taras: User) -> None:
    original = live_round(session)
    publish_change(session, olena, "rounds", ROUND_2, summary="Olena's summary.")
    session.commit()
    publish_change(session, taras, "rounds", ROUND_2, atmosphere="Taras's atmosphere.")
    session.commit()
    first = history.revisions(session=session, entity="rounds", entity_id=ROUND_2)[-1]
    plan = publishing.plan_restore(session, entity="rounds", entity_id=ROUND_2, revision_id=first.id, field="summary")
    assert [c.field for c in plan.changes] == ["summary"]
    publishing.carry_out(session, plan, expected_version=plan.version, editor=olena)
    session.commit()
    now = live_round(session)
    assert now.summary == original.summary and now.atmosphere == "Taras's atmosphere."
    latest = history.revisions(session=session, entity="rounds", entity_id=ROUND_2)[0]
    assert latest.action == RevisionAction.restore and latest.summary == f"reverted summary to revision {first.id}"


def test_a_restore_confirmed_against_an_older_version_is_refused(session: Session, olena: User, taras: User) -> None:
    publish_change(session, olena, "rounds", ROUND_2, summary="Olena's summary.")
    session.commit()
    first = history.revisions(session=session, entity="rounds", entity_id=ROUND_2)[-1]
    plan = publishing.plan_restore(session, entity="rounds", entity_id=ROUND_2, revision_id=first.id)
    publish_change(session, taras, "rounds", ROUND_2, atmosphere="Changed meanwhile.")
    session.commit()
    with pytest.raises(publishing.MovedOn):
        publishing.carry_out(session, plan, expected_version=plan.version, editor=olena)


def test_a_changed_slug_leaves_its_old_address_behind(session: Session, olena: User) -> None:
    publish_change(session, olena, "rounds", ROUND_2, slug="2025-06-02-istanbul-ciragan")
    session.commit()
    assert addresses.current_slug(session, kind="rounds", old="2025-06-02-istanbul") == "2025-06-02-istanbul-ciragan"
    publish_change(session, olena, "rounds", ROUND_2, slug="2025-06-02-ciragan-palace")
    session.commit()
    # Every old address leads to the current one, and the current one is no redirect.
    assert addresses.current_slug(session, kind="rounds", old="2025-06-02-istanbul") == "2025-06-02-ciragan-palace"
    assert (
        addresses.current_slug(session, kind="rounds", old="2025-06-02-istanbul-ciragan") == "2025-06-02-ciragan-palace"
    )
    assert len(session.exec(select(SlugRedirect)).all()) == 2


def test_an_address_no_record_could_have_had_is_not_looked_up(session: Session) -> None:
    # PostgreSQL refuses text with a NUL byte outright; such a slug simply names nothing.
    for old in ("a\x00b", "a" * 300, "Not A Slug"):
        assert addresses.current_slug(session, kind="rounds", old=old) is None


def test_preview_writes_nothing(session: Session, olena: User) -> None:
    draft = draft_of(session, olena)
    change_root(session, draft, summary="Only a preview.")
    session.commit()
    shown = publishing.preview(session, draft=draft, editor=olena)
    assert live_round(session).summary == "Only a preview." and shown.slug == "2025-06-02-istanbul"
    session.rollback()
    assert live_round(session).summary != "Only a preview."
    assert session.get(Draft, draft.id) is not None
