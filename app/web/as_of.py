"""Every reader's page as it stood at a release: ``/releases/N/view/…`` is Parley itself, serving the
release's record alone.

Each release viewed gets an app of its own over a database holding only that release's record
(``releases.release_database``, made once and never changed), so every page, widget, feed and JSON
twin shows the record as it was, with a banner saying so, and none of their code has to know. The
pages' links are made to stay inside the release; the editor's screens, sign-in and the releases
themselves lead back to the live site. Reading only: cookies are not passed on (no one is signed in
to a release) and anything but GET is refused.
"""

import datetime as dt
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from fastapi import Request
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.datastructures import MutableHeaders
from starlette.responses import RedirectResponse
from starlette.types import Message, Receive, Scope, Send

from app.core.config import Settings
from app.core.errors import NotFound
from app.record import releases
from app.web import error_pages
from app.web.security import with_security_headers

VIEW = re.compile(r"^/releases/(?P<number>[1-9][0-9]{0,6})/view(?P<rest>/.*)?$")
# Where a link on a release's page goes to the live site rather than into the release.
LIVE_ONLY = (b"/static/", b"/releases", b"/corrections", b"/login", b"/logout", b"/account", b"/edit", b"/drafts",
             b"/admin", b"/healthz", b"/start", b"/pick")  # fmt: skip
LINK = re.compile(rb'(\s(?:href|src|action|formaction|hx-get|data-hx-get|data-source)=")(/(?!/)[^"]*)"')
LINK_HEADER = re.compile(r"<(/(?!/)[^>]*)>")
KEPT_APPS = 3  # releases served at once; the least recently read is let go (its database stays on disk)


@dataclass(frozen=True)
class AsOf:
    """The release a page is shown as of, for its banner."""

    number: int
    created_at: dt.datetime
    note: str


class ReleaseViews:
    """Serves ``/releases/N/view/…`` in front of the live app (``Parley.__call__``).

    The release's app sees the page's own path (``/timeline``) under a root path of
    ``/releases/N/view``: its routes, cache, framing rules and oEmbed match as on the live site, and
    every address it makes from its base URL stays in the release.
    """

    def __init__(
        self, *, settings: Settings, engine: Engine, build: Callable[[Settings], Any], frame_origins: str
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.build = build  # app.main.create_app, handed over: it imports this module
        self.frame_origins = frame_origins
        self.apps: OrderedDict[int, Any] = OrderedDict()
        self.kept = threading.Lock()  # held only to look up, add or let go of an app
        self.making = threading.Lock()  # held while a release's database and app are made
        # Making one takes seconds on a large record: it waits in threads of its own, never in the
        # ones the live site's requests run in.
        self.limiter: anyio.CapacityLimiter | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send, number: int, rest: str | None) -> None:
        prefix = f"/releases/{number}/view"
        own = with_security_headers(scope, send, self.frame_origins)  # for what is answered here
        if scope["method"] != "GET":
            await error_pages.send_error(
                scope, receive, _allowing_get(own), 405, "A release cannot be changed",
                f"Release {number} is the record as it stood; edit the live record instead.",
            )  # fmt: skip
            return
        query = scope["query_string"].decode("latin-1")
        if rest is None or rest.encode().startswith(LIVE_ONLY):
            # /releases/N/view, or a place only the live site has (signing in, the editor's screens).
            target = prefix + "/" if rest is None else rest
            await RedirectResponse(target + (f"?{query}" if query else ""), 308)(scope, receive, own)
            return
        app = self._kept(number)
        if app is None:
            if self.limiter is None:
                self.limiter = anyio.CapacityLimiter(2)
            try:
                app = await anyio.to_thread.run_sync(self._make, number, limiter=self.limiter)
            except NotFound as missing:
                await error_pages.send_error(scope, receive, own, 404, "Not found", str(missing))
                return
        headers = [(name, value) for name, value in scope["headers"] if name not in (b"cookie", b"accept-encoding")]
        inner = {
            **scope,
            "path": rest,
            "raw_path": rest.encode(),
            "root_path": scope.get("root_path", "") + prefix,
            "headers": headers,
        }
        await app(inner, receive, _relinked(send, prefix.encode()))

    def _kept(self, number: int) -> Any:
        with self.kept:
            app = self.apps.get(number)
            if app is not None:
                self.apps.move_to_end(number)
            return app

    def _make(self, number: int) -> Any:
        with self.making:  # one thread makes a release's app; another asking for it waits, then finds it
            app = self._kept(number)
            if app is not None:
                return app
            with Session(self.engine) as session:
                release = releases.get_release(session, number)
                session.expunge(release)
            path = releases.release_database(release, settings=self.settings)
            app = self.build(
                self.settings.model_copy(update={"database_url": f"sqlite:///{path}", "response_cache_mb": 8})
            )
            app.release_views = None  # no release inside a release
            app.state.as_of = AsOf(number=release.number, created_at=release.created_at, note=release.note)
            with self.kept:  # (while still making: a thread waiting to make it must find it)
                self.apps[number] = app
                while len(self.apps) > KEPT_APPS:
                    # A request still running on it keeps its connection; the pool is closed as it ends.
                    _, gone = self.apps.popitem(last=False)
                    gone.state.engine.dispose()
                    gone.state.version_engine.dispose()
            return app


def as_of_release(request: Request) -> dict[str, Any] | None:
    """For the banner: the release the page is shown as of, and the same page on the live site."""
    as_of: AsOf | None = getattr(request.app.state, "as_of", None)
    if as_of is None:
        return None
    query = f"?{request.url.query}" if request.url.query else ""
    # An address with its host: the banner's link leads out of the release, so it is not relinked.
    live = f"{request.url.scheme}://{request.url.netloc}{request.url.path}{query}"
    return {"number": as_of.number, "created_at": as_of.created_at, "note": as_of.note, "live": live}


def relink(body: bytes, prefix: bytes) -> bytes:
    """The page's own links made to lead into the release; those to live-only places left alone."""

    static = prefix + b"/static/"

    def one(found: re.Match[bytes]) -> bytes:  # (the rule of _inside, on bytes)
        path = found[2]
        if path.startswith(static):  # url_for puts static files under the release; they are the live site's
            return found[1] + path[len(prefix) :] + b'"'
        if path.startswith(LIVE_ONLY) or path.startswith(prefix):
            return found[0]
        return found[1] + prefix + path + b'"'

    return LINK.sub(one, body)


def _inside(path: str, prefix: str) -> str:
    return path if path.encode().startswith(LIVE_ONLY) or path.startswith(prefix) else prefix + path


def _allowing_get(send: Send) -> Send:
    async def allowing(message: Message) -> None:
        if message["type"] == "http.response.start":
            MutableHeaders(scope=message)["allow"] = "GET, HEAD"
        await send(message)

    return allowing


def _relinked(send: Send, prefix: bytes) -> Send:
    """A ``send`` that relinks an HTML answer (whole, as the app's cache sends it), a redirect and the
    ``Link`` header, and sets no cookie: one set under a release would replace the live site's."""
    start: Message | None = None
    chunks: list[bytes] = []

    async def relinking(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            headers = MutableHeaders(raw=list(message["headers"]))
            del headers["set-cookie"]
            location = headers.get("location", "")
            if location.startswith("/") and not location.encode().startswith((*LIVE_ONLY, prefix, b"//")):
                headers["location"] = prefix.decode() + location
            if "link" in headers:
                headers["link"] = LINK_HEADER.sub(
                    lambda found: f"<{_inside(found[1], prefix.decode())}>", headers["link"]
                )
            message = {**message, "headers": headers.raw}
            if not headers.get("content-type", "").startswith("text/html"):
                await send(message)
                return
            start = message
            return
        if start is None or message["type"] != "http.response.body":
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = relink(b"".join(chunks), prefix)
        headers = MutableHeaders(raw=list(start["headers"]))
        if "content-length" in headers:
            headers["content-length"] = str(len(body))
        await send({**start, "headers": headers.raw})
        await send({"type": "http.response.body", "body": body})

    return relinking
