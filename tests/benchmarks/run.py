"""`make bench`: Parley under load with wrk, against the framework's ceiling, on the bundled and a large record.

For each database (SQLite, and PostgreSQL when ``PARLEY_BENCH_DATABASE_URL`` is set) and each record
(the bundled one, and the synthetic one from ``generate.py``), it migrates a fresh database, loads the
record, starts Parley with one uvicorn worker and no access log on a free loopback port, and drives
each page with wrk for a fixed time at fixed concurrency. The same response bytes are then served by
``ceiling.py`` under the same server settings; every figure is reported against that ceiling. The table
is printed and written as Markdown to ``tests/benchmarks/results.md``.
"""

import argparse
import base64
import contextlib
import datetime as dt
import gzip
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener, urlopen

import sqlalchemy as sa

from tests.benchmarks import generate

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
PYTHON = sys.executable
NEGOTIATION = "russia-ukraine-istanbul-2025"
ROUND = "2025-06-02-istanbul"


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    url: str
    target: float  # share of the ceiling's requests per second
    conditional: bool = False
    html: bool = True


PAGES = [
    Page("state", "state of play `/`", "/", 0.20),
    Page("timeline", "timeline `/timeline`", "/timeline", 0.20),
    Page("round", "round page", f"/rounds/{ROUND}", 0.20),
    Page("compare", "compare page", f"/compare?negotiation={NEGOTIATION}", 0.20),
    Page("widget", "compare widget, 200", f"/embed/compare?negotiation={NEGOTIATION}", 0.50),
    Page("widget304", "compare widget, 304", f"/embed/compare?negotiation={NEGOTIATION}", 0.60, conditional=True),
    Page("api", "JSON API `/api/timeline`", "/api/timeline", 0.25, html=False),
]
# An editor's round composer: never cached, so measured cold only, signed in as BENCH_EDITOR.
COMPOSER = Page("composer", "round composer, signed in", f"/rounds/{ROUND}/edit", 0.01)
COMPOSER_TARGET = 0.01
# Why a cold target is missed, measured beside it: Parley's smallest answer through its whole stack
# (the floor no page can go under), and the timeline of one negotiation (the bundled record's four
# entries) on each record, so that what the large record's size costs is told from what its longer
# first page costs.
FLOOR = Page("floor", "`/healthz` (the whole stack, one query)", "/healthz", 0.0, html=False)
SAME_ENTRIES = [
    Page("timeline", "timeline of one negotiation", f"/timeline?negotiation={NEGOTIATION}", 0.0),
    Page("api", "`/api/timeline` of one negotiation", f"/api/timeline?negotiation={NEGOTIATION}", 0.0, html=False),
]
BENCH_EDITOR = ("bench-editor@example.org", "a long bench password, never used elsewhere")
# The peer on the same work: Datasette's table page of rounds over the same SQLite file, uncached and
# with facets off, against Parley's cold timeline.
DATASETTE = "datasette==0.65.*"
PEERS = ROOT / ".bench-peers"
DATASETTE_TARGET = 5.0
TRANSFER_BUDGET = {"timeline": 40 * 1024, "widget": 12 * 1024}
# Pages rendered afresh (the response cache turned off), as a share of the ceiling: issue 13's target.
COLD_TARGET = 0.025
IMPORT_BUDGET_S = 60.0
STARTUP_BUDGET_S = 1.0
LARGE_GROWTH = 1.5
POSTGRES_SHARE = 0.70
MEMORY_BUDGET_MB = 150.0


@dataclass
class Load:
    rps: float
    p50: float  # milliseconds
    p99: float
    errors: int


@dataclass
class Run:
    """One server on one database and record: each page's load figures, and the server's peak memory."""

    loads: dict[str, Load] = field(default_factory=dict)
    peak_mb: float = 0.0
    transfer: dict[str, int] = field(default_factory=dict)
    uncached_ms: dict[str, float] = field(default_factory=dict)
    # The same pages with the response cache turned off: every request rendered afresh.
    cold: dict[str, Load] = field(default_factory=dict)
    cold_bytes: dict[str, int] = field(default_factory=dict)  # each cold page's body, uncompressed
    entries: dict[str, int] = field(default_factory=dict)  # entries on the timeline's first page
    floor: Load | None = None  # FLOOR, cold (bundled records)
    same_entries: dict[str, Load] = field(default_factory=dict)  # SAME_ENTRIES, cold
    # Datasette's table page of rounds over the same SQLite file (SQLite runs only).
    datasette: Load | None = None
    import_s: float | None = None  # `parley import` of the record, when it was imported
    startup_cpu_s: float = 0.0  # CPU seconds to import app.main and build the app


# ------------------------------------------------------------------ processes


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    content: bytes
    url: str = ""

    def header(self, name: str) -> str:
        return next((v for k, v in self.headers if k.lower() == name), "")


def get(url: str, headers: dict[str, str] | None = None) -> Answer:
    try:
        with urlopen(Request(url, headers=headers or {}), timeout=30) as answer:
            return Answer(answer.status, list(answer.headers.items()), answer.read(), answer.url)
    except HTTPError as error:
        return Answer(error.code, list(error.headers.items()), error.read(), url)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def server(app: str, env: dict[str, str], *, factory: bool) -> Iterator[tuple[str, int]]:
    """uvicorn with one worker and no access log on a free loopback port; yields its base URL and pid."""
    port = free_port()
    command = [PYTHON, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", "1", "--no-access-log", "--log-level", "warning"]
    if factory:
        command.append("--factory")
    with serving(command, port, env) as (base, pid):
        yield base, pid


@contextlib.contextmanager
def serving(command: list[str], port: int, env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """Run ``command``, a server listening on ``port``, until it answers; yields its base URL and pid."""
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get(base + "/")
                break
            except (URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{' '.join(command[:4])} … did not start") from None
                time.sleep(0.2)
        yield base, process.pid
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def peak_memory_mb(pid: int) -> float:
    """The process's high-water mark of resident memory (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * UNITS[unit]


def wrk(url: str, *, headers: list[str], duration: int, connections: int, threads: int) -> Load:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    for header in headers:
        command += ["-H", header]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+([\d.]+\w+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+([\d.]+\w+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = int(errors.group(1)) if errors else 0
    failed += sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    return Load(rps=rps, p50=p50, p99=p99, errors=failed)


# ------------------------------------------------------------------ databases


def sqlite_database(workdir: Path, name: str) -> str:
    path = workdir / f"{name}.db"
    path.unlink(missing_ok=True)
    return f"sqlite:///{path}"


@contextlib.contextmanager
def postgres_database(base_url: str, name: str) -> Iterator[str]:
    """A schema of its own in the benchmark's PostgreSQL database, dropped afterwards."""
    schema = f"parley_bench_{name}"
    admin = sa.create_engine(base_url)
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def prepare(database_url: str, record: str, env: dict[str, str]) -> float | None:
    """Migrate and load the record; for the large one, through `parley import`, timed (seconds)."""
    env = {**os.environ, **env, "PARLEY_DATABASE_URL": database_url}
    parley = str(Path(PYTHON).parent / "parley")
    subprocess.run([parley, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    took = None
    if record == "bundled":
        subprocess.run([parley, "seed"], cwd=ROOT, env=env, check=True, capture_output=True)
    else:
        started = time.perf_counter()
        subprocess.run([parley, "import", str(generate.ensure())], cwd=ROOT, env=env, check=True, capture_output=True)
        took = time.perf_counter() - started
    subprocess.run(
        [parley, "user", "add", BENCH_EDITOR[0], "--password-stdin"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        input=BENCH_EDITOR[1] + "\n",
        text=True,
    )
    if database_url.startswith("postgresql"):
        # What autovacuum does a minute after a bulk load; without it, it does so during the run.
        engine = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(sa.text("ANALYZE"))
        engine.dispose()
    return took


def startup_cpu(env: dict[str, str]) -> float:
    """CPU seconds a fresh interpreter spends importing app.main and building the app (median of three).

    With the app's bytecode written first, as an installed release has it: where
    PYTHONDONTWRITEBYTECODE is set (this machine sets it), an editable install would otherwise compile
    every module of the app from source at each start, a tenth of a second that no deployment pays.
    """
    subprocess.run([PYTHON, "-m", "compileall", "-q", "app"], cwd=ROOT, check=True, capture_output=True)
    script = (
        "import time; started = time.process_time(); from app.main import create_app; create_app(); "
        "print(time.process_time() - started)"
    )
    spent = [
        float(
            subprocess.run(
                [PYTHON, "-c", script], cwd=ROOT, env={**os.environ, **env}, check=True, capture_output=True, text=True
            ).stdout
        )
        for _ in range(3)
    ]
    return statistics.median(spent)


# ------------------------------------------------------------------ responses


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and "stylesheet" in (values.get("rel") or "").split() and values.get("href"):
            self.found.append(values["href"] or "")
        if tag == "script" and values.get("src"):
            self.found.append(values["src"] or "")


def transfer_size(base: str, url: str) -> int:
    """Bytes on the wire for a client taking gzip: the page, and the stylesheets and scripts it loads from this host."""
    page = get(base + url, headers={"Accept-Encoding": "gzip"})
    if page.header("content-encoding") != "gzip":
        raise RuntimeError(f"{url} was not sent compressed")
    parser = _Assets()
    parser.feed(gzip.decompress(page.content).decode("utf-8"))
    total = len(page.content)
    for asset in dict.fromkeys(parser.found):
        if asset.startswith("/"):
            total += len(get(base + asset, headers={"Accept-Encoding": "gzip"}).content)
    return total


DROPPED = {"date", "server", "connection"}  # uvicorn adds its own; urllib asked to close


def capture(base: str) -> tuple[list[dict[str, object]], dict[str, str], dict[str, int]]:
    """Each page's answer as the ceiling will replay it, its ETag, and its transfer size."""
    captured, etags, transfer = [], {}, {}
    for page in PAGES:
        if page.conditional:
            continue
        answer = get(base + page.url)
        if answer.status != 200:
            raise RuntimeError(f"{page.url} answered {answer.status}")
        etags[page.key] = answer.header("etag")
        path, _, query = page.url.partition("?")
        captured.append(
            {
                "key": page.key,
                "path": path,
                "query": query,
                "status": answer.status,
                "headers": [[k.lower(), v] for k, v in answer.headers if k.lower() not in DROPPED],
                "body": base64.b64encode(answer.content).decode(),
            }
        )
        if page.html:
            transfer[page.key] = transfer_size(base, page.url)
    etags["widget304"] = etags["widget"]
    widget = next(page for page in PAGES if page.key == "widget304")
    check = get(base + widget.url, headers={"If-None-Match": etags["widget"]})
    if check.status != 304:
        raise RuntimeError(f"the widget answered a conditional request with {check.status}, not 304")
    return captured, etags, transfer


def uncached(base: str, run: Run, samples: int = 15) -> None:
    """Each page's time to render afresh: the median of sequential requests to a server that keeps
    no rendered answers (a made-up parameter no longer does it: the cache ignores what a page does not read);
    and what each answered, in bytes and, for the timeline, in entries."""
    for page in PAGES:
        if page.conditional:
            continue
        spent = []
        for _ in range(samples):
            started = time.perf_counter()
            answer = get(base + page.url)
            spent.append((time.perf_counter() - started) * 1000)
            if answer.status != 200:
                break
        else:
            run.uncached_ms[page.key] = statistics.median(spent)
            run.cold_bytes[page.key] = len(answer.content)
            if page.key == "api":
                run.entries["timeline"] = len(json.loads(answer.content)["entries"])


def measure(base: str, etags: dict[str, str], args: argparse.Namespace, label: str) -> dict[str, Load]:
    return {page.key: measure_page(base, page, etags, args, label) for page in PAGES}


def measure_page(base: str, page: Page, etags: dict[str, str], args: argparse.Namespace, label: str) -> Load:
    """The median of a few short wrk runs: on a small shared machine one run can catch a pause of
    the host's, and a single long run would carry it into the figure."""
    headers = [f"If-None-Match: {etags[page.key]}"] if page.conditional else []
    return measure_url(base + page.url, headers, args, f"{label}: {page.label}")


def measure_url(url: str, headers: list[str], args: argparse.Namespace, label: str) -> Load:
    print(f"  {label} …", flush=True)
    loads = [
        wrk(url, headers=headers, duration=args.duration, connections=args.connections, threads=args.threads)
        for _ in range(args.runs)
    ]
    return sorted(loads, key=lambda load: load.rps)[len(loads) // 2]


# ------------------------------------------------------------------ an editor, signed in


class _NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def sign_in(base: str) -> str:
    """Sign BENCH_EDITOR in as a browser would (the form's CSRF token, then the post); the Cookie header."""
    jar = CookieJar()
    opener = build_opener(HTTPCookieProcessor(jar), _NoRedirects())
    form = opener.open(base + "/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    email, password = BENCH_EDITOR
    data = urlencode({"csrf_token": token, "next": "/", "email": email, "password": password}).encode()
    try:
        opener.open(Request(base + "/login", data=data), timeout=30)
    except HTTPError as answer:  # the 303 to where the editor was going: signed in
        if answer.code != 303:
            raise RuntimeError(f"signing the bench editor in answered {answer.code}") from None
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    if not cookie:
        raise RuntimeError("signing the bench editor in set no cookie")
    return f"Cookie: {cookie}"


def composer_url(base: str, cookie: str) -> str:
    """The round composer's own address (``/rounds/<slug>/edit`` redirects to it)."""
    name, _, value = cookie.partition(": ")
    answer = get(base + COMPOSER.url, headers={name: value})
    if answer.status != 200 or (b'id="composer"' not in answer.content and b"composer" not in answer.content):
        raise RuntimeError(f"the round composer answered {answer.status}")
    return answer.url.removeprefix(base)


# ------------------------------------------------------------------ the peer: Datasette


def datasette_command() -> Path:
    """Datasette in a virtual environment of its own (never in Parley's: it is only measured against)."""
    venv = PEERS / "datasette"
    executable = venv / "bin" / "datasette"
    if not executable.exists():
        print(f"Installing {DATASETTE} into {venv.relative_to(ROOT)} …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", DATASETTE], check=True)
    return executable


def bench_datasette(database_file: Path, args: argparse.Namespace, label: str) -> Load:
    """Datasette's table page of rounds over the same file: facets off, nothing cached between requests."""
    port = free_port()
    command = [str(datasette_command()), "serve", str(database_file), "--host", "127.0.0.1", "--port", str(port)]
    command += ["--setting", "suggest_facets", "off", "--setting", "allow_facet", "off"]
    command += ["--setting", "default_cache_ttl", "0"]
    page = f"/{database_file.stem}/rounds"
    with serving(command, port, {}) as (base, _):
        if get(base + page).status != 200:
            raise RuntimeError(f"Datasette's {page} did not answer 200")
        return measure_url(base + page, [], args, f"{label}: Datasette {page}")


def bench_parley(
    database_url: str, args: argparse.Namespace, label: str, workdir: Path, *, with_ceiling: bool
) -> tuple[Run, Run | None]:
    """Parley on one database; with the ceiling measured page by page beside it, so both see the same machine."""
    env = {"PARLEY_DATABASE_URL": database_url, "PARLEY_DATA_DIR": str(workdir / "data")}
    run = Run(startup_cpu_s=startup_cpu(env))
    with server("app.main:create_app", {**env, "PARLEY_RESPONSE_CACHE_MB": "0"}, factory=True) as (base, _):
        for page in PAGES:
            get(base + page.url)  # the first render of each template compiles it
        uncached(base, run)
        for page in PAGES:
            if not page.conditional:
                run.cold[page.key] = measure_page(base, page, {}, args, f"{label}, cold")
        for page in SAME_ENTRIES:
            run.same_entries[page.key] = measure_page(base, page, {}, args, f"{label}, cold")
        if label.endswith("bundled"):
            run.floor = measure_page(base, FLOOR, {}, args, f"{label}, cold")
        cookie = sign_in(base)
        composer = composer_url(base, cookie)
        run.cold[COMPOSER.key] = measure_url(base + composer, [cookie], args, f"{label}, cold: {COMPOSER.label}")
        # Its bytes for the ceiling, taken here: signing in on the warm server would put argon2's 64 MB
        # of hashing memory into the peak memory measured there for readers.
        name, _, value = cookie.partition(": ")
        answer = get(base + composer, headers={name: value})
    if database_url.startswith("sqlite:///"):
        run.datasette = bench_datasette(Path(database_url.removeprefix("sqlite:///")), args, label)
    with server("app.main:create_app", env, factory=True) as (base, pid):
        captured, etags, transfer = capture(base)
        path, _, query = composer.partition("?")
        captured.append(
            {
                "key": COMPOSER.key,
                "path": path,
                "query": query,
                "status": answer.status,
                "headers": [[k.lower(), v] for k, v in answer.headers if k.lower() not in DROPPED],
                "body": base64.b64encode(answer.content).decode(),
            }
        )
        for page in PAGES:  # warm every page before timing it
            get(base + page.url)
        run.transfer = transfer
        if not with_ceiling:
            run.loads = measure(base, etags, args, label)
            run.peak_mb = peak_memory_mb(pid)
            return run, None
        responses = workdir / "ceiling.json"
        responses.write_text(json.dumps(captured))
        ceiling = Run()
        with server("tests.benchmarks.ceiling:app", {"PARLEY_CEILING_RESPONSES": str(responses)}, factory=False) as (
            ceiling_base,
            ceiling_pid,
        ):
            for page in PAGES:
                ceiling.loads[page.key] = measure_page(ceiling_base, page, etags, args, "ceiling")
                run.loads[page.key] = measure_page(base, page, etags, args, label)
            ceiling.loads[COMPOSER.key] = measure_url(ceiling_base + composer, [], args, f"ceiling: {COMPOSER.label}")
            ceiling.peak_mb = peak_memory_mb(ceiling_pid)
        run.peak_mb = peak_memory_mb(pid)
    return run, ceiling


# ------------------------------------------------------------------ report


def _mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def report(runs: dict[str, Run], args: argparse.Namespace, seconds: float) -> str:
    ceiling = runs["ceiling"]
    lines = [
        "# Benchmark results",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M UTC} on {os.cpu_count()} CPUs with `make bench`: "
        f"wrk, {args.connections} connections, {args.threads} threads, the median of {args.runs} runs of "
        f"{args.duration} s per page; "
        f"one uvicorn worker, no access log; {seconds / 60:.1f} minutes in all. Ratios are against the "
        "ceiling (the same bytes from a minimal ASGI app under the same server) measured in the same run.",
        "",
        "| database, record | page | req/s | share of ceiling | p50 ms | p50 × ceiling | p99 ms "
        "| p99 × ceiling | p50 × bundled | target | result |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|---|---|",
    ]
    for page in PAGES:
        c = ceiling.loads[page.key]
        lines.append(f"| ceiling | {page.label} | {c.rps:,.0f} | 100% | {c.p50:.2f} | 1.0 | {c.p99:.2f} | 1.0 | | | |")
    verdicts: list[tuple[str, str, bool]] = []
    for name, run in runs.items():
        if name == "ceiling":
            continue
        database, record = name.split(", ")
        bundled = runs.get(f"{database}, bundled")
        for page in PAGES:
            load, c = run.loads[page.key], ceiling.loads[page.key]
            share = load.rps / c.rps
            growth = load.p50 / bundled.loads[page.key].p50 if bundled and record == "large" else None
            if record == "bundled":
                target, ok = f"≥ {page.target:.0%}", share >= page.target
                verdicts.append((f"{name}: {page.label} ≥ {page.target:.0%} of ceiling", f"{share:.0%}", ok))
            else:
                target, ok = f"≤ {LARGE_GROWTH}× bundled", growth is not None and growth <= LARGE_GROWTH
                verdicts.append((f"{name}: {page.label} p50 ≤ {LARGE_GROWTH}× bundled", f"{growth:.2f}×", ok))
            errors = f" ({load.errors} errors)" if load.errors else ""
            lines.append(
                f"| {name} | {page.label} | {load.rps:,.0f}{errors} | {share:.0%} | {load.p50:.2f} "
                f"| {load.p50 / c.p50:.1f} | {load.p99:.2f} | {load.p99 / c.p99:.1f} "
                f"| {f'{growth:.2f}' if growth else ''} | {target} | {_mark(ok)} |"
            )
    for record in ("bundled", "large"):
        sqlite, postgres = runs.get(f"SQLite, {record}"), runs.get(f"PostgreSQL, {record}")
        if sqlite and postgres:
            for page in PAGES:
                share = postgres.loads[page.key].rps / sqlite.loads[page.key].rps
                verdicts.append(
                    (f"PostgreSQL vs SQLite, {record}: {page.label} ≥ 70%", f"{share:.0%}", share >= POSTGRES_SHARE)
                )
    parleys = [name for name in runs if name != "ceiling"]
    lines += [
        "",
        "Rendering afresh (a server keeping no rendered answers; median of sequential requests, ms):",
        "",
        "| page | " + " | ".join(parleys) + " | large × bundled |",
        "|---|" + "--:|" * (len(parleys) + 1),
    ]
    for page in PAGES:
        if page.conditional:
            continue
        cells = [
            f"{runs[name].uncached_ms[page.key]:.1f}" if page.key in runs[name].uncached_ms else "" for name in parleys
        ]
        growth = [
            runs[f"{db}, large"].uncached_ms[page.key] / runs[f"{db}, bundled"].uncached_ms[page.key]
            for db in ("SQLite", "PostgreSQL")
            if f"{db}, large" in runs
            and f"{db}, bundled" in runs
            and page.key in runs[f"{db}, large"].uncached_ms
            and page.key in runs[f"{db}, bundled"].uncached_ms
        ]
        lines.append(f"| {page.label} | " + " | ".join(cells) + " | " + ", ".join(f"{g:.2f}" for g in growth) + " |")
    lines += _cold(runs, verdicts, args.duration)
    lines += _import_and_startup(runs, verdicts)
    lines += ["", "| server | peak memory (VmHWM) |", "|---|--:|"]
    for name, run in runs.items():
        lines.append(f"| {name} | {run.peak_mb:.0f} MB |")
        if name.endswith("large"):
            verdicts.append(
                (f"{name}: peak memory ≤ {MEMORY_BUDGET_MB:.0f} MB", f"{run.peak_mb:.0f} MB", run.peak_mb <= 150)
            )
    sizes = runs["SQLite, bundled"].transfer
    lines += ["", "| page (bundled record) | sent gzip-compressed: HTML + its CSS and JS | budget |", "|---|--:|--:|"]
    for page in PAGES:
        if page.key in sizes:
            budget = TRANSFER_BUDGET.get(page.key)
            lines.append(
                f"| {page.label} | {sizes[page.key] / 1024:.1f} KB | {f'{budget // 1024} KB' if budget else ''} |"
            )
            if budget:
                verdicts.append(
                    (
                        f"transfer: {page.label} ≤ {budget // 1024} KB",
                        f"{sizes[page.key] / 1024:.1f} KB",
                        sizes[page.key] <= budget,
                    )
                )
    lines += ["", "| target | measured | result |", "|---|--:|---|"]
    lines += [f"| {what} | {value} | {_mark(ok)} |" for what, value, ok in verdicts]
    met = sum(ok for *_, ok in verdicts)
    lines += ["", f"{met} of {len(verdicts)} targets met.", ""]
    return "\n".join(lines)


def _cold(runs: dict[str, Run], verdicts: list[tuple[str, str, bool]], duration: float) -> list[str]:
    """Cold beside warm: the same pages with every request rendered afresh (PARLEY_RESPONSE_CACHE_MB=0)."""
    ceiling = runs["ceiling"]
    lines = [
        "",
        "Cold: the same pages from a server that keeps no rendered answers (`PARLEY_RESPONSE_CACHE_MB=0`), "
        "so that every request is rendered afresh; shares are of the same ceiling.",
        "",
        "| database, record | page | cold req/s | share of ceiling | cold p50 ms | warm req/s | cold p50 × bundled "
        "| target | result |",
        "|---|---|--:|--:|--:|--:|--:|---|---|",
    ]
    for name, run in runs.items():
        if name == "ceiling" or not run.cold:
            continue
        database, record = name.split(", ")
        bundled = runs.get(f"{database}, bundled")
        for page in [*PAGES, COMPOSER]:
            if page.key not in run.cold:
                continue
            cold, share = run.cold[page.key], run.cold[page.key].rps / ceiling.loads[page.key].rps
            if record == "bundled":
                growth = None
                wanted = COMPOSER_TARGET if page is COMPOSER else COLD_TARGET
                target, ok = f"≥ {wanted:.1%}", share >= wanted
                verdicts.append((f"{name}, cold: {page.label} ≥ {wanted:.1%} of ceiling", f"{share:.2%}", ok))
            else:
                base = bundled.cold.get(page.key) if bundled else None
                growth = cold.p50 / base.p50 if base is not None and base.p50 > 0 else None
                target, ok = f"≤ {LARGE_GROWTH}× bundled", growth is not None and growth <= LARGE_GROWTH
                shown = f"{growth:.2f}×" if growth is not None else "not measured"
                verdicts.append((f"{name}, cold: {page.label} p50 ≤ {LARGE_GROWTH}× bundled", shown, ok))
            warm = f"{run.loads[page.key].rps:,.0f}" if page.key in run.loads else "(never cached)"
            lines.append(
                f"| {name} | {page.label} | {cold.rps:,.1f} | {share:.2%} | {cold.p50:.1f} "
                f"| {warm} | {f'{growth:.2f}' if growth else ''} | {target} | {_mark(ok)} |"
            )
    lines += _why_short(runs)
    lines += _peer(runs, verdicts, duration)
    return lines


def _why_short(runs: dict[str, Run]) -> list[str]:
    """By how much each cold target is missed, and what the time goes to, from figures of the same run.

    Under load, a page's cost is the worker's time per request: 1 / its requests a second. ``/healthz``
    through the same stack is the part no page can do without (the server, middleware, routing, a
    session and a query); the rest is the page's own work (its queries, its view models, its HTML or
    JSON).
    """
    ceiling = runs["ceiling"]
    lines = [
        "",
        "By how much, and why: under load, the worker's time per page is 1 ÷ its requests a second, and the target "
        "leaves it 1 ÷ (the target's share of the ceiling's requests a second). Part of that time every answer pays "
        "(uvicorn, the middleware, routing, a session and a query: the cold `/healthz`); the rest is the page's own "
        "queries, view models and markup. Short by: how many times faster the page would have to be.",
        "",
        "| database, record | page | ms a request, cold | at the target | the stack alone | the page's own work "
        "| own work at the target | short by |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    measured = False
    for name, run in runs.items():
        if name == "ceiling" or not name.endswith("bundled") or run.floor is None or run.floor.rps <= 0:
            continue
        stack = 1000 / run.floor.rps
        for page in [*PAGES, COMPOSER]:
            cold = run.cold.get(page.key)
            if cold is None or cold.rps <= 0:
                continue
            wanted = (COMPOSER_TARGET if page is COMPOSER else COLD_TARGET) * ceiling.loads[page.key].rps
            if cold.rps >= wanted:
                continue
            spent, allowed = 1000 / cold.rps, 1000 / wanted
            own_allowed = f"{allowed - stack:.2f}" if allowed > stack else "none left"
            lines.append(
                f"| {name} | {page.label} | {spent:.2f} | {allowed:.2f} | {stack:.2f} | {spent - stack:.2f} "
                f"| {own_allowed} | {wanted / cold.rps:.1f}× |"
            )
            measured = True
    growth = _large_growth(runs)
    if not measured and not growth:
        return []
    return (lines if measured else []) + growth


def _large_growth(runs: dict[str, Run]) -> list[str]:
    """What the large record's size costs, told from what its longer first page costs: the timeline
    and its API of the one negotiation the bundled record holds, on both records, beside the pages."""
    rows = []
    for name, run in runs.items():
        database, _, record = name.partition(", ")
        bundled = runs.get(f"{database}, bundled")
        if record != "large" or bundled is None:
            continue
        for page in SAME_ENTRIES:
            first, base = run.cold.get(page.key), bundled.cold.get(page.key)
            same, same_base = run.same_entries.get(page.key), bundled.same_entries.get(page.key)
            if not (first and base and same and same_base and base.p50 > 0 and same_base.p50 > 0):
                continue
            label = next(p.label for p in PAGES if p.key == page.key)
            entries = f"{bundled.entries.get('timeline', '?')} / {run.entries.get('timeline', '?')}"
            size = f"{bundled.cold_bytes.get(page.key, 0) / 1024:.0f} / {run.cold_bytes.get(page.key, 0) / 1024:.0f}"
            rows.append(
                f"| {database} | {label} | {entries} | {size} | {first.p50 / base.p50:.2f}× "
                f"| {same.p50 / same_base.p50:.2f}× |"
            )
    if not rows:
        return []
    return [
        "",
        "The large record against the bundled one: its first page of the timeline holds more entries, each one "
        f"work; the same entries (`?negotiation={NEGOTIATION}`, the bundled record's whole timeline) asked of "
        "both records show what the record's size alone costs.",
        "",
        "| database | page | entries, bundled / large | KB, bundled / large | cold p50, large × bundled "
        "| the same entries, large × bundled |",
        "|---|---|--:|--:|--:|--:|",
        *rows,
    ]


def _peer(runs: dict[str, Run], verdicts: list[tuple[str, str, bool]], duration: float) -> list[str]:
    """Parley's cold timeline against Datasette's table page of rounds, over the same SQLite file.

    When Datasette finished no request within a run (each took longer than the run), its rate is
    known only to be under one request per run: Parley's is then reported as more than that multiple.
    """
    measured = {name: run for name, run in runs.items() if run.datasette is not None}
    if not measured:
        return []
    lines = [
        "",
        f"The peer on the same work: Datasette ({DATASETTE}), its table page of rounds over the same SQLite file, "
        "facets off, nothing cached; Parley's timeline rendered afresh as a multiple of it.",
        "",
        "| database, record | Datasette `/<db>/rounds` req/s | Parley cold timeline req/s | Parley × Datasette "
        "| target | result |",
        "|---|--:|--:|--:|---|---|",
    ]
    for name, run in measured.items():
        assert run.datasette is not None
        parley = run.cold["timeline"].rps
        if run.datasette.rps > 0:
            ratio, told, theirs = parley / run.datasette.rps, "", f"{run.datasette.rps:,.1f}"
        else:
            ratio, told, theirs = parley * duration, "> ", f"none finished in {duration:g} s"
        ok = ratio >= DATASETTE_TARGET
        verdicts.append(
            (f"{name}: cold timeline ≥ {DATASETTE_TARGET:.0f}× Datasette's table page", f"{told}{ratio:.2f}×", ok)
        )
        lines.append(
            f"| {name} | {theirs} | {parley:,.1f} | {told}{ratio:.2f}× | ≥ {DATASETTE_TARGET:.0f}× | {_mark(ok)} |"
        )
    return lines


def _import_and_startup(runs: dict[str, Run], verdicts: list[tuple[str, str, bool]]) -> list[str]:
    lines = ["", "| database, record | `parley import` of the record | app built, CPU |", "|---|--:|--:|"]
    for name, run in runs.items():
        if name == "ceiling":
            continue
        took = f"{run.import_s:.1f} s" if run.import_s is not None else "(seeded)"
        lines.append(f"| {name} | {took} | {run.startup_cpu_s:.2f} s |")
        if run.import_s is not None:
            verdicts.append(
                (f"{name}: import ≤ {IMPORT_BUDGET_S:.0f} s", f"{run.import_s:.1f} s", run.import_s <= IMPORT_BUDGET_S)
            )
        if name.endswith("bundled"):
            verdicts.append(
                (
                    f"{name}: app built in ≤ {STARTUP_BUDGET_S:.0f} s of CPU",
                    f"{run.startup_cpu_s:.2f} s",
                    run.startup_cpu_s <= STARTUP_BUDGET_S,
                )
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 4)), help="seconds a run")
    parser.add_argument("--runs", type=int, default=3, help="runs per page; the median is reported")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--output", type=Path, default=HERE / "results.md")
    parser.add_argument(
        "--records", nargs="+", choices=["bundled", "large"], default=["bundled", "large"], help="for a quicker look"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk not found: `make bench` installs it with apt-get")
    started = time.monotonic()
    if "large" in args.records:
        generate.ensure()
    runs: dict[str, Run] = {}
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp:
        workdir = Path(tmp)
        databases: list[tuple[str, object]] = [("SQLite", None)]
        postgres = os.environ.get("PARLEY_BENCH_DATABASE_URL")
        if postgres:
            databases.append(("PostgreSQL", postgres))
        for database, url in databases:
            for record in args.records:
                name = f"{database}, {record}"
                print(f"{name}: loading the record …", flush=True)
                with contextlib.ExitStack() as stack:
                    if url is None:
                        database_url = sqlite_database(workdir, record)
                    else:
                        database_url = stack.enter_context(postgres_database(str(url), record))
                    took = prepare(database_url, record, {"PARLEY_DATA_DIR": str(workdir / "data")})
                    runs[name], ceiling = bench_parley(database_url, args, name, workdir, with_ceiling=not runs)
                    runs[name].import_s = took
                if ceiling is not None:
                    runs = {"ceiling": ceiling, **runs}
    table = report(runs, args, time.monotonic() - started)
    args.output.write_text(table, encoding="utf-8")
    print(table)
    print(f"Written to {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")


if __name__ == "__main__":
    main()
