"""Moving the whole record in and out: export, import into an empty database, and the bundled seed."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from importlib import resources
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col

from app.record import document
from app.record.document import KINDS, DocumentError, Kind, RecordChecker, RecordDocument, RecordFile
from app.record.models import STAMPS, Negotiation, utcnow, with_derived

BUNDLED_RECORD = "istanbul-2025.json"
# Rows per INSERT on import: large enough to be quick, small enough to report progress often.
BATCH_SIZE = 1000

Progress = Callable[[int], None]


def _record_columns(kind: Kind) -> list[sa.Column[Any]]:
    table = kind.sa_table
    return [table.c[name] for name in kind.record.model_fields]


def export_record(*, session: Session) -> RecordDocument:
    """The whole record as a document, each kind in id order."""
    entries: dict[str, list[dict[str, Any]]] = {}
    for kind in KINDS:
        columns = _record_columns(kind)
        rows = session.execute(sa.select(*columns).order_by(kind.sa_table.c.id)).mappings()
        entries[kind.key] = [dict(row) for row in rows]
    return RecordDocument.model_validate(
        {"format": document.FORMAT, "format_version": document.FORMAT_VERSION, **entries}
    )


def public_record(record: RecordDocument) -> RecordDocument:
    """The record as readers may see it: drafts left out, and everything that hangs on a draft."""
    kept: dict[str, set[int]] = {}
    entries: dict[str, list[Any]] = {}
    for kind in KINDS:
        references = list(document.references(kind.sa_table))
        entries[kind.key] = [
            entry
            for entry in record.entries(kind)
            if getattr(entry, "published", True)
            and all(
                getattr(entry, column) is None or getattr(entry, column) in kept[target.key]
                for column, target in references
            )
        ]
        kept[kind.key] = {entry.id for entry in entries[kind.key]}
    return RecordDocument.model_validate({"format": record.format, "format_version": record.format_version, **entries})


def is_empty(*, session: Session) -> bool:
    return all(
        session.execute(sa.select(sa.literal(1)).select_from(kind.sa_table).limit(1)).first() is None for kind in KINDS
    )


def _bookkeeping() -> dict[str, Any]:
    now = utcnow()
    return {"version": 1, "created_at": now, "updated_at": now}


def _kept(values: dict[str, Any], bookkeeping: dict[str, Any]) -> dict[str, Any]:
    """A row to insert: the document's own times where it has them (a record loaded today did not
    change today), the time of the load where it has not."""
    stamps = {name: values.get(name) or bookkeeping[name] for name in STAMPS}
    return values | bookkeeping | stamps


def import_record(*, session: Session, record: RecordDocument, on_progress: Progress | None = None) -> int:
    """Load ``record`` into an empty database, keeping its ids. Returns the number of entries written.

    Nothing is committed here: the caller's transaction makes the load all or nothing.
    """
    entries = ((kind, entry) for kind in KINDS for entry in record.entries(kind))
    return _load(session, entries, on_progress)


def import_file(*, session: Session, source: RecordFile, on_progress: Progress | None = None) -> int:
    """Load a document read by ``source`` (its shape already checked) into an empty database.

    Entries are checked and written as they are read, one batch at a time, so a file of any size
    takes little memory; at the first problem writing stops, checking goes on, and every problem is
    reported at once. Nothing is committed here: the caller rolls the whole load back on any error.
    """
    checker = RecordChecker()

    def checked() -> Iterator[tuple[Kind, SQLModel]]:
        for kind, entry in document.read_entries(source, checker):
            if entry is not None and not checker.problems:
                yield kind, entry
            elif on_progress is not None:
                on_progress(1)

    written = _load(session, checked(), on_progress)
    checker.finish()
    return written


def _load(session: Session, entries: Iterable[tuple[Kind, SQLModel]], on_progress: Progress | None) -> int:
    if not is_empty(session=session):
        raise DocumentError(["the database already holds a record; import needs an empty database"])
    written = 0
    batch: list[dict[str, Any]] = []
    batch_kind: Kind | None = None

    insert = _copy if session.get_bind().dialect.name == "postgresql" else _insert_many

    def flush() -> None:
        nonlocal written
        if batch_kind is None or not batch:
            return
        insert(session, batch_kind, batch)
        written += len(batch)
        if on_progress is not None:
            on_progress(len(batch))
        batch.clear()

    bookkeeping = _bookkeeping()
    for kind, entry in entries:
        if kind is not batch_kind or len(batch) >= BATCH_SIZE:
            flush()
            batch_kind = kind
        batch.append(_kept(with_derived(kind.sa_table.name, entry.model_dump()), bookkeeping))
    flush()
    _advance_id_sequences(session)
    return written


def _insert_many(session: Session, kind: Kind, rows: list[dict[str, Any]]) -> None:
    try:
        session.execute(sa.insert(kind.sa_table), rows)
    except sa.exc.IntegrityError as exc:
        raise DocumentError([f"{kind.key}: the database refused an entry: {exc.orig}"]) from exc


def _copy(session: Session, kind: Kind, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL's COPY, in the session's transaction: an INSERT per row took a quarter of an hour
    for a large record, COPY takes seconds."""
    from psycopg import errors, sql  # only PostgreSQL deployments have it

    columns = list(rows[0])
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(kind.sa_table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    driver = session.connection().connection.driver_connection
    assert driver is not None
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                # Enums go as their values, as the ORM stores them (psycopg would send an Enum's name).
                copy.write_row([value.value if isinstance(value, Enum) else value for value in row.values()])
    except errors.IntegrityError as exc:
        raise DocumentError([f"{kind.key}: the database refused an entry: {exc}"]) from exc


def _advance_id_sequences(session: Session) -> None:
    """Rows inserted with explicit ids leave PostgreSQL's sequences behind; move them past the ids."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for kind in KINDS:
        name = kind.sa_table.name
        session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {name}"
            )
        )


def bundled_record() -> RecordDocument:
    text = resources.files("app").joinpath("data", BUNDLED_RECORD).read_text(encoding="utf-8")
    return document.parse(text)


@dataclass(frozen=True)
class SeedResult:
    loaded: bool
    written: int


def seed_record(*, session: Session, record: RecordDocument | None = None) -> SeedResult:
    """Load the bundled record unless its negotiations are already there.

    Ids are assigned by the database, so the record can join one that already
    holds other negotiations; parties, people, topics and sources that exist
    already (same slug or URL) are reused rather than duplicated.
    """
    record = record or bundled_record()
    slugs = {negotiation.slug for negotiation in record.negotiations}
    present = set(session.execute(sa.select(col(Negotiation.slug)).where(col(Negotiation.slug).in_(slugs))).scalars())
    if present == slugs:
        return SeedResult(loaded=False, written=0)

    id_maps: dict[str, dict[int, int]] = {kind.key: {} for kind in KINDS}
    written = 0
    for kind in KINDS:
        table = kind.sa_table
        for entry in record.entries(kind):
            values = entry.model_dump(exclude={"id"})
            for column, target in document.references(table):
                if values[column] is not None:
                    values[column] = id_maps[target.key][values[column]]
            existing = _find_existing(session, table, values)
            if existing is None:
                derived = with_derived(table.name, values)
                statement = sa.insert(table).values(**_kept(derived, _bookkeeping())).returning(table.c.id)
                existing = session.execute(statement).scalar_one()
                written += 1
            id_maps[kind.key][entry.id] = existing  # type: ignore[attr-defined]
    return SeedResult(loaded=True, written=written)


def _find_existing(session: Session, table: sa.Table, values: dict[str, Any]) -> int | None:
    for key in document.unique_keys(table):
        if any(values[column] is None for column in key):
            continue
        condition = sa.and_(*(table.c[column] == values[column] for column in key))
        found = session.execute(sa.select(table.c.id).where(condition)).scalar()
        if found is not None:
            return int(found)
    return None
