"""`make instructions`: the instructions one cold request to each page executes, counted by callgrind.

Requests per second move by a fifth from run to run on a shared machine, and by several times on a
day it is loaded; instructions do not: the count for the same code, record and page is the same
within a percent whatever else the machine does. Use it to tell whether a change to the cold path
(a page rendered afresh: the response cache off) made it cheaper; `make bench` says how fast.

The pages are those `make bench` drives, and an editor's round composer, signed in (never cached,
so always rendered afresh). For each page the app runs in a process of its own under ``valgrind --tool=callgrind`` with
instrumentation off; it is asked three times to warm it, and then, with instrumentation on, ten
times more. Two things would otherwise make the count depend on time rather than code: the record's
version is read once, as a worker at full speed does (once a second, while valgrind makes a request
last longer than that), and the objects made at start-up are frozen out of the garbage collector, so
that a full collection landing inside one run and not another (about a fifth of a page) is not taken
for a change.
"""

import argparse
import asyncio
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.benchmarks.run import BENCH_EDITOR, COMPOSER, PAGES, PYTHON, ROOT, prepare, sqlite_database

WARM, COUNTED = 3, 10
KEYS = [page.key for page in PAGES if not page.conditional] + [COMPOSER.key]
LABELS = {page.key: page.label for page in [*PAGES, COMPOSER]}


@dataclass
class _Answer:
    """What the app answered one request: its status, headers (names in lower case) and body."""

    status: int = 0
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str:
        return next((value for key, value in self.headers if key == name), "")


async def _ask(app: Any, url: str, *, method: str = "GET", body: bytes = b"", cookie: str = "") -> _Answer:
    """One request straight into the ASGI app (no server, no socket: their cost is not the page's)."""
    path, _, query = url.partition("?")
    headers = [(b"host", b"127.0.0.1:8000")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    if body:
        headers.append((b"content-type", b"application/x-www-form-urlencoded"))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8000),
    }
    answer = _Answer()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            answer.headers = [(k.decode().lower(), v.decode()) for k, v in message.get("headers", [])]
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")

    await app(scope, receive, send)
    return answer


async def _signed_in(app: Any) -> tuple[str, str]:
    """Sign BENCH_EDITOR in as a browser would; the session cookie and the round composer's address."""
    form = await _ask(app, "/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.body.decode())
    cookie = form.header("set-cookie").split(";")[0]
    if token is None or not cookie:
        raise SystemExit("the sign-in form gave no CSRF token or cookie")
    email, password = BENCH_EDITOR
    fields = urlencode({"csrf_token": token.group(1), "next": "/", "email": email, "password": password})
    answer = await _ask(app, "/login", method="POST", body=fields.encode(), cookie=cookie)
    if answer.status != 303:
        raise SystemExit(f"signing the bench editor in answered {answer.status}")
    cookie = answer.header("set-cookie").split(";")[0]
    found = await _ask(app, COMPOSER.url, cookie=cookie)
    if found.status not in (302, 303, 307):
        raise SystemExit(f"{COMPOSER.url} answered {found.status}")
    return cookie, found.header("location")


async def _count_inside(key: str) -> None:
    """Inside valgrind: warm the page, then ask it COUNTED times with instrumentation on."""
    from app.main import create_app

    app = create_app()
    async with app.router.lifespan_context(app):
        cookie = ""
        if key == COMPOSER.key:
            cookie, url = await _signed_in(app)
        else:
            url = next(page.url for page in PAGES if page.key == key)
        for _ in range(WARM):
            if (status := (await _ask(app, url, cookie=cookie)).status) != 200:
                raise SystemExit(f"{url} answered {status}")
        cache = app.state.response_cache
        cache.version_ttl = cache.listening_ttl = 3600
        gc.collect()
        gc.freeze()
        subprocess.run(["callgrind_control", "--instr=on", str(os.getpid())], check=True, capture_output=True)
        for _ in range(COUNTED):
            await _ask(app, url, cookie=cookie)
        subprocess.run(["callgrind_control", "--instr=off", str(os.getpid())], check=True, capture_output=True)


def count(key: str, env: dict[str, str], workdir: Path) -> int:
    """Instructions per request for the page ``key``."""
    done = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={workdir / f'callgrind.{key}'}",
            PYTHON,
            "-m",
            "tests.benchmarks.instructions",
            "--inside",
            key,
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"callgrind failed on {key}:\n{done.stdout}\n{done.stderr[-2000:]}")
    return int(found.group(1)) // COUNTED


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", help=f"pages to count, of {', '.join(KEYS)} (all when none)")
    parser.add_argument(
        "--record",
        choices=["bundled", "large"],
        default="bundled",
        help="the bundled record, or the 10,000-round one `make bench` generates (imported first: about a minute)",
    )
    parser.add_argument("--inside", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if unknown := set(args.pages) - set(KEYS):
        parser.error(f"no page called {', '.join(sorted(unknown))}; the pages are {', '.join(KEYS)}")
    if args.inside:
        asyncio.run(_count_inside(args.inside))
        return
    for tool in ("valgrind", "callgrind_control"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} not found: install Debian's valgrind (apt-get install valgrind)")
    with tempfile.TemporaryDirectory(prefix="parley-instructions-") as folder:
        workdir = Path(folder)
        env = {
            "PARLEY_DATABASE_URL": sqlite_database(workdir, args.record),
            "PARLEY_DATA_DIR": str(workdir),
            "PARLEY_RESPONSE_CACHE_MB": "0",
        }
        prepare(env["PARLEY_DATABASE_URL"], args.record, env)
        print(f"| page | instructions per cold request (SQLite, {args.record} record) |\n|---|--:|")
        for key in args.pages or KEYS:
            print(f"| {LABELS[key]} | {count(key, env, workdir) / 1e6:.1f}M |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
