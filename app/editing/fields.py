"""Field specifications: what each field of each kind looks like to an editor, how what they type
becomes a value, and how a value is shown again in a form (whole forms are ``forms``).

Specifications come from the record's models (type, length, whether required) and from
``kinds.SPECS`` (order, labels, hints), so a new field needs no new form. A form keeps exactly what
was typed, so that a form sent back with errors shows it unchanged.
"""

import datetime as dt
import enum
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from pydantic.fields import FieldInfo

from app.editing.kinds import KindSpec
from app.record.document import references
from app.record.models import PATTERN_HINTS

# How the values of a few enums read in a list, where the value's own words would not do.
OPTION_LABELS = {
    "duration_minutes": "Duration, in minutes",
    "delay_minutes": "Delay, in minutes",
    "follow_up_talks": "Follow-up talks",
    "in_progress": "In progress",
    "not_discussed": "Not discussed",
    "first_stated": "Was first stated",
    "held": "Held",
    "shifted": "Shifted",
    "hardened": "Hardened",
    "softened": "Softened",
    "reversed": "Reversed",
    "dropped": "Was dropped",
    "party_government": "A party's government",
    "party_state_media": "A party's state media",
    "party_independent_media": "A party's independent media",
    "host_or_mediator": "The host or mediator",
    "third_country": "A third country",
    "international_organisation": "An international organisation",
    "independent_or_wire": "An independent or wire service",
}

# References an editor picks by typing a name (a combobox searching the server); others are short
# lists to choose from.
PICKED = frozenset({"people", "parties", "topics", "sources"})


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    widget: str  # text, textarea, number, date, time, choice, pick, checkbox, colour
    required: bool
    hint: str = ""
    options: tuple[tuple[str, str], ...] = ()  # for a choice among fixed values
    reference: str | None = None  # the kind a pick or choice refers to
    max_length: int | None = None
    default: Any = None  # what an empty box stands for, when not "nothing" ("" for a text, "day" …)


def _plain(annotation: Any) -> tuple[Any, bool]:
    """``int | None`` → (int, True)."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0], True
    return annotation, False


def _max_length(info: FieldInfo) -> int | None:
    for item in info.metadata:
        found = getattr(item, "max_length", None)
        if isinstance(found, int):
            return found
    return None


@cache
def field_specs(spec: KindSpec, *, with_fixed: bool = True) -> tuple[FieldSpec, ...]:
    """The fields of ``spec``'s form, in order; without the ones its composer fills in when asked."""
    refs = {column: target.key for column, target in references(spec.kind.sa_table)}
    return tuple(_field_spec(spec, name, refs) for name in spec.fields if with_fixed or name not in spec.fixed)


def _field_spec(spec: KindSpec, name: str, refs: dict[str, str]) -> FieldSpec:
    """One field as its model types it: a reference, one of an enum's values, or a plain value."""
    info = spec.kind.record.model_fields[name]
    annotation, optional = _plain(info.annotation)
    hint = spec.hints.get(name, "")
    field = FieldSpec(name, spec.label(name), "text", _required(spec, name, info, optional), hint)
    if name in refs:
        return replace(field, widget="pick" if refs[name] in PICKED else "choice", reference=refs[name])
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return replace(field, widget="choice", options=_options(annotation), default=_default(info))
    return _BY_TYPE.get(annotation, _text)(field, info, spec.kind.sa_table)


def _required(spec: KindSpec, name: str, info: FieldInfo, optional: bool) -> bool:
    if name == "slug" and spec.slug_from:  # an address left empty is made from other fields
        return False
    return info.is_required() and not optional


def _default(info: FieldInfo) -> Any:
    """What an empty box stands for, as the form sends it: the model's default, when it is a plain value."""
    if isinstance(info.default, enum.Enum):
        return info.default.value
    return info.default if isinstance(info.default, str | int | bool) else None


def _options(values: type[enum.Enum]) -> tuple[tuple[str, str], ...]:
    return tuple((m.value, OPTION_LABELS.get(m.value, m.value.replace("_", " ").capitalize())) for m in values)


def _checkbox(field: FieldSpec, info: FieldInfo, table: sa.Table) -> FieldSpec:
    # A box left unticked is an answer (no), never a missing one.
    return replace(field, widget="checkbox", required=False, default=_default(info))


def _number(field: FieldSpec, info: FieldInfo, table: sa.Table) -> FieldSpec:
    return replace(field, widget="number", default=_default(info))


def _date(field: FieldSpec, info: FieldInfo, table: sa.Table) -> FieldSpec:
    return replace(field, widget="date")


def _time(field: FieldSpec, info: FieldInfo, table: sa.Table) -> FieldSpec:
    return replace(field, widget="time")


def _text(field: FieldSpec, info: FieldInfo, table: sa.Table) -> FieldSpec:
    # A party's colour gets a colour well; a column of unbounded text, room for paragraphs.
    long_text = isinstance(table.c[field.name].type, sa.Text)
    widget = "colour" if field.name == "colour" else "textarea" if long_text else "text"
    return replace(field, widget=widget, max_length=_max_length(info), default=_default(info))


# The box a plain value is typed in, by the value's type; anything else is text.
_BY_TYPE: dict[Any, Callable[[FieldSpec, FieldInfo, sa.Table], FieldSpec]] = {
    bool: _checkbox,
    int: _number,
    dt.date: _date,
    dt.time: _time,
}


def spec_field(spec: KindSpec, name: str) -> FieldSpec:
    return next(f for f in field_specs(spec) if f.name == name)


# ---------------------------------------------------------------- from what was typed to values


def parse(field: FieldSpec, text: str) -> tuple[Any, str | None]:
    """The value ``text`` stands for in ``field``, JSON-ready, and what is wrong with it, if anything.

    References are resolved elsewhere (``pickers``); here a picked or chosen id is only read.
    """
    text = text.strip()
    if field.widget == "checkbox":  # an unticked box sends nothing: empty is an answer here
        return text in ("true", "on", "1"), None
    if text == "":
        return field.default, (_missing(field) if field.required else None)
    return _READERS.get(field.widget, _as_typed)(field, text)


# Any script's decimal digits, as int() reads them; nine always fit the database's integers, ten might not.
WHOLE_NUMBER = re.compile(r"-?\d{1,9}")


def _whole_number(text: str, error: str) -> tuple[Any, str | None]:
    if not WHOLE_NUMBER.fullmatch(text):
        return None, error
    return int(text), None


def _read_number(field: FieldSpec, text: str) -> tuple[Any, str | None]:
    return _whole_number(text, "Enter a whole number, such as 3.")


def _read_date(field: FieldSpec, text: str) -> tuple[Any, str | None]:
    try:
        return dt.date.fromisoformat(text).isoformat(), None
    except ValueError:
        return None, f"“{text}” is not a date that exists. Write it as YYYY-MM-DD, such as 2025-06-02."


def _read_time(field: FieldSpec, text: str) -> tuple[Any, str | None]:
    try:
        return dt.time.fromisoformat(text).strftime("%H:%M:%S"), None
    except ValueError:
        return None, f"“{text}” is not a time. Write it as HH:MM, such as 13:00."


def _read_choice(field: FieldSpec, text: str) -> tuple[Any, str | None]:
    """A record chosen from a list sends its id; one of an enum's values, the value itself."""
    if field.reference:
        return _whole_number(text, "Choose from the list.")
    if field.options and text not in {value for value, _ in field.options}:
        return None, "Choose one of the options."
    return text, None


def _read_pick(field: FieldSpec, text: str) -> tuple[Any, str | None]:
    return _whole_number(text, "Choose from the list.") if field.reference else (text, None)


def _as_typed(field: FieldSpec, text: str) -> tuple[Any, str | None]:
    return text, None


# How what is typed in each kind of box becomes a value; text stays as typed.
_READERS: dict[str, Callable[[FieldSpec, str], tuple[Any, str | None]]] = {
    "number": _read_number,
    "date": _read_date,
    "time": _read_time,
    "choice": _read_choice,
    "pick": _read_pick,
}


def _missing(field: FieldSpec) -> str:
    article = "an" if field.label[:1].lower() in "aeiou" else "a"
    if field.widget in ("choice", "pick"):
        return f"Choose {article} {field.label.lower()}."
    return f"Enter {article} {field.label.lower()}."


def model_errors(spec: KindSpec, values: dict[str, Any]) -> dict[str, str]:
    """What the record's own model says about ``values``, field by field, in words an editor can act on."""
    try:
        spec.kind.record.model_validate({**values, "id": 0})
    except ValidationError as exc:
        errors: dict[str, str] = {}
        fallback = next((name for name in spec.fields if name not in spec.fixed), spec.fields[0])
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else _field_named_in(error, spec) or fallback
            errors.setdefault(name, message(error, spec.label(name)))
        return errors
    return {}


def _field_named_in(error: Any, spec: KindSpec) -> str | None:
    """A rule over several fields names the one at fault ("date: …", "low is greater than high")."""
    text = str(error.get("msg", "")).removeprefix("Value error, ")
    for name in spec.fields:
        if text.startswith((f"{name}:", f"{name} ")):
            return name
    return None


def message(error: Any, label: str) -> str:
    """A pydantic error as a sentence an editor can act on."""
    kind = error["type"]
    ctx = error.get("ctx", {})
    if kind == "string_pattern_mismatch":
        hint = PATTERN_HINTS.get(ctx.get("pattern", ""), "use the form shown in the hint")
        return hint[:1].upper() + hint[1:] + "."
    if kind in ("greater_than_equal", "greater_than") and ctx.get("ge", ctx.get("gt")) in (0, 1):
        # Named: the error summary lists this apart from its field.
        return f"{label} must be {ctx.get('ge', 1)} or more."
    if kind == "string_too_long":
        return f"Use at most {ctx['max_length']} characters."
    if kind == "string_too_short":
        return f"Enter the {label.lower()}."
    if kind == "missing" or (kind.endswith("_type") and error.get("input") is None):
        return f"Enter the {label.lower()}."
    text = str(error["msg"]).removeprefix("Value error, ")
    for prefix in ("date: ", "implemented_on: ", "stated_on: "):
        text = text.removeprefix(prefix)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


# ---------------------------------------------------------------- from values back to a form


def shown(field: FieldSpec, value: Any) -> str:
    """``value`` as its form field shows it."""
    if value is None or value is False:
        return ""
    if value is True:
        return "true"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if field.widget == "time" and isinstance(value, str) and len(value) >= 5:
        return value[:5]
    return str(value)
