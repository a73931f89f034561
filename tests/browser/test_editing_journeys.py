"""Editors' journeys in real Chromium, through the composer: a complete round entered into the bundled
record in few submissions, a first round entered into an empty record without typing an address, two
editors merging and conflicting, two authors' drafts on one record, a changed address, a field
reverted, the pickers from the keyboard, the composer without JavaScript, and hostile text shown as text.
Each asserts what readers then see: the round page, the comparison, the feed and a widget.

Tests that write to the record get a server of their own (see ``Site``), so the shared live server
keeps the bundled record the reading tests expect.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

import pytest
from sqlmodel import SQLModel

from app.core.db import make_engine, session_scope
from app.record.models import Role, User
from app.record.transfer import seed_record
from tests.accounts_fixtures import make_user

from .conftest import DESKTOP, PHONE, serve
from .test_accessibility import assert_no_sideways_scrolling
from .test_login import sign_in_through_the_form

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

    from .conftest import Axe

ROUND_2 = "2025-06-02-istanbul"
HOSTILE = '<script>window.__pwned=1</script>"><img src=x onerror="window.__pwned=2">'
# Issue 11: a complete round through the composer in at most this many form submissions.
MOST_SUBMISSIONS = 15
ATOM = "{http://www.w3.org/2005/Atom}"


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
    yield from _site(tmp_path, seeded=False)


@pytest.fixture
def seeded_site(tmp_path: Path) -> Iterator[Site]:
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
    from sqlmodel import Session

    engine = make_engine(live_database_url)
    user = make_user(engine, email=f"editor-{uuid.uuid4().hex[:8]}@example.org", name="Live Editor")
    yield user
    with Session(engine) as session:
        row = session.get(User, user.id)
        if row is not None:
            session.delete(row)
            session.commit()
    engine.dispose()


# ---------------------------------------------------------------- an editor at the composer


def sign_in(page: Page, user: User) -> None:
    from playwright.sync_api import expect

    page.goto("/login")
    sign_in_through_the_form(page, user)
    expect(page.locator(".account")).to_contain_text(f"Signed in as {user.name}")


def _submitted(request: Any) -> bool:
    # A field checked as it is left (action=check) is asked in the background: not a submission.
    return bool(request.method == "POST" and "action=check" not in (request.post_data or ""))


@dataclass
class Composer:
    """Drives the composer in one page, counting every form the editor sends."""

    page: Page
    sent: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("request", lambda r: self.sent.append(r.url) if _submitted(r) else None)

    def pick(self, field_id: str, typed: str, option: str | None = None) -> None:
        """Type into a picker and choose, with the mouse, the option reading ``option`` (or holding ``typed``)."""
        box = self.page.locator(f"#{field_id}")
        box.click()
        box.press_sequentially(typed, delay=15)
        wanted = option or typed
        choice = self.page.locator(f"#{field_id}-listbox [role=option]", has_text=wanted).first
        choice.wait_for()
        choice.click()

    def add_new(self, field_id: str, name: str) -> None:
        """Type a name not in the record and choose to add it as new."""
        self.pick(field_id, name, f"Add “{name}”")

    def open_new(self, section: str, link: str) -> Locator:
        """Open the blank form of a section ("Add an outcome"), in place."""
        self.page.get_by_role("link", name=link, exact=True).click()
        card = self.page.locator(f"#{section}-new")
        card.locator("form").wait_for()
        return card

    def save(self, card: Locator, status: int = 200) -> None:
        """Press the card's Save; it is answered in place (htmx) with the section as it now stands."""
        with self.page.expect_response(lambda r: _submitted(r.request)) as answered:
            card.get_by_role("button", name="Save in my draft").click()
        assert answered.value.status == status, f"saving answered {answered.value.status}: {self.problems()}"
        self.page.wait_for_load_state()

    def save_first(self, card: Locator) -> None:
        """The first save starts the draft and opens it: a new page."""
        with self.page.expect_navigation():
            card.get_by_role("button", name="Save in my draft").click()
        assert "/drafts/" in self.page.url, f"the first save landed on {self.page.url}: {self.problems()}"

    def publish(self) -> None:
        with self.page.expect_navigation():
            self.page.locator("#draft-bar").get_by_role("button", name=re.compile(r"^Publish")).click()

    def problems(self) -> str:
        found = self.page.locator(".form-problems li, .field-error:not(:empty)").all_inner_texts()
        return "; ".join(t.strip() for t in found) or "(no problems shown)"


@dataclass(frozen=True)
class ReadersSee:
    """A round as a new reader finds it (a new browser: a reader's keeps a public page for a minute)."""

    page: str
    widget: str
    feed: str  # the round's entry in the Atom feed

    @classmethod
    def round(cls, open_page: Callable[..., Page], base_url: str, slug: str) -> ReadersSee:
        reader = open_page(base_url)
        reader.goto(f"/rounds/{slug}")
        page = reader.locator("main").inner_text()
        reader.goto(f"/embed/round/{slug}")
        widget = reader.locator("body").inner_text()
        feed = ElementTree.fromstring(reader.request.get("/feed.atom").body())
        entries = [
            " ".join(entry.itertext())
            for entry in feed.iter(f"{ATOM}entry")
            if any(link.get("href", "").endswith(f"/rounds/{slug}") for link in entry.iter(f"{ATOM}link"))
        ]
        assert len(entries) == 1, f"the feed has {len(entries)} entries for {slug}"
        return cls(page, widget, entries[0])


# ---------------------------------------------------------------- a complete round, few submissions


DELEGATIONS = [
    (
        "Ukraine",
        [
            ("Umerov", "Rustem Umerov", "Defence Minister", True),
            ("Kyslytsya", "Sergiy Kyslytsya", "First Deputy Foreign Minister", False),
        ],
        "pravda",
    ),
    (
        "Russia",
        [
            ("Medinsky", "Vladimir Medinsky", "Presidential aide", True),
            ("Galuzin", "Mikhail Galuzin", "Deputy Foreign Minister", False),
        ],
        "tass.com/politics/1989745",
    ),
]
OUTCOMES = [
    (
        "Prisoner exchange",
        "A further exchange of 1,200 prisoners each",
        ["Russia", "Ukraine"],
        ["pravda", "tass.com/politics/1989745"],
    ),
    (
        "Bodies returned",
        "Return of 3,000 bodies to each side",
        ["Russia", "Ukraine"],
        ["censor.net/en/news/3555925", "trtworld"],
    ),
    ("Follow-up talks", "Working groups to meet before August", ["Russia", "Ukraine"], ["pravda", "trtworld"]),
    (
        "Document exchanged",
        "Both sides handed over updated memoranda",
        ["Russia", "Ukraine"],
        ["tass.com/politics/1989745", "censor.net/en/news/3555925"],
    ),
]
POSITIONS = [
    ("Ukraine", "Ceasefire", "An unconditional ceasefire first, then talks on territory", "pravda"),
    ("Russia", "Ceasefire", "A ceasefire only once Ukrainian troops leave four regions", "tass.com/politics/1989745"),
    ("Ukraine", "Deported children", "All deported children to be returned", "censor.net/en/news/3555925"),
]
FIGURES = [
    ("Duration, in minutes", "about 40 minutes", "35", "45", "pravda"),
    ("Duration, in minutes", "less than an hour", "", "59", "tass.com/politics/1989745"),
]


def test_a_complete_round_enters_the_bundled_record_in_few_submissions(
    seeded_site: Site, open_page: Callable[..., Page]
) -> None:
    from playwright.sync_api import expect

    page = open_page(seeded_site.base_url)
    sign_in(page, seeded_site.add_editor("Erin Editor"))
    composer = Composer(page)
    page.goto("/")
    page.get_by_role("link", name="Add a new round").click()

    record = page.locator("#record")
    expect(page.locator("#record-negotiation_id option:checked")).to_have_text("Russia–Ukraine talks, Istanbul 2025")
    expect(page.locator("#record-sequence")).to_have_value("4")
    page.fill("#record-date", "2025-07-23")
    page.fill("#record-city", "Istanbul")
    page.fill("#record-venue", "Çırağan Palace")
    composer.pick("record-host_party_id", "Tur", "Turkey")
    composer.pick("record-chair_id", "Fidan", "Hakan Fidan")
    page.fill("#record-summary", "The third round of direct talks, about forty minutes long.")
    composer.pick("record-sources-pick", "Bombers")
    composer.pick("record-sources-pick", "pravda")
    expect(record.locator(".chosen-sources li")).to_have_count(2)
    composer.save_first(record)

    for party, people, source in DELEGATIONS:
        card = composer.open_new("delegations", "Add a delegation")
        composer.pick("delegations-new-party_id", party[:3], party)
        for index, (typed, name, title, head) in enumerate(people):
            if index:
                card.get_by_role("button", name="Add another person").click()  # in place, without a submission
            composer.pick(f"delegations-new-row-{index}-person_id", typed, name)
            page.fill(f"#delegations-new-row-{index}-title", title)
            if head:
                page.check(f"#delegations-new-row-{index}-is_head")
        composer.pick("delegations-new-sources-pick", source)
        composer.save(card)

    for kind, title, parties, sources in OUTCOMES:
        card = composer.open_new("outcomes", "Add an outcome")
        page.select_option("#outcomes-new-kind", label=kind)
        page.fill("#outcomes-new-title", title)
        page.select_option("#outcomes-new-status", label="Agreed")
        for party in parties:
            card.get_by_label(party, exact=True).check()
        for source in sources:
            composer.pick("outcomes-new-sources-pick", source)
        composer.save(card)

    for party, topic, summary, source in POSITIONS:
        card = composer.open_new("positions", "Add a position")
        composer.pick("positions-new-party_id", party[:3], party)
        composer.pick("positions-new-topic_id", topic.split()[-1][:5], topic)
        page.fill("#positions-new-summary", summary)
        composer.pick("positions-new-sources-pick", source)
        composer.save(card)

    for measure, words, low, high, source in FIGURES:
        card = composer.open_new("reported_figures", "Add a figure")
        page.select_option("#reported_figures-new-measure", label=measure)
        page.fill("#reported_figures-new-as_reported", words)
        page.fill("#reported_figures-new-low", low)
        page.fill("#reported_figures-new-high", high)
        composer.pick("reported_figures-new-sources-pick", source)
        composer.save(card)

    bar = page.locator("#draft-bar")
    expect(bar.locator("h2")).to_have_text("Your draft: 12 changes not yet published")
    composer.publish()
    slug = "2025-07-23-istanbul"
    expect(page).to_have_url(re.compile(rf"/rounds/{slug}\?published=1$"))
    submissions = len(composer.sent)
    assert submissions <= MOST_SUBMISSIONS, f"{submissions} submissions: {composer.sent}"
    assert submissions == 13, f"the README reports 13 submissions; this journey took {submissions}"

    reader = open_page(seeded_site.base_url)
    reader.goto(f"/rounds/{slug}")
    expect(reader.locator("h1")).to_contain_text("Round 4 · Istanbul")
    expect(reader.locator(".facts-round")).to_contain_text("Hakan Fidan")
    for party, people, _ in DELEGATIONS:
        delegation = reader.locator(".delegation", has=reader.locator(f"#delegation-{party.lower()}"))
        expect(delegation.locator(".head")).to_contain_text(f"Led by {people[0][1]}")
        expect(delegation).to_contain_text(people[1][1])
    outcomes = reader.locator(".outcome-list")
    for _, title, _, _ in OUTCOMES:
        expect(outcomes).to_contain_text(title)
    expect(outcomes.locator("a.cite")).to_have_count(8)
    expect(reader.locator(".facts-round")).to_contain_text("sources differ")
    for party, topic, summary, _ in POSITIONS:
        expect(reader.get_by_role("article", name=f"{party} on {topic}")).to_contain_text(summary)

    reader.goto(f"/compare?as_of={slug}")
    expect(reader.locator("#topic-children td[data-party='Ukraine']")).to_contain_text("All deported children")
    feed = reader.request.get("/feed.atom").text()
    assert "Round 4 · Istanbul" in feed and slug in feed
    reader.goto(f"/embed/round/{slug}")
    expect(reader.locator("body")).to_contain_text("A further exchange of 1,200 prisoners each")


# ---------------------------------------------------------------- an empty record, without typing an address


def test_a_first_round_enters_an_empty_record_without_typing_an_address(
    empty_site: Site, open_page: Callable[..., Page]
) -> None:
    from playwright.sync_api import expect

    editor = empty_site.add_editor("Erin Editor")
    page = open_page(empty_site.base_url)
    page.goto("/")  # the only address typed: the site's
    page.get_by_role("link", name="Editor sign-in").click()
    sign_in_through_the_form(page, editor)
    page.get_by_role("link", name="Start the record").click()
    expect(page.locator("h1")).to_have_text("Start the record")
    composer = Composer(page)

    # The negotiation, its parties added as new from inside its form, with their roles.
    page.get_by_role("link", name="Create the negotiation").click()
    page.fill("#record-title", "Russia–Ukraine talks, Istanbul 2025")
    page.fill("#record-description", "Direct talks in Istanbul, hosted by Turkey.")
    for index, (party, role) in enumerate(
        (("Ukraine", "Negotiating party"), ("Russia", "Negotiating party"), ("Turkey", "Host"))
    ):
        if index:
            page.get_by_role("button", name="Add another party").click()
        composer.add_new(f"record-row-{index}-party_id", party)
        page.select_option(f"#record-row-{index}-role", label=role)
    with page.expect_navigation():
        page.get_by_role("button", name="Save and publish").click()
    expect(page.locator("h1")).to_contain_text("Russia–Ukraine talks, Istanbul 2025")

    # Back to the first steps, from the negotiation's (still empty) timeline.
    page.get_by_role("link", name="First steps").click()
    expect(page.locator(".first-steps li.done h2")).to_contain_text(["The negotiation", "The parties"])
    page.get_by_role("link", name="Put the first round on the record").click()

    record = page.locator("#record")
    expect(page.locator("#record-negotiation_id option:checked")).to_have_text("Russia–Ukraine talks, Istanbul 2025")
    expect(page.locator("#record-sequence")).to_have_value("1")
    page.fill("#record-date", "2025-06-02")
    page.fill("#record-city", "Istanbul")
    page.fill("#record-venue", "Çırağan Palace")
    composer.pick("record-host_party_id", "Tur", "Turkey")
    composer.add_new("record-chair_id", "Hakan Fidan")
    page.fill("#record-summary", "The second round lasted under an hour.")
    record.get_by_text("Describe a source not in the library").click()
    page.fill("#record-sources-new-title", "Ukrainian Attack on Bombers Undermines Truce Talks in Turkey")
    page.fill("#record-sources-new-publisher", "The News")
    page.fill("#record-sources-new-published_on", "2025-06-02")
    composer.save_first(record)

    card = composer.open_new("delegations", "Add a delegation")
    composer.pick("delegations-new-party_id", "Ukr", "Ukraine")
    composer.add_new("delegations-new-row-0-person_id", "Rustem Umerov")
    page.fill("#delegations-new-row-0-title", "Defence Minister")
    page.check("#delegations-new-row-0-is_head")
    composer.pick("delegations-new-sources-pick", "Bombers")
    composer.save(card)

    card = composer.open_new("positions", "Add a position")
    composer.pick("positions-new-party_id", "Ukr", "Ukraine")
    composer.add_new("positions-new-topic_id", "Reparations")
    page.fill("#positions-new-summary", "Reparations to be paid by Russia")
    composer.pick("positions-new-sources-pick", "Bombers")
    composer.save(card)
    composer.publish()
    expect(page).to_have_url(re.compile(r"/rounds/2025-06-02-istanbul\?published=1$"))

    reader = open_page(empty_site.base_url)
    reader.goto("/")
    reader.get_by_role("link", name=re.compile("^Round 1")).first.click()
    expect(reader.locator(".facts-round")).to_contain_text("Hakan Fidan")
    expect(reader.locator(".delegation .head")).to_contain_text("Led by Rustem Umerov")
    expect(reader.locator(".sources")).to_contain_text("The News")
    reader.get_by_role("link", name="Compare all positions as of this round").click()
    expect(reader.locator("#topic-reparations td[data-party='Ukraine']")).to_contain_text(
        "Reparations to be paid by Russia"
    )
    assert "Round 1 · Istanbul" in reader.request.get("/feed.atom").text()
    reader.goto("/embed/round/2025-06-02-istanbul")
    expect(reader.locator("body")).to_contain_text("Rustem Umerov")


# ---------------------------------------------------------------- two editors


def open_round_facts(page: Page) -> Locator:
    page.goto("/rounds/2025-06-02-istanbul/edit")
    page.locator("#record").get_by_role("link", name=re.compile("^Edit")).click()
    form = page.locator("#record form")
    form.wait_for()
    return page.locator("#record")


def test_two_editors_changing_different_fields_are_merged_and_the_same_field_is_shown_to_decide(
    seeded_site: Site, open_page: Callable[..., Page]
) -> None:
    from playwright.sync_api import expect

    a, b = open_page(seeded_site.base_url), open_page(seeded_site.base_url)
    sign_in(a, seeded_site.add_editor("Editor A"))
    sign_in(b, seeded_site.add_editor("Editor B"))
    ca, cb = Composer(a), Composer(b)

    card = open_round_facts(a)
    a.fill("#record-atmosphere", "Tense, then businesslike.")
    ca.save_first(card)
    card = open_round_facts(b)
    b.fill("#record-delay_minutes", "110")
    cb.save_first(card)
    cb.publish()
    ca.publish()  # different fields: merged by themselves
    merged = ReadersSee.round(open_page, seeded_site.base_url, ROUND_2)
    assert "Tense, then businesslike." in merged.page
    assert "1 h 50 min" in merged.page and "1 h 50 min" in merged.widget

    card = open_round_facts(a)
    a.fill("#record-summary", "A's account: the talks lasted under an hour.")
    ca.save_first(card)
    card = open_round_facts(b)
    b.fill("#record-summary", "B's account: the talks lasted a little over an hour.")
    cb.save_first(card)
    cb.publish()
    with a.expect_navigation():
        a.locator("#draft-bar").get_by_role("button", name=re.compile("^Publish")).click()
    conflict = a.locator("section.conflict")
    expect(conflict.get_by_role("heading")).to_contain_text("Someone published changes to the same field")
    rows = conflict.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("th")).to_contain_text("Summary")
    expect(rows.first.locator("ins").first).to_be_visible()  # the changed words are marked
    rows.first.get_by_label("Keep mine").check()
    with a.expect_navigation():
        conflict.get_by_role("button", name="Publish with these choices").click()
    chosen = ReadersSee.round(open_page, seeded_site.base_url, ROUND_2)
    for seen in (chosen.page, chosen.widget, chosen.feed):
        assert "A's account" in seen and "B's account" not in seen
    assert "Tense, then businesslike." in chosen.page, "the earlier merge stands"


def test_two_authors_drafts_on_one_round_are_seen_before_anyone_builds_on_them(
    seeded_site: Site, open_page: Callable[..., Page]
) -> None:
    from playwright.sync_api import expect

    a, b = open_page(seeded_site.base_url), open_page(seeded_site.base_url)
    sign_in(a, seeded_site.add_editor("Olena"))
    sign_in(b, seeded_site.add_editor("Taras"))
    card = open_round_facts(a)
    a.fill("#record-summary", "Olena's unreviewed words.")
    Composer(a).save_first(card)

    b.goto("/rounds/2025-06-02-istanbul/edit")
    notice = b.locator(".others-drafts")
    expect(notice).to_contain_text("Olena saved unpublished changes")
    expect(notice.locator("ins", has_text="unreviewed")).to_be_visible()
    # Taras's own change does not carry Olena's with it…
    card = open_round_facts(b)
    expect(b.locator("#record-summary")).not_to_have_value("Olena's unreviewed words.")
    b.fill("#record-delay_minutes", "100")
    cb = Composer(b)
    cb.save_first(card)
    cb.publish()
    before = ReadersSee.round(open_page, seeded_site.base_url, ROUND_2)
    assert "1 h 40 min" in before.page and "1 h 40 min" in before.widget
    for seen in (before.page, before.widget, before.feed):
        assert "Olena's unreviewed words." not in seen
    # …unless he chooses to go on from her draft, having been shown it.
    b.goto("/rounds/2025-06-02-istanbul/edit")
    with b.expect_navigation():
        b.get_by_role("button", name="Go on from Olena’s draft").click()
    expect(b.locator("#draft-bar")).to_contain_text("Summary")
    cb.publish()
    after = ReadersSee.round(open_page, seeded_site.base_url, ROUND_2)
    for seen in (after.page, after.widget, after.feed):
        assert "Olena's unreviewed words." in seen


# ---------------------------------------------------------------- addresses, history


def test_a_changed_address_keeps_the_old_link_working(seeded_site: Site, open_page: Callable[..., Page]) -> None:
    from playwright.sync_api import expect

    page = open_page(seeded_site.base_url)
    sign_in(page, seeded_site.add_editor("Erin Editor"))
    card = open_round_facts(page)
    page.fill("#record-slug", "2025-06-02-ciragan")
    composer = Composer(page)
    composer.save_first(card)
    composer.publish()
    reader = open_page(seeded_site.base_url)
    reader.goto(f"/rounds/{ROUND_2}")
    expect(reader).to_have_url(re.compile(r"/rounds/2025-06-02-ciragan$"))
    expect(reader.locator("h1")).to_contain_text("Round 2")
    reader.goto(f"/embed/round/{ROUND_2}")
    expect(reader).to_have_url(re.compile(r"/embed/round/2025-06-02-ciragan$"))
    reader.goto(f"/embed/compare?as_of={ROUND_2}&theme=dark")  # a publisher's widget, embedded before
    expect(reader).to_have_url(re.compile(r"/embed/compare\?as_of=2025-06-02-ciragan&theme=dark$"))
    expect(reader.locator("body")).to_contain_text("As of round 2, 2 June 2025")
    reader.goto(f"/compare?as_of={ROUND_2}")
    expect(reader).to_have_url(re.compile(r"/compare\?as_of=2025-06-02-ciragan$"))
    assert "/rounds/2025-06-02-ciragan" in reader.request.get("/feed.atom").text()


def test_one_field_is_reverted_after_seeing_what_will_change(seeded_site: Site, open_page: Callable[..., Page]) -> None:
    from playwright.sync_api import expect

    page = open_page(seeded_site.base_url)
    sign_in(page, seeded_site.add_editor("Erin Editor"))
    card = open_round_facts(page)
    original_venue = page.locator("#record-venue").input_value()
    page.fill("#record-venue", "Dolmabahçe Palace")
    page.fill("#record-atmosphere", "Kept after the revert.")
    composer = Composer(page)
    composer.save_first(card)
    composer.publish()

    page.goto("/rounds/2025-06-02-istanbul/history")
    page.get_by_role("button", name="Compare the two chosen versions").click()
    page.get_by_role("link", name=re.compile(r"^Revert venue to version")).click()
    expect(page.locator(".field-changes")).to_contain_text("Venue")
    expect(page.locator(".field-changes del")).to_contain_text("Dolmabahçe")
    with page.expect_navigation():
        page.get_by_role("button", name="Revert this field").click()
    reverted = ReadersSee.round(open_page, seeded_site.base_url, ROUND_2)
    for seen in (reverted.page, reverted.widget):
        assert original_venue in seen and "Dolmabahçe" not in seen
    assert "Kept after the revert." in reverted.page


# ---------------------------------------------------------------- pickers, without JavaScript, on a phone


def test_a_picker_works_from_the_keyboard_and_announces_its_options(
    live_server: str, live_editor: User, open_page: Callable[..., Page], axe: Axe
) -> None:
    from playwright.sync_api import expect

    page = open_page(live_server)
    sign_in(page, live_editor)
    page.goto("/edit/rounds/new")
    chair = page.locator("#record-chair_id")
    expect(chair).to_have_attribute("role", "combobox")
    chair.focus()
    chair.press_sequentially("Umer", delay=20)
    listbox = page.locator("#record-chair_id-listbox")
    expect(listbox.locator("[role=option][data-id]")).to_have_count(1)
    expect(chair).to_have_attribute("aria-expanded", "true")
    axe.assert_no_violations(page, "a picker's options open")
    chair.press("ArrowDown")
    active = chair.get_attribute("aria-activedescendant")
    assert active and page.locator(f"#{active}").get_attribute("aria-selected") == "true"
    chair.press("Enter")
    expect(chair).to_have_value("Rustem Umerov")
    expect(chair).to_have_attribute("aria-expanded", "false")
    expect(page.locator("input[name=chair_id__id]")).to_have_value(re.compile(r"^\d+$"))
    chair.press_sequentially("x")
    expect(page.locator("input[name=chair_id__id]")).to_have_value("")  # typing again forgets the choice
    chair.press("Escape")
    expect(listbox).to_be_hidden()


def test_a_field_is_checked_as_it_is_left_and_nothing_is_kept(
    live_server: str, live_editor: User, open_page: Callable[..., Page], live_database_url: str
) -> None:
    from playwright.sync_api import expect
    from sqlmodel import Session, col, select

    from app.record.models import Draft, Person

    page = open_page(live_server)
    sign_in(page, live_editor)
    page.goto("/edit/rounds/new")
    page.fill("#record-date", "2025-02-30")
    page.press("#record-date", "Tab")
    date_error = page.locator("#record-date-error")
    expect(date_error).to_have_text(re.compile(r"“2025-02-30” is not a date that exists"))
    expect(page.locator("#record-date")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#record-city-error")).to_be_empty()  # not reached yet: nothing said about it

    page.fill("#record-chair_id", "Nobody Atall")
    page.press("#record-chair_id", "Tab")
    expect(page.locator("#record-chair_id-error")).to_have_text(re.compile("No person called “Nobody Atall”"))
    page.fill("#record-date", "2025-07-23")
    page.press("#record-date", "Tab")
    expect(date_error).to_be_empty()  # put right: the error goes
    expect(page.locator("#record-date")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#record-chair_id-error")).not_to_be_empty()  # still wrong, still said
    engine = make_engine(live_database_url)
    with Session(engine) as session:
        assert session.exec(select(Draft).where(col(Draft.author_id) == live_editor.id)).all() == [], "nothing kept"
        assert session.exec(select(Person).where(col(Person.name) == "Nobody Atall")).first() is None
    engine.dispose()


def test_enter_in_a_box_saves_the_form(seeded_site: Site, open_page: Callable[..., Page]) -> None:
    """Not the "add this source" button further down the form, which is the first in it otherwise."""
    from playwright.sync_api import expect

    page = open_page(seeded_site.base_url)
    sign_in(page, seeded_site.add_editor("Erin Editor"))
    page.goto("/edit/rounds/new?negotiation=russia-ukraine-istanbul-2025")
    page.fill("#record-date", "2025-07-23")
    page.fill("#record-city", "Istanbul")
    page.fill("#record-venue", "Çırağan Palace")
    with page.expect_navigation():
        page.press("#record-venue", "Enter")
    assert "/drafts/" in page.url, f"Enter landed on {page.url}: {Composer(page).problems()}"
    expect(page.locator("#record")).to_contain_text("Çırağan Palace")
    expect(page.locator(".form-problems")).to_have_count(0)


def test_the_composer_works_as_plain_forms_without_javascript(
    seeded_site: Site, open_page: Callable[..., Page]
) -> None:
    from playwright.sync_api import expect

    editor = seeded_site.add_editor("Erin Editor")
    signing = open_page(seeded_site.base_url)
    sign_in(signing, editor)
    state = signing.context.storage_state()
    page = open_page(seeded_site.base_url, java_script_enabled=False, storage_state=state)
    page.goto("/rounds/2025-06-02-istanbul/edit")
    page.get_by_role("link", name="Add a delegation").click()  # no htmx: the page, with that form open
    card = page.locator("#delegations-new")
    card.locator("input[name=party_id]").fill("United States")
    card.locator("input[name='row-0-person_id']").fill("Donald Trump")
    page.fill("#delegations-new-sources-pick", "https://pravda.com.ua/eng/news/2025/06/2/7515266/")
    card.get_by_role("button", name="Add another person").click()  # sends the form: one more row, nothing lost
    expect(page.locator("#delegations-new input[name='row-1-person_id']")).to_be_visible()
    expect(page.locator("#delegations-new input[name='row-0-person_id']")).to_have_value("Donald Trump")
    page.locator("#delegations-new").get_by_role("button", name="Save in my draft").click()
    expect(page).to_have_url(re.compile(r"/drafts/\d+#delegations-n\d+$"))
    expect(page.locator("#box-delegations")).to_contain_text("United States delegation")
    expect(page.locator("#box-delegations")).to_contain_text("Donald Trump")


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_the_composer_passes_axe_and_fits_a_phone(
    live_server: str, live_editor: User, open_page: Callable[..., Page], axe: Axe, color_scheme: str
) -> None:
    page = open_page(live_server, **PHONE)
    page.emulate_media(color_scheme=color_scheme)  # type: ignore[arg-type]
    sign_in(page, live_editor)
    page.goto("/rounds/2025-06-02-istanbul/edit?edit=delegations-4#delegations-4")
    axe.assert_no_violations(page, f"the composer with a delegation open, {color_scheme}")
    assert_no_sideways_scrolling(page)
    page.goto("/rounds/2025-06-02-istanbul/history")
    axe.assert_no_violations(page, f"the history, {color_scheme}")
    assert_no_sideways_scrolling(page)


# ---------------------------------------------------------------- hostile text


def test_hostile_text_in_a_rounds_fields_is_shown_as_text(seeded_site: Site, open_page: Callable[..., Page]) -> None:
    from playwright.sync_api import expect

    page = open_page(seeded_site.base_url)
    sign_in(page, seeded_site.add_editor("Erin Editor"))
    composer = Composer(page)
    page.goto("/edit/rounds/new")
    hostile = {name: f"{name}: {HOSTILE}" for name in ("date_note", "city", "venue", "summary", "atmosphere")}
    page.fill("#record-date", "2025-07-14")
    for name, value in hostile.items():
        page.fill(f"#record-{name}", value)
    composer.pick("record-chair_id", "Fidan", "Hakan Fidan")
    page.get_by_text("Describe a source not in the library").click()
    page.fill("#record-sources-new-title", f"title: {HOSTILE}")
    page.fill("#record-sources-new-publisher", f"publisher: {HOSTILE}")
    composer.save_first(page.locator("#record"))
    assert_shown_as_text(page, "the composer", f"city: {HOSTILE}")
    composer.publish()
    reader = open_page(seeded_site.base_url)
    reader.goto(page.url.split("?")[0])
    assert_shown_as_text(reader, "the public round page", *hostile.values(), f"publisher: {HOSTILE}")
    expect(reader.locator("h1")).to_contain_text("Round 4")


def assert_shown_as_text(page: Page, where: str, *texts: str) -> None:
    """Nothing typed ran or became markup; every string in ``texts`` is in the page's visible text."""
    pwned = page.evaluate("typeof window.__pwned === 'undefined' ? null : String(window.__pwned)")
    assert pwned is None, f"{where}: the hostile string ran as script (window.__pwned = {pwned})"
    assert page.locator("img[src='x']").count() == 0, f"{where}: the hostile string became an <img> element"
    text = page.locator("body").inner_text()
    missing = [t for t in texts if t not in text]
    assert not missing, f"{where}: not shown as typed: {missing}"
