"""The one owner of engines and sessions."""

from __future__ import annotations

import functools
import json
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Enum,
    Executable,
    Integer,
    Select,
    String,
    Text,
    bindparam,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Dialect, Row, RowMapping, make_url
from sqlalchemy.engine.result import SimpleResultMetaData
from sqlalchemy.exc import DBAPIError, MultipleResultsFound, NoResultFound, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import CompoundSelect
from sqlalchemy.sql.type_api import TypeEngine
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Boolean, TypeDecorator
from sqlmodel import Session

# Where a request keeps its database session (``request.state.db``), so that everything answering the
# request (the signed-in user, a template) shares its one connection rather than taking a second.
REQUEST_SESSION = "db"

# On a connection's ``info``: its transaction has written the record and not yet ended (set by
# app.web.caching). What a page shows from such a transaction (a draft's preview) must be read
# inside it, never from the reference tables kept for the committed record.
WROTE_RECORD = "parley.wrote_record"


def wrote_record(session: Session) -> bool:
    return session.in_transaction() and bool(session.connection().info.get(WROTE_RECORD))


def read(session: Session, statement: Executable, params: Mapping[str, Any] | None = None) -> Rows:
    """The rows of a select of tables and columns (never of mapped classes), run on the session's
    connection, inside its transaction.

    ``session.execute`` sends even such a select through the ORM's machinery, which cost about 0.1 ms
    of the 0.2 ms a statement takes: a tenth of a page rendered afresh, over its 10–20 statements.
    A statement run before (the module-level selects the read pages use) is sent straight to the
    driver in its compiled form (``_Prepared``); any other goes through SQLAlchemy's execution.
    Changes the session holds are flushed first, as ``session.execute`` would: a draft's preview is
    read inside the transaction that wrote it.
    """
    if session.new or session.dirty or session.deleted:
        session.flush()
    connection = session.connection()
    prepared = _prepared(statement, connection)
    if prepared is not None and (rows := prepared.run(connection, params or {})) is not None:
        return rows
    return Rows(connection.execute(statement, params).all())


class Rows:
    """What ``read`` answers: every row of a select, fetched, with the ways of reading them the read
    paths use (``all``, ``first``, ``scalar``, ``scalar_one``, ``scalars``, ``mappings``, iteration).

    SQLAlchemy's ``Result`` does the same through a chain of fetch strategies and filters: about
    20 µs to hand over four rows, as long as SQLite took to find them.
    """

    __slots__ = ("_rows",)

    def __init__(self, rows: Sequence[Row[*tuple[Any, ...]]]) -> None:
        self._rows = rows

    def __iter__(self) -> Iterator[Row[*tuple[Any, ...]]]:
        return iter(self._rows)

    def all(self) -> Sequence[Row[*tuple[Any, ...]]]:
        return self._rows

    def first(self) -> Row[*tuple[Any, ...]] | None:
        return self._rows[0] if self._rows else None

    def scalar(self) -> Any:
        """The first column of the first row, or None when there is no row."""
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        if len(self._rows) != 1:
            raise (NoResultFound if not self._rows else MultipleResultsFound)(
                f"one row was expected, and {len(self._rows)} were found"
            )
        return self._rows[0][0]

    def scalars(self) -> list[Any]:
        """The first column of every row."""
        return [row[0] for row in self._rows]

    def mappings(self) -> list[RowMapping]:
        return [row._mapping for row in self._rows]


class _Prepared:
    """A select compiled once for a dialect, run on the driver's own cursor.

    SQLAlchemy's execution of a statement it has compiled and cached still costs about 80–110 µs
    over the driver's 20–45: the statement's cache key worked out afresh from its whole tree, an
    execution context, events, a cursor result. This does what those do for a plain select: the
    parameters found and converted by the same bind processors and put in the same order, the
    ``before_cursor_execute`` and ``after_cursor_execute`` listeners told (tests count statements
    with them; one that rewrites the statement is not supported), the rows converted by the same
    result processors, and any error handed to the connection to be wrapped and, if it means the
    connection is lost, to invalidate it, as SQLAlchemy's own execution would.

    It keeps only what a run needs, never the compiled statement: that refers to the statement,
    which would then never leave ``_PREPARED`` (a weak dictionary whose values hold their keys).
    """

    __slots__ = ("binds", "columns", "make_row", "positional", "processors", "sql", "usable")

    def __init__(self, compiled: SQLCompiler) -> None:
        self.sql = compiled.string
        self.positional = tuple(compiled.positiontup or ()) if compiled.positional else None
        # Each a function of one value here: a sequence of them is for tuples of values, never bound here.
        self.processors: dict[str, Callable[[Any], Any]] = dict(compiled._bind_processors)  # type: ignore[arg-type]
        self.binds = [(name, bind) for bind, name in compiled.bind_names.items()]
        self.columns = [(column.keyname, column.type) for column in compiled._result_columns]
        self.make_row: Callable[[Any], Row[*tuple[Any, ...]]] | None = None  # from the first run's cursor
        self.usable = True

    def run(self, connection: Connection, params: Mapping[str, Any]) -> Rows | None:
        """The rows; None when SQLAlchemy's execution must run the statement instead (a parameter
        not given, for it to say which; columns the driver describes otherwise than compiled)."""
        sent: Any = None
        cursor = None
        try:
            values = self._values(params)
            if values is None:
                return None
            processors = self.processors
            if self.positional is not None:
                sent = tuple(
                    processors[key](values[key]) if key in processors else values[key] for key in self.positional
                )
            else:
                sent = {key: processors[key](value) if key in processors else value for key, value in values.items()}
            cursor = connection.connection.cursor()
            dispatch = connection.dispatch
            if dispatch.before_cursor_execute:
                dispatch.before_cursor_execute(connection, cursor, self.sql, sent, None, False)
            cursor.execute(self.sql, sent)
            fetched = cursor.fetchall()
            if dispatch.after_cursor_execute:
                dispatch.after_cursor_execute(connection, cursor, self.sql, sent, None, False)
            make_row = self.make_row or self._describe(connection.dialect, cursor.description)
            if make_row is None:
                return None
        except BaseException as error:  # as SQLAlchemy's own execution: an interrupted query loses its connection
            connection._handle_dbapi_exception(error, self.sql, sent, cursor, None)
        finally:
            if cursor is not None:
                cursor.close()
        return Rows([make_row(row) for row in fetched])

    def _values(self, params: Mapping[str, Any]) -> dict[str, Any] | None:
        """Each parameter's value, as ``SQLCompiler.construct_params`` finds it: given, or the
        statement's own (a literal, or a function's answer); None if a required one is not given."""
        values = {}
        for name, bind in self.binds:
            if bind.key in params:
                values[name] = params[bind.key]
            elif name in params:
                values[name] = params[name]
            elif bind.required:
                return None
            else:
                values[name] = bind.effective_value if bind.callable else bind.value
        return values

    def _describe(self, dialect: Dialect, description: Any) -> Callable[[Any], Row[*tuple[Any, ...]]] | None:
        """How a row is made from the driver's values: the keys and result processors SQLAlchemy's
        cursor result would use, with rows made as its own are."""
        if description is None or len(description) != len(self.columns):
            self.usable = False  # SQLAlchemy matches such columns by name: left to it from now on
            return None
        processors = [
            type_._cached_result_processor(dialect, described[1])
            for (_, type_), described in zip(self.columns, description, strict=True)
        ]
        metadata = SimpleResultMetaData([key for key, _ in self.columns])
        self.make_row = functools.partial(
            Row, metadata, processors if any(processors) else None, metadata._key_to_index
        )
        return self.make_row


# Each statement's compiled form, per dialect, once it has been run twice: a statement built afresh
# for one request (a search) is run once and goes through SQLAlchemy's execution, which compiles it
# anyway; one kept at module level is compiled here on its second run and sent as it is from then on.
# A dialect is told by what changes how a statement is written or its values sent: two engines of one
# kind and one server share the compiled form.
_PREPARED: weakref.WeakKeyDictionary[Executable, dict[tuple[Any, ...], _Prepared | None]] = weakref.WeakKeyDictionary()


def _prepared(statement: Executable, connection: Connection) -> _Prepared | None:
    if not isinstance(statement, Select | CompoundSelect):
        return None
    by_dialect = _PREPARED.get(statement)
    if by_dialect is None:
        _PREPARED[statement] = {}
        return None
    if connection.get_execution_options() or connection.engine.echo:
        return None  # options of the connection's own (a schema map, streaming), or statements logged
    dialect = connection.dialect
    kind = (dialect.name, dialect.driver, dialect.paramstyle, dialect.server_version_info)
    if kind not in by_dialect:
        by_dialect[kind] = _prepare(statement, dialect)
    prepared = by_dialect[kind]
    return prepared if prepared is not None and prepared.usable else None


def _prepare(statement: Select[Any] | CompoundSelect[Any], dialect: Dialect) -> _Prepared | None:
    """The select compiled for ``dialect``, unless it needs more than this path does (options of its
    own, values written into its text at each run, parameter names the driver needs escaped)."""
    if statement._execution_options:
        return None
    compiled = statement.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    if compiled.literal_execute_params or compiled.post_compile_params or compiled.escaped_bind_names:
        return None
    return _Prepared(compiled)


class _Listed(TypeDecorator[Any]):
    """A list of ids (or slugs) bound as one parameter: a JSON array on SQLite, an array on PostgreSQL."""

    impl = String
    cache_ok = True

    def __init__(self, item: str) -> None:
        super().__init__()
        self.item = item  # "integer" or "text": a plain value, so that statements cache on it

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            # Only here: an app on SQLite need not import PostgreSQL's dialect (a fortieth of a second).
            from sqlalchemy.dialects.postgresql import ARRAY

            return dialect.type_descriptor(ARRAY(Integer() if self.item == "integer" else Text()))
        return dialect.type_descriptor(String())

    def process_bind_param(self, value: Iterable[Any] | None, dialect: Dialect) -> Any:
        values = list(value or ())
        if dialect.name == "postgresql":
            return values
        if self.item == "integer" and all(type(number) is int for number in values):
            return "[" + ",".join(map(str, values)) + "]"  # ids need no escaping: half json.dumps's time
        return json.dumps(values)


class _AnyOf(ColumnElement[bool]):
    """``column`` is one of the values of a list bound as one parameter (``any_of``)."""

    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True  # a condition already: not to be compared with 1 on SQLite
    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy's name and shape: what a statement's cache key reads)
        ("column", InternalTraversal.dp_clauseelement),
        ("values", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement[Any], values: ColumnElement[Any]) -> None:
        self.column = column
        self.values = values


@compiles(_AnyOf)
def _any_of_sqlite(element: _AnyOf, compiler: SQLCompiler, **kw: Any) -> str:
    column, values = compiler.process(element.column, **kw), compiler.process(element.values, **kw)
    return f"{column} IN (SELECT value FROM json_each({values}))"


@compiles(_AnyOf, "postgresql")
def _any_of_postgresql(element: _AnyOf, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} = ANY({compiler.process(element.values, **kw)})"


def any_of(column: Any, name: str = "ids") -> ColumnElement[bool]:
    """``column IN (…)`` for a list given at run time as the parameter ``name``.

    SQLAlchemy's own way (``in_(bindparam(name, expanding=True))``) writes the statement afresh for
    each run, one placeholder per value: about 15 µs of a 100 µs statement, on every one of the 5–15
    statements that read what a page shows by id, and on PostgreSQL a new text for each length of
    list, so the server never keeps a plan for it. Bound as one list, the statement is the same
    every time.
    """
    stored = column.type.impl_instance if isinstance(column.type, TypeDecorator) else column.type
    if isinstance(stored, Integer):
        item = "integer"
    elif isinstance(stored, String) and not isinstance(stored, Enum):
        item = "text"
    else:  # a date or an enum would need converting, value by value, before going into the list
        raise TypeError(f"any_of takes a column of ids or slugs, not {column.type!r}")
    return _AnyOf(column, bindparam(name, type_=_Listed(item)))


# Connections a pool keeps beyond one per request thread: a request finishing while another starts,
# and the health check.
SPARE_CONNECTIONS = 4


def make_engine(url: str, *, pool_size: int = 5, pool_timeout: float = 30.0, **kwargs: Any) -> Engine:
    """Build an engine for ``url``; SQLite files get their folder and pragmas.

    Up to ``pool_size`` connections (plus ``SPARE_CONNECTIONS``) are open at once, and each is kept
    once opened; a request that cannot get one within ``pool_timeout`` seconds fails with
    ``DatabaseUnavailable`` rather than waiting on. The same bound applies to opening a connection to
    a server that does not answer.

    The spares are kept too, not closed as each comes back (SQLAlchemy's "overflow"): a request still
    holds its connection for a moment after its route has run, while the next one starts, so under
    load the spares were in use all the time, and closed and opened again over and over (28
    connections for 96 pages asked by 16 clients of one thread, tests/test_under_load.py): on
    SQLite the schema read and every statement prepared afresh each time, on PostgreSQL a new
    server process.
    """
    parsed = make_url(url)
    spare = kwargs.pop("max_overflow", SPARE_CONNECTIONS)
    pool = {"pool_size": pool_size + spare, "max_overflow": 0, "pool_timeout": pool_timeout}
    if parsed.get_backend_name() != "sqlite":
        connect_args = {"connect_timeout": max(1, round(pool_timeout))}
        return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **pool, **kwargs)

    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    else:
        pool = {}  # an in-memory database lives in one connection; SQLAlchemy picks its own pool
    engine = create_engine(url, connect_args={"check_same_thread": False}, **pool, **kwargs)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite leaves foreign keys off by default; WAL lets readers and the one
    # writer proceed together; the busy timeout makes a second writer wait
    # instead of failing at once with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()
    # SQLite's own lower() folds ASCII only; searching "çırağan" must find "Çırağan" as on PostgreSQL.
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def _lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on error."""
    with Session(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def is_reachable(engine: Engine) -> bool:
    """True when the database answers a trivial query."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` means the database could not be reached or was too busy, not that a query was wrong.

    Covers a pool with no connection free in time, a server that refuses or drops connections (a
    restart), and SQLite's "database is locked" after its busy timeout: each is worth trying again.
    """
    if isinstance(exc, PoolTimeout):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        orig = exc.orig
        if type(orig).__module__ == "sqlite3":
            # SQLite's OperationalError also means "no such table": only these are worth a retry.
            return any(words in str(orig) for words in SQLITE_UNAVAILABLE)
        # By name, for every driver: psycopg's AdminShutdown, ConnectionTimeout … are OperationalErrors.
        return any(cls.__name__ in ("OperationalError", "InterfaceError") for cls in type(orig).__mro__)
    return False


SQLITE_UNAVAILABLE = ("database is locked", "database is busy", "unable to open database file", "disk I/O error")
