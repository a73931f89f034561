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
    "negotiation_parties": "The role a party plays in a negotiation: negotiating party, host, mediator or observer.",
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

# Fields whose model carries no description=, or only an example ("e.g. …") that needs a lead-in.
FIELD_DESCRIPTIONS: dict[tuple[str, str], str] = {
    ("parties", "slug"): "Short name used in web addresses.",
    ("parties", "name"): "Full name of the party.",
    ("parties", "short_name"): "Name used where space is short, e.g. in charts.",
    ("people", "slug"): "Short name used in web addresses.",
    ("people", "name"): "Name in Latin script.",
    ("people", "party_id"): "The party the person belongs to or speaks for.",
    ("negotiations", "slug"): "Short name used in web addresses.",
    ("negotiations", "title"): "Name of the negotiation.",
    ("negotiations", "description"): "What the negotiation is about and who takes part.",
    ("negotiation_parties", "negotiation_id"): "The negotiation.",
    ("negotiation_parties", "party_id"): "The party taking part.",
    ("negotiation_parties", "role"): "The part it plays in the negotiation.",
    ("negotiation_parties", "note"): "Anything more about the party's role.",
    ("rounds", "negotiation_id"): "The negotiation this round belongs to.",
    ("rounds", "slug"): "Short name used in web addresses.",
    ("rounds", "status"): "Whether the round was held, is planned, or was postponed or cancelled.",
    ("rounds", "date"): "Day the round met or is to meet; read it with date_precision.",
    ("rounds", "date_precision"): "How much of date is known: the day, only the month (date is then the 1st of "
    "the month) or only the year (date is then 1 January).",
    ("rounds", "date_note"): "The date in the words of the sources",
    ("rounds", "city"): "City the round met in.",
    ("rounds", "venue"): "Building or place the round met in.",
    ("rounds", "host_party_id"): "The party that hosted the round.",
    ("rounds", "chair_id"): "The person who chaired the round.",
    ("rounds", "delay_minutes"): "How late the round started, in minutes, when sources agree.",
    ("rounds", "summary"): "What happened at the round, in a paragraph.",
    ("rounds", "atmosphere"): "The mood of the talks as sources describe it.",
    ("delegations", "round_id"): "The round the delegation attended.",
    ("delegations", "party_id"): "The party the delegation represented.",
    ("delegations", "note"): "Anything more about the delegation.",
    ("delegation_members", "delegation_id"): "The delegation.",
    ("delegation_members", "person_id"): "The member.",
    ("delegation_members", "is_head"): "Whether the person led the delegation.",
    ("outcomes", "round_id"): "The round that produced the outcome.",
    ("outcomes", "kind"): "What sort of outcome it is.",
    ("outcomes", "title"): "The outcome in one line.",
    ("outcomes", "description"): "The outcome in more detail.",
    ("outcomes", "status"): "How far the outcome has got, from proposed to implemented (or stalled or broken).",
    ("outcomes", "implemented_on"): "When the outcome was carried out; read it with implemented_precision.",
    ("outcomes", "implemented_precision"): "How much of implemented_on is known: the day, the month or the year.",
    ("outcome_parties", "outcome_id"): "The outcome.",
    ("outcome_parties", "party_id"): "A party the outcome concerns.",
    ("topics", "slug"): "Short name used in web addresses.",
    ("topics", "name"): "Name of the topic.",
    ("topics", "description"): "What the topic covers.",
    ("positions", "negotiation_id"): "The negotiation the position was stated in.",
    ("positions", "party_id"): "The party whose position it is.",
    ("positions", "topic_id"): "The topic the position is on.",
    ("positions", "stated_precision"): "How much of stated_on is known: the day, the month or the year.",
    ("positions", "speaker_id"): "The person who stated the position.",
    ("positions", "stated_in"): "The document or statement the position was set out in",
    ("positions", "summary"): "The position in one line.",
    ("positions", "text"): "The position in more detail.",
    ("positions", "quote"): "The words used, verbatim.",
    ("gap_assessments", "round_id"): "The round as of which the gap is judged.",
    ("gap_assessments", "topic_id"): "The topic.",
    ("gap_assessments", "state"): "How far apart the parties are on the topic.",
    ("gap_assessments", "note"): "The reasons for the judgement.",
    ("events", "slug"): "Short name used in web addresses.",
    ("events", "negotiation_id"): "The negotiation the event bears on, if one.",
    ("events", "date"): "When the event happened; read it with date_precision.",
    ("events", "date_precision"): "How much of date is known: the day, the month or the year.",
    ("events", "kind"): "What sort of event it is.",
    ("events", "title"): "The event in one line.",
    ("events", "description"): "The event in more detail.",
    ("sources", "publisher"): "Who published the source.",
    ("sources", "title"): "Title of the article or document.",
    ("sources", "published_on"): "When the source was published.",
    ("sources", "language"): "Language the source is written in.",
    ("reported_figures", "round_id"): "The round the figure is about.",
    ("reported_figures", "outcome_id"): "The outcome the figure is about.",
    ("reported_figures", "measure"): "What the figure measures: a duration or delay in minutes, or a quantity of unit.",
    ("citations", "source_id"): "The source.",
    ("citations", "round_id"): "The round the source supports.",
    ("citations", "outcome_id"): "The outcome the source supports.",
    ("citations", "position_id"): "The position the source supports.",
    ("citations", "event_id"): "The event the source supports.",
    ("citations", "figure_id"): "The reported figure the source supports.",
    ("citations", "note"): "How the source supports the claim",
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


def _type_words(base: Any, metadata: list[Any], target: Kind | None) -> str:
    if target is not None:
        return f"id of {_article(kind_name(target))}"
    if isinstance(base, type) and issubclass(base, enum.Enum):
        return "one of: " + ", ".join(str(member.value) for member in base)
    if base is bool:
        return "true/false"
    if base is dt.date:
        return "date (YYYY-MM-DD)"
    if base is dt.time:
        return "time of day (HH:MM:SS)"
    if base is int:
        minimum = next((m.ge for m in metadata if isinstance(m, annotated_types.Ge)), None)
        return f"integer, {minimum} or more" if minimum is not None else "integer"
    words = "text"
    pattern = next((m.pattern for m in metadata if getattr(m, "pattern", None)), None)
    if pattern is not None:
        words += f" ({PATTERN_NAMES.get(pattern, f'matching {pattern}')})"
    max_length = next((m.max_length for m in metadata if isinstance(m, annotated_types.MaxLen)), None)
    if max_length is not None:
        words += f", up to {max_length} characters"
    return words


def field_description(kind: Kind, name: str) -> str:
    """The model's description=, with the codebook's own words where the model has none or only an example."""
    if name == "id":
        return f"Stable id of the {kind_name(kind)}; other tables refer to it by this number."
    own = kind.record.model_fields[name].description or ""
    lead = FIELD_DESCRIPTIONS.get((kind.key, name), "")
    if own.startswith("e.g.") and lead:
        return f"{lead.rstrip('.')}, {own}"
    return " ".join(part for part in (lead, own) if part)


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
