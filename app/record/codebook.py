"""The codebook: every kind of the record document and every field of it, described for people who
download the data.

It is built from the record models themselves, so a field added to ``app/record/models.py`` shows up
in the CSV files and the codebook at once; a test makes sure it also gets a description.
"""

import datetime as dt
import enum
import re
import types
import typing
from typing import TYPE_CHECKING, Any

import annotated_types
from pydantic import BaseModel, Field

from app.record import document, models
from app.record.document import KINDS, Kind

if TYPE_CHECKING:
    pass


# ---------------------------------------------------------------- codebook texts

KIND_DESCRIPTIONS: dict[str, str] = {
    "parties": "A state or organisation taking part in the talks or around them: Ukraine, Russia, Turkey, "
    "the United States …",
    "people": "A person in the record: a delegate, a chair, a speaker.",
    "negotiations": "A negotiation process or track, such as the Russia–Ukraine talks in Istanbul in 2025.",
    "negotiation_parties": (
        "The role a party plays in a negotiation: negotiating party, host, chair, mediator, observer or outside party."
    ),
    "rounds": "One round of talks: when and where it met (with how precisely the date is known), who hosted and "
    "chaired it, how long it lasted and how late it started.",
    "delegations": "The delegation one party sent to one round.",
    "delegation_members": "A person in a delegation, with the title held at that time.",
    "outcomes": "What a round produced (a prisoner exchange agreed, a document handed over, further talks "
    "planned …), with its status and when it was implemented.",
    "outcome_parties": "A party an outcome concerns.",
    "topics": "An issue on which the parties state positions: ceasefire, territory, sanctions, children …",
    "positions": "What a party stated on a topic, at a round or on a date, and by whom: a one-line summary, "
    "fuller text and an optional verbatim quote. At least one of round_id and stated_on is set.",
    "gap_assessments": "An editor's judgement of how far apart the parties are on one topic as of one round.",
    "events": "Context outside the talks, such as military strikes or political statements, that bears on them.",
    "sources": "Where claims come from: an article, statement or document, with its publisher and standpoint.",
    "reported_figures": "A duration, delay or quantity as one source reported it, kept as a range that may be "
    "open at either end rather than forced into one number. Belongs to exactly one round or one outcome.",
    "citations": "One source supporting one claim. Exactly one of round_id, outcome_id, position_id, event_id "
    "and figure_id is set.",
}

PATTERN_NAMES = {
    models.SLUG_PATTERN: "slug: lowercase letters, digits and hyphens",
    models.COLOUR_PATTERN: "colour as #rrggbb",
    models.URL_PATTERN: "web address starting with http:// or https://",
    models.LANGUAGE_PATTERN: "language code such as en, uk or ru",
}

# ---------------------------------------------------------------- codebook


class CodebookField(BaseModel):
    name: str = Field(description="Name of the field: the JSON key and the CSV column.")
    type: str = Field(description='What values look like, in words: "integer", "date (YYYY-MM-DD)", "one of: …".')
    nullable: bool = Field(description="Whether the value may be missing: null in JSON, an empty cell in CSV.")
    blank: bool = Field(description="Whether the value, a text, may be empty although never null.")
    unique: bool = Field(description="Whether no two entries of the kind share a value.")
    values: list[str] = Field(description="The allowed values, when the field takes one of a fixed list.")
    references: str | None = Field(description="The kind whose id the field holds, when it refers to one.")
    description: str = Field(description="What the field means.")


class CodebookKind(BaseModel):
    key: str = Field(description="Name of the kind: its key in the JSON document and its table.")
    name: str = Field(description='One entry of the kind, in words: "round", "reported figure".')
    description: str
    csv_url: str = Field(description="Where to download the kind as CSV.")
    unique_together: list[list[str]] = Field(description="Sets of fields whose combination no two entries share.")
    fields: list[CodebookField] = Field(description="In the order of the CSV columns.")


class Codebook(BaseModel):
    format: str = Field(description='The "format" of the JSON record document.')
    format_version: int
    record_url: str = Field(description="Where to download the whole record as one JSON document.")
    kinds: list[CodebookKind] = Field(description="Every kind of entity, in dependency order.")


def kind_name(kind: Kind) -> str:
    """ReportedFigure → "reported figure"."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", kind.table.__name__).lower()


def _article(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """``int | None`` → (int, True)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return args[0], len(args) < len(typing.get_args(annotation))
    return annotation, False


# Types whose words say it all; the rest (enums, integers, text) are described from their constraints.
FIXED_TYPE_WORDS: dict[Any, str] = {
    bool: "true/false",
    dt.date: "date (YYYY-MM-DD)",
    dt.time: "time of day (HH:MM:SS)",
}


def _type_words(base: Any, metadata: list[Any], target: Kind | None) -> str:
    if target is not None:
        return f"id of {_article(kind_name(target))}"
    if isinstance(base, type) and issubclass(base, enum.Enum):
        return "one of: " + ", ".join(str(member.value) for member in base)
    if base in FIXED_TYPE_WORDS:
        return FIXED_TYPE_WORDS[base]
    if base is int:
        minimum = _constraint(metadata, annotated_types.Ge, "ge")
        return f"integer, {minimum} or more" if minimum is not None else "integer"
    return _text_words(metadata)


def _constraint(metadata: list[Any], kind: type, attribute: str) -> Any:
    return next((getattr(m, attribute) for m in metadata if isinstance(m, kind)), None)


def _text_words(metadata: list[Any]) -> str:
    """ "text (slug: lowercase letters, digits and hyphens), up to 80 characters"."""
    words = "text"
    pattern = next((m.pattern for m in metadata if getattr(m, "pattern", None)), None)
    if pattern is not None:
        words += f" ({PATTERN_NAMES.get(pattern, f'matching {pattern}')})"
    max_length = _constraint(metadata, annotated_types.MaxLen, "max_length")
    if max_length is not None:
        words += f", up to {max_length} characters"
    return words


def field_description(kind: Kind, name: str) -> str:
    """What a field holds, as its model's ``description=`` says; every id alike."""
    if name == "id":
        return f"Stable id of the {kind_name(kind)}; other tables refer to it by this number."
    return kind.record.model_fields[name].description or ""


def _fields(kind: Kind) -> list[CodebookField]:
    table = kind.sa_table
    targets = dict(document.references(table))
    single_unique = {key[0] for key in document.unique_keys(table) if len(key) == 1}
    fields = []
    for name, info in kind.record.model_fields.items():
        base, nullable = _unwrap(info.annotation)
        target = targets.get(name)
        has_min_length = any(isinstance(m, annotated_types.MinLen) for m in info.metadata)
        has_pattern = any(getattr(m, "pattern", None) for m in info.metadata)
        fields.append(
            CodebookField(
                name=name,
                type=_type_words(base, info.metadata, target),
                nullable=nullable,
                blank=base is str and not nullable and not has_min_length and not has_pattern,
                unique=name in single_unique or name == "id",
                values=[str(m.value) for m in base] if isinstance(base, type) and issubclass(base, enum.Enum) else [],
                references=target.key if target is not None else None,
                description=field_description(kind, name),
            )
        )
    return fields


def codebook(*, base_url: str) -> Codebook:
    """Every kind of the record document and every field of it, described for people who download the data."""
    base = base_url.rstrip("/")
    return Codebook(
        format=document.FORMAT,
        format_version=document.FORMAT_VERSION,
        record_url=f"{base}/exports/record.json",
        kinds=[
            CodebookKind(
                key=kind.key,
                name=kind_name(kind),
                description=KIND_DESCRIPTIONS.get(kind.key, ""),
                csv_url=f"{base}/exports/{kind.key}.csv",
                unique_together=[list(key) for key in document.unique_keys(kind.sa_table) if len(key) > 1],
                fields=_fields(kind),
            )
            for kind in KINDS
        ],
    )
