"""The comparison as a reader sees it: its defaults, the choices it takes, gaps, and plain refusals."""

import re

import sqlalchemy as sa
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient

from app.core.db import session_scope
from app.record.models import GapAssessment, GapState, Round, Topic
from tests.factories import ROUND_2, many_rounds, soup_of, text


def comparison_cells(soup: BeautifulSoup) -> dict[tuple[str, str], Tag]:
    parties = [text(th) for th in soup.select("table.comparison thead th")][1:]
    cells = {}
    for row in soup.select("table.comparison tbody tr"):
        topic = text(row.th.a)
        for party, td in zip(parties, row.select("td"), strict=True):
            cells[(topic, party)] = td
    return cells


def test_compare_defaults_to_the_negotiating_parties_as_of_the_latest_round_held(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/compare")
    assert [text(th) for th in soup.select("table.comparison thead th")] == ["Topic", "Russia", "Ukraine"]
    assert soup.select_one("#compare-as-of option[selected]")["value"] == ROUND_2
    cells = comparison_cells(soup)
    territory = text(cells[("Territory", "Russia")].select_one(".position-summary"))
    assert territory.startswith("International legal recognition of Crimea, Donetsk, Luhansk, Zaporizhzhia and Kherson")
    assert cells[("Territory", "Russia")].select_one(".position-summary a.cite") is not None
    assert text(cells[("Security guarantees", "Russia")]) == "No position recorded as of round 2."
    leaders = cells[("Leaders' meeting", "Ukraine")].select_one("a.change-changed")
    assert text(leaders).startswith("Changed since round 1")
    assert re.fullmatch(
        r"/topics/leaders-meeting\?negotiation=russia-ukraine-istanbul-2025#position-\d+", leaders["href"]
    )
    assert text(cells[("Ceasefire", "Ukraine")].select_one(".change")) == "First recorded", (
        "nothing was recorded at round 1"
    )


def test_compare_as_of_round_1_with_three_parties(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/compare?party=russia&party=ukraine&party=turkey&as_of=2025-05-16-istanbul")
    assert [text(th) for th in soup.select("table.comparison thead th")] == ["Topic", "Russia", "Ukraine", "Turkey"]
    cells = comparison_cells(soup)
    assert text(cells[("Ceasefire", "Russia")]) == "No position recorded as of round 1."
    assert text(cells[("Leaders' meeting", "Ukraine")].select_one(".change")) == "First recorded"
    checked = [i["value"] for i in soup.select("input[name=party][checked]")]
    assert checked == ["russia", "turkey", "ukraine"]


def test_compare_rows_carry_the_state_of_the_gap(seeded, client: TestClient) -> None:
    with session_scope(seeded) as session:
        round_2 = session.execute(sa.select(Round.id).where(Round.slug == ROUND_2)).scalar_one()
        topic = session.execute(sa.select(Topic.id).where(Topic.slug == "territory")).scalar_one()
        session.add(GapAssessment(round_id=round_2, topic_id=topic, state=GapState.apart, note="No overlap"))
    row = soup_of(client, "/compare").select_one("tr#topic-territory")
    assert text(row.select_one(".gap")) == "apart"


def test_compare_refuses_unknown_and_unrelated_choices_plainly(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/compare?party=atlantis", status=404)
    assert "There is no party 'atlantis' in the record." in text(soup.select_one("main"))
    with session_scope(seeded) as session:
        many_rounds(session, 2, slug="other-talks")
    soup = soup_of(client, "/compare?negotiation=russia-ukraine-istanbul-2025&party=other-talks-north", status=422)
    expected = "party: 'other-talks-north' took no part in Russia–Ukraine talks, Istanbul 2025"
    assert expected in text(soup.select_one("main"))
    assert client.get("/api/compare?negotiation=russia-ukraine-istanbul-2025&as_of=other-talks-round-1").json() == {
        "detail": "as_of: 'other-talks-round-1' is not a round of Russia–Ukraine talks, Istanbul 2025"
    }


def test_htmx_compare_request_swaps_the_controls_and_table_only(seeded, client: TestClient) -> None:
    response = client.get("/compare?as_of=2025-05-16-istanbul", headers={"HX-Request": "true"})
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.find("html") is None
    assert soup.select_one("div#comparison form") is not None and soup.select_one("table.comparison") is not None
    assert response.headers["vary"] == "HX-Request, Accept-Encoding"


def test_a_row_of_the_comparison_costs_a_keyboard_few_tab_stops(seeded, client: TestClient) -> None:
    """Each statement's sources are one link ("[1–5]"), not one per source: about 16 stops a row were too many."""
    soup = soup_of(client, "/compare")
    rows = soup.select("table.comparison tbody tr")
    stops = [len(tr.select("a[href], summary, button, input, select")) for tr in rows]
    assert max(stops) <= 8, stops
    territory = soup.select_one("#topic-territory td .cite")
    assert text(territory) == "[1–4] sources" and territory["href"] == "#source-1"


def test_the_topics_shown_are_chosen_on_the_page_and_carried_into_the_embed_code(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/compare")
    choice = soup.select_one("details.topic-choice")
    assert text(choice.summary) == "Topics (11 of 11)" and not choice.has_attr("open")
    assert len(choice.select("input[name=topic][checked]")) == 11
    soup = soup_of(client, "/compare?topic=children&topic=ceasefire")
    choice = soup.select_one("details.topic-choice")
    assert text(choice.summary) == "Topics (2 of 11)" and choice.has_attr("open")
    assert [i["value"] for i in choice.select("input[name=topic][checked]")] == ["ceasefire", "children"]
    assert "embed/compare?topic=children&amp;topic=ceasefire&amp;as_of=" in soup.select_one("#embed-code-1").text
