"""A reader's journeys through the bundled Istanbul record, in real Chromium."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

# Set on window before an interaction; still there afterwards means htmx swapped in place, no reload.
MARK = "window.__parleyMark = 'still here'"
MARKED = "window.__parleyMark === 'still here'"


def entry_titles(page: Page) -> list[str]:
    return [t.strip() for t in page.locator("#timeline-entries > li.entry .entry-title").all_inner_texts()]


def test_filtering_the_timeline_in_place_keeps_the_url_in_step(page: Page) -> None:
    page.goto("/timeline")
    assert len(entry_titles(page)) == 4
    page.evaluate(MARK)

    page.select_option("#filter-kind", "planned")
    page.wait_for_url(re.compile(r"kind=planned"))
    page.wait_for_function("document.querySelectorAll('#timeline-entries > li.entry').length === 1")
    assert entry_titles(page) == ["Round 3 Planned"]

    page.select_option("#filter-kind", "")
    page.fill("#filter-q", "çırağan")
    page.wait_for_url(re.compile(r"q=%C3%A7%C4%B1ra%C4%9Fan"))
    page.wait_for_function("document.querySelectorAll('#timeline-entries > li.entry').length === 1")
    assert entry_titles(page) == ["Round 2 · Istanbul"]
    assert page.evaluate(MARKED), "the page reloaded instead of swapping the results"

    # The URL is a shareable link to exactly this view, and no longer: filters left at "any" are left out.
    assert page.url.endswith("/timeline?q=%C3%A7%C4%B1ra%C4%9Fan"), page.url
    page.goto(page.url)
    assert entry_titles(page) == ["Round 2 · Istanbul"]
    assert page.input_value("#filter-q") == "çırağan"


def test_filtering_the_timeline_without_javascript(no_javascript_page: Page) -> None:
    page = no_javascript_page
    page.goto("/timeline")
    page.select_option("#filter-party", "turkey")
    page.select_option("#filter-kind", "round")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"party=turkey.*kind=round|kind=round.*party=turkey"))
    assert entry_titles(page) == ["Round 1 · Istanbul", "Round 2 · Istanbul"]
    assert page.locator("#filter-party").input_value() == "turkey"


def test_following_a_round_from_the_timeline(page: Page) -> None:
    page.goto("/timeline")
    page.click("#round-2025-06-02-istanbul .entry-title a")
    page.wait_for_url("**/rounds/2025-06-02-istanbul")
    assert page.inner_text("h1").startswith("Round 2 · Istanbul")
    heads = page.locator(".delegation .head").all_inner_texts()
    assert any("Rustem Umerov" in h for h in heads) and any("Vladimir Medinsky" in h for h in heads)

    # A footnote link lands on its source.
    first_cite = page.locator(".status-line a.cite").first
    target = first_cite.get_attribute("href")
    first_cite.click()
    assert page.url.endswith(target or "#missing")
    assert page.locator(f"{target}").is_visible()

    page.click(".pager a[rel=prev]")
    page.wait_for_url("**/rounds/2025-05-16-istanbul")
    assert page.inner_text("h1").startswith("Round 1 · Istanbul")


def column_headings(page: Page) -> list[str]:
    return [h.strip() for h in page.locator("table.comparison thead th").all_inner_texts()]


def test_changing_the_comparisons_parties_and_as_of_round(page: Page) -> None:
    page.goto("/compare")
    assert column_headings(page) == ["Topic", "Russia", "Ukraine"]
    page.evaluate(MARK)

    page.check("input[name=party][value=turkey]")
    page.wait_for_url(re.compile(r"party=turkey"))
    page.wait_for_function("document.querySelectorAll('table.comparison thead th').length === 4")
    assert column_headings(page) == ["Topic", "Russia", "Turkey", "Ukraine"]

    page.select_option("#compare-as-of", "2025-05-16-istanbul")
    page.wait_for_url(re.compile(r"as_of=2025-05-16-istanbul"))
    page.wait_for_function("document.querySelector('#topic-ceasefire td').innerText.includes('as of round 1')")
    assert page.inner_text("#topic-ceasefire td >> nth=0").strip() == "No position recorded as of round 1."
    assert page.evaluate(MARKED), "the page reloaded instead of swapping the comparison"
    # The tab says what the page now shows.
    assert page.title() == "Compare positions as of round 1 — Russia–Ukraine talks, Istanbul 2025 · Parley"
    assert page.locator("main title").count() == 0

    # Fuller text on demand.
    page.goto("/compare")
    more = page.locator("#topic-territory td").nth(1).locator("details.more")
    assert not more.evaluate("d => d.open")
    more.locator("summary").click()
    assert more.evaluate("d => d.open")


def test_comparison_stacks_into_one_readable_column_on_a_phone(phone_page: Page) -> None:
    page = phone_page
    page.goto("/compare")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    cell = page.locator("#topic-territory td").first
    assert cell.evaluate("td => getComputedStyle(td).display") == "block"
    # Each stacked cell says whose position it is.
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"Russia"'
    box = cell.bounding_box()
    assert box is not None and box["width"] > 300


def test_leaving_the_search_box_asks_nothing_more(page: Page) -> None:
    """A blur after typing used to send the same search again; its swap could cancel a click on a result
    (the pushed URL aborts the navigation the click began)."""
    page.goto("/timeline")
    if not page.is_visible("#filter-q"):
        page.click("details.filters-fold > summary")
    page.fill("#filter-q", "children")
    page.wait_for_url(re.compile(r"q=children"))
    page.locator(".search-also").wait_for()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if "q=children" in request.url else None)
    page.keyboard.press("Tab")
    page.wait_for_timeout(800)
    assert asked == []
