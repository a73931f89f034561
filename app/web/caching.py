"""HTTP caching for public GET answers: a strong ETag over the body, 304 for a matching If-None-Match,
and a per-process cache of rendered answers keyed to the record's version.

A commit that writes the record (not one that only signs someone in) empties this process's cache,
and on PostgreSQL tells every other process at once with ``NOTIFY``; each process ``LISTEN``s on a
connection of its own. The record's version — the newest ``updated_at`` across the record's tables
together with the newest revision, one indexed query — is also read at most once per
``version_ttl`` seconds (every 30 s while PostgreSQL's notifications are heard), which is how
SQLite's other processes learn of a change. That read runs in a thread of its own, never on the
event loop and never waiting for the request pool; when it fails, the answers already kept go on
being served until the database answers again, and a page that cannot be rendered for want of the
database is answered with the copy kept before the last change, if there is one (stale-if-error).
"""

import datetime as dt
import gzip
import hashlib
import logging
import os
import re
import select
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus

import anyio
import sqlalchemy as sa
from sqlmodel import SQLModel
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.db import WROTE_RECORD
from app.record.models import PRIVATE_TABLES

logger = logging.getLogger("parley.cache")

# Up to this share of a cache (a quarter) keeps the last good copies of pages from before the last
# change, for when the database cannot be reached; beyond it they make way for answers of today.
STALE_SHARE = 4
# Readers see a change within a minute; a cache may serve a stale copy while it refetches.
PUBLIC_CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=300"
# StaticFiles answers conditional requests itself; health checks must reach the database.
UNCACHED_PREFIXES = ("/static/", "/healthz")
# Request headers an answer may depend on besides its address (see app.web.htmx.wants_fragment).
VARYING_HEADERS = (b"host", b"hx-request", b"hx-boosted", b"hx-history-restore-request")
_VARYING = frozenset(VARYING_HEADERS)


def etag_for(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in candidates or etag in candidates


def version_query() -> sa.ClauseElement:
    """One row: the newest updated_at of each of the record's tables, and the newest revision's id."""
    columns: list[sa.ColumnElement[object]] = [
        sa.select(sa.func.max(table.c.updated_at)).scalar_subquery()
        for table in SQLModel.metadata.sorted_tables
        if "updated_at" in table.c and table.name not in PRIVATE_TABLES
    ]
    revisions = SQLModel.metadata.tables.get("revisions")
    if revisions is not None:
        columns.append(sa.select(sa.func.max(revisions.c.id)).scalar_subquery())
    return sa.select(*columns)


NOT_MODIFIED_HEADERS = {"etag", "cache-control", "vary", "link"}
# A cached answer carries the framing rules (app/web/widgets.py), and so must the 304 that stands for it.
FRAMING_HEADERS = {"content-security-policy", "x-frame-options"}


# Compressed once, when the answer is kept, for every client that accepts gzip.
COMPRESSIBLE = (
    b"text/",
    b"application/json",
    b"application/problem+json",
    b"application/xml",
    b"application/atom+xml",
    b"application/javascript",
    b"image/svg+xml",
)
# Below this, gzip's own framing outweighs what it saves.
MIN_COMPRESSED = 512


@dataclass
class CachedAnswer:
    """A 200 as it was sent, the 304 that stands for it, and its gzip twin, built once."""

    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: str
    not_modified: list[tuple[bytes, bytes]]
    gzipped: "CachedAnswer | None" = None

    @property
    def size(self) -> int:
        return len(self.body) + (len(self.gzipped.body) if self.gzipped else 0)

    @classmethod
    def of(cls, headers: list[tuple[bytes, bytes]], body: bytes, *, compress: bool = True) -> "CachedAnswer":
        """``headers`` as the framing middleware left them; its 304 holds the framing rule and nothing more.

        A text answer also gets a gzip twin with an ETag of its own (its bytes differ), and both say
        ``Vary: Accept-Encoding`` so that shared caches keep them apart. ``compress=False`` leaves the
        twin out: an answer that will not be kept, for a client that does not take gzip, needs none.
        """
        found = dict(headers)
        if len(body) < MIN_COMPRESSED or b"content-encoding" in found:
            return cls._build(headers, body)
        if not found.get(b"content-type", b"").startswith(COMPRESSIBLE):
            return cls._build(headers, body)
        vary = found.get(b"vary")
        headers = [(k, v) for k, v in headers if k != b"vary"]
        headers.append((b"vary", vary + b", Accept-Encoding" if vary else b"Accept-Encoding"))
        answer = cls._build(headers, body)
        if not compress:
            return answer
        compressed = gzip.compress(body, 6, mtime=0)  # no timestamp: the same bytes, and ETag, every time
        if len(compressed) < len(body):
            etag = answer.etag[:-1] + '-gzip"'
            twin = [(k, v) for k, v in headers if k not in (b"content-length", b"etag")]
            twin += [
                (b"content-encoding", b"gzip"),
                (b"content-length", str(len(compressed)).encode()),
                (b"etag", etag.encode("latin-1")),
            ]
            answer.gzipped = cls._build(twin, compressed)
        return answer

    @classmethod
    def _build(cls, headers: list[tuple[bytes, bytes]], body: bytes) -> "CachedAnswer":
        etag = Headers(raw=headers)["etag"]
        kept = []
        for name, value in headers:
            lowered = name.decode("latin-1").lower()
            if lowered == "content-security-policy":
                directives = [d.strip() for d in value.decode("latin-1").split(";")]
                value = "; ".join(d for d in directives if d.startswith("frame-ancestors")).encode("latin-1")
            if lowered in NOT_MODIFIED_HEADERS or lowered in FRAMING_HEADERS:
                kept.append((name, value))
        return cls(headers=headers, body=body, etag=etag, not_modified=kept)


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding takes gzip: named with a quality above 0, or else through ``*``."""
    qualities: dict[str, float] = {}
    for item in accept_encoding.split(","):
        coding, _, parameters = item.partition(";")
        quality = 1.0
        name, _, value = parameters.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                quality = 0.0  # unreadable: safer not to compress
        qualities[coding.strip().lower()] = quality
    for coding in ("gzip", "x-gzip", "*"):
        if coding in qualities:
            return qualities[coding] > 0
    return False


VersionReader = Callable[[], tuple[object, ...]]


def version_reader(engine: sa.Engine) -> VersionReader:
    """Reads the record's version over ``engine``, which should be the cache's own (one connection)."""
    # On the bare DBAPI connection: the statement is fixed, and compiling and wrapping it would cost
    # more than running it.
    sql = str(version_query().compile(dialect=engine.dialect))

    def read() -> tuple[object, ...]:
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(sql)
            row = cursor.fetchone()
            cursor.close()
        finally:
            connection.close()
        return tuple(row or ())

    return read


@dataclass(eq=False)
class ResponseCache:
    """Rendered public answers of one process, dropped all at once when the record's version changes."""

    read_version: VersionReader | None = None
    max_bytes: int = 32 * 1024 * 1024
    version_ttl: float = 1.0
    # While PostgreSQL's notifications are heard, polling is only a safety net.
    listening_ttl: float = 30.0
    # A request waits this long for a version check in progress, then is answered from what is kept.
    version_wait: float = 1.0
    clock: Callable[[], float] = time.monotonic
    # Pages say things that turn true with the date ("expected June 2025 — no date announced since"):
    # a new day is a new version, so that no answer outlives the day it was rendered on.
    today: Callable[[], dt.date] = dt.date.today
    listening: Callable[[], bool] = lambda: False
    _answers: OrderedDict[Hashable, CachedAnswer] = field(default_factory=OrderedDict)
    _size: int = 0
    # Answers of earlier generations, served only when a page cannot be rendered afresh for want of
    # the database (stale-if-error): a publish just before an outage must not leave readers an error.
    _stale: OrderedDict[Hashable, CachedAnswer] = field(default_factory=OrderedDict)
    _stale_size: int = 0
    # Keys asked more than once (served as kept, or rendered again after a change), while an answer
    # to them is kept: their last good copies are the last to go.
    _asked_again: set[Hashable] = field(default_factory=set)
    _version: tuple[object, ...] | None = None
    _checked_at: float = float("-inf")
    _checking: bool = False

    # Bumped by every invalidation; an answer rendered under an older generation is not kept.
    generation: int = 0
    _cleared: int = 0
    # The last version check failed: the database is unreachable, and answers are served as kept.
    degraded: bool = False

    def __post_init__(self) -> None:
        _CACHES.add(self)

    def invalidate(self) -> None:
        """Forget every answer and read the version again at the next request (safe from any thread)."""
        self.generation += 1
        self._checked_at = float("-inf")

    def settled_generation(self) -> int | None:
        """The generation, when the record's version was read lately enough to trust that nothing has
        changed since (what was made of the record under it may be used again); otherwise None."""
        ttl = self.listening_ttl if self.listening() else self.version_ttl
        if self.read_version is None or self.degraded or self.clock() - self._checked_at >= ttl:
            return None
        return self.generation

    def recheck(self) -> None:
        """Read the version again at the next request; answers stay unless it changed."""
        self._checked_at = float("-inf")

    async def refresh(self) -> int:
        """Bring the cache up to the record's version; returns the generation answers now belong to."""
        ttl = self.listening_ttl if self.listening() else self.version_ttl
        if self.read_version is not None and not self._checking and self.clock() - self._checked_at >= ttl:
            self._checking = True
            # The thread goes on if the database is slow to answer; the request does not wait for it.
            with anyio.move_on_after(self.version_wait):
                await anyio.to_thread.run_sync(
                    self._check_version, limiter=anyio.CapacityLimiter(1), abandon_on_cancel=True
                )
        generation = self.generation
        if generation != self._cleared:
            for key, answer in self._answers.items():
                if key in self._stale:
                    self._stale_size -= self._stale.pop(key).size
                self._stale[key] = answer
                self._stale_size += answer.size
            self._answers.clear()
            self._size = 0
            self._cleared = generation
            self._trim()
        return generation

    def _check_version(self) -> None:
        assert self.read_version is not None
        try:
            version = (*self.read_version(), self.today())
        except Exception as exc:  # any failure to read is an outage: keep serving what is kept
            if not self.degraded:
                logger.warning("The record's version cannot be read (%s); serving cached pages as they are.", exc)
            self.degraded = True
        else:
            if self.degraded:
                logger.warning("The database answers again; the cache follows the record's version.")
            self.degraded = False
            if version != self._version:
                self._version = version
                self.generation += 1
        finally:
            self._checked_at = self.clock()
            self._checking = False

    def get(self, key: Hashable) -> CachedAnswer | None:
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
            self._asked_again.add(key)
        return answer

    def last_good(self, key: Hashable) -> CachedAnswer | None:
        """For a page that could not be rendered: the answer kept for ``key``, if another request
        kept one while this one was rendering, else the one kept before the record changed."""
        return self._answers.get(key) or self._stale.get(key)

    def put(self, key: Hashable, answer: CachedAnswer, generation: int) -> None:
        if generation != self.generation or answer.size > self.max_bytes // 8 or key in self._answers:
            return
        self._answers[key] = answer
        self._size += answer.size
        if key in self._stale:
            self._stale_size -= self._stale.pop(key).size
            self._asked_again.add(key)
        self._trim()

    def _trim(self) -> None:
        """Within ``max_bytes``: the least recently used answers go, and the last good copies beyond
        their share of the cache, those of pages asked only once first, then those least used
        before the change.

        The copies once went first of all: after a publish, a flood of pages asked once (varied filters
        and searches) pushed out every copy of the pages readers had been reading, and when the
        database went away those were answered 503 (seen in `make soak`). Kept in order of use alone,
        the copy of a page readers kept coming back to would still go before those of pages asked
        once just after it (tests/test_error_pages.py).
        """
        kept_for_outages = self.max_bytes // STALE_SHARE
        while self._size + self._stale_size > self.max_bytes:
            if self._stale and (self._stale_size > kept_for_outages or not self._answers):
                key = next((k for k in self._stale if k not in self._asked_again), next(iter(self._stale)))
                self._stale_size -= self._stale.pop(key).size
                if key not in self._answers:
                    self._asked_again.discard(key)
            else:
                key, dropped = self._answers.popitem(last=False)
                self._size -= dropped.size
                if key not in self._stale:
                    self._asked_again.discard(key)


_CACHES: "weakref.WeakSet[ResponseCache]" = weakref.WeakSet()


def invalidate_all() -> None:
    for cache in list(_CACHES):
        cache.invalidate()


# ---------------------------------------------------------------- who changed the record

RECORD_CHANNEL = "parley_record"
_WROTE = WROTE_RECORD  # on a connection's info: this transaction wrote the record
_COMMITTED = "parley.committed_record"  # ... and was committed; the cache empties again at check-in


def _writes_record(statement: object) -> bool:
    if not isinstance(statement, sa.Insert | sa.Update | sa.Delete):
        return False
    return getattr(statement.table, "name", None) not in PRIVATE_TABLES


@sa.event.listens_for(sa.Engine, "after_execute")
def _note_record_write(connection: sa.Connection, statement: object, *_args: Any) -> None:
    if _writes_record(statement):
        connection.info[_WROTE] = True


@sa.event.listens_for(sa.Engine, "commit")
def _on_commit(connection: sa.Connection) -> None:
    """Runs just before the database commits: a sign-in or a session touches no cached answer."""
    if not connection.info.pop(_WROTE, False):
        return
    if connection.dialect.name == "postgresql":
        # Sent inside the transaction, so other processes hear of it once the commit is visible.
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(f"NOTIFY {RECORD_CHANNEL}")
        cursor.close()
    connection.info[_COMMITTED] = True
    # Now, so that no answer rendered from here on is kept under the old generation; and again at
    # check-in (below), because a page rendered while the commit was on its way read the old record.
    invalidate_all()


@sa.event.listens_for(sa.Engine, "rollback")
def _on_rollback(connection: sa.Connection) -> None:
    # A connection lost mid-transaction (a database restart) has no info to clear: the pool clears it
    # when it opens the connection again, and asking for it here would raise instead of rolling back.
    if not connection.invalidated:
        connection.info.pop(_WROTE, None)


@sa.event.listens_for(sa.pool.Pool, "checkin")
def _after_commit(_dbapi_connection: object, record: Any) -> None:
    if record is not None and record.info.pop(_COMMITTED, False):
        invalidate_all()


class ChangeListener:
    """Hears PostgreSQL's notifications of commits made by other processes, on a connection of its own.

    Runs in a daemon thread; a lost connection is opened again every second. Each time it starts to
    listen, ``on_listening`` is called: a change may have passed unheard, so the version is read again.
    """

    def __init__(self, url: sa.URL, on_change: Callable[[], None], on_listening: Callable[[], None]) -> None:
        self.conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.on_change = on_change
        self.on_listening = on_listening
        self.connected = False
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        # Written to by stop(): the listener waits on it beside the connection, so that stopping (a
        # worker shutting down, every test's app) is immediate rather than at the next timeout.
        self._wake_up, self._wake = os.pipe()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="parley-listen", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._stopping.is_set():
            return
        self._stopping.set()
        os.write(self._wake, b"!")
        if self._thread is not None:
            self._thread.join(timeout=3)
        os.close(self._wake)
        os.close(self._wake_up)

    def _run(self) -> None:
        import psycopg  # only PostgreSQL deployments listen

        while not self._stopping.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5) as connection:
                    connection.execute(f"LISTEN {RECORD_CHANNEL}")
                    self.connected = True
                    self.on_listening()
                    while not self._stopping.is_set():
                        ready, _, _ = select.select([connection.fileno(), self._wake_up], [], [], 60)
                        if self._wake_up in ready:
                            break
                        # Readable: notifications, or the server gone (which raises, and is retried).
                        for _ in connection.notifies(timeout=0):
                            self.on_change()
            except psycopg.Error as exc:
                if self.connected:
                    logger.warning("Lost PostgreSQL notifications (%s); polling until they are back.", exc)
            self.connected = False
            self._stopping.wait(1.0)


@dataclass(frozen=True, slots=True)
class Asked:
    """What a request asks of the cache: the answer's key (None when the request is someone's own:
    a cookie), its If-None-Match, and whether it takes gzip."""

    key: Hashable | None
    if_none_match: str = ""
    gzip: bool = False


def _asked(scope: Scope) -> Asked:
    varying: dict[bytes, bytes] = {}
    if_none_match = ""
    accept_encoding = ""
    for name, value in scope["headers"]:
        if name in (b"cookie", b"authorization"):
            return Asked(None)
        if name in _VARYING:
            varying[name] = value
        elif name == b"if-none-match":
            if_none_match = value.decode("latin-1")
        elif name == b"accept-encoding":
            accept_encoding = value.decode("latin-1")
    get = varying.get
    key: tuple[object, ...] = (scope["scheme"], scope["path"], scope["query_string"], get(b"host"), get(b"hx-request"))
    if b"hx-boosted" in varying or b"hx-history-restore-request" in varying:  # rare; the common key stays short
        key += (get(b"hx-boosted"), get(b"hx-history-restore-request"))
    return Asked(key, if_none_match, accepts_gzip(accept_encoding) if accept_encoding else False)


def _whole_answer(send: Send, finish: Callable[[Message, bytes], Awaitable[None]]) -> Send:
    """A ``send`` that holds an answer back until its body is complete, then hands it to ``finish``."""
    start: Message | None = None
    chunks: list[bytes] = []

    async def hold(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
            return
        if message["type"] != "http.response.body":  # e.g. the test client's debug messages
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        assert start is not None
        await finish(start, b"".join(chunks))

    return hold


async def _send_whole(send: Send, start: Message, body: bytes) -> None:
    await send(start)
    await send({"type": "http.response.body", "body": body})


class ConditionalGetMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or scope["path"].startswith(UNCACHED_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return

        async def finish(start: Message, body: bytes) -> None:
            await self._finish(scope, start, body, send)

        await self.app(scope, receive, _whole_answer(send, finish))

    async def _finish(self, scope: Scope, start: Message, body: bytes, send: Send) -> None:
        if not is_public(start):
            await _send_whole(send, start, body)
            return
        headers = MutableHeaders(scope=start)
        etag = headers.get("etag") or etag_for(body)
        headers["etag"] = etag
        headers.setdefault("cache-control", PUBLIC_CACHE_CONTROL)
        if etag_matches(Headers(scope=scope).get("if-none-match", ""), etag):
            not_modified = [(k, v) for k, v in start["headers"] if k.decode("latin-1").lower() in NOT_MODIFIED_HEADERS]
            await send({"type": "http.response.start", "status": 304, "headers": not_modified})
            await send({"type": "http.response.body", "body": b""})
            return
        await _send_whole(send, start, body)


def is_public(start: Message) -> bool:
    # Answers that set a cookie or must not be stored (an editor's pages) are nobody's to cache.
    headers = Headers(raw=start["headers"])
    return start["status"] == 200 and "set-cookie" not in headers and "no-store" not in headers.get("cache-control", "")


class QueryNames:
    """The query parameters each page reads, so that the cache keys an answer on those alone.

    ``?utm_source=…``, ``?fbclid=…`` or a made-up ``?x=1`` change nothing a page shows; left in the
    key, each would be rendered and kept afresh, and anyone could keep the cache cold or crowd it out.
    The parameters come from the routes' own declarations, so a new filter needs nothing here.
    """

    MAX_PATHS = 4096
    _UNMATCHED: frozenset[str] = frozenset()

    def __init__(self, routes: Iterable[tuple[re.Pattern[str], frozenset[str] | None]]) -> None:
        self.routes = list(routes)
        self._by_path: dict[str, frozenset[str] | None] = {}

    def names(self, path: str) -> frozenset[str] | None:
        """The parameters the page at ``path`` reads; None for a page that keeps its whole query."""
        if path in self._by_path:
            return self._by_path[path]
        found = next((names for pattern, names in self.routes if pattern.match(path)), self._UNMATCHED)
        if len(self._by_path) >= self.MAX_PATHS:
            self._by_path.clear()
        self._by_path[path] = found
        return found

    def canonical(self, path: str, query_string: bytes) -> bytes:
        """``query_string`` with only the parameters the page at ``path`` reads, in their order and bytes."""
        if not query_string:
            return query_string
        names = self.names(path)
        if names is None:
            return query_string
        kept = [
            pair
            for pair in query_string.split(b"&")
            if pair and unquote_plus(pair.split(b"=", 1)[0].decode("latin-1")) in names
        ]
        return b"&".join(kept)


class ResponseCacheMiddleware:
    """Outermost: a cached answer is sent as the app sent it, framing headers and all, with nothing else run.

    A miss asks the app for the whole answer (If-None-Match withheld), keeps it, then answers the
    condition itself, so a cache emptied by a publish fills again from conditional requests too.
    The app sees only the query parameters its page reads (``QueryNames``), so what it renders
    depends on nothing the key leaves out. Static files are kept too, so that they are also sent
    compressed.
    """

    def __init__(self, app: ASGIApp, cache: ResponseCache, query_names: QueryNames) -> None:
        self.app = app
        self.cache = cache
        self.query_names = query_names

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"].startswith("/healthz"):
            await self.app(scope, receive, send)
            return
        asked = _asked(scope)
        if asked.key is None:
            await self.app(scope, receive, send)
            return
        generation = await self.cache.refresh()
        cached = self.cache.get(asked.key)
        if cached is None:
            canonical = self.query_names.canonical(scope["path"], scope["query_string"])
            if canonical != scope["query_string"]:
                scope = {**scope, "query_string": canonical}
                asked = _asked(scope)
                cached = self.cache.get(asked.key)
        if cached is not None:
            await _send_cached(cached, asked, send)
            return

        async def keep(start: Message, body: bytes) -> None:
            if start["status"] == 503 and (kept := self.cache.last_good(asked.key)) is not None:
                await _send_cached(kept, asked, send)  # the last good answer beats an error
                return
            if not is_public(start) or "etag" not in Headers(raw=start["headers"]):
                await _send_whole(send, start, body)
                return
            # A cache of no size keeps nothing: compress only for a client that takes gzip.
            answer = CachedAnswer.of(list(start["headers"]), body, compress=self.cache.max_bytes > 0 or asked.gzip)
            self.cache.put(asked.key, answer, generation)
            await _send_cached(answer, asked, send)

        unconditional = [(k, v) for k, v in scope["headers"] if k != b"if-none-match"]
        await self.app({**scope, "headers": unconditional}, receive, _whole_answer(send, keep))


async def _send_cached(answer: CachedAnswer, asked: Asked, send: Send) -> None:
    if asked.gzip and answer.gzipped is not None:
        answer = answer.gzipped
    if_none_match = asked.if_none_match
    if if_none_match and (if_none_match == answer.etag or etag_matches(if_none_match, answer.etag)):
        await send({"type": "http.response.start", "status": 304, "headers": list(answer.not_modified)})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": 200, "headers": list(answer.headers)})
    await send({"type": "http.response.body", "body": answer.body})
