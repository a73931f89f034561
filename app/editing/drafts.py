"""Drafts: an editor's unpublished changes to one record and everything that hangs on it.

A draft is kept apart from the record readers see (``Draft.changes``), one change per record keyed
``kind:id`` (``kind:+n`` for a record the draft adds). A change to a published record keeps the
state it started from (``base``: fields, sources and version), which publishing merges with
whatever others have published since (``publishing``). References between records the draft adds
are their keys, resolved to ids when the draft is published.

``view`` shows a record as the draft would leave it: the published state, with the draft's changes
laid over it, every item marked as published, new, changed or removed.
"""

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.core.db import any_of, read
from app.core.errors import NotFound
from app.editing import history, pickers
from app.editing.kinds import CITED, KindSpec, Section, spec_of
from app.reading.rounds import NEARBY
from app.record.document import KIND_BY_KEY, references
from app.record.models import STAMPS, Citation, Draft, User, utcnow

# Fields a draft never carries: the id is the key's, and whatever a draft publishes is published.
# An entry's times are the database's to keep, not an editor's to change.
NOT_IN_DRAFTS = frozenset({"id", "published", *STAMPS})


def key_of(kind: str, entity_id: int) -> str:
    return f"{kind}:{entity_id}"


def is_new_key(value: object) -> bool:
    return isinstance(value, str) and ":+" in value and value.split(":", 1)[0] in KIND_BY_KEY


@functools.cache
def reference_columns(kind: str) -> Mapping[str, str]:
    """Column → the kind it refers to, for ``kind``: worked out once, as a composer asks it of every
    card on the page (about a hundred times)."""
    return MappingProxyType({column: target.key for column, target in references(KIND_BY_KEY[kind].sa_table)})


@dataclass
class Item:
    """One record as a draft shows it."""

    key: str
    kind: str
    id: int | None
    fields: dict[str, Any]
    sources: list[int]
    state: str  # published, new, changed, removed
    live: dict[str, Any] | None = None  # the published state now: fields, sources, version
    base: dict[str, Any] | None = None  # the published state the draft's change started from

    @property
    def moved_on(self) -> bool:
        """Published anew by someone else since this draft began changing it."""
        return bool(self.base and self.live and self.base.get("version") != self.live.get("version"))

    @property
    def spec(self) -> KindSpec:
        return spec_of(self.kind)

    def changed_fields(self) -> list[str]:
        if self.state != "changed" or self.base is None:
            return []
        names = [n for n in self.fields if self.fields.get(n) != self.base["fields"].get(n)]
        if sorted(self.sources) != sorted(self.base.get("sources", [])):
            names.append("sources")
        return names


@dataclass
class DraftView:
    """A record and what hangs on it, as a draft (or, without one, the published record) shows them."""

    spec: KindSpec
    root: Item
    items: dict[str, Item]
    draft: Draft | None = None
    _children: dict[tuple[str, str], list[Item]] = field(default_factory=dict)

    def parent_value(self, section: Section) -> Any:
        """What a section's records point at: the root (its id, or its key while new), or what the root points at."""
        if section.through:
            return self.root.fields.get(section.through)
        return self.root.id if self.root.id is not None else self.root.key

    def section_items(self, section: Section) -> list[Item]:
        value = self.parent_value(section)
        return [
            item
            for item in self.items.values()
            if item.kind == section.kind and item.fields.get(section.parent) == value and value is not None
        ]

    def embedded(self, item: Item) -> list[Item]:
        embedded = item.spec.embedded
        if embedded is None:
            return []
        value = item.id if item.id is not None else item.key
        return [i for i in self.items.values() if i.kind == embedded.kind and i.fields.get(embedded.parent) == value]

    def changed(self) -> list[Item]:
        """Everything the draft changes, parents before what hangs on them."""
        order = {key: n for n, key in enumerate(KIND_BY_KEY)}
        return sorted((i for i in self.items.values() if i.state != "published"), key=lambda i: (order[i.kind], i.key))


# ---------------------------------------------------------------- finding drafts


def own_draft(session: Session, *, kind: str, entity_id: int, author: User) -> Draft | None:
    return session.exec(
        select(Draft).where(
            col(Draft.kind) == kind, col(Draft.entity_id) == entity_id, col(Draft.author_id) == author.id
        )
    ).first()


def others_drafts(session: Session, *, kind: str, entity_id: int, author: User) -> list[tuple[Draft, User]]:
    rows = session.exec(
        select(Draft, User)
        .join(User, col(User.id) == Draft.author_id)
        .where(col(Draft.kind) == kind, col(Draft.entity_id) == entity_id, col(Draft.author_id) != author.id)
        .order_by(col(Draft.updated_at).desc())
    ).all()
    return [(d, u) for d, u in rows if d.changes]


def start(session: Session, *, kind: str, entity_id: int | None, author: User) -> Draft:
    assert author.id is not None
    draft = Draft(kind=kind, entity_id=entity_id, author_id=author.id, changes={})
    session.add(draft)
    session.flush()
    return draft


def copy(session: Session, *, draft: Draft, author: User) -> Draft:
    """Go on from someone else's draft: a draft of one's own with the same changes; theirs stays theirs."""
    assert author.id is not None
    mine = own_draft(session, kind=draft.kind, entity_id=draft.entity_id, author=author) if draft.entity_id else None
    if mine is None:
        mine = Draft(kind=draft.kind, entity_id=draft.entity_id, author_id=author.id)
        session.add(mine)
    mine.changes = dict(draft.changes)
    mine.next_key = draft.next_key
    mine.summary = draft.summary
    mine.updated_at = utcnow()
    session.flush()
    return mine


# ---------------------------------------------------------------- what a draft shows


@functools.cache
def _live_columns(kind: str) -> sa.Select[Any]:
    """The columns a draft shows of one kind, as a select built once: building one per list of a
    composer (ten of them) cost more than running it. Not the times an entry was added and changed:
    a draft never carries them, and making each into UTC to the second was a twelfth of a composer."""
    table = KIND_BY_KEY[kind].sa_table
    fields = [name for name in KIND_BY_KEY[kind].record.model_fields if name not in STAMPS]
    columns = [table.c[name] for name in fields] + [table.c.version]
    return sa.select(*columns).order_by(table.c.id)


# How a composer picks the rows of a kind: by one column's value (``value``), by any of a list of
# values (``values``), or the events near a date (between ``start`` and ``end``, of the negotiation
# ``value`` or of none).
Where = Literal["equals", "any of", "nearby"]


@functools.cache
def _live_where(kind: str, where: Where, column: str) -> sa.Select[Any]:
    """The rows of ``kind`` picked as ``where`` says, a statement built once with its values left
    to bind: a statement built afresh is read afresh for SQLAlchemy's cache, nearly as costly as
    running it."""
    table = KIND_BY_KEY[kind].sa_table
    if where == "equals":
        condition = table.c[column] == sa.bindparam("value")
    elif where == "any of":
        condition = any_of(table.c[column], "values")
    else:
        start, end = sa.bindparam("start", type_=sa.Date), sa.bindparam("end", type_=sa.Date)
        mine = sa.or_(table.c[column] == sa.bindparam("value"), table.c[column].is_(None))
        condition = sa.and_(table.c.date.between(start, end), mine)
    return _live_columns(kind).where(condition)


def _live_rows(session: Session, kind: str, where: Where, column: str, **values: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in read(session, _live_where(kind, where, column), values).mappings()]


@functools.cache
def _citations_of(column: str) -> sa.Select[Any]:
    subject = Citation.__table__.c[column]  # type: ignore[attr-defined]
    return sa.select(subject, col(Citation.source_id)).where(any_of(subject)).order_by(col(Citation.id))


def _cited(session: Session, kind: str, ids: list[int]) -> dict[int, list[int]]:
    column = CITED.get(kind)
    found: dict[int, list[int]] = defaultdict(list)
    if column is None or not ids:
        return found
    for subject_id, source_id in read(session, _citations_of(column), {"ids": ids}):
        found[subject_id].append(source_id)
    return found


def _items(session: Session, kind: str, where: Where, column: str, **values: Any) -> list[Item]:
    rows = _live_rows(session, kind, where, column, **values)
    cited = _cited(session, kind, [r["id"] for r in rows])
    # Pydantic's own validator: SQLModel's model_validate makes the same record by a longer way.
    validate = KIND_BY_KEY[kind].record.__pydantic_validator__.validate_python
    items = []
    for row in rows:
        version = row.pop("version")
        fields = {k: v for k, v in validate(row).model_dump(mode="json").items() if k not in NOT_IN_DRAFTS}
        live = {"fields": fields, "sources": cited[row["id"]], "version": version}
        items.append(
            Item(key_of(kind, row["id"]), kind, row["id"], dict(fields), list(cited[row["id"]]), "published", live)
        )
    return items


def live_item(session: Session, kind: str, entity_id: int) -> Item | None:
    found = _items(session, kind, "equals", "id", value=entity_id)
    return found[0] if found else None


def _scope(session: Session, spec: KindSpec, root: Item) -> Iterator[Item]:
    """Everything that hangs on ``root`` as it is published, for its composer."""
    yield from _embedded_of(session, [root])
    if root.id is None:
        return
    for section in spec.sections:
        if not section.through:
            found = _items(session, section.kind, "equals", section.parent, value=root.id)
        elif section.kind != "events":
            found = _items(session, section.kind, "equals", section.parent, value=root.fields.get(section.through))
        elif (when := root.fields.get("date")) is not None:
            # The events the round's page shows: near it, of its negotiation or of none.
            day, value = dt.date.fromisoformat(when), root.fields.get(section.through)
            start, end = day - NEARBY, day + NEARBY
            found = _items(session, "events", "nearby", section.parent, value=value, start=start, end=end)
        else:
            continue
        yield from found
        yield from _embedded_of(session, found)


def _embedded_of(session: Session, parents: list[Item]) -> Iterator[Item]:
    by_kind: dict[str, list[int]] = defaultdict(list)
    for parent in parents:
        embedded = parent.spec.embedded
        if embedded is not None and parent.id is not None:
            by_kind[parent.kind].append(parent.id)
    for kind, ids in by_kind.items():
        embedded = spec_of(kind).embedded
        assert embedded is not None
        yield from _items(session, embedded.kind, "any of", embedded.parent, values=ids)


def view(session: Session, *, spec: KindSpec, entity_id: int | None, draft: Draft | None) -> DraftView:
    """``spec``'s record (None: a new one) and what hangs on it, with ``draft``'s changes laid over."""
    root = _published_root(session, spec, entity_id)
    items: dict[str, Item] = {}
    if root is not None:
        items[root.key] = root
        items.update((i.key, i) for i in _scope(session, spec, root))
    for key, change in (draft.changes if draft else {}).items():
        _lay_over(session, items, key, change)
    if root is None:
        root = _new_root(spec, items)
    return DraftView(spec=spec, root=root, items=items, draft=draft)


def _published_root(session: Session, spec: KindSpec, entity_id: int | None) -> Item | None:
    if entity_id is None:
        return None
    root = live_item(session, spec.key, entity_id)
    if root is None:
        raise NotFound(f"There is no {spec.noun} {entity_id} in the record; it may have been deleted.")
    return root


def _lay_over(session: Session, items: dict[str, Item], key: str, change: dict[str, Any]) -> None:
    """Show one of the draft's changes: a record it adds, or its change to (or removal of) a published one."""
    item = items.get(key)
    if item is None and change.get("id") is None:
        items[key] = Item(key, change["kind"], None, dict(change["fields"]), list(change.get("sources", [])), "new")
        return
    if item is None:  # a published record outside what hangs on the root
        item = items[key] = _published_or_gone(session, key, change)
    item.base = change.get("base")
    if change.get("removed"):
        item.state = "removed"
    else:
        item.fields, item.sources, item.state = dict(change["fields"]), list(change.get("sources", [])), "changed"


def _published_or_gone(session: Session, key: str, change: dict[str, Any]) -> Item:
    """The record a change is to as published now; deleted since, a stand-in, for publishing to refuse."""
    item = live_item(session, change["kind"], change["id"])
    if item is None:
        item = Item(key, change["kind"], change["id"], dict(change.get("fields", {})), [], "changed")
    return item


def _new_root(spec: KindSpec, items: dict[str, Item]) -> Item:
    """The first record of ``spec``'s kind the draft adds, or (none yet) an empty one."""
    new_roots = [i for i in items.values() if i.kind == spec.key and i.state == "new"]
    return new_roots[0] if new_roots else Item(f"{spec.key}:+0", spec.key, None, {}, [], "new")


# ---------------------------------------------------------------- changing a draft


def new_key(draft: Draft, kind: str) -> str:
    key = f"{kind}:+{draft.next_key}"
    draft.next_key += 1
    return key


def _write(draft: Draft, changes: dict[str, Any]) -> None:
    # Always a new dict: the ORM sees the assignment, so the JSON column is written.
    draft.changes = dict(changes)
    draft.updated_at = utcnow()


def seen(session: Session, item: Item, version: int | None) -> None:
    """Let a published item's change start from the version its editor was shown, not the one now.

    An editor who opened a form before someone else published and then saves it has changed
    nothing of what that other editor published: merging against what they saw keeps it.
    """
    if item.id is None or item.base is not None or item.live is None or version in (None, item.live["version"]):
        return
    assert version is not None
    then = history.snapshot_at(session, item.kind, item.id, version)
    if then is not None:
        fields = {k: v for k, v in then.get("fields", {}).items() if k not in NOT_IN_DRAFTS}
        item.base = {"fields": fields, "sources": list(then.get("sources", [])), "version": version}


def put(draft: Draft, item: Item, fields: dict[str, Any], sources: list[int]) -> None:
    """Make ``item`` read ``fields`` and cite ``sources`` in the draft."""
    fields = {k: v for k, v in fields.items() if k not in NOT_IN_DRAFTS}
    changes = dict(draft.changes)
    if item.id is None:
        changes[item.key] = {"kind": item.kind, "id": None, "fields": fields, "sources": sources}
    else:
        base = item.base or item.live
        assert base is not None
        if fields == base["fields"] and sorted(sources) == sorted(base.get("sources", [])):
            changes.pop(item.key, None)  # back as published: nothing left to publish
        else:
            changes[item.key] = {"kind": item.kind, "id": item.id, "base": base, "fields": fields, "sources": sources}
    item.fields, item.sources = fields, sources
    item.state = "new" if item.id is None else ("changed" if item.key in changes else "published")
    _write(draft, changes)


def remove(draft: Draft, view_: DraftView, item: Item) -> None:
    """Take ``item`` out: a new one is forgotten, a published one marked for deletion, with what hangs on it."""
    changes = dict(draft.changes)
    for gone in [item, *_hanging_on(view_, item)]:
        if gone.id is None:
            changes.pop(gone.key, None)
            view_.items.pop(gone.key, None)
        elif gone is item:
            base = gone.base or gone.live
            changes[gone.key] = {"kind": gone.kind, "id": gone.id, "base": base, "fields": gone.fields, "removed": True}
            gone.state = "removed"
        else:
            changes.pop(gone.key, None)  # deleted with its parent
    _write(draft, changes)


def restore(draft: Draft, item: Item) -> None:
    """Undo the draft's change to ``item``: back to how it is published."""
    changes = dict(draft.changes)
    changes.pop(item.key, None)
    _write(draft, changes)


def _hanging_on(view_: DraftView, item: Item) -> Iterable[Item]:
    value = item.id if item.id is not None else item.key
    for other in list(view_.items.values()):
        if other is item:
            continue
        if any(
            other.fields.get(column) == value
            for column, kind in reference_columns(other.kind).items()
            if kind == item.kind
        ):
            yield other


def _round_title(session: Session, fields: dict[str, Any]) -> str:
    label = pickers.round_label(
        fields.get("sequence") or 0,
        fields.get("date"),
        fields.get("date_precision") or "day",
        fields.get("status") or "held",
    )
    return label + (f" · {fields['city']}" if fields.get("city") else "")


def _delegation_title(session: Session, fields: dict[str, Any]) -> str:
    party = fields.get("party_id")
    name = pickers.labels(session, "parties", {party}).get(party, "New") if isinstance(party, int) else "New"
    return f"{name} delegation"


def _position_title(session: Session, fields: dict[str, Any]) -> str:
    names = [
        pickers.labels(session, kind, {fields[column]}).get(fields[column], "")
        for column, kind in (("party_id", "parties"), ("topic_id", "topics"))
        if isinstance(fields.get(column), int)
    ]
    return " on ".join(n for n in names if n) + (f": {fields['summary']}" if fields.get("summary") else "")


def _assessment_title(session: Session, fields: dict[str, Any]) -> str | None:
    if not isinstance(fields.get("topic_id"), int):  # a topic new in the draft has no name to show yet
        return _own_title(session, fields)
    topic = pickers.labels(session, "topics", {fields["topic_id"]}).get(fields["topic_id"], "")
    return f"{topic}: {str(fields.get('state') or '').replace('_', ' ')}"


def _figure_title(session: Session, fields: dict[str, Any]) -> str:
    return f"{str(fields.get('measure') or '').replace('_', ' ').capitalize()}: {fields.get('as_reported') or ''}"


def _step_title(session: Session, fields: dict[str, Any]) -> str:
    status = str(fields.get("status") or "").replace("_", " ")
    when = f" on {fields['happened_on']}" if fields.get("happened_on") else ""
    return f"Step: {status}{when}".strip()


def _pair_title(session: Session, fields: dict[str, Any]) -> str:
    ids = [fields.get(c) for c in ("clause_id", "paired_id")]
    named = pickers.labels(session, "clauses", {i for i in ids if isinstance(i, int)})
    return " beside ".join(named.get(i, "a clause") if isinstance(i, int) else "a clause" for i in ids)


def _movement_title(session: Session, fields: dict[str, Any]) -> str:
    names = [
        pickers.labels(session, kind, {fields[column]}).get(fields[column], "")
        for column, kind in (("party_id", "parties"), ("topic_id", "topics"))
        if isinstance(fields.get(column), int)
    ]
    move = str(fields.get("move") or "").replace("_", " ")
    return " on ".join(n for n in names if n) + (f": {move}" if move else "")


def _version_title(session: Session, fields: dict[str, Any]) -> str:
    label = f": {fields['label']}" if fields.get("label") else ""
    return f"Version {fields.get('number') or ''}{label}".strip()


def _clause_title(session: Session, fields: dict[str, Any]) -> str | None:
    number = f"{fields['number']}. " if fields.get("number") else ""
    words = fields.get("heading") or " ".join(str(fields.get("text") or "").split()[:8])
    return f"{number}{words}".strip() or None


def _own_title(session: Session, fields: dict[str, Any]) -> str | None:
    for name in ("title", "name", "summary"):
        if fields.get(name):
            return str(fields[name])
    return None


# Records with no title of their own are named by what they are about; None: nothing names it yet.
TITLES: dict[str, Callable[[Session, dict[str, Any]], str | None]] = {
    "rounds": _round_title,
    "delegations": _delegation_title,
    "positions": _position_title,
    "gap_assessments": _assessment_title,
    "reported_figures": _figure_title,
    "document_versions": _version_title,
    "movements": _movement_title,
    "clause_pairs": _pair_title,
    "outcome_steps": _step_title,
    "clauses": _clause_title,
}


def title_of(session: Session, item: Item) -> str:
    """A line that names an item the way an editor would: "Round 2 — 2 June 2025", "Ukraine delegation"."""
    title = TITLES.get(item.kind, _own_title)(session, item.fields) if item.fields else None
    return f"New {item.spec.noun}" if title is None else title
