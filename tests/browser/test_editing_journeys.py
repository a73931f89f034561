"""Editors' journeys in real Chromium: entering a round from the seed article into an empty record,
two editors in conflict, an invalid submit that keeps what was typed, and hostile text shown as text.

Tests that write to the record get a server of their own (see ``Site``), so the shared live server
keeps the bundled record the reading tests expect; the invalid submit saves nothing and uses it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlmodel import Session, SQLModel

from app.db import make_engine, session_scope
from app.models import Role, User
from app.transfer import seed_record
from tests.accounts_fixtures import make_user

from .conftest import DESKTOP, serve
from .test_login import sign_in_through_the_form
from .test_reading_journeys import MARK, MARKED

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page, Response

ROUND = "2025-06-02-istanbul"
NEGOTIATION = "Russia–Ukraine talks, Istanbul 2025"
SEED_ARTICLE = {
    "url": "https://www.thenews.com.pk/",
    "publisher": "The News",
    "title": "Ukrainian Attack on Bombers Undermines Truce Talks in Turkey",
}
SEED_SUMMARY = (
    "The second round of Ukraine-Russia peace talks in Istanbul lasted under an hour, overshadowed by Ukrainian "
    "drone strikes on Russian bombers. Despite a tense atmosphere, the talks resulted in an agreement for a new "
    "prisoner exchange and plans for future discussions."
)
HOSTILE = '<script>window.__pwned=1</script>"><img src=x onerror="window.__pwned=2">'


# ---------------------------------------------------------------- servers of their own


@dataclass(frozen=True)
class Site:
    """A Parley server on a database of its own."""

    base_url: str
    database_url: str

    def add_editor(self, name: str) -> User:
        engine = make_engine(self.database_url)
        try:
            return make_user(engine, email=f"{uuid.uuid4().hex[:8]}@example.org", name=name, role=Role.editor)
        finally:
            engine.dispose()


def _site(folder: Path, *, seeded: bool) -> Iterator[Site]:
    database_url = f"sqlite:///{folder / 'parley.db'}"
    engine = make_engine(database_url)
    SQLModel.metadata.create_all(engine)
    if seeded:
        with session_scope(engine) as session:
            seed_record(session=session)
    engine.dispose()
    with serve(database_url, folder / "data") as base_url:
        yield Site(base_url, database_url)


@pytest.fixture
def empty_site(tmp_path: Path) -> Iterator[Site]:
    """Parley on a migrated database holding nothing at all."""
    yield from _site(tmp_path, seeded=False)


@pytest.fixture
def seeded_site(tmp_path: Path) -> Iterator[Site]:
    """Parley on a private copy of the bundled record, free to change."""
    yield from _site(tmp_path, seeded=True)


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """``open_page(base_url, **context_options)``: a page in a new browser context, with no cookies."""
    from playwright.sync_api import BrowserContext

    contexts: list[BrowserContext] = []

    def open_(base_url: str, **options: Any) -> Page:
        context = browser.new_context(base_url=base_url, locale="en-US", **{**DESKTOP, **options})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def live_editor(live_database_url: str) -> Iterator[User]:
    """An editor in the shared live server's database, removed again after the test."""
    engine = make_engine(live_database_url)
    user = make_user(engine, email=f"editor-{uuid.uuid4().hex[:8]}@example.org", name="Live Editor")
    yield user
    with Session(engine) as session:
        row = session.get(User, user.id)
        if row is not None:
            session.delete(row)
            session.commit()
    engine.dispose()


# ---------------------------------------------------------------- what an editor does


def sign_in(page: Page, user: User) -> None:
    from playwright.sync_api import expect

    page.goto("/login")
    sign_in_through_the_form(page, user)
    expect(page.locator(".account")).to_contain_text(f"Signed in as {user.name}")


def form_problems(page: Page) -> str:
    problems = page.locator(".form-problems, .field-error:not(:empty)")
    return "; ".join(t.strip() for t in problems.all_inner_texts()) or "(no problems shown)"


@contextmanager
def new_document(page: Page) -> Iterator[None]:
    """Wait, after the block, until a new document has replaced this one and loaded.

    Waiting for "a navigation" is not enough: htmx's live validation, run as a field loses focus to the
    button pressed, updates the history in place, which Playwright also counts as a navigation.
    """
    page.evaluate("window.__oldDocument = true")
    yield
    page.wait_for_function("window.__oldDocument === undefined")
    page.wait_for_load_state()


def submit(page: Page, button: str, status: int = 200) -> Response:
    """Press a form's submit button and wait for the page it leads to; fail unless it answers ``status``."""
    where = page.url

    def final_answer(response: Response) -> bool:
        request = response.request
        return request.is_navigation_request() and request.frame == page.main_frame and not 300 <= response.status < 400

    with new_document(page), page.expect_response(final_answer) as answered:
        page.get_by_role("button", name=button, exact=True).click()
    response = answered.value
    assert response.status == status, (
        f"pressing {button!r} on {where} answered {response.status} at {page.url}, expected {status}: "
        + form_problems(page)
    )
    return response


def datalist_value(page: Page, list_id: str, containing: str) -> str:
    """The value of the one option of a <datalist> whose value or text contains ``containing``."""
    values = page.evaluate(
        """([id, text]) => Array.from(document.querySelectorAll(`#${id} option`))
            .filter(o => (o.value + ' ' + o.textContent).includes(text)).map(o => o.value)""",
        [list_id, containing],
    )
    assert len(values) == 1, f"expected one option containing {containing!r} in #{list_id}, found {values}"
    return str(values[0])


def pick_source(page: Page, typed: str) -> str:
    """Type part of a source into the picker (it asks the server for suggestions), then choose the one that matches."""
    picker = page.locator("#field-source-search")
    with page.expect_response(re.compile(r"/search/sources\?")):
        picker.press_sequentially(typed)
    label = datalist_value(page, "sources-list", typed)
    assert re.fullmatch(r".+ — .+ \[#\d+\]", label), f"a source suggestion reads {label!r}"
    picker.fill(label)
    return label


def add_new_source(page: Page, url: str, publisher: str, title: str, standpoint: str = "") -> None:
    """Create a source from inside a form, with "Add a source that is not in the record yet"."""
    from playwright.sync_api import expect

    page.get_by_text("Add a source that is not in the record yet").click()
    page.fill("#field-new_source_url", url)
    page.fill("#field-new_source_publisher", publisher)
    page.fill("#field-new_source_title", title)
    page.fill("#field-new_source_standpoint", standpoint)
    submit(page, "Add this source and attach it")
    expect(page.locator(".notice")).to_contain_text(f"Added and attached {publisher}")
    expect(page.locator(".chosen-sources")).to_contain_text(publisher)


def fill_record(page: Page, values: dict[str, str]) -> None:
    """Fill a form's fields by name: <select>s by the option's visible label, boxes by ticking, the rest typed."""
    for name, value in values.items():
        field = page.locator(f"#field-{name}")
        kind = field.evaluate("e => e.tagName === 'SELECT' ? 'select' : e.type")
        if kind == "select":
            labels = [t.strip() for t in field.locator("option").all_inner_texts()]
            assert value in labels, f"#field-{name} offers no {value!r} to choose; its options read {labels}"
            field.select_option(label=value)
        elif kind == "checkbox":
            field.set_checked(value == "true")
        else:
            field.fill(value)


def create_record(page: Page, path: str, values: dict[str, str], button: str = "Save") -> str:
    """Open a /edit/…/new form, fill it, save it; return the URL it lands on."""
    page.goto(path)
    fill_record(page, values)
    submit(page, button)
    return page.url


def follow(page: Page, link: str) -> None:
    with new_document(page):
        page.get_by_role("link", name=link, exact=True).click()


def on_round(page: Page, kind: str) -> Locator:
    """The links to the records of one kind listed on a round's edit page."""
    return page.locator(f"section[aria-labelledby='on-round-{kind}'] li a")


# ---------------------------------------------------------------- journey 1


PARTIES = [
    {"slug": "ukraine", "name": "Ukraine", "short_name": "Ukraine", "colour": "#1c7ed6"},
    {"slug": "russia", "name": "Russia", "short_name": "Russia", "colour": "#e03131"},
    {"slug": "turkey", "name": "Turkey", "short_name": "Turkey", "colour": "#0f7a8a"},
]
PEOPLE = [
    {"slug": "rustem-umerov", "name": "Rustem Umerov", "party_id": "Ukraine", "title": "Defence Minister"},
    {"slug": "vladimir-medinsky", "name": "Vladimir Medinsky", "party_id": "Russia", "title": "Presidential aide"},
    {"slug": "hakan-fidan", "name": "Hakan Fidan", "party_id": "Turkey", "title": "Foreign Minister"},
]


def test_an_editor_enters_the_second_istanbul_round_into_an_empty_record(
    empty_site: Site, open_page: Callable[..., Page]
) -> None:
    from playwright.sync_api import expect

    editor = empty_site.add_editor("Erin Editor")
    page = open_page(empty_site.base_url)
    sign_in(page, editor)

    # Who takes part.
    for fields in PARTIES:
        landed = create_record(page, "/edit/parties/new", fields)
        assert re.search(r"/edit/parties/\d+\?saved=1$", landed), f"saving party {fields['name']} landed on {landed}"
        expect(page.locator(".notice")).to_have_text("Saved.")
    people: dict[str, str] = {}  # name: the person's edit page
    for fields in PEOPLE:
        people[fields["name"]] = create_record(page, "/edit/people/new", fields)
        expect(page.locator(".notice")).to_have_text("Saved.")

    # The negotiation, and each party's role in it.
    negotiation = create_record(
        page,
        "/edit/negotiations/new",
        {"slug": "russia-ukraine-istanbul-2025", "title": NEGOTIATION, "description": "Direct talks in Istanbul."},
    )
    for party, role in (("Ukraine", "negotiating party"), ("Russia", "negotiating party"), ("Turkey", "host")):
        page.goto(negotiation)
        follow(page, "Add a party")
        expect(page.locator("#field-negotiation_id")).to_have_value(re.compile(r"\d+"))
        fill_record(page, {"party_id": party, "role": role})
        submit(page, "Save")
    page.goto(negotiation)
    expect(page.locator("section[aria-labelledby='children-heading'] li")).to_have_count(3)

    create_record(page, "/edit/topics/new", {"slug": "reparations", "name": "Reparations"})

    # The round, with the seed article created from inside its form.
    page.goto("/rounds/new")
    fill_record(
        page,
        {
            "negotiation": NEGOTIATION,
            "sequence": "2",
            "slug": ROUND,
            "status": "Held",
            "date": "2025-06-02",
            "city": "Istanbul",
            "venue": "Çırağan Palace",
            "host": "Turkey",
            "summary": SEED_SUMMARY,
        },
    )
    page.fill("#field-chair", datalist_value(page, "people-list", "Hakan Fidan"))
    add_new_source(page, **SEED_ARTICLE)
    # What was typed before adding the source is still there.
    expect(page.locator("#field-venue")).to_have_value("Çırağan Palace")
    expect(page.locator("#field-chair")).to_have_value("hakan-fidan")
    submit(page, "Publish")
    expect(page).to_have_url(re.compile(rf"/rounds/{ROUND}$"))
    follow(page, "Edit this round")
    round_edit = page.url
    assert round_edit.endswith(f"/rounds/{ROUND}/edit"), round_edit

    # Delegations, each with its head.
    for party, head in (("Ukraine", "Rustem Umerov"), ("Russia", "Vladimir Medinsky")):
        page.goto(round_edit)
        follow(page, "Add a delegation")
        fill_record(page, {"party_id": party})
        submit(page, "Save")
        assert page.url == round_edit, f"saving {party}'s delegation landed on {page.url}"
        with new_document(page):
            on_round(page, "delegations").last.click()  # listed in the order they were added
        expect(page.get_by_role("heading", level=1)).to_contain_text("Edit delegation")
        expect(page.locator("#field-party_id option:checked")).to_have_text(party)
        # Members are added in place: only the members block is swapped.
        page.evaluate(MARK)
        members = page.locator("#members")
        members.get_by_label("Person").fill(datalist_value(page, "member-people", head))
        members.get_by_label("Head of the delegation").check()
        with page.expect_response(re.compile(r"/delegations/\d+/members$")) as added:
            members.get_by_role("button", name="Add member").click()
        assert added.value.status == 200, f"adding {head} answered {added.value.status}"
        expect(page.locator("#members li")).to_have_text([re.compile(rf"^{head} \(head\)")])
        assert page.evaluate(MARKED), "adding a member reloaded the page instead of swapping the members in place"

    # An outcome, sourced.
    page.goto(round_edit)
    follow(page, "Add an outcome")
    fill_record(
        page,
        {
            "kind": "prisoner exchange",
            "title": "New prisoner exchange",
            "description": "Prioritising the severely wounded and younger prisoners.",
            "status": "agreed",
        },
    )
    pick_source(page, "The News")
    submit(page, "Publish")
    assert page.url == round_edit, f"publishing the outcome landed on {page.url}"
    expect(on_round(page, "outcomes")).to_have_text(["New prisoner exchange"])

    # Both sides' positions on reparations: Ukraine's from the seed article, Russia's from its memorandum.
    positions = [
        ("Ukraine", "Reparations to be paid by Russia", "The News", None),
        ("Russia", "Both sides renounce claims for war damage", "TASS", "https://tass.com/politics/1967401"),
    ]
    for party, summary, publisher, new_url in positions:
        page.goto(round_edit)
        follow(page, "Add a position")
        fill_record(
            page, {"negotiation_id": NEGOTIATION, "party_id": party, "topic_id": "Reparations", "summary": summary}
        )
        if new_url:
            add_new_source(page, new_url, publisher, "Russian memorandum", "Russian state news agency")
        else:
            pick_source(page, publisher)
        submit(page, "Publish")
        assert page.url == round_edit, f"publishing {party}'s position landed on {page.url}"
    expect(on_round(page, "positions")).to_have_text([p[1] for p in positions])

    # A reader, never signed in, sees all of it.
    reader = open_page(empty_site.base_url)
    reader.goto(f"/rounds/{ROUND}")
    expect(reader.locator("h1")).to_contain_text("Round 2 · Istanbul")
    expect(reader.locator(".facts-round")).to_contain_text("Çırağan Palace, Istanbul")
    expect(reader.locator(".facts-round")).to_contain_text("Hakan Fidan, Foreign Minister")
    expect(reader.locator(".status-line a.cite")).to_have_count(1)  # the round's own source
    for party, head in (("ukraine", "Rustem Umerov"), ("russia", "Vladimir Medinsky")):
        delegation = reader.locator(".delegation", has=reader.locator(f"#delegation-{party}"))
        expect(delegation.locator(".head")).to_have_text(f"Led by {head}")
    expect(reader.locator(".outcome-list")).to_contain_text("New prisoner exchange")
    expect(reader.locator(".outcome-list")).to_contain_text("Agreed")
    ukraine = reader.get_by_role("article", name="Ukraine on Reparations")
    expect(ukraine).to_contain_text("Reparations to be paid by Russia")
    cite = ukraine.locator("a.cite")
    expect(cite).to_have_text(re.compile(r"^\[\d+\]$"))
    footnote = cite.get_attribute("href") or ""
    assert re.fullmatch(r"#source-\d+", footnote), f"Ukraine's position cites {footnote!r}"
    expect(reader.locator(footnote)).to_contain_text("The News")
    expect(reader.locator(footnote)).to_contain_text(SEED_ARTICLE["title"])
    expect(reader.get_by_role("article", name="Russia on Reparations")).to_contain_text("renounce claims")

    reader.goto("/compare")
    expect(reader.locator("#topic-reparations td[data-party='Ukraine']")).to_contain_text(
        "Reparations to be paid by Russia"
    )
    expect(reader.locator("#topic-reparations td[data-party='Russia']")).to_contain_text("renounce claims")
    expect(reader.locator(".sources")).to_contain_text("The News")

    reader.goto("/")
    entry = reader.locator(f"#round-{ROUND}")
    expect(entry.locator(".entry-title")).to_have_text("Round 2 · Istanbul")
    expect(entry).to_contain_text("Rustem Umerov")
    expect(entry).to_contain_text("New prisoner exchange")

    # Back in the editor's pages, people go by their names, not by their offices.
    page.goto(round_edit)
    follow(page, "Add a position")
    speakers = [t.strip() for t in page.locator("#field-speaker_id option").all_inner_texts()]
    assert set(people) <= set(speakers), f"the position form's Speaker list reads {speakers}, not the people's names"
    for name, address in people.items():
        page.goto(address)
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Edit person: {name}")


# ---------------------------------------------------------------- journey 2


def test_two_editors_save_the_same_round_and_neither_loses_their_work(
    seeded_site: Site, open_page: Callable[..., Page]
) -> None:
    from playwright.sync_api import expect

    venue = "Çırağan Palace, Beşiktaş"
    summary = "Rewritten by the second editor: a new prisoner exchange was agreed in under an hour."
    a = open_page(seeded_site.base_url)
    b = open_page(seeded_site.base_url)
    sign_in(a, seeded_site.add_editor("Editor A"))
    sign_in(b, seeded_site.add_editor("Editor B"))
    for page in (a, b):
        page.goto(f"/rounds/{ROUND}/edit")
        expect(page.locator("#field-venue")).to_have_value("Çırağan Palace")

    a.fill("#field-venue", venue)
    submit(a, "Publish changes")
    expect(a).to_have_url(re.compile(rf"/rounds/{ROUND}$"))

    b.fill("#field-summary", summary)
    submit(b, "Publish changes", status=409)
    conflict = b.locator("section.conflict")
    expect(conflict.get_by_role("heading")).to_have_text("Someone saved this round while you were editing")
    expect(b.locator("#field-summary")).to_have_value(summary)
    venue_row = conflict.locator("tr", has=b.get_by_role("rowheader", name="Venue", exact=True))
    expect(venue_row.locator("td").first).to_have_text(venue)  # the saved version, A's
    expect(venue_row.locator("td").last).to_have_text("Çırağan Palace")  # B's, from before A saved

    # B merges: takes A's venue from the saved version, keeps their own summary.
    b.fill("#field-venue", venue_row.locator("td").first.inner_text())
    submit(b, "Publish changes")
    expect(b).to_have_url(re.compile(rf"/rounds/{ROUND}$"))

    reader = open_page(seeded_site.base_url)
    reader.goto(f"/rounds/{ROUND}")
    expect(reader.locator(".facts-round")).to_contain_text(f"{venue}, Istanbul")
    expect(reader.get_by_role("region", name="Summary")).to_have_text(re.compile(re.escape(summary)))

    b.goto(f"/rounds/{ROUND}/history")
    editors = [t.strip() for t in b.locator("table.revisions tbody tr td:nth-child(5)").all_inner_texts()]
    assert editors[:2] == ["Editor B", "Editor A"], f"the newest revisions are by {editors[:2]}"


# ---------------------------------------------------------------- journey 3


def type_date(field: Locator, iso: str) -> None:
    """Type a date as an editor would: into a browser date picker (en-US: month, day, year) or a text box."""
    if field.get_attribute("type") == "date":
        year, month, day = iso.split("-")
        field.focus()
        field.press_sequentially(month + day + year)
    else:
        field.fill(iso)


def test_an_invalid_round_comes_back_with_everything_typed(
    live_server: str, live_editor: User, open_page: Callable[..., Page]
) -> None:
    from playwright.sync_api import expect

    page = open_page(live_server)
    sign_in(page, live_editor)
    page.goto("/rounds/new")

    # Leaving the duration box checks it on the server, in place.
    page.evaluate(MARK)
    duration = page.locator("#field-duration_minutes")
    duration.fill("-3")
    with page.expect_response(re.compile(r"/rounds/validate/duration_minutes$")) as checked:
        duration.press("Tab")
    assert checked.value.status == 200
    expect(page.locator("#error-duration_minutes")).to_have_text("must not be negative")
    assert page.evaluate(MARKED), "leaving the field reloaded the page instead of checking it in place"
    assert page.url.endswith("/rounds/new")

    typed = {
        "negotiation": NEGOTIATION,
        "sequence": "5",
        "slug": "2025-07-15-geneva",
        "status": "Planned",
        "date_note": "mid-July, per the host",
        "start_time": "13:00",
        "timezone": "Europe/Zurich",
        "city": "Geneva",
        "venue": "Palais des Nations",
        "host": "Turkey",
        "delay_minutes": "90",
        "summary": "A third round was proposed.\n\nBoth sides would send new delegations.",
        "atmosphere": "Cautious",
        "edit_summary": "Entered from the announcement",
    }
    fill_record(page, typed)
    chair = datalist_value(page, "people-list", "Hakan Fidan")
    page.fill("#field-chair", chair)
    source = pick_source(page, "The News")
    date = page.locator("#field-date")
    type_date(date, "2025-02-30")
    sent_date = date.input_value()  # what the form will send for it

    submit(page, "Publish", status=422)
    expect(page.locator(".form-problems")).to_contain_text("to fix before saving")
    expect(page.locator("#error-duration_minutes")).to_have_text("must not be negative")
    expect(page.locator("#field-duration_minutes")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#field-duration_minutes")).to_have_value("-3")
    for name, value in typed.items():
        field = page.locator(f"#field-{name}")
        if field.evaluate("e => e.tagName") == "SELECT":
            expect(field.locator("option:checked"), f"the {name} chosen").to_have_text(value)
        else:
            expect(field, f"what was typed in {name}").to_have_value(value)
    expect(page.locator("#field-chair")).to_have_value(chair)
    source_id = re.search(r"\[#(\d+)\]$", source)
    assert source_id
    expect(page.locator(f".chosen-sources input[name=source][value='{source_id[1]}']")).to_be_checked()
    assert page.request.get("/rounds/2025-07-15-geneva").status == 404, "the refused round was saved all the same"

    # Putting the duration right clears its error, again without a page load.
    page.evaluate(MARK)
    with page.expect_response(re.compile(r"/rounds/validate/duration_minutes$")):
        duration.fill("45")
        duration.press("Tab")
    expect(page.locator("#error-duration_minutes")).to_be_empty()
    assert page.evaluate(MARKED), "leaving the field reloaded the page instead of checking it in place"

    # The impossible date: the editor must be told, and still see what they typed.
    typed_date = f"30 February 2025 was typed into the date box, which sent date={sent_date!r}"
    expect(page.locator("#error-date"), f"{typed_date}, and no error says it does not exist").to_contain_text(
        "not a date that exists"
    )
    expect(date, f"{typed_date}; it is no longer in the form").to_have_value("2025-02-30")


# ---------------------------------------------------------------- journey 4


def assert_shown_as_text(page: Page, where: str, *texts: str) -> None:
    """Nothing typed ran or became markup; every string in ``texts`` is in the page's visible text."""
    pwned = page.evaluate("typeof window.__pwned === 'undefined' ? null : String(window.__pwned)")
    assert pwned is None, f"{where}: the hostile string ran as script (window.__pwned = {pwned})"
    assert page.locator("img[src='x']").count() == 0, f"{where}: the hostile string became an <img> element"
    injected = page.evaluate("Array.from(document.scripts).some(s => s.textContent.includes('__pwned'))")
    assert not injected, f"{where}: the hostile string became a <script> element"
    text = page.locator("body").inner_text()
    assert "<script>" in text, f"{where}: the literal text <script> is not shown"
    missing = [t for t in texts if t not in text]
    assert not missing, f"{where}: not shown as typed: {missing}"


def test_hostile_text_in_every_field_of_a_round_is_shown_as_text(
    seeded_site: Site, open_page: Callable[..., Page]
) -> None:
    from playwright.sync_api import expect

    hostile = {
        name: f"{name}: {HOSTILE}" for name in ("date_note", "city", "venue", "summary", "atmosphere", "edit_summary")
    }
    source = {
        "url": 'https://example.org/a"><img/src=x/onerror=window.__pwned=3>',
        "publisher": f"publisher: {HOSTILE}",
        "title": f"title: {HOSTILE}",
        "standpoint": f"standpoint: {HOSTILE}",
    }
    slug = "2025-07-14-istanbul"
    editor = seeded_site.add_editor("Erin Editor")
    page = open_page(seeded_site.base_url)
    sign_in(page, editor)

    page.goto("/rounds/new")
    fill_record(
        page,
        {"negotiation": NEGOTIATION, "sequence": "4", "slug": slug, "status": "Held", "date": "2025-07-14"},
    )
    fill_record(page, {**hostile, "summary": "A draft, for now."})
    page.fill("#field-chair", f"chair: {HOSTILE}")
    add_new_source(page, **source)
    assert_shown_as_text(page, "the round form after adding a source", source["publisher"], source["title"])

    # The chair must be someone in the record: the error repeats what was typed, as text.
    submit(page, "Save as draft", status=422)
    expect(page.locator("#error-chair")).to_contain_text(HOSTILE)
    assert_shown_as_text(page, "the round form refused", f"chair: {HOSTILE}")
    for name, value in {**hostile, "summary": "A draft, for now."}.items():
        expect(page.locator(f"#field-{name}"), f"{name} after a refused save").to_have_value(value)
    page.fill("#field-chair", datalist_value(page, "people-list", "Hakan Fidan"))
    submit(page, "Save as draft")
    expect(page).to_have_url(re.compile(rf"/rounds/{slug}/edit\?saved=draft$"))

    # Published with the hostile summary, so the history has words to compare.
    page.fill("#field-summary", hostile["summary"])
    page.fill("#field-edit_summary", hostile["edit_summary"])
    submit(page, "Publish")
    expect(page).to_have_url(re.compile(rf"/rounds/{slug}$"))

    # A position stated there, so that the comparison as of this round shows the hostile source.
    follow(page, "Edit this round")
    follow(page, "Add a position")
    fill_record(
        page,
        {
            "negotiation_id": NEGOTIATION,
            "party_id": "Ukraine",
            "topic_id": "Reparations",
            "stated_in": f"stated in: {HOSTILE}",
            "summary": f"position: {HOSTILE}",
            "text": f"text: {HOSTILE}",
            "quote": f"quote: {HOSTILE}",
        },
    )
    page.fill("#field-source-search", datalist_value(page, "sources-list", "publisher: <script>"))
    submit(page, "Publish")
    assert page.url.endswith(f"/rounds/{slug}/edit"), f"publishing the position landed on {page.url}"

    # The edit form: every value back in its field, untouched.
    assert_shown_as_text(page, "the round's edit form", f"position: {HOSTILE}")
    for name, value in {**hostile, "edit_summary": ""}.items():
        expect(page.locator(f"#field-{name}"), f"{name} in the edit form").to_have_value(value)

    # The history, and the comparison of its two revisions.
    page.goto(f"/rounds/{slug}/history")
    assert_shown_as_text(page, "the round's history", hostile["city"], hostile["edit_summary"])
    submit(page, "Compare the chosen revisions")
    expect(page.locator("table.changes")).to_contain_text(HOSTILE)
    assert_shown_as_text(page, "the comparison of two revisions", hostile["summary"])

    # What readers see.
    reader = open_page(seeded_site.base_url)
    reader.goto(f"/rounds/{slug}")
    assert_shown_as_text(
        reader,
        "the public round page",
        *(hostile[n] for n in ("date_note", "city", "venue", "summary", "atmosphere")),
        source["publisher"],
        source["title"],
        source["standpoint"],
        f"position: {HOSTILE}",
        f"stated in: {HOSTILE}",
    )
    assert hostile["city"] in reader.title(), f"the page title reads {reader.title()!r}"
    cite = reader.locator("a.cite").first
    expect(cite).to_have_attribute("title", re.compile(re.escape(source["publisher"])))

    reader.goto("/")
    entry = reader.locator(f"#round-{slug}")
    expect(entry).to_be_visible()
    assert_shown_as_text(reader, "the timeline", hostile["city"], hostile["venue"], hostile["date_note"])

    reader.goto(f"/rounds/{slug}")
    follow(reader, "Compare all positions as of this round")
    expect(reader).to_have_url(re.compile(rf"as_of={slug}"))
    assert_shown_as_text(reader, "the comparison as of the round", f"position: {HOSTILE}", source["publisher"])
