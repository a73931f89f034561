"""The editors' pages (app/web/editor.py): the composer, saving in place, drafts, publishing,
conflicts, history, pickers, addresses that last and the first steps of an empty record."""

from collections.abc import Callable

import httpx2 as httpx
import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.record.models import Draft, Person, Round, Source
from tests.accounts_fixtures import csrf, make_user

ROUND_2 = "/edit/rounds/2"
ISTANBUL = "russia-ukraine-istanbul-2025"


def soup_of(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def round_facts(**changes: str) -> dict[str, str]:
    """The round form of a new fourth round, as an editor would fill it in."""
    return {
        "negotiation_id": "1",
        "sequence": "4",
        "status": "held",
        "date": "2025-07-23",
        "date_precision": "day",
        "city": "Istanbul",
        "venue": "Çırağan Palace",
        "chair_id": "Hakan Fidan",
        "host_party_id": "Turkey",
        "summary": "The third round of direct talks.",
        "source_pick": "https://tass.com/politics/1966757",
        "action": "save",
    } | changes


def post(client: TestClient, url: str, data: dict[str, str | list[str]], *, htmx: bool = False) -> httpx.Response:
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        url, data={"csrf_token": csrf(client, "/drafts"), **data}, headers=headers, follow_redirects=False
    )


def start_round(client: TestClient, **changes: str) -> str:
    """Save a new round's facts; the address of the draft that now holds them."""
    response = post(client, "/edit/rounds/new/items/record/n0", round_facts(**changes))
    assert response.status_code == 303, soup_of(response).select(".field-error")
    return response.headers["location"].split("#")[0]


# ------------------------------------------------------------------ the composer


def test_a_rounds_composer_shows_every_part_of_the_round(seeded: sa.Engine, editor_client: TestClient) -> None:
    page = editor_client.get(ROUND_2)
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    soup = soup_of(page)
    headings = [h.get_text(" ", strip=True) for h in soup.select("section.composer-section > h2")]
    assert headings == [
        "Delegations (3)",
        "Outcomes (6)",
        "Positions stated at this round (20)",
        "Durations, delays and counts as sources reported them (3)",
        "State of the gap, by topic",
        "How each side's stance moved since the round before (1)",
        "Context: events around this round (1)",
    ]
    ukraine = soup.select_one("#delegations-4").get_text(" ", strip=True)
    assert "Ukraine delegation" in ukraine and "Rustem Umerov (head)" in ukraine
    # States and kinds as the forms' choices name them, not as stored ("held", "follow_up_talks").
    card = [li.get_text() for li in soup.select("#record .item-summary li")]
    assert "Status: Held" in card
    assert soup.select("form.edit-form") == [], "forms open one at a time"
    assert soup.select_one("h1").get_text() == "Round 2 — 2 June 2025 · Istanbul"


def test_a_part_opens_its_form_in_place_or_on_the_page_without_javascript(
    seeded: sa.Engine, editor_client: TestClient
) -> None:
    link = soup_of(editor_client.get(ROUND_2)).select_one("#outcomes-3 .item-actions a")
    assert link["href"] == f"{ROUND_2}?edit=outcomes-3#outcomes-3"
    fragment = editor_client.get(link["data-hx-get"], headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    form = soup_of(fragment).select_one("article#outcomes-3 form.edit-form")
    assert form["action"] == f"{ROUND_2}/items/outcomes/3"
    assert form.select_one("input[name=title]")["value"].startswith("New prisoner exchange")
    whole = soup_of(editor_client.get(link["href"]))
    assert whole.select_one("article#outcomes-3 form.edit-form") is not None


def test_round_pickers_name_rounds_by_number_and_date(seeded: sa.Engine, editor_client: TestClient) -> None:
    soup = soup_of(editor_client.get("/edit/positions/new"))
    options = [o.get_text() for o in soup.select("select[name=round_id] option")]
    assert "Round 2 — 2 June 2025" in options and "Round 3 — June 2025 (planned)" in options


# ------------------------------------------------------------------ saving a new round


def test_saving_a_new_round_starts_a_draft_readers_do_not_see(
    seeded: sa.Engine, editor_client: TestClient, client: TestClient, session: Session
) -> None:
    draft_url = start_round(editor_client)
    assert draft_url.startswith("/drafts/")
    page = soup_of(editor_client.get(draft_url))
    assert page.select_one("#draft-bar h2").get_text() == "Your draft: 1 change not yet published"
    assert "Round 4 — 23 July 2025 · Istanbul" in page.select_one("#draft-bar li").get_text()
    assert [p.slug for p in session.exec(select(Round))] == [
        "2025-05-16-istanbul",
        "2025-06-02-istanbul",
        "2025-06-next-round",
    ]
    assert client.get("/rounds/2025-07-23-istanbul").status_code == 404
    chair = session.exec(select(Person).where(col(Person.name) == "Hakan Fidan")).all()
    assert len(chair) == 1, "the chair typed by name is the person in the record, not a duplicate"


def test_an_invalid_round_comes_back_with_every_error_at_once_and_everything_typed(
    seeded: sa.Engine, editor_client: TestClient, session: Session
) -> None:
    typed = round_facts(
        sequence="2", date="2025-02-30", chair_id="Fidanov", duration_minutes="-5", summary="Kept as typed."
    )
    response = post(editor_client, "/edit/rounds/new/items/record/n0", typed)
    assert response.status_code == 422
    soup = soup_of(response)
    errors = {e["id"].removesuffix("-error"): e.get_text() for e in soup.select(".field-error") if e.get_text()}
    assert errors == {
        "record-sequence": "Round 2 of this negotiation is already on the record.",
        "record-date": "“2025-02-30” is not a date that exists. Write it as YYYY-MM-DD, such as 2025-06-02.",
        "record-chair_id": "No person called “Fidanov” is in the record. Pick one from the list, or add them as new.",
        "record-duration_minutes": "Duration in minutes must be 0 or more.",
    }
    summary = [a.get_text() for a in soup.select(".form-problems a")]
    assert len(summary) == 4 and all("String should" not in s and "Input should" not in s for s in summary)
    assert soup.select_one("#record-summary").get_text() == "Kept as typed."
    assert soup.select_one("#record-chair_id")["value"] == "Fidanov"
    assert soup.select_one("#record-date")["value"] == "2025-02-30"
    assert session.exec(select(Draft)).all() == [], "nothing saved, not even a draft"


def test_checking_a_form_says_what_saving_would_and_keeps_nothing(
    seeded: sa.Engine, editor_client: TestClient, session: Session
) -> None:
    response = post(
        editor_client,
        "/edit/rounds/new/items/record/n0",
        round_facts(date="2025-02-30", chair_id="Nobody Atall", action="check"),
    )
    assert response.status_code == 200 and response.headers["cache-control"] == "private, no-store"
    errors = response.json()["errors"]
    assert errors["date"].startswith("“2025-02-30” is not a date that exists")
    assert errors["chair_id"].startswith("No person called “Nobody Atall”") and "city" not in errors
    assert session.exec(select(Draft)).all() == [] and len(session.exec(select(Round)).all()) == 3
    fine = post(editor_client, "/edit/rounds/new/items/record/n0", round_facts(action="check"))
    assert fine.json() == {"errors": {}}


def test_a_name_typed_that_is_not_in_the_record_can_be_added_in_place(
    seeded: sa.Engine, editor_client: TestClient, session: Session
) -> None:
    start_round(editor_client, chair_id="Recep Tayyip Erdoğan", chair_id__new="1")
    person = session.exec(select(Person).where(col(Person.name) == "Recep Tayyip Erdoğan")).one()
    assert person.slug == "recep-tayyip-erdogan"


def test_an_ambiguous_name_asks_which_is_meant(seeded: sa.Engine, editor_client: TestClient) -> None:
    response = post(editor_client, "/edit/rounds/new/items/record/n0", round_facts(chair_id="Vladimir"))
    assert response.status_code == 422
    assert soup_of(response).select_one("#record-chair_id-error").get_text() == (
        "“Vladimir” matches Vladimir Medinsky; Vladimir Putin. Type more of the name, or choose from the list."
    )


def test_a_source_is_found_and_a_new_one_added_without_leaving_the_form(
    seeded: sa.Engine, editor_client: TestClient, session: Session
) -> None:
    draft_url = start_round(
        editor_client,
        source_pick="",
        source=["12"],
        new_source_title="Third round of Istanbul talks",
        new_source_publisher="Reuters",
        new_source_url="https://www.reuters.com/world/europe/istanbul-talks-third-round/",
        new_source_published_on="2025-07-23",
        new_source_standpoint="International news agency",
    )
    added = session.exec(select(Source).where(col(Source.publisher) == "Reuters")).one()
    draft = session.get(Draft, int(draft_url.rsplit("/", 1)[1]))
    assert draft is not None
    change = next(iter(draft.changes.values()))
    assert change["sources"] == [12, added.id]


# ------------------------------------------------------------------ what hangs on a round, in place


def test_a_delegation_is_entered_with_its_head_and_members_in_one_save(
    seeded: sa.Engine, editor_client: TestClient
) -> None:
    draft_url = start_round(editor_client)
    delegation = {
        "party_id": "Ukraine",
        "row-0-person_id": "Rustem Umerov",
        "row-0-title": "Defence Minister",
        "row-0-is_head": "true",
        "row-1-person_id": "Sergiy Kyslytsya",
        "row-1-title": "First Deputy Foreign Minister",
        "row-2-person_id": "Oleh Novyi",
        "row-2-person_id__new": "1",
        "row-2-title": "Adviser",
        "source": ["12"],
        "action": "save",
    }
    response = post(editor_client, f"{draft_url}/items/delegations/new", delegation, htmx=True)
    assert response.status_code == 200
    soup = soup_of(response)
    assert soup.select_one("section#box-delegations") is not None, "htmx gets the section it swaps"
    card = soup.select_one("#box-delegations article").get_text(" ", strip=True)
    assert "Rustem Umerov (head), Defence Minister; Sergiy Kyslytsya" in card and "Oleh Novyi, Adviser" in card
    bar = soup.select_one("#draft-bar[data-hx-swap-oob]")
    assert bar is not None and "2 changes" in bar.get_text()


def test_a_delegations_head_must_belong_to_its_party(seeded: sa.Engine, editor_client: TestClient) -> None:
    draft_url = start_round(editor_client)
    data = {"party_id": "Ukraine", "row-0-person_id": "Vladimir Medinsky", "row-0-is_head": "true", "source": ["12"]}
    response = post(editor_client, f"{draft_url}/items/delegations/new", data, htmx=True)
    assert response.status_code == 422
    error = soup_of(response).select_one("[id$='row-0-person_id-error']").get_text()
    assert error == "Vladimir Medinsky belongs to another party; a delegation's head belongs to the delegation's party."


def test_an_outcome_names_the_parties_it_concerns(seeded: sa.Engine, editor_client: TestClient) -> None:
    draft_url = start_round(editor_client)
    form = soup_of(editor_client.get(f"{draft_url}/items/outcomes/new/form", headers={"HX-Request": "true"}))
    parties = [label.get_text(strip=True) for label in form.select("fieldset.rows-field label")]
    assert parties == ["Russia", "Turkey", "Ukraine", "United States"]
    data = {
        "kind": "prisoner_exchange",
        "title": "1,200 prisoners each",
        "status": "agreed",
        "row-0-party_id": "2",
        "row-2-party_id": "1",
        "source": ["12", "8"],
    }
    response = post(editor_client, f"{draft_url}/items/outcomes/new", data, htmx=True)
    assert response.status_code == 200
    card = soup_of(response).select_one("#box-outcomes article").get_text(" ", strip=True)
    assert "Concerns: Russia, Ukraine" in card and "Sources:" in card


# ------------------------------------------------------------------ publishing


def test_publishing_shows_the_round_to_readers_at_once(
    seeded: sa.Engine, editor_client: TestClient, client: TestClient
) -> None:
    assert client.get("/api/timeline").status_code == 200  # cached before
    draft_url = start_round(editor_client)
    response = post(editor_client, f"{draft_url}/publish", {"summary": "Third round, from the wires"})
    assert response.status_code == 303 and response.headers["location"] == "/rounds/2025-07-23-istanbul?published=1"
    page = soup_of(client.get("/rounds/2025-07-23-istanbul"))
    assert page.select_one("h1").get_text(" ", strip=True).startswith("Round 4")
    assert "2025-07-23-istanbul" in client.get("/api/timeline").text
    assert "Round 4" in client.get("/feed.atom").text


def test_publishing_without_a_source_is_refused_saying_where(seeded: sa.Engine, editor_client: TestClient) -> None:
    draft_url = start_round(editor_client, source_pick="")
    response = post(editor_client, f"{draft_url}/publish", {"summary": ""})
    assert response.status_code == 422
    soup = soup_of(response)
    assert [a.get_text() for a in soup.select("[aria-labelledby=problems-heading] a")] == [
        "Round 4 — 23 July 2025 · Istanbul needs a source before it can be published."
    ]
    assert soup.select_one("#record-sources-error").get_text().endswith("needs a source before it can be published.")


def test_someone_elses_draft_is_shown_with_its_author_and_changes_before_anyone_builds_on_it(
    seeded: sa.Engine, editor_client: TestClient, client_for: Callable[..., TestClient], engine: sa.Engine
) -> None:
    response = post(
        editor_client,
        f"{ROUND_2}/items/record/2",
        {**_round_2_form(editor_client), "atmosphere": "Tense and brief.", "action": "save"},
    )
    assert response.status_code == 303
    olena = make_user(engine, email="olena@example.org", name="Olena")
    other = client_for(olena)
    soup = soup_of(other.get(ROUND_2))
    notice = soup.select_one(".others-drafts").get_text(" ", strip=True)
    assert "Erin Editor saved unpublished changes" in notice and "Atmosphere" in notice
    assert "Tense" in soup.select_one(".others-drafts ins").get_text(), "the words it changes are marked"
    copied = post(other, soup.select_one(".others-drafts form")["action"], {})
    assert copied.status_code == 303
    mine = soup_of(other.get(copied.headers["location"]))
    assert "Atmosphere" in mine.select_one("#draft-bar").get_text()


def _round_2_form(client: TestClient) -> dict[str, str | list[str]]:
    """Round 2's form as it stands, as a browser would send it."""
    form = soup_of(client.get(f"{ROUND_2}/items/record/2/form", headers={"HX-Request": "true"})).select_one("form")
    data: dict[str, str | list[str]] = {}
    for control in form.select("input[name], textarea[name], select[name]"):
        name = control["name"]
        if control.name == "textarea":
            data[name] = control.get_text()
        elif control.name == "select":
            chosen = control.select_one("option[selected]") or control.select_one("option")
            data[name] = chosen.get("value", "")
        elif control.get("type") == "checkbox":
            if control.has_attr("checked"):
                existing = data.get(name, [])
                data[name] = [*(existing if isinstance(existing, list) else [existing]), control["value"]]
        elif name != "csrf_token":
            data[name] = control.get("value", "")
    return data


def test_two_editors_on_the_same_field_get_the_conflict_screen(
    seeded: sa.Engine, editor_client: TestClient, client_for: Callable[..., TestClient], engine: sa.Engine
) -> None:
    olena = client_for(make_user(engine, email="olena@example.org", name="Olena"))
    mine = post(
        editor_client,
        f"{ROUND_2}/items/record/2",
        {**_round_2_form(editor_client), "summary": "Mine.", "atmosphere": "Calm."},
    )
    theirs = post(olena, f"{ROUND_2}/items/record/2", {**_round_2_form(olena), "summary": "Theirs."})
    their_draft = theirs.headers["location"].split("#")[0]
    assert post(olena, f"{their_draft}/publish", {}).status_code == 303

    draft_url = mine.headers["location"].split("#")[0]
    response = post(editor_client, f"{draft_url}/publish", {})
    assert response.status_code == 409
    soup = soup_of(response)
    rows = soup.select(".conflicts tbody tr")
    assert len(rows) == 1 and rows[0].select_one("th").get_text(strip=True).endswith("Summary"), "only the overlap"
    assert "Theirs." in rows[0].get_text() and "Mine." in rows[0].get_text()
    form = {
        i["name"]: i["value"] for i in soup.select(".conflict form input[type=hidden]") if i["name"] != "csrf_token"
    }
    form["keep:rounds:2:summary"] = "yours"
    assert post(editor_client, f"{draft_url}/publish", form).status_code == 303
    published = soup_of(editor_client.get("/api/rounds/2025-06-02-istanbul")).get_text()
    assert '"summary":"Mine."' in published and '"atmosphere":"Calm."' in published


def test_a_form_opened_before_someone_else_published_changes_only_what_its_editor_changed(
    seeded: sa.Engine, editor_client: TestClient, client_for: Callable[..., TestClient], engine: sa.Engine
) -> None:
    olena = client_for(make_user(engine, email="olena@example.org", name="Olena"))
    opened_earlier = _round_2_form(editor_client)  # Erin opens the form, then goes for coffee
    theirs = post(
        olena, f"{ROUND_2}/items/record/2", {**_round_2_form(olena), "summary": "Theirs.", "action": "publish"}
    )
    assert theirs.status_code == 303 and theirs.headers["location"].endswith("?published=1")

    mine = post(
        editor_client, f"{ROUND_2}/items/record/2", {**opened_earlier, "atmosphere": "Calm.", "action": "publish"}
    )
    assert mine.status_code == 303 and mine.headers["location"].endswith("?published=1")
    published = editor_client.get("/api/rounds/2025-06-02-istanbul").json()
    assert (published["summary"], published["atmosphere"]) == ("Theirs.", "Calm."), "Olena's summary was kept"


def test_publishing_from_a_form_that_overlaps_someone_elses_change_shows_the_conflict_screen(
    seeded: sa.Engine, editor_client: TestClient, client_for: Callable[..., TestClient], engine: sa.Engine
) -> None:
    olena = client_for(make_user(engine, email="olena@example.org", name="Olena"))
    opened_earlier = _round_2_form(editor_client)
    assert (
        post(
            olena, f"{ROUND_2}/items/record/2", {**_round_2_form(olena), "summary": "Theirs.", "action": "publish"}
        ).status_code
        == 303
    )

    response = post(
        editor_client, f"{ROUND_2}/items/record/2", {**opened_earlier, "summary": "Mine.", "action": "publish"}
    )
    assert response.status_code == 409
    rows = soup_of(response).select(".conflicts tbody tr")
    assert len(rows) == 1 and "Theirs." in rows[0].get_text() and "Mine." in rows[0].get_text()
    assert editor_client.get("/api/rounds/2025-06-02-istanbul").json()["summary"] == "Theirs.", "nothing published"
    drafts = soup_of(editor_client.get("/drafts")).get_text(" ", strip=True)
    assert "Round 2" in drafts, "what Erin typed is kept in her draft"


def test_a_draft_is_discarded(seeded: sa.Engine, editor_client: TestClient, session: Session) -> None:
    draft_url = start_round(editor_client)
    response = post(editor_client, f"{draft_url}/discard", {})
    assert response.status_code == 303 and response.headers["location"] == "/drafts"
    assert session.exec(select(Draft)).all() == []


def test_every_kind_of_draft_is_listed(seeded: sa.Engine, editor_client: TestClient) -> None:
    start_round(editor_client)
    party = post(
        editor_client,
        "/edit/parties/new/items/record/n0",
        {"name": "European Union", "short_name": "EU", "colour": "#3473b2"},
    )
    assert party.status_code == 303
    listed = [li.get_text(" ", strip=True) for li in soup_of(editor_client.get("/drafts")).select(".drafts-list li")]
    assert any(line.startswith("Round: Round 4") for line in listed)
    assert any(line.startswith("Party: European Union") for line in listed)


def test_a_preview_shows_the_draft_as_readers_will_see_it_and_keeps_nothing(
    seeded: sa.Engine, editor_client: TestClient, client: TestClient
) -> None:
    draft_url = start_round(editor_client)
    preview = editor_client.get(f"{draft_url}/preview")
    assert preview.status_code == 200 and preview.headers["cache-control"] == "private, no-store"
    soup = soup_of(preview)
    assert "Preview of your draft" in soup.select_one(".preview-banner").get_text()
    assert soup.select_one("h1").get_text(" ", strip=True).startswith("Round 4")
    assert client.get("/rounds/2025-07-23-istanbul").status_code == 404


# ------------------------------------------------------------------ history, addresses, first steps


def test_a_record_no_one_has_changed_says_when_its_file_put_it_on_the_record_and_last_changed_it(
    seeded: sa.Engine, editor_client: TestClient
) -> None:
    """Not "unchanged since it was loaded on 24 November" for a round the file says changed on the 29th."""
    said = " ".join(soup_of(editor_client.get(f"{ROUND_2}/history")).select_one("main").get_text().split())
    assert "No one has changed it here" in said
    assert "put on the record on 24 November 2026, 20:49 UTC and last changed on 29 November 2026, 20:37 UTC" in said


def test_history_restores_a_field_after_showing_what_will_change(seeded: sa.Engine, editor_client: TestClient) -> None:
    changed = post(
        editor_client,
        f"{ROUND_2}/items/record/2",
        {**_round_2_form(editor_client), "atmosphere": "Icy.", "delay_minutes": "115", "action": "publish"},
    )
    assert changed.status_code == 303
    history = soup_of(editor_client.get(f"{ROUND_2}/history"))
    versions = [li["id"].removeprefix("revision-") for li in history.select("ol.revisions > li")]
    assert len(versions) == 2, "the state as loaded, then the change"
    first = versions[-1]
    # Fields named as the form names them, not as the database does ("Delay minutes").
    compared = soup_of(editor_client.get(f"{ROUND_2}/history?a={first}&b={versions[0]}"))
    assert [dt.get_text() for dt in compared.select(".field-changes dt")] == ["Atmosphere", "Delay in minutes"]
    confirm = editor_client.get(f"{ROUND_2}/history/{first}/revert/atmosphere")
    table = soup_of(confirm).select_one(".field-changes").get_text(" ", strip=True)
    assert "Atmosphere" in table and "Icy." in table
    assert (
        post(
            editor_client,
            f"{ROUND_2}/history/{first}/revert/atmosphere",
            {"version": soup_of(confirm).select_one("input[name=version]")["value"]},
        ).status_code
        == 303
    )
    assert "Icy." not in editor_client.get("/api/rounds/2025-06-02-istanbul").text


@pytest.mark.parametrize(
    ("kind", "entity_id", "old", "new", "public"),
    [
        ("parties", 3, "turkey", "turkiye", "/parties/{}"),
        ("people", 1, "rustem-umerov", "rustem-umerov-mod", "/people/{}"),
        ("topics", 2, "territory", "territories", "/topics/{}"),
        ("negotiations", 1, ISTANBUL, "istanbul-talks-2025", "/negotiations/{}"),
    ],
)
def test_an_old_address_answers_with_a_redirect_to_the_new_one(
    seeded: sa.Engine,
    editor_client: TestClient,
    client: TestClient,
    kind: str,
    entity_id: int,
    old: str,
    new: str,
    public: str,
) -> None:
    form = soup_of(editor_client.get(f"/edit/{kind}/{entity_id}")).select_one("#section-record form")
    data = {
        c["name"]: c.get("value", "")
        for c in form.select("input[name]")
        if c["name"] != "csrf_token" and c.get("type") != "checkbox"
    }
    data |= {t["name"]: t.get_text() for t in form.select("textarea[name]")}
    data |= {
        s["name"]: (s.select_one("option[selected]") or s.select_one("option"))["value"]
        for s in form.select("select[name]")
    }
    data |= {"slug": new, "action": "publish"}
    assert post(editor_client, form["action"], data).status_code == 303
    moved = client.get(public.format(old), follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == public.format(new)
    assert client.get(public.format(new)).status_code == 200


def test_a_rounds_old_address_redirects_in_the_api_too(
    seeded: sa.Engine, editor_client: TestClient, client: TestClient
) -> None:
    data = {**_round_2_form(editor_client), "slug": "2025-06-02-ciragan", "action": "publish"}
    assert post(editor_client, f"{ROUND_2}/items/record/2", data).status_code == 303
    for old in ("/rounds/2025-06-02-istanbul", "/api/rounds/2025-06-02-istanbul"):
        moved = client.get(old, follow_redirects=False)
        assert moved.status_code == 301 and moved.headers["location"].endswith("/2025-06-02-ciragan")


def test_a_comparison_or_widget_naming_an_old_address_in_its_query_redirects(
    seeded: sa.Engine, editor_client: TestClient, client: TestClient
) -> None:
    data = {**_round_2_form(editor_client), "slug": "2025-06-02-ciragan", "action": "publish"}
    assert post(editor_client, f"{ROUND_2}/items/record/2", data).status_code == 303
    for path, more in (("/compare", ""), ("/api/compare", ""), ("/embed/compare", "&theme=dark")):
        moved = client.get(f"{path}?party=ukraine&as_of=2025-06-02-istanbul{more}", follow_redirects=False)
        assert moved.status_code == 301, path
        assert moved.headers["location"] == f"{path}?party=ukraine&as_of=2025-06-02-ciragan{more}"
        assert client.get(moved.headers["location"]).status_code == 200
    moved = client.get("/embed/timeline?focus=2025-06-02-istanbul", follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == "/embed/timeline?focus=2025-06-02-ciragan"
    unknown = client.get("/compare?as_of=no-such-round", follow_redirects=False)
    assert unknown.status_code in (404, 422), "a slug no record ever had is still an error"


def test_an_empty_record_leads_an_editor_through_its_first_steps(editor_client: TestClient) -> None:
    steps = soup_of(editor_client.get("/start"))
    links = [
        (li.select_one("h2").get_text(" ", strip=True), li.select_one("a.button")["href"])
        for li in steps.select(".first-steps > li")
    ]
    assert links == [
        ("The negotiation", "/edit/negotiations/new"),
        ("The parties", "/edit/parties/new"),
        ("The people", "/edit/people/new"),
        ("The topics", "/edit/topics/new"),
        ("The first round", "/edit/rounds/new"),
    ]
    party = soup_of(editor_client.get("/edit/parties/new"))
    assert party.select_one("#record-colour")["value"] == "#3473b2", "a colour that reads on both themes"


def test_a_colour_that_does_not_read_on_both_themes_is_refused_with_one_that_does(editor_client: TestClient) -> None:
    response = post(
        editor_client,
        "/edit/parties/new/items/record/n0",
        {"name": "Yellow Party", "short_name": "Yellow", "colour": "#ffff00"},
    )
    assert response.status_code == 422
    error = soup_of(response).select_one("#record-colour-error").get_text()
    assert error.startswith("#ffff00 has a contrast of") and error.endswith("Try #9e822e, which reads on both.")


def test_the_picker_offers_matches_and_adding_as_new(seeded: sa.Engine, editor_client: TestClient) -> None:
    options = soup_of(editor_client.get("/pick/people?q=umer&for=f"))
    assert [o["data-label"] for o in options.select("[role=option][data-id]")] == ["Rustem Umerov"]
    assert options.select_one("[role=option][data-new]").get_text() == "Add “umer” as a new person"
    sources = soup_of(editor_client.get("/pick/sources?q=2025-06&for=f"))
    assert sources.select("[role=option][data-id]"), "sources are found by their date too"


def test_editing_pages_are_for_editors_only(seeded: sa.Engine, client: TestClient) -> None:
    for url in (ROUND_2, "/drafts", "/start", "/edit/rounds/new", "/pick/people?q=a", "/edit/sources"):
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login"), url


def test_an_outcome_is_edited_in_its_rounds_composer(seeded: sa.Engine, editor_client: TestClient) -> None:
    response = editor_client.get("/edit/outcomes/3", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/edit/rounds/2?edit=outcomes-3#outcomes-3"


# ------------------------------------------------------------------ the source library


def _listed(response: httpx.Response) -> list[str]:
    return [li.select_one("h2").get_text(strip=True) for li in soup_of(response).select(".sources-list li")]


def test_the_source_library_finds_sources_by_publisher_address_or_date(
    seeded: sa.Engine, editor_client: TestClient
) -> None:
    everything = soup_of(editor_client.get("/edit/sources"))
    assert everything.select_one("[role=status]").get_text(strip=True) == "13 sources in the record."
    assert everything.select_one(".account a[aria-current=page]").get_text() == "Sources", "in the editor's menu"
    first = everything.select_one(".sources-list li")
    assert "2 June 2025" in first.get_text(), "newest first"

    tass = editor_client.get("/edit/sources", params={"q": "tass"})
    assert len(_listed(tass)) == 3
    assert "cited by 21 claims" in soup_of(tass).select(".sources-list li")[0].get_text(" ", strip=True)
    may = soup_of(editor_client.get("/edit/sources", params={"q": "2025-05"}))
    assert {p.get_text(" ", strip=True).split(" · ")[0] for p in may.select(".sources-list li p:first-of-type")} == {
        "The Moscow Times",
        "EFE",
    }
    title = editor_client.get("/edit/sources", params={"q": "bombers undermine"})
    (link,) = soup_of(title).select(".sources-list h2 a")
    assert link.get_text().startswith("Ukrainian Attack on Bombers") and link["href"] == "/edit/sources/5"


def test_the_source_library_answers_htmx_with_its_results_and_says_when_nothing_matches(
    seeded: sa.Engine, editor_client: TestClient
) -> None:
    response = editor_client.get("/edit/sources", params={"q": "no such paper"}, headers={"HX-Request": "true"})
    soup = soup_of(response)
    assert soup.select_one("h1") is None and soup.select_one("#results") is not None
    assert soup.select_one("[role=status]").get_text(strip=True) == "0 sources match “no such paper”."
    assert soup.select_one("#results a[href='/edit/sources/new']").get_text() == "Add the source"


def test_the_source_library_pages_through_a_large_library(
    seeded: sa.Engine, editor_client: TestClient, session: Session
) -> None:
    session.add_all(Source(publisher=f"Wire {n}", url=f"https://wire.example/{n}") for n in range(45))
    session.commit()
    first = soup_of(editor_client.get("/edit/sources"))
    assert len(first.select(".sources-list li")) == 50
    assert "page 1 of 2" in first.select_one("[role=status]").get_text()
    older = first.select_one(".pager a[rel=next]")["href"]
    second = soup_of(editor_client.get(f"/edit/sources{older}"))
    assert len(second.select(".sources-list li")) == 8 and second.select_one(".pager a[rel=prev]") is not None
