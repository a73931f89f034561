"""A reader's first five minutes, as three new readers would spend them, in real Chromium:
a journalist on deadline on a phone, an analyst at a desk, a publisher embedding a widget."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from .conftest import PHONE
from .test_embeds import ARTICLE, HostSite, embed_code, host_site, wait_until_fitted, widget_frame

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page

__all__ = ["host_site"]  # a fixture of test_embeds, imported so that pytest finds it here too

ROUND_2 = "2025-06-02-istanbul"


def test_a_journalist_on_a_phone_finds_where_things_stand_and_what_was_agreed_on_children(
    new_page: Callable[..., Page],
) -> None:
    page = new_page(**PHONE)
    page.goto("/timeline")
    # Where the talks stand is on the first screen, above the folded filters and the oldest entries.
    latest = page.locator(".latest")
    assert latest.bounding_box()["y"] + latest.bounding_box()["height"] <= 812
    assert page.inner_text(".latest li >> nth=0").startswith("Latest Round 2, Istanbul (2 June 2025)")
    assert "no date announced since" in page.inner_text(".latest li >> nth=1")
    assert not page.is_visible("#filter-q"), "the filters fold away on a phone"

    page.click("details.filters-fold > summary")
    page.fill("#filter-q", "children")
    page.wait_for_url(re.compile(r"q=children"))
    also = page.locator(".search-also")
    also.wait_for()
    assert "2 positions" in also.inner_text() and "1 outcome" in also.inner_text()
    also.locator("a").click()

    page.wait_for_url(re.compile(r"/search\?q=children"))
    assert page.inner_text(".search-summary").startswith("6 matches for “children”")
    assert page.locator("mark").first.inner_text().lower() == "children"
    page.click("#found-outcome + ol h3 a")

    page.wait_for_url(re.compile(rf"/rounds/{ROUND_2}#outcome-6$"))
    outcome = page.locator("#outcome-6")
    assert "339 names" in outcome.inner_text() and "Deported children" in outcome.inner_text()
    facts = page.inner_text(".facts-round")
    assert "Scheduled start\n13:00 local time" in facts and "Began\nnot reported" in facts
    # A footnote, and the way back to the claim.
    page.click("#outcome-6 h3 .cite >> nth=0")
    assert re.search(r"#source-\d+$", page.url)
    page.locator(":target .cite-back").click()
    assert re.search(r"#cited-\d+$", page.url)


def test_an_analyst_compares_as_of_round_1_and_takes_the_data_away(page: Page) -> None:
    page.goto("/compare")
    page.select_option("#compare-as-of", "2025-05-16-istanbul")
    page.wait_for_url(re.compile(r"as_of=2025-05-16-istanbul"))
    page.wait_for_function("document.title.startsWith('Compare positions as of round 1')")
    ceasefire = page.inner_text("#topic-ceasefire td >> nth=0").strip()
    assert ceasefire == "No position recorded as of round 1.", "the record holds nothing, which is not silence"
    assert "First recorded" in page.inner_text("#topic-leaders-meeting")

    # What a statement became, shown whole when a word diff would not help.
    page.goto("/topics/leaders-meeting")
    assert "Before: Asked for a meeting" in page.inner_text(".party-history >> nth=1")

    # Analyst-ready files: names beside ids, and a data package describing them.
    positions = page.request.get("/exports/positions.csv").text()
    rows = list(csv.DictReader(io.StringIO(positions)))
    assert {"party_name", "topic_name", "round_slug", "round_date"} <= set(rows[0])
    package = page.request.get("/exports/datapackage.json").json()
    assert "positions" in {r["name"] for r in package["resources"]}
    found = page.request.get("/api/search?q=children").json()
    assert [g["kind"] for g in found["groups"]] == ["round", "position", "outcome", "clause"]


def test_a_publisher_embeds_three_topics_fixed_as_of_round_2_in_a_light_article(
    new_page: Callable[..., Page], live_server: str, host_site: HostSite
) -> None:
    view = "/compare?party=russia&party=ukraine&topic=ceasefire&topic=territory&topic=children"
    parley = new_page()
    snippet = embed_code(parley, view)
    assert parley.inner_text(".embed-code label >> nth=0") == "This view, fixed as of round 2: embed code"
    assert f"as_of={ROUND_2}" in snippet, "the code offered first does not change under a published article"
    assert "Starts 600 px tall" in parley.inner_text(".embed-code .hint >> nth=0")

    url = host_site.publish("/article.html", ARTICLE.format(snippet=snippet, extra=""))
    host = new_page(viewport={"width": 600, "height": 900}, color_scheme="dark")
    logged: list[str] = []

    def log(message: ConsoleMessage) -> None:
        where = str(message.location.get("url"))
        if message.type in ("warning", "error") and not where.endswith("/favicon.ico"):
            logged.append(f"{message.text} ({where})")

    host.on("console", log)
    host.goto(url)
    frame = widget_frame(host, "/embed/compare")
    frame.wait_for_selector("table")
    height = wait_until_fitted(host, frame)
    assert height <= 800, f"three topics took {height}px at 600px wide"
    # A reader whose system is dark still sees a light widget in a light article.
    assert frame.evaluate("getComputedStyle(document.documentElement).backgroundColor") == "rgb(255, 255, 255)"
    data = frame.locator("a[download]")
    assert data.inner_text().startswith("Get the data")
    assert data.get_attribute("href") == (
        f"{live_server}/compare.csv?party=russia&party=ukraine&topic=ceasefire&topic=territory&topic=children"
        f"&as_of={ROUND_2}"
    )
    assert logged == []
