"""Parley's embed code on another site, in real Chromium: it shows, fits its frame, and keeps to its origin."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

import pytest

from .conftest import NO_JAVASCRIPT

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Frame, Page

    from .conftest import Axe

RUSSIA_VS_UKRAINE = "/compare?party=russia&party=ukraine&as_of=2025-06-02-istanbul"
ROUND_3 = "2025-06-next-round"
ARTICLE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>An article</title></head>
<body>
<h1>What the sides want</h1>
<p>A newsroom's article, on a site of its own.</p>
{snippet}
<p>The end of the article.</p>
{extra}
</body>
</html>
"""


class HostSite:
    """Another site (another port, so another origin) serving the pages a test publishes."""

    def __init__(self) -> None:
        pages = self.pages = {}  # type: dict[str, tuple[bytes, dict[str, str]]]

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body, headers = pages.get(self.path, (b"not here", {}))
                self.send_response(200 if self.path in pages else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="host-site", daemon=True)
        self.thread.start()

    def publish(self, path: str, html: str, **headers: str) -> str:
        self.pages[path] = (html.encode(), headers)
        return self.origin + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="module")
def host_site() -> Iterator[HostSite]:
    site = HostSite()
    yield site
    site.close()


def embed_code(page: Page, path: str, number: int = 1) -> str:
    """The snippet a publisher copies from the Embed panel of ``path`` on Parley."""
    page.goto(path)
    page.click("details.embed-panel > summary")
    return page.input_value(f"#embed-code-{number}")


def widget_frame(page: Page, path: str) -> Frame:
    page.wait_for_function("path => [...document.querySelectorAll('iframe')].some(f => f.src.includes(path))", arg=path)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for frame in page.frames:
            if path in frame.url:
                frame.wait_for_load_state()
                return frame
        page.wait_for_timeout(50)
    raise AssertionError(f"no frame of {path} on {page.url}")


def iframe_height(page: Page) -> float:
    return float(page.evaluate("document.querySelector('iframe[data-parley-embed]').getBoundingClientRect().height"))


def wait_until_fitted(page: Page, frame: Frame) -> float:
    """Wait for the iframe to be as tall as the widget's document; return that height."""
    deadline = time.monotonic() + 10
    while True:
        height = iframe_height(page)
        content = frame.evaluate("document.documentElement.scrollHeight")
        if abs(height - content) <= 1:
            return height
        if time.monotonic() > deadline:
            raise AssertionError(f"the iframe stayed {height}px tall for a widget {content}px tall")
        page.wait_for_timeout(50)


def test_embed_code_from_the_panel_shows_and_fits_on_another_site(
    new_page: Callable[..., Page], live_server: str, host_site: HostSite
) -> None:
    parley = new_page(permissions=["clipboard-read", "clipboard-write"])
    snippet = embed_code(parley, RUSSIA_VS_UKRAINE)
    assert snippet.startswith(f'<iframe src="{live_server}/embed/compare?party=russia&amp;party=ukraine')
    parley.click("button[data-copy=embed-code-1]")
    parley.wait_for_function("document.getElementById('embed-code-1-status').textContent === 'Copied.'")
    assert parley.evaluate("navigator.clipboard.readText()") == snippet

    # A second widget, and a frame of the host's own, to try to fool embed.js with.
    extra = (
        f'<iframe src="{live_server}/embed/round/2025-06-02-istanbul" title="Round 2" height="300" data-parley-embed>'
        '</iframe>\n<iframe srcdoc="<p>The host&#39;s own frame</p>" title="Host frame" height="50"></iframe>'
    )
    url = host_site.publish("/article.html", ARTICLE.format(snippet=snippet, extra=extra))
    host = new_page()
    logged: list[str] = []

    def log(message: ConsoleMessage) -> None:
        # Everything the host's page warns about, but for the test host's own missing favicon.
        where = str(message.location.get("url"))
        if message.type in ("warning", "error") and not where.endswith("/favicon.ico"):
            logged.append(f"{message.text} ({where})")

    host.on("console", log)
    host.goto(url)
    initial = int(host.get_attribute("iframe[data-parley-embed]", "height") or 0)
    frame = widget_frame(host, "/embed/compare")
    frame.wait_for_selector("table")
    territory = frame.inner_text("tr#topic-territory")
    assert "International legal recognition of Crimea" in territory

    height = wait_until_fitted(host, frame)
    assert height > initial, f"the iframe did not grow from {initial}px"
    assert frame.evaluate("document.documentElement.scrollHeight <= window.innerHeight")

    # embed.js believes only Parley's origin, and a widget only about its own iframe.
    host.evaluate("window.postMessage({type: 'parley:resize', height: 40}, '*')")
    own = next(f for f in host.frames if f.name == "" and f.url == "about:srcdoc")
    own.evaluate("parent.postMessage({type: 'parley:resize', height: 40}, '*')")
    other = widget_frame(host, "/embed/round/")
    other.evaluate("parent.postMessage({type: 'parley:resize', height: 40}, '*')")
    host.wait_for_function("document.querySelector('iframe[title=\"Round 2\"]').getBoundingClientRect().height === 40")
    assert iframe_height(host) == height
    assert host.evaluate("document.querySelector('iframe[title=\"Host frame\"]').getBoundingClientRect().height") < 60
    assert logged == [], "the host's page must not log warnings or errors because of the embeds"


def test_embed_code_works_where_the_host_forbids_inline_scripts(
    new_page: Callable[..., Page], live_server: str, host_site: HostSite
) -> None:
    snippet = embed_code(new_page(), RUSSIA_VS_UKRAINE)
    inline = "<script>document.title = 'inline scripts ran'</script>"
    policy = f"default-src 'none'; script-src {live_server}; frame-src {live_server}; style-src 'self'"
    url = host_site.publish(
        "/strict.html", ARTICLE.format(snippet=snippet, extra=inline), **{"Content-Security-Policy": policy}
    )
    host = new_page()
    host.goto(url)
    assert host.title() == "An article", "the host's CSP should have stopped its inline script"
    frame = widget_frame(host, "/embed/compare")
    frame.wait_for_selector("table")
    initial = int(host.get_attribute("iframe[data-parley-embed]", "height") or 0)
    assert wait_until_fitted(host, frame) > initial
    # The CSP refused the snippet's style attribute; embed.js removed the default border all the same.
    assert host.evaluate("getComputedStyle(document.querySelector('iframe[data-parley-embed]')).borderTopWidth") == (
        "0px"
    )


def test_without_embed_js_the_widget_still_shows_and_scrolls(
    new_page: Callable[..., Page], live_server: str, host_site: HostSite
) -> None:
    snippet = embed_code(new_page(), RUSSIA_VS_UKRAINE).split("\n")[0]
    url = host_site.publish("/bare.html", ARTICLE.format(snippet=snippet, extra=""))
    host = new_page()
    host.goto(url)
    frame = widget_frame(host, "/embed/compare")
    frame.wait_for_selector("table")
    host.wait_for_timeout(300)
    assert iframe_height(host) == 600
    assert frame.evaluate("document.documentElement.scrollHeight > window.innerHeight")


@pytest.mark.parametrize(
    ("javascript", "fragment"),
    [(True, True), (True, False), (False, True)],
    ids=["script-and-fragment", "script-only", "fragment-without-javascript"],
)
def test_focus_opens_the_timeline_widget_at_the_round(
    new_page: Callable[..., Page], host_site: HostSite, javascript: bool, fragment: bool
) -> None:
    snippet = embed_code(new_page(), f"/rounds/{ROUND_3}", number=2)
    assert f"focus={ROUND_3}#round-{ROUND_3}" in snippet
    # A short frame, so that round 3, the last, starts below its fold.
    snippet = snippet.replace('height="480"', 'height="240"')
    if not fragment:
        snippet = snippet.replace(f"#round-{ROUND_3}", "")
    name = f"/focus-{javascript}-{fragment}.html"
    url = host_site.publish(name, ARTICLE.format(snippet=snippet, extra=""))
    host = new_page(**NO_JAVASCRIPT) if not javascript else new_page()
    host.goto(url)
    frame = widget_frame(host, "/embed/timeline")
    focused = frame.wait_for_selector(f"#round-{ROUND_3}.focus")
    assert focused is not None
    deadline = time.monotonic() + 5
    while frame.evaluate("window.scrollY") == 0 and time.monotonic() < deadline:
        host.wait_for_timeout(50)
    assert frame.evaluate("window.scrollY") > 0
    top, bottom = focused.evaluate("e => [e.getBoundingClientRect().top, e.getBoundingClientRect().bottom]")
    assert 0 <= top < frame.evaluate("window.innerHeight"), "the focused round is not in the frame's view"
    assert bottom > top
    # A focused widget keeps the height it was given: embed.js does not stretch it.
    assert iframe_height(host) == 240


@pytest.mark.parametrize(
    ("path", "shows"),
    [
        ("/embed/compare?party=russia&party=ukraine&party=turkey&party=united-states", "Ceasefire"),
        ("/embed/timeline", "Istanbul"),
        ("/embed/round/2025-06-02-istanbul", "2 June 2025"),
    ],
)
@pytest.mark.parametrize("width", [300, 1000])
def test_widgets_read_well_from_300_to_1000_px(
    new_page: Callable[..., Page], path: str, shows: str, width: int
) -> None:
    from playwright.sync_api import expect

    page = new_page(viewport={"width": width, "height": 600})
    response = page.goto(path)
    assert response is not None and response.status == 200
    expect(page.locator("body")).to_contain_text(shows)
    # Nothing runs off the side: no sideways scrolling, and the widget's text fits the frame.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    widest = page.evaluate(
        "Math.max(...[...document.body.querySelectorAll('*')].map(e => e.getBoundingClientRect().right))"
    )
    assert widest <= width
    body_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert body_size >= 14


@pytest.mark.parametrize(
    ("theme", "scheme", "background"),
    [
        ("auto", "light", "rgb(255, 255, 255)"),
        ("auto", "dark", "rgb(21, 23, 26)"),
        ("dark", "light", "rgb(21, 23, 26)"),
        ("light", "dark", "rgb(255, 255, 255)"),
    ],
)
def test_widget_theme(page: Page, theme: str, scheme: str, background: str) -> None:
    page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    page.goto(f"/embed/round/2025-06-02-istanbul?theme={theme}")
    assert page.evaluate("getComputedStyle(document.documentElement).backgroundColor") == background


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("path", [RUSSIA_VS_UKRAINE, "/timeline?party=turkey", f"/rounds/{ROUND_3}"])
def test_the_open_embed_panel_is_accessible(page: Page, axe: Axe, path: str, color_scheme: str) -> None:
    page.emulate_media(color_scheme=color_scheme)  # type: ignore[arg-type]
    page.goto(path)
    page.click("details.embed-panel > summary")
    assert page.is_visible("button[data-copy=embed-code-1]")
    axe.assert_no_violations(page, f"Embed panel open, {color_scheme} mode")


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "path", ["/embed/timeline?party=turkey&compact=true", f"/embed/round/{ROUND_3}?compact=true&theme=light"]
)
def test_compact_widgets_are_accessible(new_page: Callable[..., Page], axe: Axe, path: str, color_scheme: str) -> None:
    page = new_page()
    page.emulate_media(color_scheme=color_scheme)  # type: ignore[arg-type]
    page.goto(path)
    axe.assert_no_violations(page, f"{color_scheme} mode")


def test_the_embed_panel_works_without_javascript(no_javascript_page: Page) -> None:
    page = no_javascript_page
    page.goto(RUSSIA_VS_UKRAINE)
    page.click("details.embed-panel > summary")
    assert "/embed/compare?party=russia" in page.input_value("#embed-code-1")
    # The Copy button needs a script; without one it is not offered.
    assert not page.is_visible("button[data-copy=embed-code-1]")
