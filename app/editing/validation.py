"""The rules a record must keep besides its own fields': unique where it must be, consistent with
what it refers to, and — to be published — sourced and complete.

Every rule reports in a sentence an editor can act on, and every rule is checked every time, so a
submit shows all that is wrong at once.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from app.editing.drafts import DraftView, Item, is_new_key, reference_columns, title_of
from app.editing.kinds import KindSpec, spec_of
from app.editing.pickers import labels
from app.record.document import KIND_BY_KEY, unique_keys
from app.record.models import Clause, Document, DocumentVersion, Person, Round, RoundStatus


@dataclass(frozen=True)
class Problem:
    """Something that stops a draft being published: which record, which field, and what to do."""

    key: str
    field: str | None
    message: str


def _taken_message(spec: KindSpec, key: tuple[str, ...], values: dict[str, Any], session: Session) -> str:
    if key == ("slug",):
        return f"Another {spec.noun} already has the address “{values['slug']}”: choose another."
    if key == ("url",):
        return "This address is already in the record: attach that source from the list instead."
    if key == ("negotiation_id", "sequence"):
        return f"Round {values['sequence']} of this negotiation is already on the record."
    if key == ("round_id", "party_id"):
        name = labels(session, "parties", {values["party_id"]}).get(values["party_id"], "this party")
        return f"This round already has a delegation of {name}."
    if key == ("delegation_id", "person_id"):
        return "This person is already in the delegation."
    if key == ("outcome_id", "party_id"):
        return "This party is already among those the outcome concerns."
    if key == ("round_id", "topic_id"):
        return "This round already has an assessment of this topic."
    if key == ("negotiation_id", "party_id", "role"):
        return "This party already has this role in the negotiation."
    shown = ", ".join(spec.label(c).lower() for c in key)
    return f"Another {spec.noun} already has this {shown}."


@dataclass(frozen=True)
class _RestOfDraft:
    """The rest of the draft, as far as one record's unique keys go."""

    siblings: list[Item]  # records of the same kind the draft keeps, which may not share a key with it
    removed: set[int]  # published records the draft deletes: their keys are free
    changed: dict[int, Item]  # published records the draft changes: their keys as the draft leaves them

    @classmethod
    def of(cls, spec: KindSpec, item: Item, others: Iterable[Item]) -> "_RestOfDraft":
        siblings = [o for o in others if o.kind == spec.key and o.key != item.key and o.state != "removed"]
        removed = {o.id for o in others if o.kind == spec.key and o.state == "removed" and o.id is not None}
        return cls(siblings, removed, {o.id: o for o in siblings if o.id is not None})

    def holds(self, key: tuple[str, ...], wanted: tuple[Any, ...]) -> bool:
        return any(tuple(o.fields.get(c) for c in key) == wanted for o in self.siblings)

    def keeps(self, row_id: int, key: tuple[str, ...], wanted: tuple[Any, ...]) -> bool:
        """Whether published record ``row_id`` still has ``wanted`` once the draft is published."""
        if row_id in self.removed:
            return False
        moved = self.changed.get(row_id)
        return moved is None or tuple(moved.fields.get(c) for c in key) == wanted


def _in_record(
    session: Session, table: sa.Table, key: tuple[str, ...], wanted: tuple[Any, ...], *, item: Item, rest: _RestOfDraft
) -> bool:
    """Whether a published record other than ``item`` has ``wanted`` and keeps it."""
    if any(is_new_key(v) for v in wanted):
        return False  # it refers to a record the draft adds, which nothing published can refer to
    query = sa.select(table.c.id).where(*(table.c[c] == v for c, v in zip(key, wanted, strict=True)))
    rows = session.execute(query).scalars().all()
    return any(row_id != item.id and rest.keeps(row_id, key, wanted) for row_id in rows)


def uniqueness(
    session: Session, spec: KindSpec, values: dict[str, Any], *, item: Item, others: Iterable[Item]
) -> dict[str, str]:
    """Unique keys of ``spec``'s table that ``values`` would share with a published record or another in the draft."""
    table = spec.kind.sa_table
    errors: dict[str, str] = {}
    rest = _RestOfDraft.of(spec, item, others)
    for key in unique_keys(table):
        wanted = tuple(values.get(c) for c in key)
        if any(v is None for v in wanted):
            continue
        in_draft = rest.holds(key, wanted)
        in_record = _in_record(session, table, key, wanted, item=item, rest=rest)
        if in_draft or in_record:
            errors.setdefault(key[-1], _taken_message(spec, key, values, session))
    return errors


def kind_rules(session: Session, spec: KindSpec, values: dict[str, Any], view_: DraftView | None) -> dict[str, str]:
    """Rules that span records, which no single field can check."""
    if spec.key == "positions" and isinstance(values.get("round_id"), int):
        found = session.get(Round, values["round_id"])
        if found is not None and values.get("negotiation_id") not in (None, found.negotiation_id):
            return {"round_id": "That round belongs to another negotiation than the one chosen."}
    if spec.key == "clause_pairs":
        return _pair_rules(session, values)
    return {}


def _pair_rules(session: Session, values: dict[str, Any]) -> dict[str, str]:
    """Two clauses set side by side belong to two documents of one negotiation."""
    ids = [values.get("clause_id"), values.get("paired_id")]
    if not all(isinstance(i, int) for i in ids):
        return {}
    if ids[0] == ids[1]:
        return {"paired_id": "A clause cannot be set beside itself: choose a clause of another document."}
    rows = session.execute(
        sa.select(col(Clause.id), col(Document.id), col(Document.negotiation_id))
        .join(DocumentVersion, col(DocumentVersion.id) == Clause.version_id)
        .join(Document, col(Document.id) == DocumentVersion.document_id)
        .where(col(Clause.id).in_(ids))
    ).all()
    found = {clause_id: (document_id, negotiation_id) for clause_id, document_id, negotiation_id in rows}
    if len(found) < 2:
        return {}
    (first_document, first_negotiation), (second_document, second_negotiation) = found[ids[0]], found[ids[1]]
    if first_document == second_document:
        return {"paired_id": "Both clauses are of the same document: choose a clause of another document."}
    if first_negotiation != second_negotiation:
        return {"paired_id": "That clause is of a document of another negotiation."}
    return {}


def member_rules(session: Session, delegation_party: Any, rows: list[dict[str, Any]]) -> dict[str, str]:
    """A delegation's head belongs to its party; nobody is listed twice."""
    errors: dict[str, str] = {}
    seen: set[Any] = set()
    for index, row in enumerate(rows):
        person_id = row.get("person_id")
        if person_id in seen:
            errors[f"row-{index}-person_id"] = "This person is listed twice."
        seen.add(person_id)
        if row.get("is_head") and isinstance(person_id, int) and isinstance(delegation_party, int):
            person = session.get(Person, person_id)
            if person is not None and person.party_id not in (None, delegation_party):
                errors[f"row-{index}-person_id"] = (
                    f"{person.name} belongs to another party; a delegation's head belongs to the delegation's party."
                )
    return errors


# ---------------------------------------------------------------- before publishing


def publish_problems(session: Session, view_: DraftView) -> list[Problem]:
    """What stops the draft being published: claims without a source, a held round without date or
    place, a delegation with nobody in it, and what others published since that the draft now clashes with."""
    problems: list[Problem] = []
    for item in view_.changed():
        if item.state != "removed":
            problems += _item_problems(session, view_, item)
    return problems


def _item_problems(session: Session, view_: DraftView, item: Item) -> list[Problem]:
    """All that is wrong with one record, so that one attempt shows it all; one deleted since can only go."""
    named = _named(session, item)
    if item.id is not None and item.live is None:
        return [Problem(item.key, None, f"{named} was deleted after you began; remove it from your draft.")]
    return [
        *_unsourced(item, named),
        *KIND_PROBLEMS.get(item.kind, _nothing_more)(view_, item, named),
        *_duplicates(session, view_, item),
        *_missing_references(session, item),
    ]


def _named(session: Session, item: Item) -> str:
    """How a message names the item: "Outcome “Further talks”"; a round's title names it a round already."""
    if item.kind == "rounds":
        return title_of(session, item)
    return f"{spec_of(item.kind).noun.capitalize()} “{title_of(session, item)}”"


def _unsourced(item: Item, named: str) -> list[Problem]:
    if spec_of(item.kind).cites and not item.sources:
        return [Problem(item.key, "sources", f"{named} needs a source before it can be published.")]
    return []


def _held_round_incomplete(view_: DraftView, item: Item, named: str) -> list[Problem]:
    """Readers are told when and where a round took place; one planned may not know yet."""
    if item.fields.get("status") != RoundStatus.held.value:
        return []
    problems = []
    if not item.fields.get("date"):
        problems.append(Problem(item.key, "date", "A round that was held needs its date before it can be published."))
    if not (item.fields.get("city") or item.fields.get("venue")):
        problems.append(
            Problem(
                item.key,
                "city",
                "A round that was held needs its place (a city or a venue) before it can be published.",
            )
        )
    return problems


def _empty_delegation(view_: DraftView, item: Item, named: str) -> list[Problem]:
    if [m for m in view_.embedded(item) if m.state != "removed"]:
        return []
    message = f"Name who was in the {named.lower()} (at least its head) before publishing it."
    return [Problem(item.key, "members", message)]


def _nothing_more(view_: DraftView, item: Item, named: str) -> list[Problem]:
    return []


# What a kind needs before publishing besides sources and unique keys.
KIND_PROBLEMS: dict[str, Callable[[DraftView, Item, str], list[Problem]]] = {
    "rounds": _held_round_incomplete,
    "delegations": _empty_delegation,
}


def _duplicates(session: Session, view_: DraftView, item: Item) -> list[Problem]:
    """Unique keys checked again: others may have published the same since the draft was saved."""
    spec = spec_of(item.kind)
    clashes = uniqueness(session, spec, _values(item), item=item, others=view_.items.values())
    return [Problem(item.key, field, message) for field, message in clashes.items()]


def _values(item: Item) -> dict[str, Any]:
    return dict(item.fields)


def _missing_references(session: Session, item: Item) -> list[Problem]:
    """References to records deleted since the draft was made."""
    found = []
    for column, kind in reference_columns(item.kind).items():
        value = item.fields.get(column)
        if isinstance(value, int) and session.get(KIND_BY_KEY[kind].table, value) is None:
            spec = spec_of(item.kind)
            found.append(
                Problem(
                    item.key, column, f"The {spec.label(column).lower()} chosen has been deleted since; choose another."
                )
            )
    return found
