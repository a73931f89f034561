"""Editing the record: one form per kind of claim, validated field by field, saved with its history.

Saves are optimistic: an update names the version the editor started from in
its WHERE clause, so of two editors who opened the same round, the second to
save finds no row to update and is shown a conflict instead of overwriting the
first. The check lives in the database, so it holds across worker processes.
"""

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlmodel import Session, SQLModel, col, select

from app import document, history
from app.document import KINDS, Kind
from app.errors import NotFound
from app.models import (
    PATTERN_HINTS,
    Citation,
    DatePrecision,
    Negotiation,
    Party,
    Person,
    Revision,
    RevisionAction,
    Round,
    RoundBase,
    RoundRecord,
    RoundStatus,
    Source,
    User,
    utcnow,
    with_derived,
)


class FormInvalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


class EditConflict(Exception):
    """Someone saved the record after this editor opened it."""

    def __init__(self, current: SQLModel, changes: list[Any]) -> None:
        self.current = current
        self.changes = changes
        super().__init__("the record changed since it was opened")


# ---------------------------------------------------------------- the round form


ROUND_TEXT_FIELDS = (
    "negotiation",
    "sequence",
    "slug",
    "status",
    "date",
    "date_precision",
    "date_note",
    "start_time",
    "timezone",
    "city",
    "venue",
    "host",
    "chair",
    "duration_minutes",
    "delay_minutes",
    "summary",
    "atmosphere",
)
# Form fields named after what the editor chooses, and the record fields they fill.
ROUND_FORM_NAMES = {"negotiation_id": "negotiation", "host_party_id": "host", "chair_id": "chair"}
SOURCE_REF = re.compile(r"\[#(\d+)\]\s*$")


def source_ids(items: Iterable[str]) -> list[int]:
    """The sources a form sends: ids of ticked ones, or picker labels ending in "[#id]"; once each."""
    chosen: list[int] = []
    for item in (i.strip() for i in items):
        match = SOURCE_REF.search(item) if not item.isdigit() else None
        number = int(item) if item.isdigit() else int(match.group(1)) if match else None
        if number is not None and number not in chosen:
            chosen.append(number)
    return chosen


@dataclass
class RoundForm:
    """What the editor typed, kept as typed so an invalid form comes back exactly as it was."""

    values: dict[str, str] = field(default_factory=dict)
    sources: list[int] = field(default_factory=list)
    version: int | None = None
    edit_summary: str = ""

    @classmethod
    def from_submission(cls, data: Mapping[str, Any], sources: list[str]) -> "RoundForm":
        values = {name: str(data.get(name, "") or "").strip() for name in ROUND_TEXT_FIELDS}
        version = str(data.get("version", "") or "")
        return cls(
            values=values,
            sources=source_ids(sources),
            version=int(version) if version.isdigit() else None,
            edit_summary=str(data.get("edit_summary", "") or "").strip(),
        )

    @classmethod
    def from_snapshot(cls, session: Session, state: dict[str, Any], *, version: int) -> "RoundForm":
        """The form as a saved draft left it, to go on from the live version."""
        record = RoundRecord.model_validate(state["fields"])
        form = cls.from_round(session, record)
        form.sources, form.version = list(state.get("sources", [])), version
        return form

    @classmethod
    def from_round(cls, session: Session, r: Round | RoundRecord) -> "RoundForm":
        assert r.id is not None
        slugs = {
            "negotiation": session.get(Negotiation, r.negotiation_id),
            "host": session.get(Party, r.host_party_id) if r.host_party_id else None,
            "chair": session.get(Person, r.chair_id) if r.chair_id else None,
        }
        values = {
            "sequence": str(r.sequence),
            "slug": r.slug,
            "status": r.status.value,
            "date": r.date.isoformat() if r.date else "",
            "date_precision": r.date_precision.value,
            "date_note": r.date_note or "",
            "start_time": r.start_time.strftime("%H:%M") if r.start_time else "",
            "timezone": r.timezone or "",
            "city": r.city or "",
            "venue": r.venue or "",
            "duration_minutes": "" if r.duration_minutes is None else str(r.duration_minutes),
            "delay_minutes": "" if r.delay_minutes is None else str(r.delay_minutes),
            "summary": r.summary,
            "atmosphere": r.atmosphere or "",
        } | {name: getattr(row, "slug", "") if row else "" for name, row in slugs.items()}
        version = r.version if isinstance(r, Round) else None
        return cls(values=values, sources=history.cited_sources(session, "rounds", r.id), version=version)


def field_message(error: Any) -> str:
    """A pydantic error as words an editor can act on."""
    kind = error["type"]
    if kind == "string_pattern_mismatch":
        return PATTERN_HINTS.get(error["ctx"]["pattern"], "has the wrong form")
    if kind == "greater_than_equal" and error["ctx"].get("ge") == 0:
        return "must not be negative"
    if kind == "string_too_long":
        return f"is too long: at most {error['ctx']['max_length']} characters"
    if kind == "missing":
        return "is required"
    return str(error["msg"]).removeprefix("Value error, ")


def _slug_ref(session: Session, model: Any, slug: str, noun: str, errors: dict[str, str], name: str) -> int | None:
    if not slug:
        return None
    found = session.execute(sa.select(model.id).where(model.slug == slug)).scalar()
    if found is None:
        errors[name] = f"there is no {noun} {slug!r}; choose one from the list"
    return int(found) if found is not None else None


def check_round(*, session: Session, form: RoundForm, round_id: int | None) -> tuple[dict[str, Any], dict[str, str]]:
    """The record fields the form describes, and an error message per form field that is wrong."""
    v = form.values
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}

    if not v.get("negotiation"):
        errors["negotiation"] = "choose the negotiation this round belongs to"
    values["negotiation_id"] = _slug_ref(
        session, Negotiation, v.get("negotiation", ""), "negotiation", errors, "negotiation"
    )
    values["host_party_id"] = _slug_ref(session, Party, v.get("host", ""), "party", errors, "host")
    values["chair_id"] = _slug_ref(session, Person, v.get("chair", ""), "person", errors, "chair")

    for name, required in (("sequence", True), ("duration_minutes", False), ("delay_minutes", False)):
        text = v.get(name, "")
        if not text:
            if required:
                errors[name] = "is required"
            values[name] = None
        elif re.fullmatch(r"-?\d{1,9}", text):
            values[name] = int(text)
        else:
            errors[name] = "must be a whole number"

    text = v.get("date", "")
    try:
        values["date"] = dt.date.fromisoformat(text) if text else None
    except ValueError:
        errors["date"] = f"{text!r} is not a date that exists (use YYYY-MM-DD)"
        values["date"] = None
    text = v.get("start_time", "")
    try:
        values["start_time"] = dt.time.fromisoformat(text) if text else None
    except ValueError:
        errors["start_time"] = f"{text!r} is not a time (use HH:MM)"
        values["start_time"] = None

    for name in ("slug", "status", "date_precision", "date_note", "timezone", "city", "venue", "summary", "atmosphere"):
        values[name] = v.get(name, "") or (None if name not in ("slug", "status", "summary") else "")
    values["date_precision"] = values["date_precision"] or DatePrecision.day.value
    if not values["status"]:
        errors["status"] = "is required"
        values["status"] = RoundStatus.held.value
    if not values["slug"]:
        errors["slug"] = "is required"

    try:
        RoundBase.model_validate({**values, "negotiation_id": values["negotiation_id"] or 0})
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "date"
            name = ROUND_FORM_NAMES.get(name, name)
            if name not in errors and name in ROUND_TEXT_FIELDS:
                errors[name] = field_message(error)
            elif not error["loc"] and "date" not in errors:
                errors["date"] = field_message(error).removeprefix("date: ")

    others = sa.select(col(Round.id)).where(col(Round.id) != (round_id or 0))
    if (
        values["slug"]
        and "slug" not in errors
        and session.execute(others.where(col(Round.slug) == values["slug"])).first()
    ):
        errors["slug"] = f"{values['slug']!r} is already the address of another round"
    if values["negotiation_id"] and isinstance(values.get("sequence"), int):
        clash = others.where(
            col(Round.negotiation_id) == values["negotiation_id"], col(Round.sequence) == values["sequence"]
        )
        if session.execute(clash).first() and "sequence" not in errors:
            errors["sequence"] = f"round {values['sequence']} of this negotiation already exists"
    if form.sources:
        known = set(session.execute(sa.select(col(Source.id)).where(col(Source.id).in_(form.sources))).scalars())
        missing = [str(s) for s in form.sources if s not in known]
        if missing:
            errors["sources"] = f"no source with id {', '.join(missing)}"
    return values, errors


# ---------------------------------------------------------------- saving


def set_citations(session: Session, column: str, subject_id: int, sources: list[int]) -> None:
    subject = Citation.__table__.c[column]  # type: ignore[attr-defined]
    session.execute(sa.delete(Citation).where(subject == subject_id))
    session.add_all(Citation.model_validate({"source_id": source_id, column: subject_id}) for source_id in sources)
    session.flush()


def store(
    *,
    session: Session,
    kind: Kind,
    values: dict[str, Any],
    sources: list[int],
    editor: User,
    row_id: int | None,
    version: int | None,
    publish: bool,
    summary: str = "",
) -> tuple[SQLModel, Revision]:
    """Create or update any record from checked values, or keep a draft of changes to a published one.

    Every path ends in a revision in the same transaction, so what is acknowledged is in the history.
    """
    publishable = "published" in kind.record.model_fields
    column = history.CITED.get(kind.key)
    if row_id is None:
        row = kind.table(**values, **({"published": publish} if publishable else {}))
        session.add(row)
        session.flush()
        if column:
            set_citations(session, column, row.id, sources)  # type: ignore[attr-defined]
        action = RevisionAction.publish if publishable and publish else RevisionAction.create
        return row, history.record_revision(
            session=session, entity=kind.key, row=row, action=action, user=editor, summary=summary
        )

    current = session.get(kind.table, row_id)
    if current is None:
        raise NotFound("This record no longer exists; it may have been deleted.")
    was_published = bool(getattr(current, "published", True))
    fields = {**values, "id": row_id, **({"published": was_published} if publishable else {})}
    proposed = {"fields": kind.record.model_validate(fields).model_dump(mode="json"), "sources": sources}
    if version != current.version:  # type: ignore[attr-defined]
        raise EditConflict(current, history.compare_snapshots(history.snapshot(session, kind.key, current), proposed))
    if publishable and was_published and not publish:
        # Changes to published material wait as a draft revision; readers keep seeing what was published.
        return current, history.record_revision(
            session=session,
            entity=kind.key,
            row=current,
            action=RevisionAction.draft,
            user=editor,
            summary=summary,
            state=proposed,
        )

    table = kind.sa_table
    changed = with_derived(table.name, values) | {"version": table.c.version + 1, "updated_at": utcnow()}
    if publishable:
        changed["published"] = publish or was_published
    result = session.execute(sa.update(table).where(table.c.id == row_id, table.c.version == version).values(**changed))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        # Another worker saved between our read and our write.
        session.rollback()
        fresh = session.get(kind.table, row_id)
        assert fresh is not None
        raise EditConflict(fresh, history.compare_snapshots(history.snapshot(session, kind.key, fresh), proposed))
    if column:
        set_citations(session, column, row_id, sources)
    session.expire(current)
    session.refresh(current)
    action = RevisionAction.publish if publishable and publish and not was_published else RevisionAction.update
    return current, history.record_revision(
        session=session, entity=kind.key, row=current, action=action, user=editor, summary=summary
    )


def save_round(
    *, session: Session, form: RoundForm, editor: User, round_id: int | None = None, publish: bool
) -> tuple[Round, Revision]:
    """Check the round form, then store it (see ``store``)."""
    values, errors = check_round(session=session, form=form, round_id=round_id)
    if errors:
        raise FormInvalid(errors)
    row, revision = store(
        session=session,
        kind=history.kind_of("rounds"),
        values=values,
        sources=form.sources,
        editor=editor,
        row_id=round_id,
        version=form.version,
        publish=publish,
        summary=form.edit_summary,
    )
    assert isinstance(row, Round)
    return row, revision


def pending_draft(*, session: Session, entity: str, entity_id: int) -> Revision | None:
    """A draft revision newer than any other change: the editor's unpublished changes."""
    latest = session.exec(
        select(Revision)
        .where(col(Revision.entity) == entity, col(Revision.entity_id) == entity_id)
        .order_by(col(Revision.id).desc())
    ).first()
    return latest if latest is not None and latest.action is RevisionAction.draft else None


# ---------------------------------------------------------------- delete and restore


def _dependents(session: Session, kind: Kind, row_id: int) -> dict[str, list[dict[str, Any]]]:
    """Everything that hangs on one row (and would go with it), as record document entries."""
    included: dict[str, set[int]] = {kind.key: {row_id}}
    entries: dict[str, list[dict[str, Any]]] = {}
    start = KINDS.index(kind)
    for other in KINDS[start:]:
        table = other.sa_table
        if other is kind:
            condition = table.c.id == row_id
        else:
            refs = [(column, target) for column, target in document.references(table) if included.get(target.key)]
            if not refs:
                continue
            condition = sa.or_(*(table.c[column].in_(included[target.key]) for column, target in refs))
        columns = [table.c[name] for name in other.record.model_fields]
        rows = [dict(row) for row in session.execute(sa.select(*columns).where(condition)).mappings()]
        if rows:
            entries[other.key] = [other.record.model_validate(row).model_dump(mode="json") for row in rows]
            included[other.key] = {row["id"] for row in rows}
    return entries


def delete_record(*, session: Session, entity: str, entity_id: int, editor: User, summary: str = "") -> Revision:
    """Delete a record and all that hangs on it, keeping all of it in the revision so it can be restored."""
    kind = history.kind_of(entity)
    row = session.get(kind.table, entity_id)
    if row is None:
        raise NotFound("This record no longer exists.")
    state = history.snapshot(session, entity, row) | {"dependents": _dependents(session, kind, entity_id)}
    revision = history.record_revision(
        session=session, entity=entity, row=row, action=RevisionAction.delete, user=editor, summary=summary, state=state
    )
    session.delete(row)
    session.flush()
    return revision


def restore_deleted(*, session: Session, revision_id: int, admin: User) -> Revision:
    """Put a deleted record back, with everything that went with it, under its old ids."""
    deleted = session.get(Revision, revision_id)
    if deleted is None or deleted.action is not RevisionAction.delete:
        raise NotFound("There is no deletion with that number.")
    kind = history.kind_of(deleted.entity)
    if session.get(kind.table, deleted.entity_id) is not None:
        raise FormInvalid({"revision": "this record has already been restored"})
    dependents: dict[str, list[dict[str, Any]]] = deleted.snapshot.get("dependents", {})
    now = utcnow()
    for other in KINDS:
        rows = dependents.get(other.key, [])
        if rows:
            parsed = [other.record.model_validate(r).model_dump() for r in rows]
            session.execute(
                sa.insert(other.sa_table),
                [
                    with_derived(other.sa_table.name, r) | {"version": 1, "created_at": now, "updated_at": now}
                    for r in parsed
                ],
            )
    session.flush()
    row = session.get(kind.table, deleted.entity_id)
    assert row is not None
    return history.record_revision(
        session=session,
        entity=deleted.entity,
        row=row,
        action=RevisionAction.restore,
        user=admin,
        summary=f"restored after deletion (revision {revision_id})",
    )


def restore_revision(
    *, session: Session, entity: str, entity_id: int, revision_id: int, editor: User, expected_version: int
) -> Revision:
    """Make a round look as it did at an earlier revision; that becomes a new revision."""
    old = history.get_revision(session=session, entity=entity, entity_id=entity_id, revision_id=revision_id)
    kind = history.kind_of(entity)
    fields = kind.record.model_validate(old.snapshot["fields"]).model_dump(exclude={"id"})
    table = kind.sa_table
    result = session.execute(
        sa.update(table)
        .where(table.c.id == entity_id, table.c.version == expected_version)
        .values(**with_derived(table.name, fields), version=table.c.version + 1, updated_at=utcnow())
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        current = session.get(kind.table, entity_id)
        if current is None:
            raise NotFound("This record no longer exists.")
        raise EditConflict(current, [])
    column = history.CITED.get(entity)
    if column:
        set_citations(session, column, entity_id, list(old.snapshot.get("sources", [])))
    row = session.get(kind.table, entity_id)
    assert row is not None
    session.refresh(row)
    return history.record_revision(
        session=session,
        entity=entity,
        row=row,
        action=RevisionAction.restore,
        user=editor,
        summary=f"restored revision {revision_id}",
    )
