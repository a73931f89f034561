"""Forms for every other kind of record, made from the record models themselves.

A field's input follows its type (text, long text, number, date, time, a choice
for an enum or a reference to another record, a tick box); validation is the
model's own plus the table's unique keys and the rules that span records.
Saving goes through the same history, draft and conflict rules as rounds.
"""

import datetime as dt
import enum
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlmodel import Session, SQLModel

from app import document, history
from app.document import Kind
from app.editing import FormInvalid, field_message, store
from app.errors import NotFound
from app.models import Delegation, Person, Revision, User

# Kinds an editor edits on their own pages (rounds have their own form).
EDITABLE = (
    "negotiations",
    "negotiation_parties",
    "parties",
    "people",
    "topics",
    "sources",
    "events",
    "outcomes",
    "outcome_parties",
    "positions",
    "delegations",
    "delegation_members",
    "reported_figures",
    "gap_assessments",
)
# Claims that may not be published without a source.
NEEDS_SOURCE = {"outcomes": "an outcome", "positions": "a position"}
LABEL_COLUMNS = ("name", "title", "summary", "publisher", "slug")
# Rows without a label of their own are named after whom they concern.
LABEL_REFERENCES = (("person_id", "people", "name"), ("party_id", "parties", "name"))


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    widget: str  # text, textarea, number, date, time, select, checkbox
    required: bool
    hint: str = ""
    options: tuple[tuple[str, str], ...] = ()
    reference: str | None = None


@dataclass
class RecordForm:
    kind: str
    values: dict[str, str] = field(default_factory=dict)
    sources: list[int] = field(default_factory=list)
    version: int | None = None
    edit_summary: str = ""


def editable_kind(key: str) -> Kind:
    if key not in EDITABLE:
        raise NotFound(f"There is no kind of record called {key!r} to edit.")
    return history.kind_of(key)


def _plain(annotation: Any) -> Any:
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return next(a for a in typing.get_args(annotation) if a is not type(None))
    return annotation


def _label_of(row: Any) -> str:
    for name in LABEL_COLUMNS:
        if row.get(name):
            return str(row[name])[:120]
    return f"#{row['id']}"


def field_specs(session: Session, kind: Kind) -> list[FieldSpec]:
    table = kind.sa_table
    references = dict(document.references(table))
    specs = []
    for name, info in kind.record.model_fields.items():
        if name in ("id", "published"):
            continue
        annotation = _plain(info.annotation)
        label = name.removesuffix("_id").replace("_", " ").capitalize()
        hint = info.description or ""
        required = info.is_required()
        if name in references:
            target = references[name]
            rows = session.execute(sa.select(*_label_columns(target)).order_by(target.sa_table.c.id))
            options = tuple((str(r["id"]), _label_of(r)) for r in rows.mappings())
            specs.append(FieldSpec(name, label, "select", required, hint, options, target.key))
        elif isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            options = tuple((m.value, m.value.replace("_", " ")) for m in annotation)
            specs.append(FieldSpec(name, label, "select", required, hint, options))
        elif annotation is bool:
            specs.append(FieldSpec(name, label, "checkbox", False, hint))
        elif annotation is int:
            specs.append(FieldSpec(name, label, "number", required, hint))
        elif annotation is dt.date:
            specs.append(FieldSpec(name, label, "date", required, hint))
        elif annotation is dt.time:
            specs.append(FieldSpec(name, label, "time", required, hint))
        else:
            long_text = isinstance(table.c[name].type, sa.Text)
            specs.append(FieldSpec(name, label, "textarea" if long_text else "text", required, hint))
    return specs


def form_from_submission(kind: Kind, data: Mapping[str, Any], sources: list[int]) -> RecordForm:
    names = [n for n in kind.record.model_fields if n not in ("id", "published")]
    version = str(data.get("version", "") or "")
    return RecordForm(
        kind=kind.key,
        values={n: str(data.get(n, "") or "").strip() for n in names},
        sources=sources,
        version=int(version) if version.isdigit() else None,
        edit_summary=str(data.get("edit_summary", "") or "").strip(),
    )


def form_from_row(session: Session, kind: Kind, row: SQLModel) -> RecordForm:
    record = kind.record.model_validate(row, from_attributes=True).model_dump(mode="json")
    values = {
        name: ("true" if value is True else "" if value in (None, False) else str(value))
        for name, value in record.items()
        if name not in ("id", "published")
    }
    return RecordForm(
        kind=kind.key,
        values=values,
        sources=history.cited_sources(session, kind.key, record["id"]),
        version=row.version,  # type: ignore[attr-defined]
    )


def check(
    *, session: Session, kind: Kind, form: RecordForm, row_id: int | None, publish: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    specs = {spec.name: spec for spec in field_specs(session, kind)}
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    fields = kind.record.model_fields
    for name, spec in specs.items():
        text = form.values.get(name, "")
        if spec.widget == "checkbox":
            values[name] = text in ("true", "on", "1")
        elif text == "":
            # An empty box means the field's default ("" for plain text, nothing for the rest).
            values[name] = "" if spec.required and spec.widget in ("text", "textarea") else fields[name].default
            if spec.required and spec.widget not in ("text", "textarea"):
                errors[name] = "is required"
        else:
            values[name] = text
    publishing = {"published": publish} if "published" in fields else {}
    try:
        kind.record.model_validate({**values, "id": row_id or 0, **publishing})
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else next(iter(specs))
            errors.setdefault(name if name in specs else next(iter(specs)), field_message(error))
    table = kind.sa_table
    parsed = {}
    if not errors:
        record = kind.record.model_validate({**values, "id": row_id or 0, **publishing})
        parsed = record.model_dump(exclude={"id", "published"})
        for key in document.unique_keys(table):
            if any(parsed.get(c) is None for c in key):
                continue
            clash = sa.select(table.c.id).where(*(table.c[c] == parsed[c] for c in key), table.c.id != (row_id or 0))
            if session.execute(clash).first():
                shown = ", ".join(specs[c].label.lower() for c in key if c in specs)
                errors[key[-1]] = f"another {document_label(kind)} already has this {shown}"
        errors |= _cross_record_problems(session, kind.key, parsed)
    if publish and kind.key in NEEDS_SOURCE and not form.sources:
        errors["sources"] = (
            f"{NEEDS_SOURCE[kind.key]} cannot be published without a source; attach one, or save a draft"
        )
    return parsed, errors


def document_label(kind: Kind) -> str:
    return kind.key.removesuffix("s").replace("_", " ") if kind.key != "people" else "person"


def _cross_record_problems(session: Session, key: str, values: dict[str, Any]) -> dict[str, str]:
    if key == "delegation_members" and values.get("is_head"):
        delegation = session.get(Delegation, values["delegation_id"])
        person = session.get(Person, values["person_id"])
        if delegation and person and person.party_id != delegation.party_id:
            return {"person_id": "a delegation's head must belong to the delegation's party"}
    return {}


def save(
    *, session: Session, kind: Kind, form: RecordForm, editor: User, row_id: int | None, publish: bool
) -> tuple[SQLModel, Revision]:
    """Check the form, then store it with the same history, draft and conflict rules as rounds."""
    values, errors = check(session=session, kind=kind, form=form, row_id=row_id, publish=publish)
    if errors:
        raise FormInvalid(errors)
    return store(
        session=session,
        kind=kind,
        values=values,
        sources=form.sources,
        editor=editor,
        row_id=row_id,
        version=form.version,
        publish=publish,
        summary=form.edit_summary,
    )


def _label_columns(kind: Kind) -> list[Any]:
    """Columns that name a row of ``kind``: its own, else the person's or party's name it refers to."""
    table = kind.sa_table
    own = [table.c[c] for c in LABEL_COLUMNS if c in table.c]
    if own:
        return [*own, table.c.id]
    for column, target, name in LABEL_REFERENCES:
        if column in table.c:
            referred = history.kind_of(target).sa_table
            label = sa.select(referred.c[name]).where(referred.c.id == table.c[column]).scalar_subquery()
            return [label.label("name"), table.c.id]
    return [table.c.id]


def row_label(session: Session, kind: Kind, row_id: int) -> str:
    table = kind.sa_table
    found = session.execute(sa.select(*_label_columns(kind)).where(table.c.id == row_id)).mappings().first()
    if found is None:
        raise NotFound(f"There is no {document_label(kind)} {row_id} in the record.")
    return _label_of(found)


def in_round(session: Session, kind: Kind, round_id: int) -> list[tuple[int, str]]:
    """Records of ``kind`` that hang directly on a round, for the round's edit page."""
    table = kind.sa_table
    if "round_id" not in table.c:
        return []
    rows = session.execute(sa.select(*_label_columns(kind)).where(table.c.round_id == round_id).order_by(table.c.id))
    return [(int(r["id"]), _label_of(r)) for r in rows.mappings()]
