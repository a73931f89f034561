"""Pickers and fields (app/editing/pickers.py, fields.py): how records are named, found as the editor
types, understood when typed in full, and how what is typed becomes a value."""

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from app.editing import pickers
from app.editing.fields import field_specs, parse, spec_field
from app.editing.kinds import spec_of
from app.record.models import DARK_BACKGROUND, LIGHT_BACKGROUND, MIN_GRAPHIC_CONTRAST, Party, Person, contrast_ratio
from tests.test_query_cost import counted


def test_rounds_are_named_by_number_and_date() -> None:
    assert pickers.round_label(3, "2025-07-23", "day") == "Round 3 — 23 July 2025"
    assert pickers.round_label(4, "2025-06-01", "month", "planned") == "Round 4 — June 2025 (planned)"
    assert pickers.round_label(5, None, "day") == "Round 5 — date not set"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Hakan Fidan", 3),  # exact
        ("hakan fidan", 3),  # in any case
        ("Fidan", 3),  # matches one person only
        ("  Hakan   Fidan ", 3),  # spaces as typed
    ],
)
def test_a_name_typed_in_full_is_understood(seeded: sa.Engine, session: Session, typed: str, expected: int) -> None:
    assert pickers.resolve(session, "people", typed).id == expected


def test_a_name_that_could_be_several_people_asks_which(seeded: sa.Engine, session: Session) -> None:
    found = pickers.resolve(session, "people", "Vladimir")
    assert found.id is None and found.error == (
        "“Vladimir” matches Vladimir Medinsky; Vladimir Putin. Type more of the name, or choose from the list."
    )


def test_a_name_not_in_the_record_may_be_added_as_new(seeded: sa.Engine, session: Session) -> None:
    missing = pickers.resolve(session, "people", "Oleh Novyi")
    assert missing.addable and missing.error and "No person called “Oleh Novyi”" in missing.error
    assert pickers.resolve(session, "people", "Oleh Novyi", add_new=True).create == "Oleh Novyi"
    assert not pickers.resolve(session, "sources", "No such report").addable, "sources are described, not named"


def test_a_choice_made_in_the_picker_wins_over_the_words(seeded: sa.Engine, session: Session) -> None:
    assert pickers.resolve(session, "people", "Vladimir", chosen="12").id == 12


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("censor", {9, 13}),  # publisher
        ("bombers", {5}),  # title
        ("tass.com/politics/1989745", {8}),  # address
        ("2025-06-02", {12}),  # the day it was published
    ],
)
def test_the_source_library_is_searched_by_title_publisher_address_or_date(
    seeded: sa.Engine, session: Session, words: str, expected: set[int]
) -> None:
    found = {o.id for o in pickers.search(session, "sources", words)}
    assert expected <= found


def test_every_suggested_colour_reads_on_light_and_dark_pages() -> None:
    for colour in pickers.PALETTE:
        assert contrast_ratio(colour, LIGHT_BACKGROUND) >= MIN_GRAPHIC_CONTRAST
        assert contrast_ratio(colour, DARK_BACKGROUND) >= MIN_GRAPHIC_CONTRAST
    assert len(set(pickers.PALETTE)) == len(pickers.PALETTE)


def test_a_new_party_is_offered_a_colour_no_party_uses_yet(seeded: sa.Engine, session: Session) -> None:
    assert pickers.suggest_colour(session) not in {"#1c7ed6", "#e03131"}
    assert pickers.suggest_colour(session, avoid="#ffff00") == "#9e822e"  # the nearest that reads on both


def test_slugs_are_made_from_names_in_any_script() -> None:
    assert pickers.slugify("İbrahim Kalın", "person") == "ibrahim-kalin"
    assert pickers.slugify("Çırağan Palace", "x") == "ciragan-palace"
    assert pickers.slugify("—", "person") == "person"
    assert not pickers.slugify("a" * 69 + " b", "x").endswith("-")


@pytest.mark.parametrize(
    ("field", "typed", "value", "error"),
    [
        ("date", "2025-06-02", "2025-06-02", None),
        (
            "date",
            "2025-02-30",
            None,
            "“2025-02-30” is not a date that exists. Write it as YYYY-MM-DD, such as 2025-06-02.",
        ),
        ("start_time", "13:00", "13:00:00", None),
        ("start_time", "1 pm", None, "“1 pm” is not a time. Write it as HH:MM, such as 13:00."),
        ("sequence", "three", None, "Enter a whole number, such as 3."),
        ("sequence", "", None, "Enter a round number."),
        ("date_precision", "", "day", None),  # an empty choice means the default
        ("status", "abandoned", None, "Choose one of the options."),
    ],
)
def test_what_is_typed_becomes_a_value_or_a_sentence_saying_what_is_wrong(
    field: str, typed: str, value: object, error: str | None
) -> None:
    assert parse(spec_field(spec_of("rounds"), field), typed) == (value, error)


def test_fields_come_in_the_order_the_kind_gives_them_with_domain_labels() -> None:
    names = [(f.name, f.label, f.widget) for f in field_specs(spec_of("delegation_members"))]
    assert names == [
        ("delegation_id", "Delegation", "choice"),
        ("person_id", "Person", "pick"),
        ("title", "Title at the time", "text"),
        ("is_head", "Head of the delegation", "checkbox"),
    ]
    assert spec_of("outcome_parties").noun == "party concerned"
    assert spec_of("parties").noun == "party" and spec_of("people").noun == "person"


# ------------------------------------------------------------------ labels and lists


@pytest.mark.parametrize(
    ("kind", "entity_id", "label"),
    [
        ("people", 2, "Vladimir Medinsky"),
        ("parties", 4, "United States"),
        ("topics", 7, "Deported children"),
        ("sources", 5, "Ukrainian Attack on Bombers Undermines Truce Talks in Turkey — The News"),
        (
            "sources",
            1,
            "https://hurriyetdailynews.com/turkiye-russia-ukraine-talks-start-in-istanbul-209262 — Hürriyet Daily News",
        ),
        ("negotiations", 1, "Russia–Ukraine talks, Istanbul 2025"),
        ("rounds", 3, "Round 3 — June 2025 (planned)"),
        ("delegations", 4, "Ukraine delegation, Round 2 — 2 June 2025"),
        ("outcomes", 8, "Further talks"),
        ("events", 1, "Ukrainian drone strikes on Russian strategic bombers"),
    ],
)
def test_records_are_labelled_as_editors_know_them(
    seeded: sa.Engine, session: Session, kind: str, entity_id: int, label: str
) -> None:
    assert pickers.labels(session, kind, {entity_id, 999}) == {entity_id: label}


def test_only_ids_of_records_are_labelled(seeded: sa.Engine, session: Session) -> None:
    assert pickers.labels(session, "people", {2, "rounds:+1", None}) == {2: "Vladimir Medinsky"}
    assert pickers.labels(session, "rounds", {"rounds:+1"}) == {}
    assert pickers.labels(session, "people", set()) == {}


def test_rounds_to_choose_from_name_their_negotiation_unless_it_is_given(seeded: sa.Engine, session: Session) -> None:
    negotiation = "Russia–Ukraine talks, Istanbul 2025"
    assert [(o.id, o.label, o.detail) for o in pickers.choices(session, "rounds")] == [
        (1, "Round 1 — 16 May 2025", negotiation),
        (2, "Round 2 — 2 June 2025", negotiation),
        (3, "Round 3 — June 2025 (planned)", negotiation),
    ]
    assert [(o.id, o.detail) for o in pickers.choices(session, "rounds", negotiation_id=1)] == [
        (1, ""),
        (2, ""),
        (3, ""),
    ]
    assert pickers.choices(session, "rounds", negotiation_id=999) == []


def test_delegations_to_choose_from_are_named_by_party_and_round(seeded: sa.Engine, session: Session) -> None:
    assert [o.label for o in pickers.choices(session, "delegations")] == [
        "Ukraine delegation, Round 1 — 16 May 2025",
        "Russia delegation, Round 1 — 16 May 2025",
        "Turkey delegation, Round 1 — 16 May 2025",
        "Ukraine delegation, Round 2 — 2 June 2025",
        "Russia delegation, Round 2 — 2 June 2025",
        "Turkey delegation, Round 2 — 2 June 2025",
    ]


def test_every_kind_with_a_list_offers_all_its_records(seeded: sa.Engine, session: Session) -> None:
    assert [o.label for o in pickers.choices(session, "negotiations")] == ["Russia–Ukraine talks, Istanbul 2025"]
    assert [o.id for o in pickers.choices(session, "outcomes")] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert [o.id for o in pickers.choices(session, "events")] == [1]
    assert [o.id for o in pickers.choices(session, "topics")] == list(range(1, 12))  # in the comparison's order
    people = {o.id: o.detail for o in pickers.choices(session, "people")}
    assert len(people) == 13 and people[3] == "Turkey, Foreign Minister" and people[7] == "Ukraine"
    assert len(pickers.choices(session, "sources")) == 13


# ------------------------------------------------------------------ searching as the editor types


@pytest.mark.parametrize(
    ("kind", "words", "expected"),
    [
        ("people", "VLADIMIR", {2, 12}),  # the name, in any case
        ("people", "Рустем", {1}),  # the name in its own script
        ("people", "ibrahim-kalin", {4}),  # the address
        ("parties", "us", {2, 4}),  # Russia by its name, the United States by its short name
        ("topics", "leaders-meeting", {9}),  # the address
        ("topics", "children", {7}),
        ("rounds", "june", {2, 3}),  # kinds without a search of their own: their labels
        ("outcomes", "further", {8}),
        ("rounds", "Istanbul", set()),
    ],
)
def test_records_are_found_by_what_names_them(
    seeded: sa.Engine, session: Session, kind: str, words: str, expected: set[int]
) -> None:
    assert {o.id for o in pickers.search(session, kind, f" {words} ")} == expected


def test_people_found_are_told_apart_by_party_and_office(seeded: sa.Engine, session: Session) -> None:
    assert {(o.label, o.detail) for o in pickers.search(session, "people", "vladimir")} == {
        ("Vladimir Medinsky", "Russia, Presidential aide"),
        ("Vladimir Putin", "Russia, President"),
    }


@pytest.mark.parametrize("kind", ["people", "parties", "topics", "sources", "rounds"])
def test_a_search_shows_no_more_than_asked(seeded: sa.Engine, session: Session, kind: str) -> None:
    assert len(pickers.search(session, kind, "", limit=2)) == 2
    assert len(pickers.search(session, kind, "")) <= pickers.OPTIONS_SHOWN


# ------------------------------------------------------------------ a name typed in full


def test_nothing_typed_is_nothing_chosen(seeded: sa.Engine, session: Session) -> None:
    assert pickers.resolve(session, "people", "   ") == pickers.Resolved()
    assert pickers.resolve(session, "people", "", chosen="3").id == 3


def test_a_chosen_id_that_names_no_record_leaves_the_words_to_decide(seeded: sa.Engine, session: Session) -> None:
    assert pickers.resolve(session, "people", "Igor", chosen="999").id == 10


def test_a_name_typed_exactly_wins_over_longer_names_that_hold_it(seeded: sa.Engine, session: Session) -> None:
    assert pickers.resolve(session, "outcomes", "Further talks").id == 8
    assert pickers.resolve(session, "parties", "russia").id == 2


def test_a_source_is_understood_by_its_address_or_its_title(seeded: sa.Engine, session: Session) -> None:
    assert pickers.resolve(session, "sources", "https://tass.com/politics/1989745").id == 8
    assert pickers.resolve(session, "sources", "Ukrainian Attack on Bombers Undermines Truce Talks").id == 5


def test_namesakes_are_listed_for_the_editor_to_choose(seeded: sa.Engine, session: Session) -> None:
    session.add(Person(slug="hakan-fidan-2", name="Hakan Fidan"))
    session.flush()
    found = pickers.resolve(session, "people", "hakan fidan")
    assert found.id is None and found.error is not None
    head, _, names = found.error.removesuffix(". Choose one from the list.").partition(": ")
    assert head == "2 people are called “hakan fidan”"
    assert set(names.split("; ")) == {"Hakan Fidan (Turkey, Foreign Minister)", "Hakan Fidan"}


def test_a_name_many_records_hold_asks_for_more_of_it(seeded: sa.Engine, session: Session) -> None:
    found = pickers.resolve(session, "people", "e")
    assert found.error is not None and found.error.startswith("“e” matches ")
    assert found.error.endswith(" and more. Type more of the name, or choose from the list.")
    assert len(found.error.split("; ")) == 5


def test_only_people_parties_and_topics_may_be_added_by_name(seeded: sa.Engine, session: Session) -> None:
    party = pickers.resolve(session, "parties", "Moldova")
    assert party.addable and party.error == (
        "No party called “Moldova” is in the record. Pick one from the list, or add them as new."
    )
    assert pickers.resolve(session, "topics", "Grain corridor", add_new=True) == pickers.Resolved(
        create="Grain corridor"
    )
    outcome = pickers.resolve(session, "outcomes", "Moldova", add_new=True)
    assert not outcome.addable and outcome.create is None
    assert outcome.error == "Nothing in the record matches “Moldova”. Choose from the list."


def test_labels_read_in_a_request_follow_a_rename_made_in_it(seeded: sa.Engine, session: Session) -> None:
    """Kept for the request to spare a query per position; a transaction that renames a party sees it."""
    ukraine = session.exec(select(Party).where(Party.slug == "ukraine")).one()
    assert ukraine.id is not None
    topics = pickers.labels(session, "topics", set())
    assert topics == {} and pickers.labels(session, "parties", {ukraine.id}) == {ukraine.id: "Ukraine"}
    with counted(session.get_bind()) as seen:  # type: ignore[arg-type]
        assert pickers.labels(session, "parties", {ukraine.id}) == {ukraine.id: "Ukraine"}
    assert seen == [], "kept from the first read"
    ukraine.name = "Ukraine (renamed)"
    session.flush()
    assert pickers.labels(session, "parties", {ukraine.id}) == {ukraine.id: "Ukraine (renamed)"}
    assert pickers.labels(session, "parties", {10**9}) == {}, "an id not in the record names nothing"
