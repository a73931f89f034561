"""Editing rounds: validation of each rule, drafts, history, restore, delete, and conflicts that lose nothing."""

import threading

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from app import document, history
from app.db import session_scope
from app.editing import (
    EditConflict,
    FormInvalid,
    RoundForm,
    check_round,
    delete_record,
    pending_draft,
    restore_deleted,
    restore_revision,
    save_round,
)
from app.models import Revision, RevisionAction, Role, Round, User
from app.transfer import export_record

ROUND_2 = "2025-06-02-istanbul"


@pytest.fixture
def writer(seeded: sa.Engine) -> User:
    with session_scope(seeded) as session:
        user = User(email="writer@example.org", name="Writer", password_hash="-", role=Role.editor)
        session.add(user)
        session.flush()
        session.expunge(user)
    return user


def new_round_form(**changes: str) -> RoundForm:
    values = {
        "negotiation": "russia-ukraine-istanbul-2025",
        "sequence": "7",
        "slug": "2025-07-23-istanbul",
        "status": "held",
        "date": "2025-07-23",
        "date_precision": "day",
        "city": "Istanbul",
        "venue": "Çırağan Palace",
        "host": "turkey",
        "chair": "hakan-fidan",
        "duration_minutes": "40",
        "summary": "A third round.",
    }
    return RoundForm(values=values | changes, sources=[1])


def errors_for(session: Session, form: RoundForm, round_id: int | None = None) -> dict[str, str]:
    return check_round(session=session, form=form, round_id=round_id)[1]


def test_a_valid_round_form_has_no_errors(seeded: sa.Engine) -> None:
    with Session(seeded) as session:
        values, errors = check_round(session=session, form=new_round_form(), round_id=None)
    assert errors == {}
    assert values["sequence"] == 7 and values["duration_minutes"] == 40


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"negotiation": ""}, "negotiation", "choose the negotiation"),
        ({"sequence": ""}, "sequence", "is required"),
        ({"slug": ""}, "slug", "is required"),
        ({"date": "2025-02-30"}, "date", "is not a date that exists"),
        ({"date": "2025-06-15", "date_precision": "month"}, "date", "known to the month is stored as the 1st"),
        ({"duration_minutes": "-5"}, "duration_minutes", "must not be negative"),
        ({"duration_minutes": "an hour"}, "duration_minutes", "must be a whole number"),
        ({"sequence": "2"}, "sequence", "round 2 of this negotiation already exists"),
        ({"slug": ROUND_2}, "slug", "is already the address of another round"),
        ({"slug": "Round Three!"}, "slug", "lowercase letters, digits and single hyphens"),
        ({"city": "x" * 121}, "city", "at most 120 characters"),
        ({"timezone": "Istanbul"}, "timezone", "not an IANA time zone"),
        ({"host": "atlantis"}, "host", "there is no party 'atlantis'"),
        ({"start_time": "25:00"}, "start_time", "is not a time"),
    ],
)
def test_each_rule_names_its_field(seeded: sa.Engine, changes: dict[str, str], field: str, message: str) -> None:
    with Session(seeded) as session:
        errors = errors_for(session, new_round_form(**changes))
    assert message in errors.get(field, ""), errors


def test_unknown_source_is_refused(seeded: sa.Engine) -> None:
    form = new_round_form()
    form.sources = [9999]
    with Session(seeded) as session:
        assert errors_for(session, form) == {"sources": "no source with id 9999"}


def test_source_chosen_by_its_label_is_understood() -> None:
    form = RoundForm.from_submission({"slug": "x"}, ["TASS — https://tass.com/politics/1966757 [#7]", "3", "3"])
    assert form.sources == [7, 3]


def test_create_draft_then_publish_keeps_every_step(seeded: sa.Engine, writer: User) -> None:
    with session_scope(seeded) as session:
        r, created = save_round(session=session, form=new_round_form(), editor=writer, publish=False)
        round_id = r.id
        assert not r.published and created.action is RevisionAction.create
    with session_scope(seeded) as session:
        form = RoundForm.from_round(session, session.get(Round, round_id))
        form.values["summary"] = "A third round, published."
        r, published = save_round(session=session, form=form, editor=writer, round_id=round_id, publish=True)
        assert r.published and r.version == 2 and published.action is RevisionAction.publish
    with Session(seeded) as session:
        listed = history.revisions(session=session, entity="rounds", entity_id=round_id)
    assert [(rev.action.value, rev.version, rev.editor) for rev in listed] == [
        ("publish", 2, "Writer"),
        ("create", 1, "Writer"),
    ]


def test_changes_to_a_published_round_wait_as_a_draft(seeded: sa.Engine, writer: User) -> None:
    with session_scope(seeded) as session:
        r = session.exec(select(Round).where(Round.slug == ROUND_2)).one()
        form = RoundForm.from_round(session, r)
        form.values["venue"] = "Somewhere else"
        _, draft = save_round(session=session, form=form, editor=writer, round_id=r.id, publish=False)
        round_id, draft_id = r.id, draft.id
    with Session(seeded) as session:
        live = session.get(Round, round_id)
        assert live.venue == "Çırağan Palace" and live.version == 1
        pending = pending_draft(session=session, entity="rounds", entity_id=round_id)
        assert pending is not None and pending.id == draft_id
        assert pending.snapshot["fields"]["venue"] == "Somewhere else"


def test_second_editor_gets_a_conflict_and_the_first_editors_work_stands(seeded: sa.Engine, writer: User) -> None:
    with Session(seeded) as session:
        r = session.exec(select(Round).where(Round.slug == ROUND_2)).one()
        first, second = RoundForm.from_round(session, r), RoundForm.from_round(session, r)
        round_id = r.id
    first.values["venue"] = "First editor's venue"
    second.values["summary"] = "Second editor's summary"
    with session_scope(seeded) as session:
        save_round(session=session, form=first, editor=writer, round_id=round_id, publish=True)
    with pytest.raises(EditConflict) as conflict, session_scope(seeded) as session:
        save_round(session=session, form=second, editor=writer, round_id=round_id, publish=True)
    changed = {change.field for change in conflict.value.changes}
    assert {"venue", "summary"} <= changed  # theirs differs from the current version in both
    with Session(seeded) as session:
        live = session.get(Round, round_id)
        assert live.venue == "First editor's venue" and live.version == 2


def test_concurrent_writers_lose_no_acknowledged_save(seeded: sa.Engine, writer: User) -> None:
    """Many editors save the same round at once: exactly one wins each version, and every win is in history."""
    with Session(seeded) as session:
        round_id = session.exec(select(Round.id).where(Round.slug == ROUND_2)).one()
    acknowledged: list[str] = []
    conflicts: list[str] = []
    barrier = threading.Barrier(6)

    def edit(n: int) -> None:
        with Session(seeded) as session:
            form = RoundForm.from_round(session, session.get(Round, round_id))
        form.values["summary"] = f"Summary by writer {n}"
        barrier.wait()
        try:
            with session_scope(seeded) as session:
                save_round(session=session, form=form, editor=writer, round_id=round_id, publish=True)
            acknowledged.append(form.values["summary"])
        except EditConflict:
            conflicts.append(form.values["summary"])
        except sa.exc.OperationalError:  # SQLite: "database is locked" past the busy timeout
            conflicts.append(form.values["summary"])

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(acknowledged) == 1 and len(conflicts) == 5
    with Session(seeded) as session:
        live = session.get(Round, round_id)
        assert live.summary == acknowledged[0] and live.version == 2
        kept = session.exec(select(Revision).where(Revision.entity == "rounds", Revision.entity_id == round_id)).all()
        assert [r.snapshot["fields"]["summary"] for r in kept] == acknowledged


def test_restoring_an_earlier_revision_adds_a_new_one(seeded: sa.Engine, writer: User) -> None:
    with session_scope(seeded) as session:
        r, created = save_round(session=session, form=new_round_form(), editor=writer, publish=True)
        round_id, first = r.id, created.id
    with session_scope(seeded) as session:
        form = RoundForm.from_round(session, session.get(Round, round_id))
        form.values["venue"] = "Changed venue"
        form.sources = [2, 3]
        save_round(session=session, form=form, editor=writer, round_id=round_id, publish=True)
    with session_scope(seeded) as session:
        restore_revision(
            session=session, entity="rounds", entity_id=round_id, revision_id=first, editor=writer, expected_version=2
        )
    with Session(seeded) as session:
        live = session.get(Round, round_id)
        assert live.venue == "Çırağan Palace" and live.version == 3
        assert history.cited_sources(session, "rounds", round_id) == [1]
        actions = [rev.action.value for rev in history.revisions(session=session, entity="rounds", entity_id=round_id)]
    assert actions == ["restore", "update", "publish"]


def test_a_deleted_round_comes_back_whole(seeded: sa.Engine, writer: User) -> None:
    def exported() -> str:
        with Session(seeded) as session:
            return document.dump(export_record(session=session))

    before = exported()
    with session_scope(seeded) as session:
        round_id = session.exec(select(Round.id).where(Round.slug == ROUND_2)).one()
        deletion_id = delete_record(session=session, entity="rounds", entity_id=round_id, editor=writer).id
    assert ROUND_2 not in exported()
    with session_scope(seeded) as session:
        restore_deleted(session=session, revision_id=deletion_id, admin=writer)
    assert exported() == before
    with pytest.raises(FormInvalid), session_scope(seeded) as session:
        restore_deleted(session=session, revision_id=deletion_id, admin=writer)
