"""The state of play in real Chromium: at a glance on a desk and on a phone, light and dark; its
pictures embedded in an article on another site, and downloaded as SVG."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .conftest import PHONE
from .test_accessibility import assert_no_sideways_scrolling
from .test_embeds import ARTICLE, HostSite, host_site, wait_until_fitted, widget_frame

if TYPE_CHECKING:
    from playwright.sync_api import Page

__all__ = ["host_site"]  # a fixture of test_embeds, found here too


def test_the_state_of_play_reads_at_a_glance_on_a_desk_and_a_phone_light_and_dark(
    new_page: Callable[..., Page],
) -> None:
    for options, scheme in (({}, "light"), (PHONE, "dark")):
        page = new_page(**options)
        page.emulate_media(color_scheme=scheme)
        page.goto("/")
        page.get_by_role("link", name="At a glance").click()
        page.wait_for_url(re.compile(r"/state$"))
        assert page.inner_text(".where-now li >> nth=0").startswith("Latest round: Round 2, Istanbul")
        bar = page.get_by_role("img", name=re.compile("outcomes by state"))
        box = bar.bounding_box()
        assert box is not None and box["x"] + box["width"] <= page.viewport_size["width"]
        strip = page.get_by_role("img", name=re.compile("rounds and context events over time"))
        assert "Round 3" in (strip.text_content() or "")
        assert_no_sideways_scrolling(page)


def test_a_picture_downloads_as_svg(new_page: Callable[..., Page]) -> None:
    page = new_page(accept_downloads=True)
    page.goto("/state")
    with page.expect_download() as caught:
        page.locator("#glance-outcomes ~ p.downloads a").click()
    download = caught.value
    assert download.suggested_filename == "parley-russia-ukraine-istanbul-2025-outcomes.svg"
    assert "outcomes by state" in Path(download.path()).read_text(encoding="utf-8")


def test_the_pictures_embed_in_an_article_on_another_site(
    new_page: Callable[..., Page], live_server: str, host_site: HostSite
) -> None:
    snippet = (
        f'<iframe src="{live_server}/embed/state?picture=outcomes" title="The state of play — Parley" '
        'width="100%" height="300" style="border:0;width:100%" data-parley-embed></iframe>'
        f'<script src="{live_server}/static/embed.js" async></script>'
    )
    url = host_site.publish("/state.html", ARTICLE.format(snippet=snippet, extra=""))
    host = new_page(**PHONE)
    host.goto(url)
    frame = widget_frame(host, "/embed/state")
    frame.wait_for_selector("svg[role=img]")
    assert "carried out: 4" in (frame.locator("svg").text_content() or "")
    assert wait_until_fitted(host, frame) > 100
