"""The record document: the whole record as one JSON file.

``parley export`` writes it, ``parley import`` reads it, the bundled Istanbul
record ships as one. Entities appear under their table's name, sorted by id,
with keys sorted and references given as ids, so two exports can be diffed.
"""

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlmodel import SQLModel

from app import models

FORMAT = "parley-record"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Kind:
    """One kind of entity in the document: its key, table model and entry model."""

    key: str
    table: type[SQLModel]
    record: type[SQLModel]

    @property
    def sa_table(self) -> sa.Table:
        return self.table.__table__  # type: ignore[attr-defined, no-any-return]


# In dependency order: every kind refers only to kinds above it.
KINDS: tuple[Kind, ...] = (
    Kind("parties", models.Party, models.PartyRecord),
    Kind("people", models.Person, models.PersonRecord),
    Kind("negotiations", models.Negotiation, models.NegotiationRecord),
    Kind("negotiation_parties", models.NegotiationParty, models.NegotiationPartyRecord),
    Kind("rounds", models.Round, models.RoundRecord),
    Kind("delegations", models.Delegation, models.DelegationRecord),
    Kind("delegation_members", models.DelegationMember, models.DelegationMemberRecord),
    Kind("outcomes", models.Outcome, models.OutcomeRecord),
    Kind("outcome_parties", models.OutcomeParty, models.OutcomePartyRecord),
    Kind("topics", models.Topic, models.TopicRecord),
    Kind("positions", models.Position, models.PositionRecord),
    Kind("gap_assessments", models.GapAssessment, models.GapAssessmentRecord),
    Kind("events", models.Event, models.EventRecord),
    Kind("sources", models.Source, models.SourceRecord),
    Kind("reported_figures", models.ReportedFigure, models.ReportedFigureRecord),
    Kind("citations", models.Citation, models.CitationRecord),
)
KIND_BY_TABLE = {kind.sa_table.name: kind for kind in KINDS}


class DocumentError(ValueError):
    """The document cannot be loaded; ``problems`` name each entry and field at fault."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class RecordDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: str
    format_version: int
    parties: list[models.PartyRecord] = []
    people: list[models.PersonRecord] = []
    negotiations: list[models.NegotiationRecord] = []
    negotiation_parties: list[models.NegotiationPartyRecord] = []
    rounds: list[models.RoundRecord] = []
    delegations: list[models.DelegationRecord] = []
    delegation_members: list[models.DelegationMemberRecord] = []
    outcomes: list[models.OutcomeRecord] = []
    outcome_parties: list[models.OutcomePartyRecord] = []
    topics: list[models.TopicRecord] = []
    positions: list[models.PositionRecord] = []
    gap_assessments: list[models.GapAssessmentRecord] = []
    events: list[models.EventRecord] = []
    sources: list[models.SourceRecord] = []
    reported_figures: list[models.ReportedFigureRecord] = []
    citations: list[models.CitationRecord] = []

    def entries(self, kind: Kind) -> list[SQLModel]:
        return list(getattr(self, kind.key))

    def size(self) -> int:
        return sum(len(self.entries(kind)) for kind in KINDS)


def parse(text: str | bytes) -> RecordDocument:
    """Read and check a document; every problem found is reported at once."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError([f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"]) from exc
    if not isinstance(raw, dict):
        raise DocumentError(["the document must be a JSON object with one list per kind of entity"])
    if raw.get("format") != FORMAT:
        raise DocumentError([f'"format" must be "{FORMAT}", not {json.dumps(raw.get("format"))}'])
    if raw.get("format_version") != FORMAT_VERSION:
        raise DocumentError(
            [f'"format_version" {raw.get("format_version")!r} is not supported; expected {FORMAT_VERSION}']
        )
    try:
        document = RecordDocument.model_validate(raw)
    except ValidationError as exc:
        raise DocumentError([_describe(error, raw) for error in exc.errors()]) from exc
    problems = list(_consistency_problems(document))
    if problems:
        raise DocumentError(problems)
    return document


def _label(kind_key: str, index: int, entry: Any) -> str:
    """ "rounds[1] (id 2, "2025-06-02-istanbul")" — enough to find the entry in the file."""
    label = f"{kind_key}[{index}]"
    if isinstance(entry, dict):
        details = [f"id {entry['id']}" if "id" in entry else "no id"]
        if "slug" in entry:
            details.append(json.dumps(entry["slug"], ensure_ascii=False))
        label += f" ({', '.join(details)})"
    elif isinstance(entry, SQLModel):
        details = [f"id {getattr(entry, 'id', '?')}"]
        if isinstance(getattr(entry, "slug", None), str):
            details.append(json.dumps(entry.slug, ensure_ascii=False))  # type: ignore[attr-defined]
        label += f" ({', '.join(details)})"
    return label


def _describe(error: Any, raw: dict[str, Any]) -> str:
    loc = list(error["loc"])
    if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
        entries = raw.get(loc[0])
        entry = entries[loc[1]] if isinstance(entries, list) and loc[1] < len(entries) else None
        where = _label(loc[0], loc[1], entry)
        field = ".".join(str(part) for part in loc[2:])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "missing":
            return f'{where}: field "{field}" is missing'
        if error["type"] == "extra_forbidden":
            return f'{where}: field "{field}" is not part of the format'
        if error["type"] == "string_pattern_mismatch":
            hint = models.PATTERN_HINTS.get(error["ctx"]["pattern"], f"must match {error['ctx']['pattern']}")
            return f'{where}: field "{field}": {json.dumps(error["input"], ensure_ascii=False)} is not valid; {hint}'
        return f'{where}: field "{field}": {message}' if field else f"{where}: {message}"
    if loc and error["type"] == "extra_forbidden":
        return f'"{loc[0]}" is not a kind of entity in the format'
    return f"{'.'.join(str(p) for p in loc) or 'document'}: {error['msg']}"


def unique_keys(table: sa.Table) -> list[tuple[str, ...]]:
    """Column sets that must be unique in ``table``, besides its id."""
    keys = [
        tuple(c.name for c in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, sa.UniqueConstraint)
    ]
    keys += [(c.name,) for c in table.columns if c.unique]
    keys += [tuple(c.name for c in index.columns) for index in table.indexes if index.unique]
    return sorted(set(keys))


def references(table: sa.Table) -> Iterable[tuple[str, Kind]]:
    """(column, kind referred to) for each foreign key of ``table``."""
    for fk in table.foreign_keys:
        yield fk.parent.name, KIND_BY_TABLE[fk.column.table.name]


def _consistency_problems(document: RecordDocument) -> Iterable[str]:
    ids: dict[str, set[int]] = defaultdict(set)
    for kind in KINDS:
        table = kind.sa_table
        seen_ids: set[int] = set()
        seen_keys: dict[tuple[str, ...], dict[tuple[Any, ...], int]] = defaultdict(dict)
        for index, entry in enumerate(document.entries(kind)):
            where = _label(kind.key, index, entry)
            entry_id: int = entry.id  # type: ignore[attr-defined]
            if entry_id in seen_ids:
                yield f'{where}: field "id": {entry_id} is used by another entry of {kind.key}'
            seen_ids.add(entry_id)
            for column, target in references(table):
                value = getattr(entry, column)
                if value is not None and value not in ids[target.key]:
                    yield f'{where}: field "{column}": no entry of {target.key} has id {value}'
            for key in unique_keys(table):
                values = tuple(getattr(entry, column) for column in key)
                if any(v is None for v in values):
                    continue
                if values in seen_keys[key]:
                    first = seen_keys[key][values]
                    shown = ", ".join(json.dumps(str(v), ensure_ascii=False) for v in values)
                    yield (
                        f'{where}: field "{", ".join(key)}": {shown} is already used by '
                        f"{kind.key}[{first}]; it must be unique"
                    )
                else:
                    seen_keys[key][values] = index
        ids[kind.key] = seen_ids
    yield from _cross_entry_problems(document)


def _cross_entry_problems(document: RecordDocument) -> Iterable[str]:
    """Rules that span two entries, which no single field can check."""
    round_negotiation = {r.id: r.negotiation_id for r in document.rounds}
    for index, position in enumerate(document.positions):
        expected = round_negotiation.get(position.round_id) if position.round_id is not None else None
        if expected is not None and expected != position.negotiation_id:
            yield (
                f'{_label("positions", index, position)}: field "negotiation_id": {position.negotiation_id} '
                f"differs from the negotiation of round {position.round_id} ({expected})"
            )


def dump(document: RecordDocument) -> str:
    """Serialise a document the same way every time: sorted keys, sorted entries, two-space indent."""
    data = document.model_dump(mode="json")
    for kind in KINDS:
        data[kind.key] = sorted(data[kind.key], key=lambda entry: entry["id"])
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
