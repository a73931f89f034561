"""The full-text index of the record: what a reader's words are looked for in, and how it is kept.

Eight kinds are searched: rounds, positions, outcomes, context events, people, sources, documents
and their clauses. Each has a
text made of its own fields (``SEARCHED``). SQLite keeps them in an FTS5 table, ``search_index``,
filled by triggers on those tables, so that every insert, edit, import and delete keeps it right
without the application's help. PostgreSQL needs no table of its own: each kind has a GIN index on
the ``tsvector`` of the same text, and queries use the same expression so the index serves them.

The objects are made by migrations 0010 and 0014 and, for tests that build the schema from the models, when
the metadata is created (``install`` is hooked to ``after_create``).
"""

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import SQLModel

FTS_TABLE = "search_index"
# The English configuration stems ("exchanges" finds "exchange"); names in other scripts pass through whole.
TEXT_SEARCH_CONFIG = "english"


@dataclass(frozen=True)
class Searched:
    """One kind of record as the index sees it."""

    kind: str  # as readers see it: "round", "position" …
    table: str
    code: int  # an FTS row's id is the record's id × 8 + this, so that a record's row is found at once
    fields: tuple[str, ...]  # its texts, most telling first

    def text(self, prefix: str = "") -> str:
        """The searched text as SQL: the fields joined by spaces, NULLs as empty (same on both engines)."""
        return " || ' ' || ".join(f"coalesce({prefix}{field}, '')" for field in self.fields)


SEARCHED = (
    Searched("round", "rounds", 1, ("summary", "venue", "city", "atmosphere", "date_note")),
    Searched("position", "positions", 2, ("summary", "text", "quote", "stated_in")),
    Searched("outcome", "outcomes", 3, ("title", "description")),
    Searched("event", "events", 4, ("title", "description")),
    Searched("person", "people", 5, ("name", "name_native", "title")),
    Searched("source", "sources", 6, ("title", "publisher", "citing", "via", "url", "standpoint")),
    Searched("document", "documents", 7, ("title", "summary", "standpoint")),  # migration 0014
    Searched("clause", "clauses", 0, ("heading", "text", "number")),
)
SEARCHED_BY_KIND = {s.kind: s for s in SEARCHED}
ROW_ID_FACTOR = 8


def tsvector(searched: Searched) -> str:
    """The PostgreSQL expression its GIN index is built on; queries must use the very same."""
    return f"to_tsvector('{TEXT_SEARCH_CONFIG}', {searched.text()})"


def _sqlite_statements(kinds: Iterable[Searched]) -> Iterable[str]:
    yield (
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
        "kind UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2')"
    )
    for s in kinds:
        row = f"NEW.id * {ROW_ID_FACTOR} + {s.code}"
        insert = f"INSERT INTO {FTS_TABLE}(rowid, kind, body) VALUES ({row}, '{s.kind}', {s.text('NEW.')});"
        delete = f"DELETE FROM {FTS_TABLE} WHERE rowid = OLD.id * {ROW_ID_FACTOR} + {s.code};"
        yield f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_{s.table}_insert AFTER INSERT ON {s.table} BEGIN {insert} END"
        yield f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_{s.table}_delete AFTER DELETE ON {s.table} BEGIN {delete} END"
        yield (
            f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_{s.table}_update AFTER UPDATE ON {s.table} "
            f"BEGIN {delete} {insert} END"
        )


def _postgresql_statements(kinds: Iterable[Searched]) -> Iterable[str]:
    for s in kinds:
        yield f"CREATE INDEX IF NOT EXISTS ix_{s.table}_search ON {s.table} USING gin ({tsvector(s)})"


def install(connection: sa.Connection, kinds: Iterable[Searched] = SEARCHED) -> None:
    """Make the index of ``kinds`` (and fill it from what their tables hold already). A migration names
    the kinds it adds, so that it makes only what its own schema has tables for."""
    kinds = list(kinds)
    if connection.dialect.name == "sqlite":
        for statement in _sqlite_statements(kinds):
            connection.exec_driver_sql(statement)
        rebuild(connection, kinds)
    elif connection.dialect.name == "postgresql":
        for statement in _postgresql_statements(kinds):
            connection.exec_driver_sql(statement)


def rebuild(connection: sa.Connection, kinds: Iterable[Searched] = SEARCHED) -> None:
    """Fill SQLite's index of ``kinds`` afresh from their tables (after the triggers were made on a filled database)."""
    for s in kinds:
        connection.exec_driver_sql(f"DELETE FROM {FTS_TABLE} WHERE kind = '{s.kind}'")
        connection.exec_driver_sql(
            f"INSERT INTO {FTS_TABLE}(rowid, kind, body) "
            f"SELECT id * {ROW_ID_FACTOR} + {s.code}, '{s.kind}', {s.text()} FROM {s.table}"
        )


def uninstall(connection: sa.Connection, kinds: Iterable[Searched] = SEARCHED, *, whole: bool = True) -> None:
    """Take away the index of ``kinds``; ``whole``: SQLite's index table too."""
    if connection.dialect.name == "sqlite":
        for s in kinds:
            for event in ("insert", "delete", "update"):
                connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{s.table}_{event}")
            if not whole:
                connection.exec_driver_sql(f"DELETE FROM {FTS_TABLE} WHERE kind = '{s.kind}'")
        if whole:
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    elif connection.dialect.name == "postgresql":
        for s in kinds:
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS ix_{s.table}_search")


def of_tables(*tables: str) -> list[Searched]:
    """The searched kinds of these tables, for the migration that indexes them."""
    return [s for s in SEARCHED if s.table in tables]


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """For Alembic's autogenerate: leave out the search index's tables and indexes, which the models do not
    describe (they are made by ``install``)."""
    ours = bool(name) and (str(name).startswith(FTS_TABLE) or str(name).endswith("_search"))
    return not (type_ in ("table", "index") and ours)


@sa.event.listens_for(SQLModel.metadata, "after_create")
def _install_with_the_schema(_target: object, connection: sa.Connection, **_kw: object) -> None:
    install(connection)
