"""HTTP caching for public GET answers: a strong ETag over the body, 304 for a matching If-None-Match,
and a per-process cache of rendered answers keyed to the record's version.

Any commit made in this process (an editor publishing, an import) empties the cache at once. Other
processes (more workers, the command line) are noticed through the record's version: the newest
``updated_at`` across every tracked table together with the newest revision, read in one indexed
query at most once per ``version_ttl`` seconds. Every write bumps an ``updated_at`` (the ORM's
onupdate, the editing services' explicit updates, imports) or adds a revision (deletes), so their
changes are served on the first request after that expiry.
"""

import hashlib
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import SQLModel
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Readers see a change within a minute; a cache may serve a stale copy while it refetches.
PUBLIC_CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=300"
UNCACHED_PREFIXES = ("/static/", "/healthz")
# Request headers an answer may depend on besides its address (see app.templating.wants_fragment).
VARYING_HEADERS = (b"host", b"hx-request", b"hx-boosted", b"hx-history-restore-request")


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


@dataclass
class CachedAnswer:
    """A 200 as it was sent, and the 304 that stands for it, built once."""

    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: str
    not_modified: list[tuple[bytes, bytes]]

    @classmethod
    def of(cls, headers: list[tuple[bytes, bytes]], body: bytes) -> "CachedAnswer":
        """``headers`` as the framing middleware left them; its 304 holds the framing rule and nothing more."""
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
        if generation != self.generation or len(answer.body) > self.max_bytes // 8 or key in self._answers:
            return
        self._answers[key] = answer
        self._size += len(answer.body)
        while self._size > self.max_bytes:
            _, dropped = self._answers.popitem(last=False)
            self._size -= len(dropped.body)


_CACHES: "weakref.WeakSet[ResponseCache]" = weakref.WeakSet()


@sa.event.listens_for(sa.Engine, "commit")
def _invalidate_on_commit(_connection: sa.Connection) -> None:
    for cache in list(_CACHES):
        cache.invalidate()


def _cache_key(scope: Scope) -> tuple[Hashable | None, str]:
    """What a public answer depends on (None when the request is someone's own: a cookie), and If-None-Match."""
    varying: dict[bytes, bytes] = {}
    if_none_match = ""
    for name, value in scope["headers"]:
        if name in (b"cookie", b"authorization"):
            return None, ""
        if name in VARYING_HEADERS:
            varying[name] = value
        elif name == b"if-none-match":
            if_none_match = value.decode("latin-1")
    if scope["method"] != "GET":
        return None, if_none_match
    key = (scope["scheme"], scope["path"], scope["query_string"], *(varying.get(h) for h in VARYING_HEADERS))
    return key, if_none_match


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

        start: Message | None = None
        chunks: list[bytes] = []

        async def buffer(message: Message) -> None:
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
            await self._finish(scope, start, b"".join(chunks), send)

        await self.app(scope, receive, buffer)

    async def _finish(self, scope: Scope, start: Message, body: bytes, send: Send) -> None:
        if not is_public(start):
            await send(start)
            await send({"type": "http.response.body", "body": body})
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
        await send(start)
        await send({"type": "http.response.body", "body": body})


def is_public(start: Message) -> bool:
    # Answers that set a cookie or must not be stored (an editor's pages) are nobody's to cache.
    headers = Headers(raw=start["headers"])
    return start["status"] == 200 and "set-cookie" not in headers and "no-store" not in headers.get("cache-control", "")


class ResponseCacheMiddleware:
    """Outermost: a cached answer is sent as the app sent it, framing headers and all, with nothing else run.

    A miss asks the app for the whole answer (If-None-Match withheld), keeps it, then answers the
    condition itself, so a cache emptied by a publish fills again from conditional requests too.
    """

    def __init__(self, app: ASGIApp, cache: ResponseCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"].startswith(UNCACHED_PREFIXES):
            await self.app(scope, receive, send)
            return
        key, if_none_match = _cache_key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        generation = self.cache.refresh(scope["app"].state.engine)
        cached = self.cache.get(key)
        if cached is not None:
            await _send_cached(cached, if_none_match, send)
            return

        start: Message | None = None
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            assert start is not None
            body = b"".join(chunks)
            if not is_public(start) or "etag" not in Headers(raw=start["headers"]):
                await send(start)
                await send({"type": "http.response.body", "body": body})
                return
            answer = CachedAnswer.of(list(start["headers"]), body)
            self.cache.put(key, answer, generation)
            await _send_cached(answer, if_none_match, send)

        unconditional = [(k, v) for k, v in scope["headers"] if k != b"if-none-match"]
        await self.app({**scope, "headers": unconditional}, receive, keep)


async def _send_cached(answer: CachedAnswer, if_none_match: str, send: Send) -> None:
    if if_none_match and etag_matches(if_none_match, answer.etag):
        await send({"type": "http.response.start", "status": 304, "headers": list(answer.not_modified)})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": 200, "headers": list(answer.headers)})
    await send({"type": "http.response.body", "body": answer.body})
