"""Every public page passes axe-core's WCAG 2.2 AA rules, reflows at 320 px and loads nothing from other hosts."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .conftest import Axe

# Every page a reader can reach without signing in; add each new one here.
PUBLIC_PAGES = [
    "/",
    "/timeline",
    "/timeline?party=ukraine&kind=round",
    "/negotiations/russia-ukraine-istanbul-2025",
    "/rounds/2025-05-16-istanbul",
    "/rounds/2025-06-02-istanbul",
    "/rounds/2025-06-next-round",
    "/compare",
    "/compare?party=russia&party=ukraine&party=turkey&as_of=2025-05-16-istanbul",
    "/topics",
    "/topics/leaders-meeting",
    "/documents",
    "/outcomes/1",
    "/documents/2025-06-02-russian-memorandum",
    "/documents/compare?left=2025-06-02-russian-memorandum&right=2025-06-02-ukrainian-memorandum",
    "/parties",
    "/parties/turkey",
    "/people/rustem-umerov",
    "/exports",
    "/releases",
    "/corrections",
    "/search?q=children",
    "/timeline?q=prisoner&order=newest",
    "/api",
    "/rounds/no-such-round",
    "/embed/compare",
    "/embed/compare?party=russia&party=ukraine&as_of=2025-06-02-istanbul&compact=true",
    "/embed/timeline",
    "/embed/timeline?focus=2025-06-next-round&theme=dark",
    "/embed/round/2025-06-02-istanbul",
    "/embed/state?theme=dark",
    "/embed/documents/compare?left=2025-06-02-russian-memorandum&right=2025-06-02-ukrainian-memorandum&theme=dark",
]

# The outermost elements that stick out past the right edge, to say what makes a page scroll sideways.
OVERFLOWING_ELEMENTS = r"""() => {
  const width = window.innerWidth;
  const sticksOut = element => element.getBoundingClientRect().right > width + 0.5;
  return [...document.body.querySelectorAll('*')]
    .filter(element => sticksOut(element) && !sticksOut(element.parentElement))
    .slice(0, 10)
    .map(element => {
      const id = element.id ? '#' + element.id : '';
      const classes = [...element.classList].map(name => '.' + name).join('');
      const right = Math.round(element.getBoundingClientRect().right);
      const text = element.textContent.trim().replace(/\s+/g, ' ').slice(0, 80);
      return `${element.tagName.toLowerCase()}${id}${classes} reaches ${right}px: "${text}"`;
    });
}"""


def load(page: Page, path: str) -> None:
    response = page.goto(path)
    status = response.status if response else None
    # The error page is a page readers meet too; it must be as accessible as the rest.
    expected = 404 if "no-such" in path else 200
    assert status == expected, f"GET {path} answered {status}, expected {expected}"


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_has_no_accessibility_violations(
    new_page: Callable[..., Page], axe: Axe, path: str, color_scheme: Literal["light", "dark"]
) -> None:
    page = new_page()
    page.emulate_media(color_scheme=color_scheme)
    load(page, path)
    axe.assert_no_violations(page, f"{color_scheme} mode")


def assert_no_sideways_scrolling(page: Page) -> None:
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if scroll_width > inner_width:
        culprits = "\n".join(f"  - {element}" for element in page.evaluate(OVERFLOWING_ELEMENTS))
        raise AssertionError(
            f"{page.url} is {scroll_width}px wide in a {inner_width}px window, so it scrolls sideways:\n{culprits}"
        )


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_reflows_at_320px(new_page: Callable[..., Page], path: str) -> None:
    # WCAG 1.4.10: 320 CSS pixels is a 1280 px window zoomed to 400 %.
    page = new_page(viewport={"width": 320, "height": 640})
    load(page, path)
    assert_no_sideways_scrolling(page)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_fits_a_phone(phone_page: Page, path: str) -> None:
    load(phone_page, path)
    assert_no_sideways_scrolling(phone_page)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_loads_nothing_from_other_hosts(page: Page, live_server: str, path: str) -> None:
    requested: list[str] = []
    refused: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    # Every page says script-src 'self': an inline script or handler would be refused, and say so here.
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.goto(path, wait_until="networkidle")
    assert not refused, f"{path} broke its own Content-Security-Policy:\n" + "\n".join(refused)

    own = urlsplit(live_server)
    elsewhere = [
        url
        for url in requested
        if urlsplit(url).scheme not in {"data", "blob", "about"}
        and (urlsplit(url).scheme, urlsplit(url).netloc) != (own.scheme, own.netloc)
    ]
    assert requested, f"loading {path} made no request at all"
    assert not elsewhere, f"loading {path} requested other hosts than {live_server}:\n" + "\n".join(elsewhere)
