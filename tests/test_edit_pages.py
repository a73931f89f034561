"""The editor's pages over HTTP: forms that keep what was typed, drafts, conflicts, history, delete and restore."""

import re

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from tests.accounts_fixtures import csrf

ROUND_2 = "2025-06-02-istanbul"
HOSTILE = '<script>alert("x")</script>"><img src=x onerror=alert(1)>'


def page(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.text, "html.parser")


def form_of(client: TestClient, url: str) -> dict[str, str | list[str]]:
    """What the browser would submit from the page's edit form, unchanged."""
    soup = page(client.get(url))
    form = soup.select_one("form.edit-form")
    data: dict[str, str | list[str]] = {}
    for field in form.select("input, textarea, select"):
        name = field.get("name")
        if not name or field.get("type") in ("submit",):
            continue
        if field.get("type") == "checkbox":
            if field.has_attr("checked"):
                data.setdefault(name, [])
                data[name].append(field["value"])  # type: ignore[union-attr]
            continue
        if field.name == "textarea":
            data[name] = field.get_text()
        elif field.name == "select":
            chosen = field.select_one("option[selected]") or field.select_one("option")
            data[name] = chosen["value"] if chosen else ""
        else:
            data[name] = field.get("value", "")
    data.pop("source", None) if data.get("source") == "" else None
    return data


def new_round(**changes: str) -> dict[str, str]:
    return {
        "negotiation": "russia-ukraine-istanbul-2025",
        "sequence": "4",
        "slug": "2025-07-23-istanbul",
        "status": "held",
        "date": "2025-07-23",
        "date_precision": "day",
        "city": "Istanbul",
        "venue": "Çırağan Palace",
        "host": "turkey",
        "chair": "hakan-fidan",
        "summary": "A third round of talks.",
        "source": "1",
        "action": "publish",
    } | changes


def test_anonymous_visitors_are_sent_to_sign_in(seeded, client: TestClient) -> None:
    response = client.get("/rounds/new", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_an_editor_puts_a_new_round_on_the_record(seeded, editor_client: TestClient) -> None:
    token = csrf(editor_client, "/rounds/new")
    response = editor_client.post("/rounds/new", data=new_round(csrf_token=token), follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/rounds/2025-07-23-istanbul"
    public = page(editor_client.get("/rounds/2025-07-23-istanbul"))
    assert public.select_one("h1").get_text(" ", strip=True).startswith("Round 4 · Istanbul")


def test_an_invalid_submit_answers_422_with_everything_typed_kept(seeded, editor_client: TestClient) -> None:
    token = csrf(editor_client, "/rounds/new")
    typed = new_round(csrf_token=token, duration_minutes="-5", date="2025-02-30", summary="Kept, every word.")
    response = editor_client.post("/rounds/new", data=typed)
    assert response.status_code == 422
    soup = page(response)
    assert soup.select_one("#error-duration_minutes").get_text() == "must not be negative"
    assert "is not a date that exists" in soup.select_one("#error-date").get_text()
    assert soup.select_one("#field-duration_minutes")["aria-invalid"] == "true"
    assert soup.select_one("#field-date")["value"] == "2025-02-30"
    assert soup.select_one("#field-summary").get_text() == "Kept, every word."
    assert soup.select_one("#field-venue")["value"] == "Çırağan Palace"
    assert [a["href"] for a in soup.select(".form-problems a")] == ["#field-date", "#field-duration_minutes"]


def test_live_validation_answers_for_one_field(seeded, editor_client: TestClient) -> None:
    token = csrf(editor_client, "/rounds/new")
    bad = editor_client.post(
        "/rounds/validate/sequence", data=new_round(sequence="2"), headers={"X-CSRF-Token": token, "HX-Request": "true"}
    )
    assert page(bad).select_one("#error-sequence").get_text() == "round 2 of this negotiation already exists"
    good = editor_client.post(
        "/rounds/validate/sequence", data=new_round(), headers={"X-CSRF-Token": token, "HX-Request": "true"}
    )
    assert page(good).select_one("#error-sequence").get_text() == ""


def test_a_draft_is_for_editors_only_until_published(seeded, editor_client: TestClient, client: TestClient) -> None:
    token = csrf(editor_client, "/rounds/new")
    saved = editor_client.post("/rounds/new", data=new_round(csrf_token=token, action="draft"), follow_redirects=False)
    assert saved.headers["location"] == "/rounds/2025-07-23-istanbul/edit?saved=draft"
    assert client.get("/rounds/2025-07-23-istanbul").status_code == 404
    assert "2025-07-23-istanbul" not in client.get("/").text
    drafts = page(editor_client.get("/drafts"))
    assert "/rounds/2025-07-23-istanbul/edit" in [a["href"] for a in drafts.select("main a")]

    data = form_of(editor_client, "/rounds/2025-07-23-istanbul/edit") | {"action": "publish"}
    published = editor_client.post("/rounds/2025-07-23-istanbul/edit", data=data, follow_redirects=False)
    assert published.status_code == 303
    assert client.get("/rounds/2025-07-23-istanbul").status_code == 200


def test_second_editor_sees_a_conflict_and_keeps_their_work(seeded, editor_client: TestClient) -> None:
    url = f"/rounds/{ROUND_2}/edit"
    first = form_of(editor_client, url) | {"venue": "The first editor's venue", "action": "publish"}
    second = form_of(editor_client, url) | {"summary": "The second editor's summary", "action": "publish"}
    assert editor_client.post(url, data=first, follow_redirects=False).status_code == 303

    conflict = editor_client.post(url, data=second)
    assert conflict.status_code == 409
    soup = page(conflict)
    assert "Someone saved this round while you were editing" in soup.select_one(".conflict").get_text()
    fields = [row.th.get_text(strip=True) for row in soup.select(".conflict tbody tr")]
    assert "Venue" in fields and "Summary" in fields
    assert soup.select_one("#field-summary").get_text() == "The second editor's summary"
    assert soup.select_one("input[name=version]")["value"] == "2"

    merged = form_of_response(soup) | {"venue": "The first editor's venue", "action": "publish"}
    assert editor_client.post(url, data=merged, follow_redirects=False).status_code == 303
    public = page(editor_client.get(f"/rounds/{ROUND_2}"))
    assert "The first editor's venue" in public.get_text() and "The second editor's summary" in public.get_text()


def form_of_response(soup: BeautifulSoup) -> dict[str, str | list[str]]:
    data: dict[str, str | list[str]] = {}
    for field in soup.select("form.edit-form input, form.edit-form textarea, form.edit-form select"):
        name = field.get("name")
        if not name:
            continue
        if field.get("type") == "checkbox":
            if field.has_attr("checked"):
                data.setdefault(name, []).append(field["value"])  # type: ignore[union-attr]
        elif field.name == "textarea":
            data[name] = field.get_text()
        elif field.name == "select":
            chosen = field.select_one("option[selected]") or field.select_one("option")
            data[name] = chosen["value"] if chosen else ""
        elif name != "source":
            data[name] = field.get("value", "")
    return data


def test_history_compares_and_restores(seeded, editor_client: TestClient) -> None:
    url = f"/rounds/{ROUND_2}/edit"
    data = form_of(editor_client, url) | {"venue": "Ciragan", "edit_summary": "spelling", "action": "publish"}
    editor_client.post(url, data=data)
    soup = page(editor_client.get(f"/rounds/{ROUND_2}/history"))
    rows = soup.select("table.revisions tbody tr")
    assert [r.select("td")[3].get_text(strip=True) for r in rows] == ["Update"]
    assert rows[0].select("td")[6].get_text(strip=True) == "spelling"


def test_a_hostile_string_is_shown_as_text(seeded, editor_client: TestClient, client: TestClient) -> None:
    token = csrf(editor_client, "/rounds/new")
    values = new_round(csrf_token=token, venue=HOSTILE, summary=HOSTILE, city=HOSTILE[:120], date_note=HOSTILE)
    assert editor_client.post("/rounds/new", data=values, follow_redirects=False).status_code == 303
    for url in ["/rounds/2025-07-23-istanbul", "/", "/compare?as_of=2025-07-23-istanbul", "/feed.atom"]:
        body = client.get(url).text
        assert "<script>alert" not in body and "<img src=x" not in body, url
    assert "&lt;script&gt;" in client.get("/rounds/2025-07-23-istanbul").text


def test_delete_is_undone_by_an_admin(seeded, editor_client: TestClient, admin_client: TestClient) -> None:
    token = csrf(editor_client, f"/rounds/{ROUND_2}/edit")
    gone = editor_client.post(f"/rounds/{ROUND_2}/delete", data={"csrf_token": token}, follow_redirects=False)
    assert gone.status_code == 303
    assert editor_client.get(f"/rounds/{ROUND_2}").status_code == 404
    assert editor_client.get("/admin/deleted").status_code == 403
    listing = page(admin_client.get("/admin/deleted"))
    action = listing.select_one("ul.deletions form")["action"]
    assert re.fullmatch(r"/admin/deleted/\d+/restore", action)
    token = csrf(admin_client, "/admin/deleted")
    assert admin_client.post(action, data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert admin_client.get(f"/rounds/{ROUND_2}").status_code == 200


@pytest.mark.parametrize("url", ["/rounds/new", f"/rounds/{ROUND_2}/edit", f"/rounds/{ROUND_2}/history", "/drafts"])
def test_editing_pages_are_never_cached_publicly(seeded, editor_client: TestClient, url: str) -> None:
    response = editor_client.get(url)
    assert response.status_code == 200
    assert "no-store" in response.headers["cache-control"] and "etag" not in response.headers


def test_editors_find_edit_links_and_readers_do_not(seeded, editor_client: TestClient, client: TestClient) -> None:
    edit = page(editor_client.get(f"/rounds/{ROUND_2}"))
    assert [a["href"] for a in edit.select_one(".edit-links").select("a")] == [
        f"/rounds/{ROUND_2}/edit",
        f"/rounds/{ROUND_2}/history",
    ]
    assert "/rounds/new" in [a["href"] for a in page(editor_client.get("/")).select(".edit-links a")]
    assert page(client.get(f"/rounds/{ROUND_2}")).select(".edit-links") == []
    assert page(client.get("/")).select(".edit-links") == []


@pytest.mark.parametrize(
    ("url", "link", "lands"),
    [
        ("/parties/turkey", "Edit this party", r"/edit/parties/\d+"),
        ("/people/rustem-umerov", "Edit this person", r"/edit/people/\d+"),
        ("/topics/territory", "Edit this topic", r"/edit/topics/\d+"),
        (f"/rounds/{ROUND_2}", "Edit this outcome", r"/edit/outcomes/\d+"),
        ("/compare", "Edit this position", r"/edit/positions/\d+"),
        ("/negotiations/russia-ukraine-istanbul-2025", "Edit this negotiation", r"/edit/negotiations/\d+"),
    ],
)
def test_every_editable_thing_has_an_edit_link_for_editors(
    seeded, editor_client: TestClient, client: TestClient, url: str, link: str, lands: str
) -> None:
    anchors = [a for a in page(editor_client.get(url)).select("main a") if a.get_text(" ", strip=True) == link]
    assert anchors, f"no '{link}' on {url}"
    target = editor_client.get(anchors[0]["href"])
    assert target.status_code == 200 and re.fullmatch(lands, target.url.path)
    assert not [a for a in page(client.get(url)).select("main a") if a.get_text(" ", strip=True) == link]
