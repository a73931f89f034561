"""The soak: Parley on PostgreSQL with two workers, readers and editors at once, and the database
restarted midway. ``make soak`` runs it; it is not part of ``make test``.

It starts a PostgreSQL cluster of its own (``initdb``, ``pg_ctl``, as the ``postgres`` user when run
as root) on a free port, so that it may restart it; the machine's own server is never touched. It
loads the bundled record, adds four editors, serves Parley with ``parley serve --workers 2`` and then,
for about a minute:

- 32 readers ask for pages, most of them not cached yet (filter and search combinations, rounds,
  topics, the comparison as of each round, widgets, the JSON API), some that are;
- 4 editors sign in through the real form and save rounds through the real edit form, two of them
  on the same round so that they conflict;
- a prober asks, over fresh connections (so both workers answer), for the round one editor has
  just published, to time how long until every worker serves the change;
- midway, PostgreSQL is restarted.

It prints requests, failures by kind inside and outside the restart, p50/p99 latency, saves
acknowledged, conflicts, saves lost (acknowledged but in neither the final record nor its history),
and the time until every worker served a published change; and writes the table to
``tests/benchmarks/soak-results.md``.

    .venv/bin/python -m tests.benchmarks.soak [--seconds 60] [--readers 32] [--editors 4]
"""

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
import psycopg
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
RESULTS = Path(__file__).parent / "soak-results.md"
PASSWORD = "soak test password, long enough"
ROUNDS = ["2025-05-16-istanbul", "2025-06-02-istanbul"]
NEGOTIATION = "russia-ukraine-istanbul-2025"
SLOW = 10.0  # seconds: a request slower than this counts as failed for the soak's purpose
PARTIES = ["russia", "ukraine", "turkey", "united-states"]
TOPICS = ["ceasefire", "prisoners-humanitarian", "territory", "leaders-meeting", "children"]
WORDS = ["istanbul", "memorandum", "exchange", "ceasefire", "children", "fidan", "medinsky", "umerov", "talks"]
# Pages every reader keeps asking for: after the first request they are answered from the cache.
CACHED = [
    "/",
    "/timeline",
    f"/rounds/{ROUNDS[1]}",
    "/compare",
    "/embed/compare",
    "/api/timeline",
    "/topics",
    "/parties",
]


# ------------------------------------------------------------------ a PostgreSQL cluster of its own


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    if not candidates:
        sys.exit(f"{name} not found: the soak needs PostgreSQL's server programs (Debian: postgresql)")
    return str(candidates[0])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """A throw-away PostgreSQL cluster; run as the ``postgres`` user when this process is root."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "pgdata"
        self.port = _free_port()
        self.as_postgres = os.geteuid() == 0

    def _run(self, *command: str) -> None:
        if self.as_postgres:
            command = ("runuser", "-u", "postgres", "--", *command)
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def start(self) -> None:
        if self.as_postgres:
            shutil.chown(self.folder, "postgres")
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._run(
            _pg_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.folder / "pg.log"), "-w", "start"
        )
        self._run(_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "parley")

    def restart(self) -> float:
        began = time.monotonic()
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "restart")
        return time.monotonic() - began

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/parley"


# ------------------------------------------------------------------ what was seen


@dataclass
class Seen:
    started: float
    ended: float
    kind: str  # reader, cached, editor, prober
    outcome: str  # "200", "503", "timeout", …
    url: str = ""


@dataclass
class Tally:
    requests: list[Seen] = field(default_factory=list)
    acknowledged: list[tuple[str, str]] = field(default_factory=list)  # (round slug, marker)
    conflicts: int = 0
    save_failures: Counter[str] = field(default_factory=Counter)
    propagation: list[float] = field(default_factory=list)
    propagation_in_fault: list[float] = field(default_factory=list)
    probes: int = 0
    fault: tuple[float, float] | None = None

    def add(self, started: float, kind: str, outcome: str, url: str = "") -> None:
        self.requests.append(Seen(started, time.monotonic(), kind, outcome, url))

    def in_fault(self, seen: Seen) -> bool:
        return self.fault is not None and seen.started <= self.fault[1] and seen.ended >= self.fault[0]


async def _get(client: httpx.AsyncClient, tally: Tally, kind: str, url: str) -> httpx.Response | None:
    started = time.monotonic()
    try:
        response = await client.get(url)
    except httpx.TimeoutException:
        tally.add(started, kind, "timeout", url)
        return None
    except httpx.HTTPError as exc:
        tally.add(started, kind, type(exc).__name__, url)
        return None
    outcome = str(response.status_code)
    if time.monotonic() - started > SLOW:
        outcome = f"{outcome} after >{SLOW:.0f} s"
    tally.add(started, kind, outcome, url)
    return response


# ------------------------------------------------------------------ readers


def reader_url(rng: random.Random) -> str:
    """A page most likely not asked for before: real filters in varied combinations."""
    choice = rng.randrange(8)
    if choice == 0:
        return f"/timeline?q={rng.choice(WORDS)}+{rng.choice(WORDS)}&party={rng.choice(PARTIES)}"
    if choice == 1:
        kind = rng.choice(["round", "event"])
        return f"/timeline?topic={rng.choice(TOPICS)}&kind={kind}&q={rng.choice(WORDS)}{rng.randrange(1000)}"
    if choice == 2:
        parties = "&".join(f"party={p}" for p in rng.sample(PARTIES, rng.randrange(2, 4)))
        return f"/compare?{parties}&as_of={rng.choice(ROUNDS)}&topic={rng.choice(TOPICS)}"
    if choice == 3:
        return f"/topics/{rng.choice(TOPICS)}?negotiation={NEGOTIATION}"
    if choice == 4:
        return f"/api/timeline?q={rng.choice(WORDS)}{rng.randrange(1000)}"
    if choice == 5:
        return (
            f"/embed/timeline?party={rng.choice(PARTIES)}&q={rng.choice(WORDS)}&theme={rng.choice(['light', 'dark'])}"
        )
    if choice == 6:
        return f"/api/compare?party={rng.choice(PARTIES)}&party={rng.choice(PARTIES)}&as_of={rng.choice(ROUNDS)}"
    return f"/rounds/{rng.choice(ROUNDS)}?utm_source=soak{rng.randrange(10**6)}"


async def reader(base: str, tally: Tally, until: float, seed: int) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        while time.monotonic() < until:
            if rng.random() < 0.3:
                await _get(client, tally, "cached", rng.choice(CACHED))
            else:
                await _get(client, tally, "reader", reader_url(rng))


# ------------------------------------------------------------------ editors


def form_fields(html: str, selector: str) -> tuple[str, list[tuple[str, str]]]:
    """What a browser would send for the form: its action and its successful controls, buttons aside."""
    form = BeautifulSoup(html, "html.parser").select_one(selector)
    if form is None:
        raise RuntimeError(f"no {selector} on the page")
    fields: list[tuple[str, str]] = []
    for control in form.select("input[name], textarea[name], select[name]"):
        name = control["name"]
        if control.name == "textarea":
            fields.append((name, control.get_text()))
        elif control.name == "select":
            chosen = control.select_one("option[selected]") or control.select_one("option")
            fields.append((name, chosen.get("value", "") if chosen else ""))
        elif control.get("type") in ("checkbox", "radio"):
            if control.has_attr("checked"):
                fields.append((name, control.get("value", "on")))
        elif control.get("type") not in ("submit", "button"):
            fields.append((name, control.get("value", "")))
    return str(form.get("action")), fields


async def sign_in(client: httpx.AsyncClient, email: str) -> None:
    while True:
        page = await client.get("/login")
        action, fields = form_fields(page.text, "form[action='/login']")
        values = dict(fields) | {"email": email, "password": PASSWORD}
        response = await client.post(action, data=values)
        if response.status_code in (303, 200) and "parley_session" in client.cookies:
            return
        await asyncio.sleep(1)


async def _post(
    client: httpx.AsyncClient, tally: Tally, url: str, values: dict[str, list[str]]
) -> httpx.Response | None:
    started = time.monotonic()
    try:
        response = await client.post(url, data=values)
    except httpx.HTTPError as exc:
        tally.add(started, "editor", type(exc).__name__)
        tally.save_failures[type(exc).__name__] += 1  # not acknowledged: the editor cannot know
        return None
    tally.add(started, "editor", str(response.status_code))
    return response


async def editor(base: str, tally: Tally, until: float, number: int, slug: str, prober: asyncio.Queue[str]) -> None:
    """Open the round's composer, change its summary and publish, again and again, as an editor would.

    The round's facts form is opened as its Edit link does without JavaScript (``?edit=record``);
    publishing goes straight from it. A conflict with another editor is resolved keeping one's own.
    """
    async with httpx.AsyncClient(base_url=base, timeout=30, follow_redirects=False) as client:
        await sign_in(client, f"soak-editor-{number}@example.org")
        saves = 0
        while time.monotonic() < until:
            opened = await _get(client, tally, "editor", f"/rounds/{slug}/edit")
            composer = opened.headers.get("location", "") if opened is not None else ""
            page = await _get(client, tally, "editor", f"{composer}?edit=record") if composer else None
            if page is None or page.status_code != 200:
                await asyncio.sleep(0.5)
                continue
            try:
                action, fields = form_fields(page.text, "#record form.edit-form")
            except RuntimeError:
                tally.save_failures["no form"] += 1
                continue
            saves += 1
            marker = f"soak-e{number}-n{saves:04d}"
            values: dict[str, list[str]] = {"action": ["publish"]}
            for name, value in fields:
                values.setdefault(name, []).append(
                    f"Summary saved by the soak: {marker}." if name == "summary" else value
                )
            response = await _post(client, tally, action, values)
            if response is not None and response.status_code == 409:
                tally.conflicts += 1
                try:
                    resolve, chosen = form_fields(response.text, "section.conflict form")
                except RuntimeError:  # others were publishing at that instant: the draft is kept, try again
                    continue
                keep: dict[str, list[str]] = {}
                for name, value in chosen:
                    keep.setdefault(name, []).append(value)
                for name in {n for n, _ in chosen if n.startswith("keep:")} | _radio_names(response.text):
                    keep[name] = ["yours"]
                response = await _post(client, tally, resolve, keep)
            if response is None:
                continue
            if response.status_code == 303 and "published=1" in response.headers.get("location", ""):
                tally.acknowledged.append((slug, marker))
                if number == 3:
                    prober.put_nowait(marker)
            elif response.status_code != 409:
                tally.save_failures[str(response.status_code)] += 1
            await asyncio.sleep(0.2)


def _radio_names(html: str) -> set[str]:
    """The conflict screen's choices (radio buttons, none ticked until the editor chooses)."""
    soup = BeautifulSoup(html, "html.parser")
    return {str(r["name"]) for r in soup.select("section.conflict input[type=radio]")}


async def probe(base: str, tally: Tally, until: float, slug: str, published: asyncio.Queue[str]) -> None:
    """After each publish of ``slug``, ask over fresh connections until 20 answers in a row show it."""
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        while time.monotonic() < until:
            try:
                marker = await asyncio.wait_for(published.get(), timeout=1)
            except TimeoutError:
                continue
            acknowledged = time.monotonic()
            number = int(marker.rsplit("-n", 1)[1])
            last_stale, in_a_row = None, 0
            while in_a_row < 20 and time.monotonic() - acknowledged < 15:
                response = await _get(client, tally, "prober", f"/api/rounds/{slug}")
                tally.probes += 1
                summary = (
                    response.json().get("summary", "") if response is not None and response.status_code == 200 else ""
                )
                shown = int(summary.rsplit("-n", 1)[1].rstrip(".")) if "-n" in summary else -1
                if shown >= number:
                    in_a_row += 1
                else:
                    last_stale, in_a_row = time.monotonic(), 0
            took = (last_stale or acknowledged) - acknowledged
            # A restart in between measures the restart, not the propagation: those are reported apart.
            restarted = (
                tally.fault is not None and last_stale is not None and last_stale >= tally.fault[0] >= acknowledged - 1
            )
            (tally.propagation_in_fault if restarted else tally.propagation).append(took)


# ------------------------------------------------------------------ the run


def _parley(cluster: Cluster, data_dir: Path, *arguments: str, stdin: str | None = None) -> None:
    environment = os.environ | {"PARLEY_DATABASE_URL": cluster.url, "PARLEY_DATA_DIR": str(data_dir)}
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "parley"), *arguments],
        input=stdin,
        text=True,
        check=True,
        env=environment,
        stdout=subprocess.DEVNULL,
    )


@contextlib.contextmanager
def serving(cluster: Cluster, data_dir: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    environment = os.environ | {"PARLEY_DATABASE_URL": cluster.url, "PARLEY_DATA_DIR": str(data_dir)}
    command = [
        str(ROOT / ".venv" / "bin" / "parley"),
        "serve",
        "--port",
        str(port),
        "--workers",
        "2",
        "--no-access-log",
    ]
    log = (data_dir / "serve.log").open("wb")
    server = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield server
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _wait_until_up(base: str, timeout: float = 120) -> float:
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(base + "/healthz", timeout=5).status_code == 200:
                return time.monotonic() - began
        time.sleep(0.2)
    sys.exit("Parley did not start within two minutes; see serve.log")


def lost_saves(cluster: Cluster, acknowledged: list[tuple[str, str]]) -> list[str]:
    """Markers acknowledged (303) but found neither in the final record nor in any revision."""
    url = cluster.url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as connection:
        history = " ".join(str(row[0]) for row in connection.execute("SELECT snapshot FROM revisions"))
        record = " ".join(str(row[0]) for row in connection.execute("SELECT summary FROM rounds"))
    return [marker for _, marker in acknowledged if marker not in history and marker not in record]


async def load(base: str, cluster: Cluster, tally: Tally, seconds: float, readers: int, editors: int) -> float:
    began = time.monotonic()
    until = began + seconds
    published: asyncio.Queue[str] = asyncio.Queue()
    # Editors 1 and 2 share the first round (and conflict); the others have a round each.
    slugs = [ROUNDS[0], ROUNDS[0], ROUNDS[1], "2025-06-next-round"]
    tasks = [asyncio.create_task(reader(base, tally, until, seed)) for seed in range(readers)]
    tasks += [
        asyncio.create_task(editor(base, tally, until, n, slugs[(n - 1) % len(slugs)], published))
        for n in range(1, editors + 1)
    ]
    tasks.append(asyncio.create_task(probe(base, tally, until, ROUNDS[1], published)))
    await asyncio.sleep(seconds / 2)
    fault_began = time.monotonic()
    restart = await asyncio.to_thread(cluster.restart)
    tally.fault = (fault_began, time.monotonic())
    await asyncio.gather(*tasks)
    return restart


def _propagation(times: list[float]) -> str:
    if not times:
        return "not measured |"
    return f"{1000 * times[len(times) // 2]:.0f} ms / {1000 * times[-1]:.0f} ms ({len(times)} publishes) |"


def report(tally: Tally, restart: float, lost: list[str], startup: float, seconds: float) -> str:
    inside = [s for s in tally.requests if tally.in_fault(s)]
    outside = [s for s in tally.requests if not tally.in_fault(s)]
    latencies = sorted(s.ended - s.started for s in tally.requests)

    def failures(seen: list[Seen]) -> str:
        counted = Counter(
            s.outcome for s in seen if not s.outcome.startswith(("200", "303", "409")) or "after" in s.outcome
        )
        return ", ".join(f"{kind}: {n}" for kind, n in counted.most_common()) or "none"

    cached_inside = [s for s in inside if s.kind == "cached"]
    cached_ok = sum(1 for s in cached_inside if s.outcome == "200")
    cached_missed = Counter(f"{s.outcome} on {s.url}" for s in cached_inside if s.outcome != "200")
    missed = "; ".join(f"{what} ×{n}" for what, n in cached_missed.most_common())
    slow = sum(1 for s in outside if s.ended - s.started > SLOW)
    failed_outside = sum(1 for s in outside if not s.outcome.startswith(("200", "303", "409")) or "after" in s.outcome)
    propagation = sorted(tally.propagation)
    lines = [
        f"Soak: {seconds:.0f} s, PostgreSQL restarted midway (the restart took {restart:.1f} s); "
        f"Parley answered its health check {startup:.1f} s after `parley serve --workers 2` began.",
        "",
        "| measure | value |",
        "|---|--:|",
        f"| requests | {len(tally.requests):,} |",
        f"| outside the restart: failed or slower than {SLOW:.0f} s | {failed_outside} ({failures(outside)}) |",
        f"| inside the restart: requests / not answered 200, 303 or 409 | {len(inside)} / {failures(inside)} |",
        f"| cached pages answered 200 during the restart | {cached_ok} of {len(cached_inside)}"
        f" ({100 * cached_ok / max(1, len(cached_inside)):.0f}%{'; ' + missed if missed else ''}) |",
        f"| latency p50 / p99 | {1000 * latencies[len(latencies) // 2]:.0f} ms / "
        f"{1000 * latencies[int(len(latencies) * 0.99)]:.0f} ms |",
        f"| saves acknowledged | {len(tally.acknowledged)} |",
        f"| conflicts (two editors on one round) | {tally.conflicts} |",
        f"| saves refused otherwise | {sum(tally.save_failures.values())} ({dict(tally.save_failures) or 'none'}) |",
        f"| saves lost | {len(lost)} |",
        "| every worker serving a published change, p50 / max | " + _propagation(propagation),
        "| the same, for publishes just before the restart | "
        + (", ".join(f"{1000 * t:.0f} ms" for t in tally.propagation_in_fault) or "none")
        + " |",
        f"| probes over fresh connections | {tally.probes:,} |",
        f"| slower than {SLOW:.0f} s outside the restart | {slow} |",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--readers", type=int, default=32)
    parser.add_argument("--editors", type=int, default=4)
    options = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="parley-soak-"))
    cluster = Cluster(folder)
    data_dir = folder / "parley-data"
    data_dir.mkdir()
    try:
        print(f"Starting a PostgreSQL cluster of its own on port {cluster.port} …", flush=True)
        cluster.start()
        _parley(cluster, data_dir, "db", "upgrade")
        _parley(cluster, data_dir, "seed")
        for n in range(1, options.editors + 1):
            _parley(
                cluster, data_dir, "user", "add", f"soak-editor-{n}@example.org", "--password-stdin", stdin=PASSWORD
            )
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        with serving(cluster, data_dir, port):
            began = time.monotonic()
            startup = _wait_until_up(base)
            for url in CACHED:  # warm: these are the cached pages
                httpx.get(base + url, timeout=30)
            print(f"Parley is up after {startup:.1f} s; loading for {options.seconds:.0f} s …", flush=True)
            tally = Tally()
            restart = asyncio.run(load(base, cluster, tally, options.seconds, options.readers, options.editors))
            del began
        lost = lost_saves(cluster, tally.acknowledged)
        text = report(tally, restart, lost, startup, options.seconds)
        print(text)
        RESULTS.write_text("# Soak results\n\n" + text)
    finally:
        cluster.stop()
        kept = Path(__file__).parent / ".cache"
        kept.mkdir(exist_ok=True)
        for log in (data_dir / "serve.log", folder / "pg.log"):
            if log.exists():
                shutil.copy(log, kept / f"soak-{log.name}")
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
