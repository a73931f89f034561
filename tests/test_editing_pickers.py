"""Pickers and fields (app/editing/pickers.py, fields.py): how records are named, found as the editor
types, understood when typed in full, and how what is typed becomes a value."""

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from app.editing import pickers
from app.editing.fields import field_specs, parse, spec_field
from app.editing.kinds import spec_of
from app.record.models import DARK_BACKGROUND, LIGHT_BACKGROUND, MIN_GRAPHIC_CONTRAST, contrast_ratio


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
        ("2025-06-02", {5, 12}),  # the day it was published
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
