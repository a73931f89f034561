"""One record's form, as sent and as shown again: what was typed, what it means, what is wrong.

An item form carries the record's own fields, the sources it cites (picked, typed, or described as
new), and the records entered inside it (a delegation's members, the parties an outcome concerns).
Reading it resolves names to records and checks every rule, keeping everything as typed; only when
nothing is wrong are the people, parties, topics or source it names as new added to the record.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, SQLModel

from app.editing import history, pickers
from app.editing.drafts import DraftView, Item, is_new_key
from app.editing.fields import FieldSpec, field_specs, message, model_errors, parse, shown
from app.editing.kinds import KindSpec, spec_of
from app.editing.validation import kind_rules, member_rules, uniqueness
from app.record.models import RevisionAction, Source, SourceBase, User

NEW_SOURCE_FIELDS = ("title", "publisher", "citing", "via", "url", "published_on", "language", "standpoint")
ROW = re.compile(r"^row-(\d{1,3})-(\w+)$")
SPARE_ROWS = 1  # empty rows offered for another member, party or role


@dataclass
class ItemForm:
    spec: KindSpec
    typed: dict[str, str] = field(default_factory=dict)
    sources: list[int] = field(default_factory=list)
    source_text: str = ""
    new_source: dict[str, str] = field(default_factory=dict)
    rows: list[dict[str, str]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    row_values: list[dict[str, Any]] = field(default_factory=list)
    # Names typed that are to be added as new records: (where, kind, name), where is a field or "row-i-field".
    to_create: list[tuple[str, str, str]] = field(default_factory=list)
    # Fields whose name is in nothing in the record, offered to be added as new.
    addable: set[str] = field(default_factory=set)
    new_source_values: dict[str, Any] | None = None
    spare_rows: int = SPARE_ROWS
    # A record edited on its own shows every field; inside a composer, what the composer fills in is hidden.
    show_fixed: bool = False
    # The version of the published record the form was shown from: what a change starts from.
    seen_version: int | None = None

    @property
    def new_source_open(self) -> bool:
        """Whether the "describe a new source" part shows: something was typed there, or is wrong there."""
        return any(self.new_source.values()) or any(k.startswith("new_source_") for k in self.errors)

    @property
    def visible(self) -> tuple[FieldSpec, ...]:
        return field_specs(self.spec, with_fixed=self.show_fixed)


def _embedded_fields(spec: KindSpec) -> tuple[FieldSpec, ...]:
    assert spec.embedded is not None
    child = spec_of(spec.embedded.kind)
    return tuple(f for f in field_specs(child) if f.name in spec.embedded.fields)


# ---------------------------------------------------------------- a form showing a record


def shown_form(session: Session, view_: DraftView, item: Item, *, show_fixed: bool = False) -> ItemForm:
    """The form for ``item`` as it stands in the draft."""
    form = ItemForm(spec=item.spec, sources=list(item.sources), show_fixed=show_fixed)
    if item.live is not None:
        form.seen_version = int(item.live["version"])
    form.typed = _shown_fields(session, form.visible, item)
    if item.spec.embedded is not None:
        form.rows = _shown_rows(session, view_, item)
    return form


def _shown_fields(session: Session, visible: tuple[FieldSpec, ...], item: Item) -> dict[str, str]:
    # A record with nothing in it yet is a new one: its boxes start from their defaults.
    fresh = not item.fields
    typed: dict[str, str] = {}
    for f in visible:
        value = item.fields.get(f.name)
        typed[f.name] = shown(f, f.default if value is None and fresh else value)
    for f in visible:
        value = item.fields.get(f.name)
        if f.widget == "pick" and f.reference and isinstance(value, int):
            _show_picked(session, f, value, typed)
    return typed


def _shown_rows(session: Session, view_: DraftView, item: Item) -> list[dict[str, str]]:
    """A row for each record entered inside ``item``: a delegation's head first, as its card lists them."""
    children = [c for c in view_.embedded(item) if c.state != "removed"]
    children.sort(key=lambda c: (not c.fields.get("is_head"), c.key))
    fields = _embedded_fields(item.spec)
    return [_shown_row(session, fields, child) for child in children]


def _shown_row(session: Session, fields: tuple[FieldSpec, ...], child: Item) -> dict[str, str]:
    row: dict[str, str] = {}
    for f in fields:
        value = child.fields.get(f.name)
        row[f.name] = shown(f, value)
        if f.widget == "pick" and isinstance(value, int):
            _show_picked(session, f, value, row)
    return row


def _show_picked(session: Session, f: FieldSpec, value: int, typed: dict[str, str]) -> None:
    """A picked record shows by its name, with its id beside it: sent back as it was, it is not looked up again."""
    typed[f.name] = pickers.labels(session, f.reference or "", {value}).get(value, "")
    typed[f"{f.name}__id"] = str(value)


# ---------------------------------------------------------------- a form as sent


def read(data: Mapping[str, Any], spec: KindSpec, sources: list[str], *, show_fixed: bool = False) -> ItemForm:
    """What an item form sent, kept exactly as typed."""
    form = ItemForm(spec=spec, show_fixed=show_fixed)
    form.typed = _typed_fields(data, form.visible)
    version = _sent(data, "version")
    form.seen_version = int(version) if version.isdigit() else None
    form.sources = list(dict.fromkeys(int(s) for s in sources if s.isdigit()))
    form.source_text = _sent(data, "source_pick").strip()
    form.typed["source_pick__id"] = _sent(data, "source_pick__id")
    form.new_source = {name: _sent(data, f"new_source_{name}").strip() for name in NEW_SOURCE_FIELDS}
    if spec.embedded is not None:
        form.rows = _rows_named(_rows_sent(data), spec.embedded.identity[0])
    return form


def _sent(data: Mapping[str, Any], name: str) -> str:
    return str(data.get(name, "") or "")


def _typed_fields(data: Mapping[str, Any], visible: tuple[FieldSpec, ...]) -> dict[str, str]:
    """Each field as typed; a pick also sends the id chosen from its list, and whether to add the name as new."""
    typed: dict[str, str] = {}
    for f in visible:
        typed[f.name] = _sent(data, f.name)
        if f.widget == "pick":
            typed[f"{f.name}__id"] = _sent(data, f"{f.name}__id")
            typed[f"{f.name}__new"] = _sent(data, f"{f.name}__new")
    return typed


def _rows_sent(data: Mapping[str, Any]) -> dict[int, dict[str, str]]:
    """The rows of records entered inside this one, by number: ``row-2-person_id`` is row 2's person."""
    rows: dict[int, dict[str, str]] = {}
    for name in data:
        match = ROW.match(str(name))
        if match:
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = _sent(data, name)
    return rows


def _rows_named(rows: dict[int, dict[str, str]], first: str) -> list[dict[str, str]]:
    """The rows sent, in order, that are rows at all.

    A row is there when what identifies it is (its person, its party): a role left as it was is no row.
    """
    for row in rows.values():
        if row.get(first, "").isdigit() and not row.get(f"{first}__id"):  # a ticked box sends an id
            row[f"{first}__id"], row[first] = row[first], ""
    return [rows[i] for i in sorted(rows) if rows[i].get(first, "").strip() or rows[i].get(f"{first}__id")]


def check(session: Session, form: ItemForm, *, view_: DraftView, item: Item, fixed: dict[str, Any]) -> None:
    """Resolve and check everything the form says; ``form.errors`` lists all that is wrong."""
    spec = form.spec
    values: dict[str, Any] = dict(fixed)
    for f in form.visible:
        values[f.name] = _value(session, form, f, form.typed.get(f.name, ""), f.name)
    _fill_slug(session, spec, values, view_, item)
    _keep_first(form, _unmade_address(form, values, model_errors(spec, _with_placeholders(values))))
    _suggest_colour(session, form, values)
    # Every rule, every time: a submit shows all that is wrong at once.
    _keep_first(form, uniqueness(session, spec, values, item=item, others=view_.items.values()))
    _keep_first(form, kind_rules(session, spec, values, view_))
    form.values = values
    if spec.cites:
        _check_sources(session, form)
    if spec.embedded is not None:
        _check_rows(session, form, values)


def _value(session: Session, form: ItemForm, f: FieldSpec, text: str, where: str) -> Any:
    """What ``text`` in ``f`` stands for; what is wrong with it is noted under ``where`` (a field or a row's)."""
    if f.widget == "pick" and f.reference:
        return _pick(session, form, f, text, where)
    value, error = parse(f, text)
    if error:
        form.errors[where] = error
    return value


def _keep_first(form: ItemForm, errors: dict[str, str]) -> None:
    # A field shows one error, the first found: what is wrong with it as typed says more than a rule over the record.
    for name, error in errors.items():
        form.errors.setdefault(name, error)


def _with_placeholders(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` as the model can check them: a record the draft or the form adds has no id yet, so 0 stands in."""
    return {k: (0 if is_new_key(v) or v == _PENDING else v) for k, v in values.items()}


def _suggest_colour(session: Session, form: ItemForm, values: dict[str, Any]) -> None:
    """A party's colour that does not read on light and dark pages comes back with one that does."""
    if form.spec.key == "parties" and "colour" in form.errors and values.get("colour"):
        form.errors["colour"] += (
            f" Try {pickers.suggest_colour(session, avoid=str(values['colour']))}, which reads on both."
        )


_PENDING = "__pending__"  # a record named in the form, to be added once the form is found valid


def _pick(session: Session, form: ItemForm, f: FieldSpec, text: str, where: str) -> Any:
    typed = form.typed if not where.startswith("row-") else {}
    chosen = typed.get(f"{f.name}__id", "") if typed else ""
    add_new = bool(typed.get(f"{f.name}__new")) if typed else False
    if where.startswith("row-"):
        index = int(where.split("-")[1])
        row = form.rows[index]
        chosen, add_new = row.get(f"{f.name}__id", ""), bool(row.get(f"{f.name}__new"))
    resolved = pickers.resolve(session, f.reference or "", text, chosen=chosen, add_new=add_new)
    if resolved.error:
        form.errors[where] = resolved.error
        if resolved.addable:
            form.addable.add(where)
        return None
    if resolved.create:
        form.to_create.append((where, f.reference or "", resolved.create))
        return _PENDING
    if resolved.id is None and f.required:
        form.errors[where] = f"Choose {'an' if f.label[:1].lower() in 'aeiou' else 'a'} {f.label.lower()}."
    return resolved.id


def _fill_slug(session: Session, spec: KindSpec, values: dict[str, Any], view_: DraftView, item: Item) -> None:
    """An address left empty is made from the fields it is made from (date and city, a name, a title)."""
    if not spec.slug_from or values.get("slug"):
        return
    parts = [str(values.get(name) or "") for name in spec.slug_from]
    if not any(parts):
        return
    taken = {str(i.fields.get("slug")) for i in view_.items.values() if i.kind == spec.key and i.key != item.key}
    values["slug"] = pickers.free_slug(session, spec.kind.sa_table, " ".join(parts), taken=taken, own_id=item.id)


def _unmade_address(form: ItemForm, values: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
    """An address left empty with nothing to make it from is asked for where it would come from (a
    round's date or city): "enter the address" would send the editor to the one box they may leave
    empty. Said nowhere when one of those fields is wrong already: putting that right makes it."""
    spec = form.spec
    if not spec.slug_from or values.get("slug") or "slug" not in errors:
        return errors
    errors = {name: error for name, error in errors.items() if name != "slug"}
    if not any(name in form.errors or name in errors for name in spec.slug_from):
        names = " or the ".join(spec.label(name).lower() for name in spec.slug_from)
        made_from = "them" if len(spec.slug_from) > 1 else "it"
        errors[spec.slug_from[0]] = f"Enter the {names}: the address is made from {made_from}."
    return errors


def _check_sources(session: Session, form: ItemForm) -> None:
    if form.source_text:
        resolved = pickers.resolve(session, "sources", form.source_text, chosen=form.typed.get("source_pick__id", ""))
        if resolved.error:
            form.errors["sources"] = resolved.error
        elif resolved.id is not None and resolved.id not in form.sources:
            form.sources.append(resolved.id)
            form.source_text = ""
    known = set(pickers.labels(session, "sources", set(form.sources)))
    missing = [str(s) for s in form.sources if s not in known]
    if missing:
        form.errors["sources"] = "A source chosen is no longer in the record; choose it again."
    if any(form.new_source.values()):
        check_new_source(session, form)


def check_new_source(session: Session, form: ItemForm) -> None:
    """The "new source" part of the form: checked like any source, added only when the form is saved."""
    values = {name: (form.new_source.get(name) or None) for name in NEW_SOURCE_FIELDS}
    values["language"] = values["language"] or "en"
    try:
        SourceBase.model_validate(values)
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "title"
            label = {"url": "address", "published_on": "date"}.get(name, name)
            form.errors.setdefault(f"new_source_{name}", message(error, label))
        return
    if values["url"]:
        taken = pickers.resolve(session, "sources", str(values["url"]))
        if taken.id is not None and pickers.labels(session, "sources", {taken.id}):
            existing = session.get(Source, taken.id)
            if existing is not None and existing.url == values["url"]:
                form.errors["new_source_url"] = (
                    "This address is already in the record: attach that source from the list."
                )
                return
    form.new_source_values = values


def _check_rows(session: Session, form: ItemForm, values: dict[str, Any]) -> None:
    spec = form.spec
    assert spec.embedded is not None
    form.row_values = []
    for index, row in enumerate(form.rows):
        resolved: dict[str, Any] = {}
        for f in _embedded_fields(spec):
            where = f"row-{index}-{f.name}"
            resolved[f.name] = _value(session, form, f, row.get(f.name, ""), where)
            if f.widget == "pick" and f.reference and resolved[f.name] is None and where not in form.errors:
                form.errors[where] = f"Choose a {f.label.lower()}, or empty the row."
        form.row_values.append(resolved)
    if spec.key == "delegations":
        form.errors.update(
            {
                k: v
                for k, v in member_rules(session, values.get("party_id"), form.row_values).items()
                if k not in form.errors
            }
        )


# ---------------------------------------------------------------- adding what the form named as new


def add_named(session: Session, form: ItemForm, editor: User) -> None:
    """Add the people, parties, topics and source the (valid) form named as new, and point the form at them."""
    for where, kind, name in form.to_create:
        party = form.values.get("party_id") if kind == "people" and form.spec.key == "delegations" else None
        new_id = pickers.create(session, kind, name, party_id=party if isinstance(party, int) else None)
        _record(session, kind, new_id, editor)
        if where.startswith("row-"):
            index, column = int(where.split("-")[1]), where.split("-", 2)[2]
            form.row_values[index][column] = new_id
        else:
            form.values[where] = new_id
    form.to_create = []
    if form.new_source_values is not None:
        source = Source.model_validate(form.new_source_values)
        session.add(source)
        session.flush()
        _record(session, "sources", source.id or 0, editor)
        form.sources.append(source.id or 0)
        form.new_source, form.new_source_values = {}, None


def _record(session: Session, kind: str, row_id: int, editor: User) -> None:
    row: SQLModel | None = session.get(history.kind_of(kind).table, row_id)
    assert row is not None
    history.record_revision(session=session, entity=kind, row=row, action=RevisionAction.create, user=editor)
