"""HTTP caching for public GET answers: a strong ETag over the body, 304 for a matching If-None-Match,
and a per-process cache of rendered answers keyed to the record's version.

Any commit made in this process (an editor publishing, an import) empties the cache at once. Other
processes (more workers, the command line) are noticed through the record's version: the newest
``updated_at`` across every tracked table together with the newest revision, read in one indexed
query at most once per ``version_ttl`` seconds. Every write bumps an ``updated_at`` (the ORM's
onupdate, the editing services' explicit updates, imports) or adds a revision (deletes), so their
changes are served on the first request after that expiry.
"""

import gzip
import hashlib
import time
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import SQLModel
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Readers see a change within a minute; a cache may serve a stale copy while it refetches.
PUBLIC_CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=300"
# StaticFiles answers conditional requests itself; health checks must reach the database.
UNCACHED_PREFIXES = ("/static/", "/healthz")
# Request headers an answer may depend on besides its address (see app.templating.wants_fragment).
VARYING_HEADERS = (b"host", b"hx-request", b"hx-boosted", b"hx-history-restore-request")
_VARYING = frozenset(VARYING_HEADERS)


def etag_for(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in candidates or etag in candidates


def version_query() -> sa.ClauseElement:
    """One row: the newest updated_at of each tracked table, and the newest revision's id."""
    columns: list[sa.ColumnElement[object]] = [
        sa.select(sa.func.max(table.c.updated_at)).scalar_subquery()
        for table in SQLModel.metadata.sorted_tables
        if "updated_at" in table.c
    ]
    revisions = SQLModel.metadata.tables.get("revisions")
    if revisions is not None:
        columns.append(sa.select(sa.func.max(revisions.c.id)).scalar_subquery())
    return sa.select(*columns)


NOT_MODIFIED_HEADERS = {"etag", "cache-control", "vary", "link"}
# A cached answer carries the framing rules (app/embeds.py), and so must the 304 that stands for it.
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
    def of(cls, headers: list[tuple[bytes, bytes]], body: bytes) -> "CachedAnswer":
        """``headers`` as the framing middleware left them; its 304 holds the framing rule and nothing more.

        A text answer also gets a gzip twin with an ETag of its own (its bytes differ), and both say
        ``Vary: Accept-Encoding`` so that shared caches keep them apart.
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


@dataclass(eq=False)
class ResponseCache:
    """Rendered public answers of one process, dropped all at once when the record's version changes."""

    max_bytes: int = 32 * 1024 * 1024
    version_ttl: float = 1.0
    clock: Callable[[], float] = time.monotonic
    _answers: OrderedDict[Hashable, CachedAnswer] = field(default_factory=OrderedDict)
    _size: int = 0
    _version: tuple[object, ...] | None = None
    _checked_at: float = float("-inf")
    _sql: str | None = None

    # Bumped by every invalidation; an answer rendered under an older generation is not kept.
    generation: int = 0
    _cleared: int = 0

    def __post_init__(self) -> None:
        _CACHES.add(self)

    def invalidate(self) -> None:
        """Forget every answer and read the version again at the next request (safe from any thread)."""
        self.generation += 1
        self._checked_at = float("-inf")

    def refresh(self, engine: sa.Engine) -> int:
        """Bring the cache up to the record's version; returns the generation answers now belong to."""
        now = self.clock()
        if now - self._checked_at >= self.version_ttl:
            version = self._read_version(engine)
            self._checked_at = now
            if version != self._version:
                self._version = version
                self.generation += 1
        generation = self.generation
        if generation != self._cleared:
            self._answers.clear()
            self._size = 0
            self._cleared = generation
        return generation

    def _read_version(self, engine: sa.Engine) -> tuple[object, ...]:
        # On the bare DBAPI connection: the statement is fixed, and compiling and wrapping it would
        # cost more than running it.
        if self._sql is None:
            self._sql = str(version_query().compile(dialect=engine.dialect))
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(self._sql)
            row = cursor.fetchone()
            cursor.close()
        finally:
            connection.close()
        return tuple(row or ())

    def get(self, key: Hashable) -> CachedAnswer | None:
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
        return answer

    def put(self, key: Hashable, answer: CachedAnswer, generation: int) -> None:
        if generation != self.generation or answer.size > self.max_bytes // 8 or key in self._answers:
            return
        self._answers[key] = answer
        self._size += answer.size
        while self._size > self.max_bytes:
            _, dropped = self._answers.popitem(last=False)
            self._size -= dropped.size


_CACHES: "weakref.WeakSet[ResponseCache]" = weakref.WeakSet()


@sa.event.listens_for(sa.Engine, "commit")
def _invalidate_on_commit(_connection: sa.Connection) -> None:
    for cache in list(_CACHES):
        cache.invalidate()


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


class ResponseCacheMiddleware:
    """Outermost: a cached answer is sent as the app sent it, framing headers and all, with nothing else run.

    A miss asks the app for the whole answer (If-None-Match withheld), keeps it, then answers the
    condition itself, so a cache emptied by a publish fills again from conditional requests too.
    Static files are kept too, so that they are also sent compressed.
    """

    def __init__(self, app: ASGIApp, cache: ResponseCache, engine: sa.Engine) -> None:
        self.app = app
        self.cache = cache
        self.engine = engine

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"].startswith("/healthz"):
            await self.app(scope, receive, send)
            return
        asked = _asked(scope)
        if asked.key is None:
            await self.app(scope, receive, send)
            return
        generation = self.cache.refresh(self.engine)
        cached = self.cache.get(asked.key)
        if cached is not None:
            await _send_cached(cached, asked, send)
            return

        async def keep(start: Message, body: bytes) -> None:
            if not is_public(start) or "etag" not in Headers(raw=start["headers"]):
                await _send_whole(send, start, body)
                return
            answer = CachedAnswer.of(list(start["headers"]), body)
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
