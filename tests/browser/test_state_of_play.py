"""The dashboard at a glance in real Chromium: the state of play on a desk and on a phone, light and
dark; its pictures embedded in an article on another site and downloaded; a claim sourced from one
side only marked as such; an editor making release 1 and a reader citing and downloading it, then
reading the record as it stood at the release and the corrections made since."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from app.core.db import make_engine

from .conftest import PHONE
from .test_accessibility import assert_no_sideways_scrolling
from .test_editing_journeys import Site, open_page, seeded_site, sign_in
from .test_embeds import ARTICLE, HostSite, host_site, wait_until_fitted, widget_frame

if TYPE_CHECKING:
    from playwright.sync_api import Page

__all__ = ["host_site", "open_page", "seeded_site"]  # fixtures of other modules, found here too


def test_the_state_of_play_reads_at_a_glance_on_a_desk_and_a_phone_light_and_dark(
    new_page: Callable[..., Page],
) -> None:
    for options, scheme in (({}, "light"), (PHONE, "dark")):
        page = new_page(**options)
        page.emulate_media(color_scheme=scheme)
        page.goto("/compare")
        page.get_by_role("link", name="At a glance").click()
        page.wait_for_url(re.compile(r"\d/$"))
        assert page.inner_text(".where-now li >> nth=0").startswith("Latest round: Round 2, Istanbul")
        bar = page.get_by_role("img", name=re.compile("outcomes by state"))
        box = bar.bounding_box()
        assert box is not None and box["x"] + box["width"] <= page.viewport_size["width"]
        strip = page.get_by_role("img", name=re.compile("rounds and context events over time"))
        assert "Round 3" in (strip.text_content() or "")
        assert_no_sideways_scrolling(page)


def test_a_picture_downloads_as_svg_and_png(new_page: Callable[..., Page]) -> None:
    page = new_page(accept_downloads=True)
    page.goto("/")
    with page.expect_download() as caught:
        page.locator("#glance-outcomes ~ p.downloads a", has_text="SVG").click()
    download = caught.value
    assert download.suggested_filename == "parley-russia-ukraine-istanbul-2025-outcomes.svg"
    assert "outcomes by state" in Path(download.path()).read_text(encoding="utf-8")
    with page.expect_download() as caught:
        page.locator("#glance-outcomes ~ p.downloads a", has_text="PNG").click()
    assert Path(caught.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


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


def test_a_claim_sourced_from_one_side_only_is_marked_on_its_page_and_in_its_widget(
    new_page: Callable[..., Page],
) -> None:
    page = new_page(**PHONE)
    page.goto("/rounds/2025-06-02-istanbul")
    bodies = page.locator("li[id^=outcome-]", has_text="6,000 bodies")
    assert "sourced from Russia’s side only" in bodies.inner_text()
    exchange = page.locator("li[id^=outcome-]", has_text="New prisoner exchange")
    assert "side only" not in exchange.inner_text()
    page.goto("/embed/round/2025-06-02-istanbul")
    assert "sourced from Russia’s side only" in page.inner_text("main")


def test_an_editor_makes_release_1_and_a_reader_cites_and_downloads_it(
    open_page: Callable[..., Page], seeded_site: Site
) -> None:
    editor = seeded_site.add_editor("Olena")
    page = open_page(seeded_site.base_url, accept_downloads=True)
    sign_in(page, editor)
    page.goto("/releases")
    page.get_by_label("What this release is for (optional)").fill("For the June report")
    page.get_by_role("button", name="Make release 1").click()
    page.wait_for_url(re.compile(r"/releases/1$"))
    assert "For the June report" in page.inner_text(".lede")
    page.get_by_text("BibTeX").click()
    assert "@misc{parley_release_1," in page.inner_text("pre >> nth=0")
    with page.expect_download() as caught:
        page.get_by_role("link", name="CITATION.cff").click()
    assert caught.value.suggested_filename == "parley-release-1-CITATION.cff"
    reader = open_page(seeded_site.base_url)
    reader.goto("/")
    reader.get_by_role("link", name="Releases to cite").click()
    reader.get_by_role("link", name="Release 1").click()
    assert "record.json" in reader.inner_text(".release-files")


def test_a_reader_on_a_phone_reads_the_record_as_it_stood_at_release_1_then_as_it_is_today(
    open_page: Callable[..., Page], seeded_site: Site
) -> None:
    editor = seeded_site.add_editor("Olena")
    page = open_page(seeded_site.base_url)
    sign_in(page, editor)
    page.goto("/releases")
    page.get_by_role("button", name="Make release 1").click()
    page.wait_for_url(re.compile(r"/releases/1$"))
    engine = make_engine(seeded_site.database_url)  # a correction made after the release
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text("UPDATE outcomes SET title = 'Further talks, corrected' WHERE title = 'Further talks'")
            )
    finally:
        engine.dispose()

    reader = open_page(seeded_site.base_url, **PHONE)
    reader.goto("/releases/1")
    reader.get_by_role("link", name="Read Parley as it stood at release 1").click()
    reader.wait_for_url(re.compile(r"/releases/1/view/$"))
    assert "The record as it stood at release 1" in reader.inner_text(".as-of-banner")
    assert_no_sideways_scrolling(reader)
    reader.get_by_role("link", name=re.compile("^Round 2")).first.click()
    reader.wait_for_url(re.compile(r"/releases/1/view/rounds/2025-06-02-istanbul$"))
    outcomes = reader.inner_text("main")
    assert "Further talks" in outcomes and "Further talks, corrected" not in outcomes
    reader.get_by_role("link", name="This page as it is today").click()
    reader.wait_for_url(re.compile(r"\d/rounds/2025-06-02-istanbul$"))
    assert reader.locator(".as-of-banner").count() == 0
    assert "Further talks, corrected" in reader.inner_text("main")

    # The editor releases the correction; the corrections page and its feed say what changed.
    page.goto("/releases")
    page.get_by_label("What this release is for (optional)").fill("After a correction")
    page.get_by_role("button", name="Make release 2").click()
    page.wait_for_url(re.compile(r"/releases/2$"))
    reader.goto("/corrections")
    assert "Changed: outcomes" in reader.inner_text("main") and "Further talks, corrected (title)" in reader.inner_text(
        "main"
    )
    feed = reader.request.get("/corrections.atom").text()
    assert "<title>Release 2</title>" in feed and "After a correction — 1 changed since release 1." in feed
