"""Real-browser tests: Parley served by uvicorn, driven in Debian's Chromium through Playwright.

Outside CI a missing Chromium, Playwright or axe-core skips these tests with the
reason; under CI=true it fails them, so that CI can never pass without them.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest
import uvicorn
from sqlmodel import SQLModel

from app.core.config import Settings
from app.core.db import make_engine, session_scope
from app.main import create_app
from app.record.transfer import seed_record

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

HERE = Path(__file__).resolve().parent
AXE_SCRIPT = HERE / "node_modules" / "axe-core" / "axe.min.js"
IN_CI = os.environ.get("CI", "").lower() == "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
NO_JAVASCRIPT = {**DESKTOP, "java_script_enabled": False}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # This hook sees the whole session's items, not only this folder's.
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


def unavailable(reason: str) -> NoReturn:
    """Skip, or under CI fail: CI must run every browser test."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the browser tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture(scope="package")
def live_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The live server's database, holding the bundled record; tests may add to it (accounts, say)."""
    folder = tmp_path_factory.mktemp("live-server")
    database_url = f"sqlite:///{folder / 'parley.db'}"
    engine = make_engine(database_url)
    SQLModel.metadata.create_all(engine)
    with session_scope(engine) as session:
        seed_record(session=session)
    engine.dispose()
    return database_url


@pytest.fixture(scope="package")
def live_server(live_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Parley with the bundled record, served on a free 127.0.0.1 port; yields its base URL."""
    with serve(live_database_url, tmp_path_factory.mktemp("live-server-data")) as base_url:
        yield base_url


@contextmanager
def serve(database_url: str, data_dir: Path) -> Iterator[str]:
    """Parley on ``database_url``, served by uvicorn in a thread on a free 127.0.0.1 port; yields its base URL."""
    app = create_app(Settings(database_url=database_url, data_dir=data_dir))
    # Handing uvicorn the bound socket leaves no window for another process to take the port.
    sock = _free_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                pytest.fail(f"the live server on port {port} did not start", pytrace=False)
            time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        app.state.engine.dispose()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless.

    Package scope on purpose: while Playwright's sync API is started it marks its
    event loop as running in the main thread, which would break any later test
    calling asyncio.run() or anyio.run(). Pytest tears this fixture down as soon
    as the last test under tests/browser has run.
    """
    executable = shutil.which("chromium")
    if executable is None:
        unavailable("chromium is not on PATH (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        unavailable("Playwright is not installed (pip install -e '.[dev]')")

    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        except Error as error:
            unavailable(f"{executable} did not start: {error.message.splitlines()[0]}")
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Browser, live_server: str) -> Iterator[Callable[..., Page]]:
    """Open a page in a new browser context, e.g. ``new_page(**PHONE)`` or ``new_page(**NO_JAVASCRIPT)``.

    Relative URLs go to the live server; every context is closed after the test.
    """
    contexts: list[BrowserContext] = []

    def open_page(**context_options: Any) -> Page:
        context = browser.new_context(base_url=live_server, **{**DESKTOP, **context_options})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A 1280×800 desktop page with JavaScript on."""
    return new_page()


@pytest.fixture
def phone_page(new_page: Callable[..., Page]) -> Page:
    """A 375×812 touch phone, honouring the page's viewport meta tag."""
    return new_page(**PHONE)


@pytest.fixture
def no_javascript_page(new_page: Callable[..., Page]) -> Page:
    """A desktop page with JavaScript disabled: what a reader without scripts sees."""
    return new_page(**NO_JAVASCRIPT)


class Axe:
    """axe-core, run in a loaded page against the WCAG 2.0, 2.1 and 2.2 A/AA rules."""

    def __init__(self, script: Path) -> None:
        self.script = script
        self.source = script.read_text(encoding="utf-8")

    def __call__(self, page: Page) -> list[dict[str, Any]]:
        """Return axe-core's violations on ``page`` as it stands now."""
        # Evaluated through the DevTools protocol rather than added as a <script>: every page's CSP
        # forbids inline scripts, and the test must not need the page to relax it.
        if page.evaluate("typeof axe") == "undefined":
            page.evaluate(self.source)
        if page.evaluate("typeof axe") == "undefined":
            # A page without JavaScript never runs the tag, nor axe's timers: axe.run() would hang.
            raise RuntimeError("axe-core needs JavaScript: check this page in a context with JavaScript on")
        results = page.evaluate(
            "options => axe.run(document, options)",
            {"runOnly": {"type": "tag", "values": AXE_TAGS}},
        )
        return list(results["violations"])

    def assert_no_violations(self, page: Page, label: str = "") -> None:
        violations = self(page)
        if violations:
            where = f"{page.url} ({label})" if label else page.url
            raise AssertionError(format_violations(violations, where))


def format_violations(violations: list[dict[str, Any]], where: str) -> str:
    """One block per rule: what it asks, then each offending element with axe's advice."""
    nodes = sum(len(violation["nodes"]) for violation in violations)
    lines = [f"axe-core found {len(violations)} rule(s) violated by {nodes} element(s) on {where}:"]
    for violation in violations:
        tags = ", ".join(tag for tag in violation["tags"] if tag.startswith("wcag"))
        lines += [
            "",
            f"* {violation['id']} [{violation['impact']}] {violation['help']} ({tags})",
            f"  {violation['helpUrl']}",
        ]
        for node in violation["nodes"]:
            # A target is a list of selectors, nested ones for iframes and shadow roots.
            target = " >>> ".join(
                " ".join(selector) if isinstance(selector, list) else selector for selector in node["target"]
            )
            html = node["html"] if len(node["html"]) <= 300 else node["html"][:300] + "…"
            lines += [f"  - {target}", f"    {html}"]
            lines += [f"    {line.strip()}" for line in (node.get("failureSummary") or "").splitlines()]
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe() -> Axe:
    """``axe(page)`` returns the violations; ``axe.assert_no_violations(page)`` fails listing them."""
    if not AXE_SCRIPT.is_file():
        unavailable(f"axe-core is not in {AXE_SCRIPT.parent.parent} (run: make test, or npm ci --prefix tests/browser)")
    return Axe(AXE_SCRIPT)
