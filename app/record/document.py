"""The record document: the whole record as one JSON file.

``parley export`` writes it, ``parley import`` reads it, the bundled Istanbul
record ships as one. Entities appear under their table's name, sorted by id,
with keys sorted and references given as ids, so two exports can be diffed.

Reading streams the file (``RecordFile``) and checks entry by entry (``RecordChecker``): a
document of any size is read in memory near one entry's worth, and one too large or too deeply
nested is refused before it is parsed.
"""

import io
import itertools
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

import ijson
import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlmodel import SQLModel

from app.record import models

FORMAT = "parley-record"
# 2: citations may support a delegation (delegation_id). 3: documents, their versions and clauses,
# positions naming their clause, movements of stances, the steps of outcomes and where sources stand.
# Earlier versions read as they are.
FORMAT_VERSION = 3
READABLE_VERSIONS = (1, 2, 3)


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
    Kind("topics", models.Topic, models.TopicRecord),  # before outcomes and positions, which name one
    Kind("negotiations", models.Negotiation, models.NegotiationRecord),
    Kind("negotiation_parties", models.NegotiationParty, models.NegotiationPartyRecord),
    Kind("rounds", models.Round, models.RoundRecord),
    Kind("delegations", models.Delegation, models.DelegationRecord),
    Kind("delegation_members", models.DelegationMember, models.DelegationMemberRecord),
    Kind("outcomes", models.Outcome, models.OutcomeRecord),
    Kind("outcome_parties", models.OutcomeParty, models.OutcomePartyRecord),
    Kind("outcome_steps", models.OutcomeStep, models.OutcomeStepRecord),
    # The texts on the table: before positions, which may name the clause they come from.
    Kind("documents", models.Document, models.DocumentRecord),
    Kind("document_parties", models.DocumentParty, models.DocumentPartyRecord),
    Kind("document_versions", models.DocumentVersion, models.DocumentVersionRecord),
    Kind("clauses", models.Clause, models.ClauseRecord),
    Kind("clause_topics", models.ClauseTopic, models.ClauseTopicRecord),
    Kind("clause_pairs", models.ClausePair, models.ClausePairRecord),
    Kind("positions", models.Position, models.PositionRecord),
    Kind("gap_assessments", models.GapAssessment, models.GapAssessmentRecord),
    Kind("movements", models.Movement, models.MovementRecord),
    Kind("events", models.Event, models.EventRecord),
    Kind("sources", models.Source, models.SourceRecord),
    Kind("reported_figures", models.ReportedFigure, models.ReportedFigureRecord),
    Kind("citations", models.Citation, models.CitationRecord),
)
KIND_BY_TABLE = {kind.sa_table.name: kind for kind in KINDS}
KIND_BY_KEY = {kind.key: kind for kind in KINDS}


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
    outcome_steps: list[models.OutcomeStepRecord] = []
    documents: list[models.DocumentRecord] = []
    document_parties: list[models.DocumentPartyRecord] = []
    document_versions: list[models.DocumentVersionRecord] = []
    clauses: list[models.ClauseRecord] = []
    clause_topics: list[models.ClauseTopicRecord] = []
    clause_pairs: list[models.ClausePairRecord] = []
    topics: list[models.TopicRecord] = []
    positions: list[models.PositionRecord] = []
    gap_assessments: list[models.GapAssessmentRecord] = []
    movements: list[models.MovementRecord] = []
    events: list[models.EventRecord] = []
    sources: list[models.SourceRecord] = []
    reported_figures: list[models.ReportedFigureRecord] = []
    citations: list[models.CitationRecord] = []

    def entries(self, kind: Kind) -> list[SQLModel]:
        return list(getattr(self, kind.key))

    def size(self) -> int:
        return sum(len(self.entries(kind)) for kind in KINDS)


# What a document may be, unless the caller says otherwise (settings PARLEY_IMPORT_MAX_…).
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
DEFAULT_MAX_DEPTH = 32
# Reported at once; beyond this a file is broken in a way a longer list would not explain better.
MAX_PROBLEMS = 100


class RecordFile:
    """A record document, on disk or in memory, read one kind at a time: never held whole in memory.

    ``check_shape`` reads it once for what a JSON parser would choke on or be swamped by (size,
    nesting, syntax) and for its outline; ``entries(kind)`` then streams one kind's entries. Memory
    stays near one entry's worth, whatever the file's size.
    """

    def __init__(self, opener: Callable[[], IO[bytes]], size: int, name: str) -> None:
        self.opener = opener
        self.size = size
        self.name = name
        self.counts: dict[str, int] = {}

    @classmethod
    def of_path(cls, path: Path) -> "RecordFile":
        return cls(lambda: path.open("rb"), path.stat().st_size, str(path))

    @classmethod
    def of_bytes(cls, data: bytes, name: str = "the document") -> "RecordFile":
        return cls(lambda: io.BytesIO(data), len(data), name)

    def check_shape(self, *, max_bytes: int = DEFAULT_MAX_BYTES, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
        """Refuse a file too large, too deeply nested, not JSON, or not shaped as a record document."""
        if self.size > max_bytes:
            limit = _megabytes(max_bytes)
            raise DocumentError(
                [f"{self.name} is {_megabytes(self.size)}, over the limit of {limit} (PARLEY_IMPORT_MAX_BYTES)"]
            )
        outline = _Outline(max_depth)
        try:
            with self.opener() as stream:
                for event, value in ijson.basic_parse(stream, use_float=True):
                    outline.take(event, value)
        except ijson.JSONError as exc:
            raise DocumentError([f"not valid JSON: {str(exc).strip() or 'the file ends too early'}"]) from exc
        outline.finish()
        self.counts = outline.counts

    def entries(self, kind: Kind) -> Iterator[Any]:
        """The raw entries of ``kind``, in file order, one at a time.

        Each kind is a pass over the file from its start, and a pass ends with the kind's last
        entry (check_shape counted them, and refuses a kind that appears twice) rather than parsing
        on to the end: reading the 10,000-round document's entries took 5.3 s rather than 9.4.
        """
        if not (count := self.counts.get(kind.key)):
            return
        with self.opener() as stream:
            yield from itertools.islice(ijson.items(stream, f"{kind.key}.item", use_float=True), count)

    def total(self) -> int:
        return sum(self.counts.values())


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


class _Outline:
    """Follows ``ijson.basic_parse`` events: the depth, the top-level keys and how many entries each kind has."""

    def __init__(self, max_depth: int) -> None:
        self.max_depth = max_depth
        self.depth = 0
        self.key: str | None = None
        self.header: dict[str, Any] = {}
        self.counts: dict[str, int] = {}
        self.started = False

    def take(self, event: str, value: Any) -> None:
        opens = event in ("start_map", "start_array")
        if not self.started:
            self.started = True
            if event != "start_map":
                raise DocumentError(["the document must be a JSON object with one list per kind of entity"])
        if self.depth == 1 and event != "end_map":
            self._top_level(event, value)
        elif self.depth == 2 and self.key in self.counts and event not in ("end_map", "end_array", "map_key"):
            self.counts[self.key] += 1  # an entry starts (a value, or an object or array opening)
        if opens:
            self.depth += 1
            if self.depth > self.max_depth:
                limit = self.max_depth
                raise DocumentError([f"nested deeper than the limit of {limit} levels (PARLEY_IMPORT_MAX_DEPTH)"])
        elif event in ("end_map", "end_array"):
            self.depth -= 1

    def _top_level(self, event: str, value: Any) -> None:
        if event == "map_key":
            if value in self.header or value in self.counts:
                raise DocumentError([f'"{value}" appears twice at the top of the document'])
            if value not in KIND_BY_KEY and value not in ("format", "format_version"):
                raise DocumentError([f'"{value}" is not a kind of entity in the format'])
            self.key = value
            return
        if self.key in ("format", "format_version"):
            self.header[self.key] = value if event not in ("start_map", "start_array") else event
        elif self.key is not None:
            if event != "start_array":
                raise DocumentError([f'"{self.key}" must be a list of entries'])
            self.counts[self.key] = 0

    def finish(self) -> None:
        if self.header.get("format") != FORMAT:
            raise DocumentError([f'"format" must be "{FORMAT}", not {json.dumps(self.header.get("format"))}'])
        version = self.header.get("format_version")
        if version not in READABLE_VERSIONS or isinstance(version, bool):
            readable = " or ".join(str(v) for v in READABLE_VERSIONS)
            raise DocumentError([f'"format_version" {version!r} is not supported; expected {readable}'])


@dataclass(frozen=True)
class _Rules:
    """What an entry of one kind must satisfy beyond its own fields, worked out once per kind."""

    references: tuple[tuple[str, str], ...]
    unique_keys: tuple[tuple[str, ...], ...]


@cache
def _rules(kind: Kind) -> _Rules:
    table = kind.sa_table
    return _Rules(
        references=tuple((column, target.key) for column, target in references(table)),
        unique_keys=tuple(unique_keys(table)),
    )


class RecordChecker:
    """Checks entries one at a time, in dependency order, keeping only ids and unique keys.

    ``check`` returns the entry, validated, or None when it is wrong; ``problems`` names each entry
    and field at fault, and ``finish`` adds what only the whole record shows.
    """

    def __init__(self) -> None:
        self.ids: dict[str, set[int]] = defaultdict(set)
        self.problems: list[str] = []
        self.more = 0
        self._keys: dict[tuple[str, tuple[str, ...]], dict[tuple[Any, ...], int]] = defaultdict(dict)
        self._round_negotiation: dict[int, int] = {}

    def _report(self, problem: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.more += 1

    def check(self, kind: Kind, index: int, raw: Any) -> SQLModel | None:
        try:
            # Pydantic's validator itself: SQLModel's model_validate makes the same object of a
            # record model (not a table) by a longer way, a tenth of a large import.
            entry = kind.record.__pydantic_validator__.validate_python(raw)
        except ValidationError as exc:
            for error in exc.errors():
                self._report(_describe(kind.key, index, raw, error))
            if isinstance(raw, dict) and isinstance(raw.get("id"), int):
                self.ids[kind.key].add(raw["id"])  # so that what refers to it is not reported as well
            return None
        found = len(self.problems) + self.more
        self._check_id(kind, index, entry)
        self._check_references(kind, index, entry)
        self._check_unique(kind, index, entry)
        self._cross_entry(kind, index, entry)
        return entry if len(self.problems) + self.more == found else None

    # Each check names the entry only when it finds a problem: labelling every entry of a large
    # document took a twentieth of its import.
    def _check_id(self, kind: Kind, index: int, entry: Any) -> None:
        entry_id: int = entry.id
        seen = self.ids[kind.key]
        if entry_id in seen:
            label = _label(kind.key, index, entry)
            self._report(f'{label}: field "id": {entry_id} is used by another entry of {kind.key}')
        seen.add(entry_id)

    def _check_references(self, kind: Kind, index: int, entry: Any) -> None:
        for column, target in _rules(kind).references:
            value = getattr(entry, column)
            if value is not None and value not in self.ids[target]:
                label = _label(kind.key, index, entry)
                self._report(f'{label}: field "{column}": no entry of {target} has id {value}')

    def _check_unique(self, kind: Kind, index: int, entry: Any) -> None:
        for key in _rules(kind).unique_keys:
            values = tuple(getattr(entry, column) for column in key)
            if any(v is None for v in values):
                continue
            taken = self._keys[(kind.key, key)]
            if values in taken:
                shown = ", ".join(json.dumps(str(v), ensure_ascii=False) for v in values)
                self._report(
                    f'{_label(kind.key, index, entry)}: field "{", ".join(key)}": {shown} is already used by '
                    f"{kind.key}[{taken[values]}]; it must be unique"
                )
            else:
                taken[values] = index

    def _cross_entry(self, kind: Kind, index: int, entry: Any) -> None:
        """Rules that span two entries, which no single field can check."""
        if kind.key == "rounds":
            self._round_negotiation[entry.id] = entry.negotiation_id
        elif kind.key == "positions" and entry.round_id is not None:
            expected = self._round_negotiation.get(entry.round_id)
            if expected is not None and expected != entry.negotiation_id:
                self._report(
                    f'{_label("positions", index, entry)}: field "negotiation_id": {entry.negotiation_id} '
                    f"differs from the negotiation of round {entry.round_id} ({expected})"
                )

    def finish(self) -> None:
        if self.more:
            self.problems.append(f"… and {self.more} more problems")
        if self.problems:
            raise DocumentError(self.problems)


def read_entries(source: RecordFile, checker: RecordChecker) -> Iterator[tuple[Kind, SQLModel | None]]:
    """Every entry of ``source``, kind by kind in dependency order, each checked as it is read."""
    for kind in KINDS:
        for index, raw in enumerate(source.entries(kind)):
            yield kind, checker.check(kind, index, raw)


def parse(
    text: str | bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, max_depth: int = DEFAULT_MAX_DEPTH
) -> RecordDocument:
    """Read and check a whole document into memory; every problem found is reported at once."""
    source = RecordFile.of_bytes(text.encode() if isinstance(text, str) else text)
    source.check_shape(max_bytes=max_bytes, max_depth=max_depth)
    checker = RecordChecker()
    entries: dict[str, Any] = {kind.key: [] for kind in KINDS}
    for kind, entry in read_entries(source, checker):
        if entry is not None:
            entries[kind.key].append(entry)
    checker.finish()
    return RecordDocument.model_construct(format=FORMAT, format_version=FORMAT_VERSION, **entries)


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


def _describe(kind_key: str, index: int, raw: Any, error: Any) -> str:
    where = _label(kind_key, index, raw)
    field = ".".join(str(part) for part in error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "missing":
        return f'{where}: field "{field}" is missing'
    if error["type"] == "extra_forbidden":
        return f'{where}: field "{field}" is not part of the format'
    if error["type"] == "string_pattern_mismatch":
        hint = models.PATTERN_HINTS.get(error["ctx"]["pattern"], f"must match {error['ctx']['pattern']}")
        return f'{where}: field "{field}": {json.dumps(error["input"], ensure_ascii=False)} is not valid; {hint}'
    return f'{where}: field "{field}": {message}' if field else f"{where}: {message}"


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


def dump(document: RecordDocument) -> str:
    """Serialise a document the same way every time: sorted keys, sorted entries, two-space indent."""
    data = document.model_dump(mode="json")
    for kind in KINDS:
        data[kind.key] = sorted(data[kind.key], key=lambda entry: entry["id"])
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
