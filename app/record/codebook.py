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
    "outcome_steps": "A dated step in carrying an outcome out (agreed, begun, carried out in stages, stalled …), "
    "with the state the outcome was in after it: the outcome's history, each step with its sources.",
    "documents": "A text put on the table: a memorandum, a draft agreement or plan, a joint statement, or a "
    "party's or the mediator's readout of a round; with the round where it was handed over or published and "
    "where it stands (proposed, handed over, published, leaked, signed, withdrawn).",
    "document_parties": "A party that wrote a document or put it forward.",
    "document_versions": "One text of a document, numbered from 1: drafts change between versions.",
    "clauses": "A clause of one version of a document: its number as the text gives it, its heading and what "
    "it says, in the order of sort_order.",
    "clause_topics": "A topic a clause bears on: clauses of two documents are set side by side by topic.",
    "clause_pairs": "An editor's pairing of a clause with a clause of another document that it answers to: when "
    "the two documents are compared, the two are set side by side whatever their topics.",
    "topics": "An issue on which the parties state positions: ceasefire, territory, sanctions, children …",
    "positions": "What a party stated on a topic, at a round or on a date, and by whom: a one-line summary, "
    "fuller text and an optional verbatim quote. At least one of round_id and stated_on is set.",
    "gap_assessments": "An editor's judgement of how far apart the parties are on one topic as of one round.",
    "movements": "An editor's judgement, with sources, of how one party's stance on one topic moved at one round "
    "against where it stood before: first stated, held, shifted, hardened, softened, reversed or dropped.",
    "events": "Context outside the talks, such as military strikes or political statements, that bears on them.",
    "sources": "Where claims come from: an article, statement or document, with its publisher and standpoint.",
    "reported_figures": "A duration, delay or quantity as one source reported it, kept as a range that may be "
    "open at either end rather than forced into one number. Belongs to exactly one round or one outcome.",
    "citations": "One source supporting one claim. Exactly one of round_id, outcome_id, position_id, event_id, "
    "figure_id, delegation_id, document_id, movement_id and step_id is set.",
}

PATTERN_NAMES = {
    models.SLUG_PATTERN: "slug: lowercase letters, digits and hyphens",
    models.COLOUR_PATTERN: "colour as #rrggbb",
    models.URL_PATTERN: "web address starting with http:// or https://",
    models.LANGUAGE_PATTERN: "language code such as en, uk or ru",
}

# ---------------------------------------------------------------- names beside ids, in the CSV files

# What each kind is called in a CSV cell beside an id that refers to it: (suffix, field of the entry,
# description). ``party_id`` gains ``party_name``; ``round_id`` gains ``round_slug`` and ``round_date``.
LABELS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "parties": (("name", "name", "The party's name."),),
    "people": (("name", "name", "The person's name."),),
    "negotiations": (("title", "title", "The negotiation's title."),),
    "rounds": (
        ("slug", "slug", "The round's address (slug)."),
        ("date", "date", "The round's date (the 1st of the month or year where only that is known)."),
    ),
    "topics": (("name", "name", "The topic's name."),),
    "outcomes": (("title", "title", "The outcome in one line."),),
    "documents": (("title", "title", "The document's title."),),
    "document_versions": (("number", "number", "The version's number."),),
    "clauses": (("number", "number", "The clause's number as the text gives it."),),
    "positions": (("summary", "summary", "The position in one line."),),
    "events": (("title", "title", "The event's title."),),
    "sources": (
        ("publisher", "publisher", "Who published the source."),
        ("title", "title", "The source's title, where known."),
    ),
    "reported_figures": (("as_reported", "as_reported", "The figure in the source's words."),),
}


def label_columns(kind: Kind) -> dict[str, list[tuple[str, str, str, str]]]:
    """For each id column of ``kind`` that refers to another kind, the columns the CSV adds after it:
    (column name, kind referred to, field of that kind, description)."""
    added: dict[str, list[tuple[str, str, str, str]]] = {}
    for column, target in document.references(kind.sa_table):
        stem = column.removesuffix("_id")
        added[column] = [
            (f"{stem}_{suffix}", target.key, field, description)
            for suffix, field, description in LABELS.get(target.key, ())
        ]
    return added


def record_fields(kind: Kind) -> list[str]:
    """A kind's fields in the order a reader wants them: its id, what it says, then when it changed."""
    names = [name for name in kind.record.model_fields if name != "id" and name not in models.STAMPS]
    return ["id", *names, *models.STAMPS]


def csv_columns(kind: Kind) -> list[str]:
    """The CSV file's columns: the record's fields, each id followed by the names of what it refers to."""
    labels = label_columns(kind)
    return [name for field in record_fields(kind) for name in (field, *(c[0] for c in labels.get(field, [])))]


# ---------------------------------------------------------------- codebook


class CodebookField(BaseModel):
    name: str = Field(description="Name of the field: the JSON key and the CSV column.")
    csv_only: bool = Field(
        default=False,
        description="Only in the CSV files: what the id before it stands for, in words, so a table reads alone.",
    )
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
    for name in record_fields(kind):
        info = kind.record.model_fields[name]
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
        fields += [
            CodebookField(
                name=label,
                csv_only=True,
                type="text",
                nullable=True,
                blank=False,
                unique=False,
                values=[],
                references=None,
                description=description,
            )
            for label, _, _, description in label_columns(kind).get(name, [])
        ]
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


# ---------------------------------------------------------------- Frictionless data package

# A field's type in a Table Schema (https://specs.frictionlessdata.io/table-schema/).
TABLE_SCHEMA_TYPES: dict[Any, str] = {
    bool: "boolean",
    int: "integer",
    float: "number",
    dt.date: "date",
    dt.time: "time",
    dt.datetime: "datetime",
}


def resource_name(kind: Kind) -> str:
    """A data package's names are lower case with hyphens: outcome_parties → outcome-parties."""
    return kind.key.replace("_", "-")


def _table_schema(kind: Kind, described: dict[str, CodebookField]) -> dict[str, Any]:
    fields: list[dict[str, Any]] = []
    for name in csv_columns(kind):
        info = kind.record.model_fields.get(name)
        base = _unwrap(info.annotation)[0] if info is not None else str
        field: dict[str, Any] = {
            "name": name,
            "type": TABLE_SCHEMA_TYPES.get(base, "string"),
            "description": described[name].description,
        }
        if base is bool:
            field["trueValues"], field["falseValues"] = ["true"], ["false"]
        if isinstance(base, type) and issubclass(base, enum.Enum):
            field["constraints"] = {"enum": [str(member.value) for member in base]}
        fields.append(field)
    return {
        "fields": fields,
        "missingValues": [""],
        "primaryKey": ["id"],
        "foreignKeys": [
            {"fields": [column], "reference": {"resource": resource_name(target), "fields": ["id"]}}
            for column, target in document.references(kind.sa_table)
        ],
    }


def datapackage(*, base_url: str) -> dict[str, Any]:
    """The CSV files as a Frictionless Data Package: each file, its columns, their types and meaning."""
    book = codebook(base_url=base_url)
    return {
        "profile": "tabular-data-package",
        "name": "parley-record",
        "title": "Parley: peace negotiations, round by round, with sources",
        "description": "Every kind of entity of the record as one CSV file; ids join the files, and names "
        "stand beside ids. The codebook describes every field.",
        "homepage": book.record_url.removesuffix("exports/record.json"),
        "resources": [
            {
                "profile": "tabular-data-resource",
                "name": resource_name(kind),
                "path": entry.csv_url,
                "title": entry.name,
                "description": entry.description,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": _table_schema(kind, {f.name: f for f in entry.fields}),
            }
            for kind, entry in zip(KINDS, book.kinds, strict=True)
        ],
    }
