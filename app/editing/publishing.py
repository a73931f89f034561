"""Publishing: a draft merged with what others published since, checked, and applied in one transaction.

Merging is three-way, as MediaWiki merges an edit: for each field, the draft's value where only the
draft changed it, the published value where only someone else did, and a conflict only where both
changed it differently. Conflicts are shown with the changed words marked; resolving them records
which version the editor saw, and publishing checks again, so no publish overwrites a newer save unseen.

Every change written here leaves a revision in the same transaction. Restoring a revision and
reverting one field go through ``update_record`` too, with the same version check.
"""

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col

from app.core.errors import NotFound
from app.editing import drafts, history
from app.editing.drafts import DraftView, Item, is_new_key
from app.editing.kinds import spec_of
from app.editing.validation import Problem, publish_problems
from app.reading import schemas
from app.reading.topics import word_diff
from app.record.document import KIND_BY_KEY, KINDS, Kind, references
from app.record.models import STAMPS, Draft, Revision, RevisionAction, SlugRedirect, User, utcnow, with_derived

ORDER = {kind.key: n for n, kind in enumerate(KINDS)}


@dataclass(frozen=True)
class Conflict:
    """One field both this draft and a later publish changed, differently."""

    key: str
    label: str
    field: str
    field_label: str
    base: str
    theirs: str
    yours: str
    theirs_diff: list[schemas.DiffSegment]
    yours_diff: list[schemas.DiffSegment]
    version: int


class Conflicted(Exception):
    def __init__(self, conflicts: list[Conflict]) -> None:
        super().__init__(f"{len(conflicts)} conflicting fields")
        self.conflicts = conflicts


class Refused(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


class MovedOn(Exception):
    """A record changed between reading and writing it: the caller rolls back and merges again."""


@dataclass
class Published:
    kind: str
    id: int
    slug: str | None
    ids: dict[str, int] = field(default_factory=dict)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in sorted(value))
    return str(value)


def _label(item: Item) -> str:
    spec = spec_of(item.kind)
    for name in ("title", "name", "summary", "as_reported", "slug"):
        if item.fields.get(name):
            return f"{spec.noun.capitalize()} “{str(item.fields[name])[:60]}”"
    return spec.noun.capitalize()


def merge(view_: DraftView, resolutions: dict[str, dict[str, Any]] | None = None) -> list[Conflict]:
    """Merge each changed record of the draft with its published state now (in place); the conflicts left.

    ``resolutions``: for a record key, the version seen on the conflict screen and, per field,
    "theirs" or "yours". A resolution for a version that is no longer the published one counts for nothing.
    """
    conflicts: list[Conflict] = []
    for item in view_.changed():
        base_state, live = item.base, item.live
        if item.state != "changed" or base_state is None or live is None:
            continue
        if base_state.get("version") == live.get("version"):
            continue  # nobody has published it anew since the draft began from it
        conflicts += _merge_record(item, base_state, live, (resolutions or {}).get(item.key, {}))
    return conflicts


# A field both sides changed, differently, that no resolution decides.
CONFLICTED = object()


def _merge_record(
    item: Item, base_state: dict[str, Any], live: dict[str, Any], resolution: dict[str, Any]
) -> list[Conflict]:
    """Merge one record field by field; once nothing conflicts, the draft starts from what is published."""
    still_seen = resolution.get("version") == live.get("version")
    chosen = resolution.get("fields", {})
    # Sources merge as one more field, compared as a set.
    our_fields = {**item.fields, "sources": item.sources}
    base_fields = {**base_state["fields"], "sources": base_state.get("sources", [])}
    their_fields = {**live["fields"], "sources": live.get("sources", [])}
    merged = dict(item.fields)
    conflicts = []
    for name, ours in our_fields.items():
        base, theirs = base_fields.get(name), their_fields.get(name)
        if name == "sources":
            base, ours, theirs = sorted(base or []), sorted(ours or []), sorted(theirs or [])
        value = _three_way(base, ours, theirs)
        if value is CONFLICTED and still_seen:
            value = _as_resolved(chosen.get(name), ours, theirs)
        if value is CONFLICTED:
            conflicts.append(_conflict(item, name, base, ours, theirs, live))
        elif name == "sources":
            item.sources = list(value or [])
        else:
            merged[name] = value
    item.fields = merged
    if not conflicts:
        item.base = live
    return conflicts


def _three_way(base: Any, ours: Any, theirs: Any) -> Any:
    """One field merged: the side that changed it, or CONFLICTED where both did, differently."""
    if ours == base:
        return theirs  # only they changed it (or nobody)
    if theirs in (base, ours):
        return ours  # only this draft changed it, or both alike
    return CONFLICTED


def _as_resolved(choice: Any, ours: Any, theirs: Any) -> Any:
    """The side the editor chose on the conflict screen; CONFLICTED while they have chosen neither."""
    if choice == "theirs":
        return theirs
    if choice == "yours":
        return ours
    return CONFLICTED


def _conflict(item: Item, name: str, base: Any, ours: Any, theirs: Any, live: dict[str, Any]) -> Conflict:
    return Conflict(
        key=item.key,
        label=_label(item),
        field=name,
        field_label="Sources" if name == "sources" else spec_of(item.kind).label(name),
        base=_text(base),
        theirs=_text(theirs),
        yours=_text(ours),
        theirs_diff=word_diff(_text(base), _text(theirs)),
        yours_diff=word_diff(_text(base), _text(ours)),
        version=int(live["version"]),
    )


def record_merge(draft: Draft, view_: DraftView) -> None:
    """Keep in the draft what merging decided, so that a conflict resolved stays resolved."""
    changes = dict(draft.changes)
    for item in view_.changed():
        if item.key in changes and item.state == "changed":
            changes[item.key] = {**changes[item.key], "fields": item.fields, "sources": item.sources, "base": item.base}
    drafts._write(draft, changes)


# ---------------------------------------------------------------- applying


def _values(kind: Kind, fields: dict[str, Any], ids: dict[str, int]) -> dict[str, Any]:
    """Draft fields as column values: keys of records the draft added become their new ids."""
    resolved = {k: (ids[v] if is_new_key(v) else v) for k, v in fields.items()}
    record = kind.record.model_validate(
        {**resolved, "id": 0, **({"published": True} if "published" in kind.record.model_fields else {})}
    )
    return record.model_dump(exclude={"id", *STAMPS})  # the database keeps an entry's times


def apply(session: Session, view_: DraftView, editor: User, summary: str | None) -> dict[str, int]:
    """Write every change of the (merged, checked) draft; returns the ids of the records it added."""
    ids: dict[str, int] = {}
    changed = view_.changed()
    for item in sorted((i for i in changed if i.state in ("new", "changed")), key=lambda i: (ORDER[i.kind], i.key)):
        kind = KIND_BY_KEY[item.kind]
        values = _values(kind, item.fields, ids)
        if item.state == "new":
            row = kind.table(**values)
            session.add(row)
            session.flush()
            ids[item.key] = row.id  # type: ignore[attr-defined]
            history.set_citations(session, item.kind, row.id, [s for s in item.sources])  # type: ignore[attr-defined]
            action = RevisionAction.publish if "published" in values else RevisionAction.create
            history.record_revision(
                session=session, entity=item.kind, row=row, action=action, user=editor, summary=summary
            )
        else:
            assert item.id is not None and item.live is not None
            update_record(
                session,
                kind=kind,
                entity_id=item.id,
                values=values,
                sources=item.sources,
                expected_version=int(item.live["version"]),
                editor=editor,
                summary=summary,
            )
    for item in sorted((i for i in changed if i.state == "removed"), key=lambda i: -ORDER[i.kind]):
        assert item.id is not None
        if session.get(KIND_BY_KEY[item.kind].table, item.id) is not None:
            delete_record(session=session, entity=item.kind, entity_id=item.id, editor=editor, summary=summary or "")
    return ids


def update_record(
    session: Session,
    *,
    kind: Kind,
    entity_id: int,
    values: dict[str, Any],
    sources: list[int] | None,
    expected_version: int,
    editor: User,
    summary: str | None,
    action: RevisionAction | None = None,
) -> SQLModel:
    """Change one record from the version its editor saw, keeping a redirect from an old slug; a revision records it."""
    table = kind.sa_table
    current = session.get(kind.table, entity_id)
    if current is None:
        raise NotFound("This record has been deleted since.")
    history.ensure_baseline(session, kind.key, current)
    was_published = bool(getattr(current, "published", True))
    old_slug = getattr(current, "slug", None)
    changed = with_derived(table.name, values) | {"version": table.c.version + 1, "updated_at": utcnow()}
    result = session.execute(
        sa.update(table).where(table.c.id == entity_id, table.c.version == expected_version).values(**changed)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise MovedOn()
    if sources is not None:
        history.set_citations(session, kind.key, entity_id, sources)
    session.expire(current)
    session.refresh(current)
    new_slug = getattr(current, "slug", None)
    if old_slug and new_slug and old_slug != new_slug:
        _keep_address(session, kind.key, old_slug, new_slug, entity_id)
    if action is None:
        action = RevisionAction.publish if not was_published else RevisionAction.update
    history.record_revision(session=session, entity=kind.key, row=current, action=action, user=editor, summary=summary)
    return current


def _keep_address(session: Session, kind: str, old: str, new: str, entity_id: int) -> None:
    """The old slug answers with a 301 to the record from now on; the new one is no longer a redirect."""
    session.execute(
        sa.delete(SlugRedirect).where(col(SlugRedirect.kind) == kind, col(SlugRedirect.old_slug).in_([old, new]))
    )
    session.add(SlugRedirect(kind=kind, old_slug=old, entity_id=entity_id))
    session.flush()


def publish(
    session: Session, *, draft: Draft, editor: User, resolutions: dict[str, dict[str, Any]] | None = None
) -> Published:
    """Merge, check and apply ``draft``, then forget it; nothing is written unless all of it is."""
    spec = spec_of(draft.kind)
    view_ = drafts.view(session, spec=spec, entity_id=draft.entity_id, draft=draft)
    conflicts = merge(view_, resolutions)
    record_merge(draft, view_)
    if conflicts:
        raise Conflicted(conflicts)
    problems = publish_problems(session, view_)
    if problems:
        raise Refused(problems)
    ids = apply(session, view_, editor, draft.summary)
    root_id = draft.entity_id if draft.entity_id is not None else ids.get(view_.root.key)
    assert root_id is not None
    session.delete(draft)
    session.flush()
    root = session.get(spec.kind.table, root_id)
    return Published(spec.key, root_id, getattr(root, "slug", None), ids)


def preview(session: Session, *, draft: Draft, editor: User) -> Published:
    """Apply ``draft`` as publishing would, for the caller to show and then roll back: where others'
    changes conflict with it, the draft's own values are shown."""
    spec = spec_of(draft.kind)
    view_ = drafts.view(session, spec=spec, entity_id=draft.entity_id, draft=draft)
    for item in view_.changed():
        if item.state == "changed" and item.live is None:
            item.state = "published"  # deleted since; nothing to show
    for item in view_.changed():
        if item.live is not None:
            item.base = item.live
    ids = apply(session, view_, editor, None)
    root_id = draft.entity_id if draft.entity_id is not None else ids.get(view_.root.key)
    assert root_id is not None
    root = session.get(spec.kind.table, root_id)
    return Published(spec.key, root_id, getattr(root, "slug", None), ids)


# ---------------------------------------------------------------- deleting, and bringing back


def _dependents(session: Session, kind: Kind, row_id: int) -> dict[str, list[dict[str, Any]]]:
    """Everything that hangs on one row (and would go with it), as record document entries."""
    included: dict[str, set[int]] = {kind.key: {row_id}}
    entries: dict[str, list[dict[str, Any]]] = {}
    for other in KINDS[KINDS.index(kind) :]:
        table = other.sa_table
        if other is kind:
            condition = table.c.id == row_id
        else:
            refs = [(column, target) for column, target in references(table) if included.get(target.key)]
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
    history.ensure_baseline(session, entity, row)
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
        raise Refused([Problem(f"{kind.key}:{deleted.entity_id}", None, "This record has already been restored.")])
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


# ---------------------------------------------------------------- going back to a revision


@dataclass
class Restoration:
    """What restoring a revision (or one field of it) would change, shown before it is done."""

    entity: str
    entity_id: int
    revision_id: int
    field: str | None
    version: int
    values: dict[str, Any]
    sources: list[int]
    changes: list[schemas.FieldChange]


def plan_restore(
    session: Session, *, entity: str, entity_id: int, revision_id: int, field: str | None = None
) -> Restoration:
    """The record as revision ``revision_id`` left it (only ``field`` of it, when given), against the record now."""
    kind = history.kind_of(entity)
    old = history.get_revision(session=session, entity=entity, entity_id=entity_id, revision_id=revision_id)
    row = session.get(kind.table, entity_id)
    if row is None:
        raise NotFound("This record has been deleted; an admin can bring it back from the deleted records.")
    now = history.snapshot(session, entity, row)
    then_fields: dict[str, Any] = dict(old.snapshot.get("fields", {}))
    then_sources: list[int] = list(old.snapshot.get("sources", []))
    if field is not None:
        if field != "sources" and field not in then_fields:
            raise NotFound(f"Revision {revision_id} holds no field called {field!r}.")
        kept = then_fields.get(field)
        then_fields, then_sources = (
            (dict(now["fields"]), then_sources)
            if field == "sources"
            else ({**now["fields"], field: kept}, list(now["sources"]))
        )
    then = {"fields": then_fields, "sources": then_sources}
    values = {k: v for k, v in then_fields.items() if k != "id"}
    return Restoration(
        entity=entity,
        entity_id=entity_id,
        revision_id=revision_id,
        field=field,
        version=int(row.version),  # type: ignore[attr-defined]
        values=values,
        sources=then_sources,
        changes=history.compare_snapshots(now, then),
    )


def carry_out(session: Session, plan: Restoration, *, expected_version: int, editor: User) -> None:
    """Restore as planned, if the record is still the version the editor was shown; else ``MovedOn``."""
    kind = history.kind_of(plan.entity)
    published = {"published": True} if "published" in kind.record.model_fields else {}
    values = kind.record.model_validate({**plan.values, **published, "id": plan.entity_id}).model_dump(
        exclude={"id", *STAMPS}
    )
    what = (
        f"reverted {plan.field.replace('_', ' ')} to revision {plan.revision_id}"
        if plan.field
        else f"restored revision {plan.revision_id}"
    )
    update_record(
        session,
        kind=kind,
        entity_id=plan.entity_id,
        values=values,
        sources=plan.sources
        if history.kind_of(plan.entity).key
        in ("rounds", "delegations", "outcomes", "positions", "events", "reported_figures")
        else None,
        expected_version=expected_version,
        editor=editor,
        summary=what,
        action=RevisionAction.restore,
    )
