"""Revisions: every create, update, delete, publish and restore of a record, with a full snapshot.

Nothing here rewrites history: a restore adds a revision that carries an older snapshot. Snapshots
hold the record's own fields (as in the record document) plus the ids of the sources it cites, so a
restore brings the citations back too. A record seeded or imported has no revision until it is first
changed; that change first records the state it was loaded in (``ensure_baseline``), so its first
state can always be seen and restored.
"""

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from app.core.errors import NotFound
from app.editing.kinds import CITED
from app.reading import schemas
from app.reading.topics import word_diff
from app.record.document import KIND_BY_KEY, Kind
from app.record.models import STAMPS, Citation, Revision, RevisionAction, User, as_utc

LOADED = "as first loaded"


def kind_of(entity: str) -> Kind:
    return KIND_BY_KEY[entity]


def cited_sources(session: Session, entity: str, entity_id: int) -> list[int]:
    column = CITED.get(entity)
    if column is None:
        return []
    subject = Citation.__table__.c[column]  # type: ignore[attr-defined]
    rows = session.execute(sa.select(col(Citation.source_id)).where(subject == entity_id).order_by(col(Citation.id)))
    return list(rows.scalars())


def set_citations(session: Session, entity: str, subject_id: int, sources: list[int]) -> None:
    column = CITED.get(entity)
    if column is None:
        return
    subject = Citation.__table__.c[column]  # type: ignore[attr-defined]
    session.execute(sa.delete(Citation).where(subject == subject_id))
    for source_id in dict.fromkeys(sources):
        session.add(Citation.model_validate({"source_id": source_id, column: subject_id}))
    session.flush()


def snapshot(session: Session, entity: str, row: SQLModel) -> dict[str, Any]:
    """The record as it stands: its document fields, JSON-ready, and the sources it cites."""
    record = kind_of(entity).record.model_validate(row, from_attributes=True)
    fields = record.model_dump(mode="json", exclude=set(STAMPS))  # a revision records content, not its times
    return {"fields": fields, "sources": cited_sources(session, entity, fields["id"])}


def record_revision(
    *,
    session: Session,
    entity: str,
    row: SQLModel,
    action: RevisionAction,
    user: User | None,
    summary: str | None = None,
    state: dict[str, Any] | None = None,
) -> Revision:
    """Add a revision in the caller's transaction, so the change and its history commit together."""
    revision = Revision(
        entity=entity,
        entity_id=row.id,  # type: ignore[attr-defined]
        action=action,
        version=row.version,  # type: ignore[attr-defined]
        user_id=user.id if user else None,
        summary=(summary or "").strip() or None,
        snapshot=state if state is not None else snapshot(session, entity, row),
    )
    session.add(revision)
    session.flush()
    return revision


def ensure_baseline(session: Session, entity: str, row: SQLModel) -> None:
    """Before the first change to a record that has no history (seeded, imported), keep its state as it was."""
    row_id = row.id  # type: ignore[attr-defined]
    known = session.execute(
        sa.select(col(Revision.id)).where(col(Revision.entity) == entity, col(Revision.entity_id) == row_id).limit(1)
    ).first()
    if known is not None:
        return
    session.add(
        Revision(
            entity=entity,
            entity_id=row_id,
            action=RevisionAction.create,
            version=row.version,  # type: ignore[attr-defined]
            user_id=None,
            summary=LOADED,
            snapshot=snapshot(session, entity, row),
            created_at=row.created_at,  # type: ignore[attr-defined]
        )
    )
    session.flush()


def revisions(*, session: Session, entity: str, entity_id: int) -> list[schemas.RevisionPublic]:
    """Newest first, with who made each change."""
    rows = session.exec(
        select(Revision, User)
        .outerjoin(User, col(User.id) == Revision.user_id)
        .where(col(Revision.entity) == entity, col(Revision.entity_id) == entity_id)
        .order_by(col(Revision.id).desc())
    ).all()
    return [
        schemas.RevisionPublic(
            id=r.id or 0,
            action=r.action,
            version=r.version,
            editor=user.name if user else "Parley (loaded from a file)",
            summary=r.summary,
            created_at=as_utc(r.created_at),
        )
        for r, user in rows
    ]


def get_revision(*, session: Session, entity: str, entity_id: int, revision_id: int) -> Revision:
    revision = session.get(Revision, revision_id)
    if revision is None or revision.entity != entity or revision.entity_id != entity_id:
        raise NotFound(f"There is no revision {revision_id} of this record.")
    return revision


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def compare_snapshots(older: dict[str, Any], newer: dict[str, Any]) -> list[schemas.FieldChange]:
    """Field by field, the words that changed between two snapshots (unchanged fields left out)."""
    before = {**older.get("fields", {}), "sources": older.get("sources", [])}
    after = {**newer.get("fields", {}), "sources": newer.get("sources", [])}
    changes = []
    for name in sorted((set(before) | set(after)) - {"id"}):
        a, b = _as_text(before.get(name)), _as_text(after.get(name))
        if a != b:
            changes.append(schemas.FieldChange(field=name, before=a, after=b, diff=word_diff(a, b)))
    return changes


def as_loaded(row: SQLModel) -> tuple[dt.datetime, dt.datetime]:
    """When a record no one has changed here was put on the record and last changed, as the file it was
    loaded from says: a record document carries its rows' own times, which may be older than the load."""
    return as_utc(row.created_at), as_utc(row.updated_at)  # type: ignore[attr-defined]


def snapshot_at(session: Session, entity: str, entity_id: int, version: int) -> dict[str, Any] | None:
    """The record as it stood at ``version``, from its history (None when the history does not hold it)."""
    found = session.exec(
        select(Revision)
        .where(
            col(Revision.entity) == entity,
            col(Revision.entity_id) == entity_id,
            col(Revision.version) == version,
            col(Revision.action) != RevisionAction.draft,
        )
        .order_by(col(Revision.id).desc())
    ).first()
    return dict(found.snapshot) if found is not None else None
