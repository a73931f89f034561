"""The state of play (app/reading/state.py): one negotiation at a glance, its pictures drawn on the
server as SVG with titles, descriptions and tables, embeddable and downloadable."""

import datetime as dt

import sqlalchemy as sa
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.reading.state import state_of_play
from tests.factories import soup_of, text


def test_the_state_of_play_says_where_the_talks_stand_and_draws_what_came_of_them(
    seeded: sa.Engine, client: TestClient
) -> None:
    soup = soup_of(client, "/")
    now = [text(li) for li in soup.select(".where-now li")]
    assert now[0].startswith("Latest round: Round 2, Istanbul (2 June 2025),") and now[0].endswith("days ago")
    assert now[1].startswith("Next round: Round 3") and "no date announced since" in now[1]
    assert now[2] == "Sources: 1 of the 33 sourced claims rests on one side's sources alone (1 on Russia's)."
    chart = soup.select_one("#glance-outcomes + figure svg")
    assert chart is not None and chart["role"] == "img"
    title, desc = (soup.select_one(f"#{i}") for i in chart["aria-labelledby"].split())
    assert text(title) == "Russia–Ukraine talks, Istanbul 2025: outcomes by state"
    assert text(desc) == "proposed: 2; agreed: 2; carried out: 4. 8 outcomes in all."
    rows = [[text(c) for c in tr.select("th, td")] for tr in soup.select("#glance-outcomes ~ table tbody tr")]
    assert rows == [["Proposed", "2"], ["Agreed", "2"], ["Carried out", "4"]]
    assert "No editor has judged how far apart" in text(soup.select_one('section[aria-labelledby="glance-gaps"]'))
    strip = [text(li) for li in soup.select(".strip-list li")]
    assert strip[1].startswith("1 June 2025: Ukrainian drone strikes") and strip[-1].startswith("June 2025")


def test_how_long_ago_is_counted_from_today(seeded: sa.Engine, session: Session) -> None:
    view = state_of_play(session=session, today=dt.date(2025, 6, 12))
    assert view.days_since_latest == 10


def test_a_picture_downloads_as_an_svg_file_that_stands_on_its_own(seeded: sa.Engine, client: TestClient) -> None:
    answer = client.get("/state.svg", params={"picture": "strip"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/svg+xml"
    assert answer.headers["content-disposition"] == (
        'attachment; filename="parley-russia-ukraine-istanbul-2025-strip.svg"'
    )
    svg = BeautifulSoup(answer.text, "html.parser").select_one("svg")
    assert svg is not None and svg.select_one("title") is not None and svg.select_one("style") is not None
    assert "prefers-color-scheme:dark" in svg.select_one("style").get_text(), "dark mode in the file too"
    nothing = client.get("/state.svg", params={"picture": "gaps"})
    assert nothing.status_code == 404 and "nothing to draw" in nothing.text
    assert client.get("/state.svg", params={"picture": "nope"}).status_code == 422


def test_the_pictures_embed_as_a_widget_framed_anywhere(seeded: sa.Engine, client: TestClient) -> None:
    answer = client.get("/embed/state", params={"picture": "outcomes", "theme": "dark"})
    assert answer.status_code == 200 and "frame-ancestors *" in answer.headers["content-security-policy"]
    soup = BeautifulSoup(answer.text, "html.parser")
    assert soup.select_one("html")["class"] == ["dark"]
    assert soup.select("svg[role=img]") and not soup.select("#glance-strip"), "only the picture asked for"
    assert soup.select_one('footer a[href$="/?negotiation=russia-ukraine-istanbul-2025"]') is not None
    data = client.get("/api/state").json()
    assert data["sourcing"] == {"claims": 33, "one_sided": 1, "by_party": {"Russia": 1}}


def test_a_picture_downloads_as_a_png_too(seeded: sa.Engine, client: TestClient) -> None:
    answer = client.get("/state.png", params={"picture": "outcomes"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
    assert answer.content[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(answer.content[16:20], "big"), int.from_bytes(answer.content[20:24], "big")
    assert (width, height) == (1280, 192), "twice the picture's size"
    assert 'filename="parley-russia-ukraine-istanbul-2025-outcomes.png"' in answer.headers["content-disposition"]


def test_the_state_of_play_is_the_first_page_and_its_old_address_leads_there(
    seeded: sa.Engine, client: TestClient
) -> None:
    moved = client.get("/state?negotiation=russia-ukraine-istanbul-2025", follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == "/?negotiation=russia-ukraine-istanbul-2025"
    nav = soup_of(client, "/").select('nav[aria-label="Main"] a')
    assert [(text(a), a.get("aria-current")) for a in nav[:2]] == [("At a glance", "page"), ("Timeline", None)]
    assert nav[1]["href"] == "/timeline"


def test_an_address_of_the_timeline_from_when_it_was_the_first_page_still_leads_to_it(
    seeded: sa.Engine, client: TestClient
) -> None:
    moved = client.get("/?party=turkey&kind=round", follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == "/timeline?party=turkey&kind=round"
    assert client.get("/?negotiation=russia-ukraine-istanbul-2025").status_code == 200, "the state of play's own"
    embed = client.get("/oembed", params={"url": "http://testserver/?party=turkey"}).json()
    assert "embed/timeline?party=turkey" in embed["html"]
