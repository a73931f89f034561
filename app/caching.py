"""HTTP caching for public GET answers: a strong ETag over the body, 304 for a matching If-None-Match."""

import hashlib

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Readers see a change within a minute; a cache may serve a stale copy while it refetches.
PUBLIC_CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=300"
UNCACHED_PREFIXES = ("/static/", "/healthz")


def etag_for(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in candidates or etag in candidates


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
        headers = MutableHeaders(scope=start)
        # Answers that set a cookie or must not be stored (an editor's pages) are nobody's to cache.
        if start["status"] != 200 or "set-cookie" in headers or "no-store" in headers.get("cache-control", ""):
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        etag = headers.get("etag") or etag_for(body)
        headers["etag"] = etag
        headers.setdefault("cache-control", PUBLIC_CACHE_CONTROL)
        if etag_matches(Headers(scope=scope).get("if-none-match", ""), etag):
            kept = {"etag", "cache-control", "vary", "link"}
            not_modified = [(k, v) for k, v in start["headers"] if k.decode("latin-1").lower() in kept]
            await send({"type": "http.response.start", "status": 304, "headers": not_modified})
            await send({"type": "http.response.body", "body": b""})
            return
        await send(start)
        await send({"type": "http.response.body", "body": body})
