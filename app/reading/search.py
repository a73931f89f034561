"""Search: a reader's words looked for in every kind of the record, results grouped by kind.

The words are matched by the full-text index (``app/record/search_index.py``): FTS5 on SQLite, a
``tsvector`` GIN index on PostgreSQL. Each kind answers with how many of its published records
match, and the best few with a snippet whose matched words are marked. Snippets come back from the
database with control characters around the matches; they are split here into marked and unmarked
parts, so a template never puts database text into HTML unescaped.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.core.db import read
from app.reading import schemas
from app.reading.lookup import Lookup
from app.record.models import Clause, Document, DocumentVersion, Event, Outcome, Person, Position, Round, Source
from app.record.search_index import FTS_TABLE, ROW_ID_FACTOR, SEARCHED, TEXT_SEARCH_CONFIG, Searched, tsvector
from app.record.visibility import (
    visible_clause,
    visible_document,
    visible_event,
    visible_outcome,
    visible_position,
    visible_round,
)

# Hits shown per kind; the count says how many more there are.
PER_KIND = 10
START, STOP = "\x02", "\x03"
_MARKED = re.compile(f"({START}.*?{STOP})", re.S)
_WORD = re.compile(r"\w+", re.U)
# What readers may see of each kind (people and sources are not published or withheld on their own).
VISIBLE: dict[str, Any] = {
    "round": visible_round,
    "position": visible_position,
    "outcome": visible_outcome,
    "event": visible_event,
    "document": visible_document,
    "clause": visible_clause,
}
MODELS: dict[str, Any] = {
    "round": Round,
    "position": Position,
    "outcome": Outcome,
    "event": Event,
    "person": Person,
    "source": Source,
    "document": Document,
    "clause": Clause,
}
LABELS = {
    "round": ("round", "rounds"),
    "position": ("position", "positions"),
    "outcome": ("outcome", "outcomes"),
    "event": ("context event", "context events"),
    "person": ("person", "people"),
    "source": ("source", "sources"),
    "document": ("document", "documents"),
    "clause": ("clause of a document", "clauses of documents"),
}


def words_of(q: str) -> list[str]:
    """The words looked for: at most twelve, and none of a single letter (it would match nearly everything)."""
    return [w for w in _WORD.findall(q) if len(w) > 1][:12]


def search(*, session: Session, q: str, hits: bool = True) -> schemas.SearchResults:
    """``hits=False``: how many of each kind match, and nothing more (one query per kind, whatever matches)."""
    words = words_of(q)
    groups = []
    if words:
        finder = _Sqlite(words) if session.get_bind().dialect.name == "sqlite" else _Postgres(words)
        lookup = Lookup(session)
        for searched in SEARCHED:
            count, found = finder.find(session, searched, hits)
            if count:
                singular, plural = LABELS[searched.kind]
                shown = _hits(session, lookup, searched.kind, found) if hits else []
                label = plural if count != 1 else singular
                groups.append(schemas.SearchGroup(kind=searched.kind, label=label, count=count, hits=shown))
    return schemas.SearchResults(q=q, words=words, total=sum(g.count for g in groups), groups=groups)


def snippet_parts(text: str) -> list[schemas.SnippetPart]:
    parts = []
    for piece in _MARKED.split(text):
        if piece.startswith(START) and piece.endswith(STOP):
            parts.append(schemas.SnippetPart(text=piece[1:-1], marked=True))
        elif piece:
            parts.append(schemas.SnippetPart(text=piece.replace(START, "").replace(STOP, ""), marked=False))
    return parts


# ------------------------------------------------------------------ matching, per engine


@dataclass
class _Sqlite:
    words: list[str]

    @property
    def match(self) -> str:
        # Each word quoted (so no word is read as FTS syntax) and open at its end: "child" finds "children".
        return " ".join('"' + word.replace('"', '""') + '"*' for word in self.words)

    def find(self, session: Session, searched: Searched, hits: bool) -> tuple[int, list[tuple[int, str]]]:
        table = MODELS[searched.kind].__table__
        ref_id: sa.ColumnElement[int] = sa.literal_column(f"{FTS_TABLE}.rowid / {ROW_ID_FACTOR}")
        joined = (
            sa.select(sa.literal(1))
            .select_from(sa.table(FTS_TABLE))
            .join(table, table.c.id == ref_id)
            .where(sa.text(f"{FTS_TABLE} MATCH :match"), sa.literal_column(f"{FTS_TABLE}.kind") == searched.kind)
        )
        if searched.kind in VISIBLE:
            joined = joined.where(VISIBLE[searched.kind]())
        count = read(
            session, sa.select(sa.func.count()).select_from(joined.subquery()), {"match": self.match}
        ).scalar_one()
        if not count or not hits:
            return count, []
        snippet: sa.ColumnElement[str] = sa.literal_column(f"snippet({FTS_TABLE}, 1, char(2), char(3), '…', 16)")
        rows = read(
            session,
            joined.with_only_columns(ref_id, snippet).order_by(sa.literal_column("rank")).limit(PER_KIND),
            {"match": self.match},
        ).all()
        return count, [(int(r[0]), r[1]) for r in rows]


@dataclass
class _Postgres:
    words: list[str]

    def find(self, session: Session, searched: Searched, hits: bool) -> tuple[int, list[tuple[int, str]]]:
        table = MODELS[searched.kind].__table__
        # Words ANDed, each open at its end, as on SQLite.
        query = sa.func.to_tsquery(TEXT_SEARCH_CONFIG, " & ".join(f"{w}:*" for w in self.words))
        vector: sa.ColumnElement[Any] = sa.literal_column(tsvector(searched))
        matching = sa.select(table.c.id).where(vector.op("@@")(query))
        if searched.kind in VISIBLE:
            matching = matching.where(VISIBLE[searched.kind]())
        count = read(session, sa.select(sa.func.count()).select_from(matching.subquery())).scalar_one()
        if not count or not hits:
            return count, []
        options = f"StartSel={START}, StopSel={STOP}, MaxWords=28, MinWords=12, MaxFragments=1"
        headline = sa.func.ts_headline(TEXT_SEARCH_CONFIG, sa.literal_column(searched.text()), query, options)
        rank = sa.func.ts_rank(vector, query)
        rows = read(
            session, matching.with_only_columns(table.c.id, headline).order_by(rank.desc(), table.c.id).limit(PER_KIND)
        ).all()
        return count, [(int(r[0]), r[1]) for r in rows]


# ------------------------------------------------------------------ what a hit shows


Place = tuple[str, str | None]  # a hit's title, and where it is


def _hits(session: Session, lookup: Lookup, kind: str, found: Sequence[tuple[int, str]]) -> list[schemas.SearchHit]:
    ids = [i for i, _ in found]
    places = _PLACES[kind](session, lookup, ids)
    return [
        schemas.SearchHit(kind=kind, title=places[i][0], url=places[i][1], snippet=snippet_parts(text))
        for i, text in found
        if i in places
    ]


def _rounds(session: Session, lookup: Lookup, ids: list[int]) -> dict[int, Place]:
    refs = lookup.rounds(ids)
    return {
        i: (f"Round {r.sequence}" + (f" · {r.city}" if r.city else ""), f"/rounds/{r.slug}")
        for i, r in refs.items()
        if i in ids
    }


def _positions(session: Session, lookup: Lookup, ids: list[int]) -> dict[int, Place]:
    rows = session.exec(select(Position).where(col(Position.id).in_(ids))).all()
    negotiations = lookup.negotiations(p.negotiation_id for p in rows)
    places: dict[int, Place] = {}
    for p in rows:
        party, topic = lookup.party(p.party_id), lookup.topic(p.topic_id)
        assert p.id is not None and party is not None
        where = f"/topics/{topic.slug}?negotiation={negotiations[p.negotiation_id].slug}#position-{p.id}"
        places[p.id] = (f"{party.name} on {topic.name}", where)
    return places


def _outcomes(session: Session, lookup: Lookup, ids: list[int]) -> dict[int, Place]:
    rows = session.exec(select(Outcome).where(col(Outcome.id).in_(ids))).all()
    refs = lookup.rounds(o.round_id for o in rows)
    places: dict[int, Place] = {
        o.id: (o.title, f"/rounds/{refs[o.round_id].slug}#outcome-{o.id}") for o in rows if o.id
    }
    return places


def _events(session: Session, lookup: Lookup, ids: list[int]) -> dict[int, Place]:
    rows = session.exec(select(Event).where(col(Event.id).in_(ids))).all()
    negotiations = lookup.negotiations(e.negotiation_id for e in rows if e.negotiation_id)
    places: dict[int, Place] = {}
    for e in rows:
        assert e.id is not None
        base = f"/negotiations/{negotiations[e.negotiation_id].slug}" if e.negotiation_id else "/timeline"
        places[e.id] = (e.title, f"{base}#event-{e.slug}")
    return places


def _people(session: Session, lookup: Lookup, ids: list[int]) -> dict[int, Place]:
    rows = session.exec(select(Person).where(col(Person.id).in_(ids))).all()
    places: dict[int, Place] = {p.id: (p.name, f"/people/{p.slug}") for p in rows if p.id}
    return places


def _sources(session: Session, lookup: Lookup, ids: list[int]) -> dict[int, Place]:
    rows = session.exec(select(Source).where(col(Source.id).in_(ids))).all()
    return {s.id: (f"{s.title} — {s.publisher}" if s.title else s.publisher, s.url) for s in rows if s.id}


def _documents(session: Session, lookup: Lookup, ids: list[int]) -> dict[int, Place]:
    rows = read(
        session, sa.select(col(Document.id), col(Document.slug), col(Document.title)).where(col(Document.id).in_(ids))
    )
    return {i: (title, f"/documents/{slug}") for i, slug, title in rows}


def _clauses(session: Session, lookup: Lookup, ids: list[int]) -> dict[int, Place]:
    """A clause, named by its document, version and number, at its place on the document's page."""
    rows = read(
        session,
        sa.select(
            col(Clause.id),
            col(Clause.number),
            col(Clause.heading),
            col(DocumentVersion.number),
            col(Document.slug),
            col(Document.title),
        )
        .join(DocumentVersion, col(DocumentVersion.id) == Clause.version_id)
        .join(Document, col(Document.id) == DocumentVersion.document_id)
        .where(col(Clause.id).in_(ids)),
    )
    return {
        i: (clause_name(title, version, number, heading), f"/documents/{slug}?version={version}#clause-{i}")
        for i, number, heading, version, slug, title in rows
    }


def clause_name(document: str, version: int, number: str, heading: str) -> str:
    """ "Russian memorandum, version 1, clause 2: Territory"."""
    named = f", clause {number}" if number else ""
    return f"{document}, version {version}{named}" + (f": {heading}" if heading else "")


_PLACES = {
    "round": _rounds,
    "position": _positions,
    "outcome": _outcomes,
    "event": _events,
    "person": _people,
    "source": _sources,
    "document": _documents,
    "clause": _clauses,
}
