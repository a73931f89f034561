"""Batch loading of references for one page, so that no page issues a query per row.

A ``Lookup`` lives for one request. It loads what a page refers to in bulk
(every party, every topic, the people and rounds it names) and numbers the
sources cited on the page in the order the page shows its claims.

The small tables nearly every page refers to (parties, topics, negotiations, the people pages name,
the years with something in them) are read once per version of the record and kept
(``KeptReference``): a page rendered afresh then spends its queries on what it is about. They are
kept only while the record's version is known to be current (see ``ResponseCache.settled_generation``);
otherwise each page reads them itself, as before.
"""

import datetime as dt
import functools
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session, col

from app.core.db import any_of, read, wrote_record
from app.reading import schemas
from app.record.models import (
    WITH_ONE_PARTY,
    Citation,
    Clause,
    DatePrecision,
    Document,
    DocumentVersion,
    Negotiation,
    Party,
    Person,
    Position,
    ReportedFigure,
    Round,
    Source,
    Topic,
    fuzzy_date,
    overdue,
    table_of,
)
from app.record.visibility import visible_document


def fuzzy(value: dt.date | None, precision: DatePrecision | str, note: str | None = None) -> schemas.FuzzyDate | None:
    if value is None:
        return None
    precision = DatePrecision(precision)
    return schemas.FuzzyDate(date=value, precision=precision, label=fuzzy_date(value, precision), note=note)


# The request session's ``info`` key for the app's ``KeptReference``.
REFERENCE = "parley.reference"

_PARTIES = sa.select(Party.__table__).order_by(col(Party.name))  # type: ignore[attr-defined]
_TOPICS = sa.select(Topic.__table__).order_by(col(Topic.sort_order), col(Topic.name))  # type: ignore[attr-defined]
_NEGOTIATIONS = sa.select(col(Negotiation.id), col(Negotiation.slug), col(Negotiation.title)).order_by(
    col(Negotiation.title)
)
_PEOPLE = sa.select(
    col(Person.id), col(Person.slug), col(Person.name), col(Person.name_native), col(Person.title), col(Person.party_id)
).where(any_of(col(Person.id)))

_SOURCES = sa.select(Source.__table__).where(any_of(col(Source.id)))  # type: ignore[attr-defined]

_CLAUSE_REFS: Any = (
    sa.select(
        col(Clause.id),
        col(Clause.number),
        col(Clause.heading),
        col(DocumentVersion.number).label("version_number"),
        col(Document.slug),
        col(Document.title),
    )
    .join(DocumentVersion, col(DocumentVersion.id) == Clause.version_id)
    .join(Document, col(Document.id) == DocumentVersion.document_id)
    .where(any_of(col(Clause.id)), visible_document())
)
_ROUNDS_BY_ID = sa.select(table_of(Round)).where(any_of(col(Round.id)))


def of_one_party() -> sa.ColumnElement[bool]:
    """The source stands with one party, as its category says. The categories are compared one by
    one: ``in_`` of a list rewrites the statement at every run (see ``any_of``)."""
    return sa.or_(*(col(Source.category) == category for category in sorted(WITH_ONE_PARTY)))


@functools.cache
def _citations_of(subject: str) -> Any:
    """The citations of claims of one kind, with their sources' publishers and the party each stands
    with (if one), one statement per kind."""
    column = Citation.__table__.c[subject]  # type: ignore[attr-defined]
    with_one_party = sa.case((of_one_party(), col(Source.party_id)), else_=None)
    return (
        sa.select(column, col(Citation.source_id), col(Source.publisher), col(Citation.note), with_one_party)
        .join(Source, col(Source.id) == Citation.source_id)
        .where(any_of(column))
        .order_by(column, col(Citation.id))
    )


@dataclass
class ReferenceTables:
    """The small tables pages refer to, as public references, read in one go."""

    parties: dict[int, schemas.PartyRef]  # in name order
    topics: dict[int, schemas.TopicRef]  # in the record's order of topics
    negotiations: dict[int, schemas.NegotiationRef]  # in title order
    # People are many more: those pages have named so far, added as pages name others.
    people: dict[int, schemas.PersonRef] = field(default_factory=dict)
    # The years with something a reader can see, once a page has asked (see app.reading.timeline).
    years: list[int] | None = None
    # The choices of negotiation, party and topic pages offer, made once for as long as the tables are
    # kept: on the large record, a hundred small objects per page.
    options: dict[str, list[schemas.FilterOption]] = field(default_factory=dict)

    def options_of(self, kind: Literal["negotiations", "parties", "topics"]) -> list[schemas.FilterOption]:
        if kind not in self.options:
            refs: dict[int, Any] = getattr(self, kind)
            label = "title" if kind == "negotiations" else "name"
            self.options[kind] = [schemas.FilterOption(value=r.slug, label=getattr(r, label)) for r in refs.values()]
        return self.options[kind]

    @classmethod
    def read(cls, connection: sa.Connection | Session) -> "ReferenceTables":
        return cls(
            parties={
                row.id: schemas.PartyRef(slug=row.slug, name=row.name, short_name=row.short_name, colour=row.colour)
                for row in connection.execute(_PARTIES)
            },
            topics={row.id: schemas.TopicRef(slug=row.slug, name=row.name) for row in connection.execute(_TOPICS)},
            negotiations={
                row.id: schemas.NegotiationRef(slug=row.slug, title=row.title)
                for row in connection.execute(_NEGOTIATIONS)
            },
        )

    def add_people(self, connection: sa.Connection | Session, ids: set[int]) -> None:
        for row in connection.execute(_PEOPLE, {"ids": sorted(ids)}):
            party = self.parties.get(row.party_id) if row.party_id is not None else None
            self.people[row.id] = schemas.PersonRef(
                slug=row.slug, name=row.name, name_native=row.name_native, title=row.title, party=party
            )


class KeptReference:
    """The app's reference tables for the record's current version, read again when it changes.

    ``generation`` answers the version the record is known to be at, or None when that is not known
    for sure (a change just committed, a check not made lately, the database unreachable); then
    each page reads the tables itself and nothing is kept.
    """

    def __init__(self, engine: sa.Engine, generation: Callable[[], int | None]) -> None:
        self.engine = engine
        self.generation = generation
        self._kept: tuple[int, ReferenceTables] | None = None
        self._lock = threading.Lock()

    def tables(self, session: Session) -> ReferenceTables:
        generation = self.generation()
        if generation is None or wrote_record(session):
            return ReferenceTables.read(session)
        kept = self._kept
        if kept is not None and kept[0] == generation:
            return kept[1]
        with self._lock:  # one thread reads them; the others wait for it rather than read them too
            kept = self._kept
            if kept is None or kept[0] != generation:
                # On a connection of its own, begun after the generation was read: the tables are at
                # least as new as it (the request's own transaction may be older).
                with self.engine.connect() as connection:
                    kept = (generation, ReferenceTables.read(connection))
                self._kept = kept
        return kept[1]

    def read_years(self, tables: ReferenceTables, read: Callable[[sa.Connection], list[int]]) -> list[int]:
        with self.engine.connect() as connection:
            tables.years = read(connection)
        return tables.years

    def kept_tables(self) -> ReferenceTables | None:
        return self._kept[1] if self._kept is not None else None

    def add_people(self, tables: ReferenceTables, ids: set[int]) -> None:
        with self.engine.connect() as connection:  # kept: read as new as the tables, as above
            tables.add_people(connection, ids)


class Lookup:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._tables: ReferenceTables | None = None
        self._kept: KeptReference | None = None
        self._rounds: dict[int, schemas.RoundRef] = {}
        self._clauses: dict[int, schemas.ClauseRef] = {}
        self._unseen_clauses: set[int] = set()  # clauses of documents readers cannot see yet
        self._citations: dict[str, dict[int, list[tuple[int, str, str | None, int | None]]]] = defaultdict(dict)
        self._numbers: dict[int, int] = {}

    # ------------------------------------------------------------ small tables, kept or loaded whole

    @property
    def tables(self) -> ReferenceTables:
        if self._tables is None:
            kept: KeptReference | None = self.session.info.get(REFERENCE)
            if kept is not None:
                self._tables = kept.tables(self.session)
                self._kept = kept if self._tables is kept.kept_tables() else None
            else:
                self._tables = ReferenceTables.read(self.session)
        return self._tables

    def all_parties(self) -> dict[int, schemas.PartyRef]:
        return self.tables.parties

    def all_topics(self) -> dict[int, schemas.TopicRef]:
        return self.tables.topics

    def party(self, party_id: int | None) -> schemas.PartyRef | None:
        return None if party_id is None else self.tables.parties[party_id]

    def topic(self, topic_id: int) -> schemas.TopicRef:
        return self.tables.topics[topic_id]

    def negotiation_options(self) -> list[schemas.FilterOption]:
        """Every negotiation, by title, for a page's choice of negotiation."""
        return self.tables.options_of("negotiations")

    def party_options(self) -> list[schemas.FilterOption]:
        return self.tables.options_of("parties")

    def topic_options(self) -> list[schemas.FilterOption]:
        return self.tables.options_of("topics")

    def years(self, read: Callable[[sa.Connection | Session], list[int]]) -> list[int]:
        """The years with a round or event, as ``read`` finds them: once per version of the record."""
        tables = self.tables
        if tables.years is not None:
            return tables.years
        if self._kept is not None:
            return self._kept.read_years(tables, read)
        tables.years = read(self.session)
        return tables.years

    # ------------------------------------------------------------ referenced rows, loaded by id

    def negotiations(self, ids: Iterable[int]) -> dict[int, schemas.NegotiationRef]:
        return self.tables.negotiations

    def people(self, ids: Iterable[int | None]) -> dict[int, schemas.PersonRef]:
        tables = self.tables
        missing = {i for i in ids if i is not None} - tables.people.keys()
        if missing:
            if self._kept is not None:
                self._kept.add_people(tables, missing)
            else:
                tables.add_people(self.session, missing)
        return tables.people

    def person(self, person_id: int | None) -> schemas.PersonRef | None:
        return None if person_id is None else self.people([person_id])[person_id]

    def round_ref(self, r: Round | sa.Row[Any]) -> schemas.RoundRef:
        assert r.id is not None
        if r.id not in self._rounds:
            negotiation = self.negotiations([r.negotiation_id])[r.negotiation_id]
            self._rounds[r.id] = schemas.RoundRef(
                slug=r.slug,
                sequence=r.sequence,
                status=r.status,
                date=fuzzy(r.date, r.date_precision, r.date_note),
                city=r.city,
                negotiation=negotiation,
                overdue=overdue(r.status, r.date, r.date_precision, dt.date.today()),
            )
        return self._rounds[r.id]

    def rounds(self, ids: Iterable[int | None]) -> dict[int, schemas.RoundRef]:
        known = self._rounds  # asked once per claim on a page: nothing copied when all are known
        missing = {i for i in ids if i is not None and i not in known}
        if missing:
            rows = read(self.session, _ROUNDS_BY_ID, {"ids": sorted(missing)}).all()
            for r in rows:
                self.round_ref(r)
        return self._rounds

    def clauses(self, ids: Iterable[int | None]) -> dict[int, schemas.ClauseRef]:
        """Clauses positions come from, with their documents; a document readers cannot see yet names none."""
        missing = {i for i in ids if i is not None and i not in self._clauses and i not in self._unseen_clauses}
        if missing:
            for row in read(self.session, _CLAUSE_REFS, {"ids": sorted(missing)}):
                self._clauses[row.id] = schemas.ClauseRef(
                    document_slug=row.slug,
                    document_title=row.title,
                    version=row.version_number,
                    number=row.number,
                    heading=row.heading,
                    anchor=f"clause-{row.id}",
                )
            self._unseen_clauses.update(missing - self._clauses.keys())
        return self._clauses

    # ------------------------------------------------------------ citations and footnotes

    def load_citations(self, subject: str, ids: Iterable[int]) -> None:
        """Fetch the citations of many claims of one kind (``subject`` is e.g. "position_id") at once."""
        wanted = set(ids) - self._citations[subject].keys()
        if not wanted:
            return
        found: dict[int, list[tuple[int, str, str | None, int | None]]] = {i: [] for i in wanted}
        for subject_id, source_id, publisher, note, party_id in read(
            self.session, _citations_of(subject), {"ids": sorted(wanted)}
        ).all():
            found[subject_id].append((source_id, publisher, note, party_id))
        self._citations[subject].update(found)

    def cite(self, subject: str, subject_id: int) -> list[schemas.CitationRef]:
        """Footnote references for one claim, numbering sources in the order the page cites them."""
        loaded = self._citations[subject]
        if subject_id not in loaded:  # loaded in bulk before, nearly always
            self.load_citations(subject, [subject_id])
        refs = []
        for source_id, publisher, note, party_id in loaded[subject_id]:
            first = source_id not in self._numbers
            number = self._numbers.setdefault(source_id, len(self._numbers) + 1)
            side = self.party(party_id)
            refs.append(
                schemas.CitationRef(
                    number=number, publisher=publisher, note=note, first=first, stands_with=side.name if side else None
                )
            )
        return refs

    def sources(self) -> list[schemas.SourcePublic]:
        """Every source cited so far on this page, in footnote order."""
        if not self._numbers:
            return []
        rows = read(self.session, _SOURCES, {"ids": list(self._numbers)})
        listed = [
            schemas.SourcePublic(number=self._numbers[s.id], **s._mapping, stands_with=self._stands_with(s))
            for s in rows
        ]
        return sorted(listed, key=lambda s: s.number)

    def _stands_with(self, source: sa.Row[Any]) -> str | None:
        party = self.party(source.party_id) if source.category in WITH_ONE_PARTY else None
        return party.name if party else None

    # ------------------------------------------------------------ claims

    def figures(self, rows: Sequence[ReportedFigure | sa.Row[Any]]) -> list[schemas.ReportedFigurePublic]:
        self.load_citations("figure_id", [f.id for f in rows if f.id])
        return [
            schemas.ReportedFigurePublic(
                measure=f.measure,
                low=f.low,
                high=f.high,
                unit=f.unit,
                as_reported=f.as_reported,
                citations=self.cite("figure_id", f.id),
            )
            for f in rows
            if f.id
        ]

    def positions(self, rows: Sequence[Position | sa.Row[Any]]) -> list[schemas.PositionPublic]:
        """Public positions, with their rounds, speakers and citations loaded in bulk."""
        self.rounds(p.round_id for p in rows)
        self.people(p.speaker_id for p in rows)
        self.clauses(p.clause_id for p in rows)
        self.load_citations("position_id", [p.id for p in rows if p.id])
        # Everything each position refers to is loaded now: read straight from what was loaded.
        rounds, people, clauses = self._rounds, self.tables.people, self._clauses
        return [self._position(p, rounds, people, clauses) for p in rows]

    def _position(
        self,
        p: Position | sa.Row[Any],
        rounds: dict[int, schemas.RoundRef],
        people: dict[int, schemas.PersonRef],
        clauses: dict[int, schemas.ClauseRef],
    ) -> schemas.PositionPublic:
        assert p.id is not None
        return schemas.PositionPublic(
            id=p.id,
            party=self.party(p.party_id),
            topic=self.topic(p.topic_id),
            round=rounds[p.round_id] if p.round_id else None,
            stated=fuzzy(p.stated_on, p.stated_precision),
            speaker=people[p.speaker_id] if p.speaker_id is not None else None,
            stated_in=p.stated_in,
            clause=clauses.get(p.clause_id) if p.clause_id else None,
            summary=p.summary,
            text=p.text,
            quote=p.quote,
            citations=self.cite("position_id", p.id),
        )
