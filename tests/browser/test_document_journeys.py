"""The texts on the table and how stances moved, in real Chromium: a reader sets the two memoranda of
2 June 2025 side by side on a phone and follows a position to the clause it comes from; an editor
adds a new version of a memorandum by pasting numbered text and sees it compared with the one before;
a reader sees each side's movement on a topic drawn over the rounds, on a desk and on a phone; a
publisher embeds the two memoranda side by side in an article on another site."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from .conftest import PHONE
from .test_accessibility import assert_no_sideways_scrolling
from .test_editing_journeys import Site, open_page, seeded_site, sign_in
from .test_embeds import ARTICLE, HostSite, embed_code, host_site, wait_until_fitted, widget_frame

if TYPE_CHECKING:
    from playwright.sync_api import Page

__all__ = ["host_site", "open_page", "seeded_site"]  # fixtures of other modules, found here too

RUSSIAN = "2025-06-02-russian-memorandum"


def test_a_reader_on_a_phone_sets_the_memoranda_side_by_side_and_follows_a_position_to_its_clause(
    new_page: Callable[..., Page],
) -> None:
    page = new_page(**PHONE)
    page.goto("/documents")
    page.get_by_role("link", name=re.compile("clause by clause")).click()
    page.wait_for_url(re.compile(r"/documents/compare\?left=.+&right=.+"))
    assert_no_sideways_scrolling(page)
    # Each topic is one block on a phone; the clause of each memorandum labelled with its title.
    ceasefire = page.locator("tbody tr", has=page.locator("th a", has_text="Ceasefire")).first
    cells = ceasefire.locator("td")
    assert "Two options" in cells.nth(0).inner_text() or "Two options" in cells.nth(1).inner_text()
    label = cells.nth(0).evaluate("cell => getComputedStyle(cell, '::before').content")
    assert "memorandum" in label
    leaders = page.locator("tbody tr", has=page.locator("th a", has_text="Leaders' meeting")).first
    assert "Only in the Ukrainian memorandum" in leaders.inner_text()

    # From a position stated at round 2 to the clause it comes from.
    page.goto("/rounds/2025-06-02-istanbul")
    page.get_by_role("link", name="Russian memorandum, clause 2").first.click()
    page.wait_for_url(re.compile(rf"/documents/{RUSSIAN}#clause-\d+$"))
    target = page.locator("article.clause:target")
    assert "Territory" in target.inner_text() and "Crimea" in target.inner_text()
    assert "Russia on Territory" in target.locator(".clause-positions").inner_text()


def test_an_editor_pastes_a_new_version_and_sees_it_compared_with_the_one_before(
    open_page: Callable[..., Page], seeded_site: Site
) -> None:
    editor = seeded_site.add_editor("Olena")
    page = open_page(seeded_site.base_url)
    sign_in(page, editor)
    page.goto(f"/documents/{RUSSIAN}")
    page.get_by_role("link", name="Add a version").click()
    page.wait_for_url(re.compile(r"/edit/document_versions/new"))
    assert page.get_by_label("Version number").input_value() == "2"
    page.get_by_label("What this version is").fill("a later draft, as leaked")
    page.get_by_role("button", name=re.compile("^Save")).first.click()
    page.wait_for_url(re.compile(r"/drafts/\d+"))

    page.get_by_label("Paste clauses as numbered text").fill(
        "1. Ceasefire\nA 30-day ceasefire once the withdrawal begins.\n"
        "2. Territory\nInternational legal recognition of Crimea, Donetsk, Luhansk, Zaporizhzhia and Kherson"
        " as part of Russia.\n"
        "3. Monitoring\nA joint monitoring centre."
    )
    page.get_by_role("button", name="Split into clauses").click()
    page.wait_for_url(re.compile(r"/drafts/\d+\?pasted=3"))
    assert "3 clauses added to your draft" in page.inner_text("main")
    clauses = page.locator("#box-clauses")
    assert "1. Ceasefire" in clauses.inner_text() and "3. Monitoring" in clauses.inner_text()
    page.get_by_role("button", name=re.compile("^Publish")).first.click()
    page.wait_for_url(re.compile(r"/edit/document_versions/\d+\?published=1|/documents/"))

    page.goto(f"/documents/{RUSSIAN}")
    assert "Clauses of version 2" in page.inner_text("#clauses-heading")
    page.get_by_role("link", name="What changed from version 1").click()
    page.wait_for_url(re.compile(rf"/documents/{RUSSIAN}/changes\?before=1&after=2"))
    summary = page.inner_text(".lede")
    assert "1 added" in summary and "removed" in summary and "changed" in summary
    territory = page.locator(".clause-change", has_text="Territory").first
    assert territory.locator("del").first.inner_text() == "Russian."
    assert territory.locator("ins").first.inner_text() == "part of Russia."
    assert "Monitoring" in page.locator(".change-added").inner_text()


def test_a_reader_sees_each_sides_movement_on_a_topic_drawn_over_the_rounds(new_page: Callable[..., Page]) -> None:
    for options in ({}, PHONE):
        page = new_page(**options)
        page.goto("/topics/leaders-meeting")
        chart = page.get_by_role("img", name=re.compile("stance on Leaders' meeting moved, round by round"))
        chart.wait_for()
        box = chart.bounding_box()
        assert box is not None and box["width"] > 100
        assert box["x"] + box["width"] <= page.viewport_size["width"], "the picture fits the screen"
        drawn = chart.text_content() or ""
        assert "Was first stated" in drawn and "Held" in drawn
        table = page.locator(".movement-table")
        assert "Round 2, Istanbul" in table.inner_text() and "Held" in table.inner_text()
        assert_no_sideways_scrolling(page)
    # The comparison says it in words in the cell.
    page.goto("/compare")
    cell = page.locator('#topic-leaders-meeting td[data-party="Ukraine"] .movement')
    assert cell.inner_text().startswith("Held at round 2")


def test_a_publisher_embeds_the_two_memoranda_side_by_side_in_an_article_on_another_site(
    new_page: Callable[..., Page], host_site: HostSite
) -> None:
    parley = new_page()
    snippet = embed_code(parley, f"/documents/compare?left={RUSSIAN}&right=2025-06-02-ukrainian-memorandum")
    assert "/embed/documents/compare?left=" in snippet and "left_version=1" in snippet
    url = host_site.publish("/memoranda.html", ARTICLE.format(snippet=snippet, extra=""))
    host = new_page(**PHONE)
    host.goto(url)
    frame = widget_frame(host, "/embed/documents/compare")
    frame.wait_for_selector("table")
    assert "Only in the Ukrainian memorandum" in frame.inner_text("tbody")
    height = wait_until_fitted(host, frame)
    assert height > 300
    assert "Get the data" in frame.inner_text("footer")
