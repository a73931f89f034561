"""Forms for outcomes, positions, delegations, parties, sources …: the rules, and what readers then see."""

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Party, Person, Round
from tests.accounts_fixtures import csrf

ROUND_2 = "2025-06-02-istanbul"


def soup(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.text, "html.parser")


def ids(engine) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return {
            "round": session.exec(select(Round.id).where(Round.slug == ROUND_2)).one(),
            "ukraine": session.exec(select(Party.id).where(Party.slug == "ukraine")).one(),
            "russia": session.exec(select(Party.id).where(Party.slug == "russia")).one(),
            "medinsky": session.exec(select(Person.id).where(Person.slug == "vladimir-medinsky")).one(),
        }


def position(known: dict[str, int], **changes: str) -> dict[str, str]:
    return {
        "negotiation_id": "1",
        "party_id": str(known["ukraine"]),
        "topic_id": "10",
        "round_id": str(known["round"]),
        "stated_precision": "day",
        "summary": "A new statement on a topic",
        "text": "",
        "action": "publish",
    } | changes


def test_a_position_cannot_be_published_without_a_source(seeded, editor_client: TestClient) -> None:
    known = ids(seeded)
    token = csrf(editor_client, "/edit/positions/new")
    refused = editor_client.post("/edit/positions/new", data=position(known, csrf_token=token))
    assert refused.status_code == 422
    page = soup(refused)
    assert "cannot be published without a source" in page.select_one("#error-sources").get_text()
    assert page.select_one("#field-summary")["value"] == "A new statement on a topic"

    accepted = editor_client.post(
        "/edit/positions/new", data=position(known, csrf_token=token, source="1"), follow_redirects=False
    )
    assert accepted.status_code == 303 and accepted.headers["location"] == f"/rounds/{ROUND_2}/edit"
    assert "A new statement on a topic" in editor_client.get(f"/rounds/{ROUND_2}").text


def test_a_draft_position_needs_no_source_yet_and_stays_hidden(
    seeded, editor_client: TestClient, client: TestClient
) -> None:
    known = ids(seeded)
    token = csrf(editor_client, "/edit/positions/new")
    saved = editor_client.post("/edit/positions/new", data=position(known, csrf_token=token, action="draft"))
    assert saved.status_code == 200
    assert "A new statement on a topic" not in client.get("/compare").text


def test_an_outcome_is_published_with_its_source(seeded, editor_client: TestClient) -> None:
    known = ids(seeded)
    token = csrf(editor_client, "/edit/outcomes/new")
    data = {
        "csrf_token": token,
        "round_id": str(known["round"]),
        "kind": "prisoner_exchange",
        "title": "Another exchange",
        "description": "",
        "status": "agreed",
        "implemented_precision": "day",
        "source": "TASS — x [#7]",
        "action": "publish",
    }
    assert editor_client.post("/edit/outcomes/new", data=data, follow_redirects=False).status_code == 303
    round_page = soup(editor_client.get(f"/rounds/{ROUND_2}"))
    titles = [h.get_text(" ", strip=True) for h in round_page.select(".outcome-list h3")]
    assert any(t.startswith("Another exchange") for t in titles)


def test_a_delegation_head_must_belong_to_the_delegations_party(seeded, editor_client: TestClient) -> None:
    known = ids(seeded)
    with Session(seeded) as session:
        from app.models import Delegation

        ukraine_delegation = session.exec(
            select(Delegation.id).where(Delegation.round_id == known["round"], Delegation.party_id == known["ukraine"])
        ).one()
    token = csrf(editor_client, "/edit/delegation_members/new")
    data = {
        "csrf_token": token,
        "delegation_id": str(ukraine_delegation),
        "person_id": str(known["medinsky"]),
        "is_head": "true",
        "title": "",
        "action": "publish",
    }
    refused = editor_client.post("/edit/delegation_members/new", data=data)
    assert refused.status_code == 422
    assert (
        soup(refused).select_one("#error-person_id").get_text()
        == "a delegation's head must belong to the delegation's party"
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"slug": "ukraine", "name": "Ukraine again", "short_name": "UA", "colour": "#1c7ed6"},
            "slug",
            "already has this slug",
        ),
        ({"slug": "eu", "name": "EU", "short_name": "EU", "colour": "#ffd500"}, "colour", "contrast of"),
        ({"slug": "E U", "name": "EU", "short_name": "EU", "colour": "#1c7ed6"}, "slug", "lowercase letters"),
        ({"slug": "eu", "name": "", "short_name": "EU", "colour": "#1c7ed6"}, "name", "at least 1 character"),
    ],
)
def test_party_form_rules(seeded, editor_client: TestClient, data: dict[str, str], field: str, message: str) -> None:
    token = csrf(editor_client, "/edit/parties/new")
    response = editor_client.post("/edit/parties/new", data=data | {"csrf_token": token, "action": "publish"})
    assert response.status_code == 422
    assert message in soup(response).select_one(f"#error-{field}").get_text()


def test_a_source_needs_a_well_formed_address(seeded, editor_client: TestClient) -> None:
    token = csrf(editor_client, "/edit/sources/new")
    data = {"csrf_token": token, "url": "tass dot com", "publisher": "TASS", "language": "en", "action": "publish"}
    response = editor_client.post("/edit/sources/new", data=data)
    assert response.status_code == 422
    assert "full web address" in soup(response).select_one("#error-url").get_text()


def test_a_party_in_use_is_not_deleted(seeded, editor_client: TestClient) -> None:
    known = ids(seeded)
    token = csrf(editor_client, f"/edit/parties/{known['russia']}")
    response = editor_client.post(f"/edit/parties/{known['russia']}/delete", data={"csrf_token": token})
    assert response.status_code == 409
    assert "still in use" in soup(response).select_one("h1").get_text()
    assert editor_client.get("/parties/russia").status_code == 200


def test_the_round_form_lists_what_hangs_on_the_round(seeded, editor_client: TestClient) -> None:
    page = soup(editor_client.get(f"/rounds/{ROUND_2}/edit"))
    headings = [h.get_text(strip=True) for h in page.select("main section h2")]
    assert headings[:3] == ["Delegations", "Outcomes", "Positions stated at this round"]
    known = ids(seeded)
    assert f"/edit/outcomes/new?round_id={known['round']}" in [a["href"] for a in page.select("main section a")]


def test_members_are_added_and_removed_in_place(seeded, editor_client: TestClient) -> None:
    known = ids(seeded)
    with Session(seeded) as session:
        from app.models import Delegation

        delegation = session.exec(
            select(Delegation.id).where(Delegation.round_id == known["round"], Delegation.party_id == known["ukraine"])
        ).one()
    url = f"/edit/delegations/{delegation}"
    token = csrf(editor_client, url)
    htmx = {"HX-Request": "true", "X-CSRF-Token": token}

    added = editor_client.post(
        f"/delegations/{delegation}/members",
        data={"person": "andriy-yermak", "title": "Head of the Presidential Office"},
        headers=htmx,
    )
    block = soup(added)
    assert block.find("html") is None and block.select_one("section#members") is not None
    names = [li.get_text(" ", strip=True) for li in block.select(".members-edit > li")]
    assert any(n.startswith("Andriy Yermak, Head of the Presidential Office") for n in names)

    refused = editor_client.post(
        f"/delegations/{delegation}/members", data={"person": "vladimir-medinsky", "is_head": "true"}, headers=htmx
    )
    assert refused.status_code == 422
    assert (
        "a delegation's head must belong to the delegation's party"
        in soup(refused).select_one("#members .field-error").get_text()
    )
    assert soup(refused).select_one("#member-person")["value"] == "vladimir-medinsky"

    remove = next(f["action"] for f in block.select(".members-edit form") if "yermak" in f.parent.get_text().lower())
    after = soup(editor_client.post(remove, headers=htmx))
    assert not any("Yermak" in li.get_text() for li in after.select(".members-edit > li"))

    plain = editor_client.post(
        f"/delegations/{delegation}/members",
        data={"person": "andriy-yermak", "csrf_token": token},
        follow_redirects=False,
    )
    assert plain.status_code == 303 and plain.headers["location"] == url


def test_records_are_named_for_people_by_name_and_delegations_by_party(seeded, editor_client: TestClient) -> None:
    with Session(seeded) as session:
        umerov = session.exec(select(Person.id).where(Person.slug == "rustem-umerov")).one()
    heading = soup(editor_client.get(f"/edit/people/{umerov}")).select_one("h1").get_text(strip=True)
    assert heading == "Edit person: Rustem Umerov"
    round_form = soup(editor_client.get(f"/rounds/{ROUND_2}/edit"))
    delegations = [a.get_text(strip=True) for a in round_form.select("#on-round-delegations + ul a")]
    assert delegations == ["Ukraine", "Russia", "Turkey"]
    speakers = [
        o.get_text(strip=True)
        for o in soup(editor_client.get("/edit/positions/new")).select("#field-speaker_id option")
    ]
    assert "Rustem Umerov" in speakers and "President" not in speakers


def test_the_source_picker_narrows_as_the_editor_types(seeded, editor_client: TestClient) -> None:
    # The picker's input is named "source"; htmx sends it under that name.
    options = soup(editor_client.get("/search/sources?source=ukrainska", headers={"HX-Request": "true"})).select(
        "option"
    )
    assert [o["value"] for o in options] == [
        "Ukrainska Pravda — https://pravda.com.ua/eng/news/2025/06/2/7515266/ [#12]"
    ]


def test_dates_are_typed_so_an_impossible_one_is_kept_and_refused(seeded, editor_client: TestClient) -> None:
    # A browser's date picker would send nothing for 30 February; a text box sends what was typed.
    field = soup(editor_client.get("/rounds/new")).select_one("#field-date")
    assert field["type"] == "text" and field["placeholder"] == "YYYY-MM-DD"


def test_every_record_form_checks_a_field_as_the_editor_leaves_it(seeded, editor_client: TestClient) -> None:
    page = soup(editor_client.get("/edit/parties/new"))
    assert page.select_one("#field-colour")["data-hx-post"] == "/edit/parties/validate/colour"
    token = csrf(editor_client, "/edit/parties/new")
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    data = {"slug": "eu", "name": "European Union", "short_name": "EU", "colour": "#ffd500"}
    bad = soup(editor_client.post("/edit/parties/validate/colour", data=data, headers=headers))
    assert "contrast of" in bad.select_one("#error-colour").get_text()
    good = soup(editor_client.post("/edit/parties/validate/colour", data=data | {"colour": "#1c7ed6"}, headers=headers))
    assert good.select_one("#error-colour").get_text() == ""


def test_a_topic_is_created_without_leaving_the_position_form(seeded, editor_client: TestClient) -> None:
    known = ids(seeded)
    token = csrf(editor_client, "/edit/positions/new")
    typed = position(known, csrf_token=token, summary="Kept while a topic is added", topic_id="")
    answer = editor_client.post(
        "/edit/positions/new", data=typed | {"action": "add:topic_id", "new_topic_id_name": "Energy infrastructure"}
    )
    assert answer.status_code == 200
    page = soup(answer)
    chosen = page.select_one("#field-topic_id option[selected]")
    assert chosen.get_text(strip=True) == "Energy infrastructure"
    assert page.select_one("#field-summary")["value"] == "Kept while a topic is added"
    assert "Added Energy infrastructure to the record" in page.select_one(".notice").get_text()
    refused = editor_client.post("/edit/positions/new", data=typed | {"action": "add:topic_id"})
    assert (
        refused.status_code == 422 and soup(refused).select_one("#error-new_topic_id_name").get_text() == "give a name"
    )


def test_a_chair_is_created_without_leaving_the_round_form(seeded, editor_client: TestClient) -> None:
    token = csrf(editor_client, "/rounds/new")
    typed = {
        "csrf_token": token,
        "negotiation": "russia-ukraine-istanbul-2025",
        "sequence": "9",
        "slug": "r9",
        "status": "held",
        "city": "Geneva",
        "action": "add:chair",
        "new_chair_name": "İbrahim Kalınsky",
        "new_chair_party": str(ids(seeded)["russia"]),
    }
    page = soup(editor_client.post("/rounds/new", data=typed))
    assert page.select_one("#field-chair")["value"] == "ibrahim-kalinsky"
    assert page.select_one("#field-city")["value"] == "Geneva"
