"""Item forms (app/editing/forms.py): a form as sent, kept exactly as typed; a record shown in its
form; and a form checked, with everything wrong said at once, by field and by row."""

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from app.editing import drafts, forms
from app.editing.drafts import DraftView, Item
from app.editing.forms import NEW_SOURCE_FIELDS, ItemForm
from app.editing.kinds import spec_of
from app.record.models import DelegationMember

ROUND_2 = 2  # 2 June 2025, Istanbul: Ukraine's delegation is 4, led by Rustem Umerov (person 1)
UKRAINE, TURKEY = 1, 3


def round_2(session: Session) -> DraftView:
    return drafts.view(session, spec=spec_of("rounds"), entity_id=ROUND_2, draft=None)


def checked(
    session: Session, view: DraftView, item: Item, data: dict[str, str], sources: tuple[str, ...] = ()
) -> ItemForm:
    """``data`` sent as ``item``'s form and checked, as saving it would."""
    form = forms.read(data, item.spec, list(sources), show_fixed=item.kind == view.spec.key)
    fixed = {"round_id": ROUND_2} if "round_id" in item.spec.fixed else {}
    forms.check(session, form, view_=view, item=item, fixed=fixed)
    return form


def new_round(session: Session, data: dict[str, str], sources: tuple[str, ...] = ()) -> ItemForm:
    view = drafts.view(session, spec=spec_of("rounds"), entity_id=None, draft=None)
    return checked(session, view, view.root, data, sources)


def new_delegation(session: Session, data: dict[str, str]) -> ItemForm:
    item = Item("delegations:+new", "delegations", None, {"round_id": ROUND_2}, [], "new")
    return checked(session, round_2(session), item, data)


VLADIMIR = "“Vladimir” matches Vladimir Medinsky; Vladimir Putin. Type more of the name, or choose from the list."
FOURTH_ROUND = {
    "negotiation_id": "1",
    "sequence": "4",
    "status": "held",
    "date": "2025-07-23",
    "city": "Istanbul",
    "chair_id": "Hakan Fidan",
}


# ------------------------------------------------------------------ a form as sent


def test_a_form_as_sent_is_kept_exactly_as_typed() -> None:
    form = forms.read(
        {"city": "  Istanbul ", "chair_id": "Hakan", "chair_id__id": "3", "version": "7"}, spec_of("rounds"), []
    )
    assert form.typed["city"] == "  Istanbul ", "shown again as typed, spaces and all"
    assert (form.typed["chair_id"], form.typed["chair_id__id"], form.typed["chair_id__new"]) == ("Hakan", "3", "")
    assert form.typed["venue"] == "", "a field not sent is an empty box"
    assert form.seen_version == 7
    assert forms.read({"version": "seven"}, spec_of("rounds"), []).seen_version is None


def test_fields_its_composer_fills_in_are_read_only_when_shown() -> None:
    assert "round_id" not in forms.read({"round_id": "2"}, spec_of("delegations"), []).typed
    assert forms.read({"round_id": "2"}, spec_of("delegations"), [], show_fixed=True).typed["round_id"] == "2"


def test_sources_sent_are_read_once_each_in_order() -> None:
    data = {"source_pick": "  tass.com ", "source_pick__id": "8", "new_source_title": " A report "}
    form = forms.read(data, spec_of("rounds"), ["6", "five", "5", "6"])
    assert form.sources == [6, 5]
    assert (form.source_text, form.typed["source_pick__id"]) == ("tass.com", "8")
    assert form.new_source == {name: ("A report" if name == "title" else "") for name in NEW_SOURCE_FIELDS}
    assert form.new_source_open, "something typed there keeps the new source's part open"


def test_rows_are_read_in_order_and_only_when_they_name_who_they_are() -> None:
    data = {
        "row-10-person_id": "Hakan Fidan",
        "row-2-person_id": "Rustem Umerov",
        "row-2-is_head": "on",
        "row-3-person_id": " ",  # the spare row, left empty
        "row-3-title": "Adviser",
        "row-4-person_id": "",  # chosen from the list: only the id is sent
        "row-4-person_id__id": "6",
        "row-5-person_id": "7",  # a ticked box of a person already in the delegation sends the id as the value
    }
    rows = forms.read(data, spec_of("delegations"), []).rows
    assert rows == [
        {"person_id": "Rustem Umerov", "is_head": "on"},
        {"person_id": "", "person_id__id": "6"},
        {"person_id": "", "person_id__id": "7"},
        {"person_id": "Hakan Fidan"},
    ]


# ------------------------------------------------------------------ a record in its form


def test_a_record_is_shown_with_picked_records_by_name_and_id(seeded: sa.Engine, session: Session) -> None:
    view = round_2(session)
    form = forms.shown_form(session, view, view.root, show_fixed=True)
    assert (form.typed["chair_id"], form.typed["chair_id__id"]) == ("Hakan Fidan", "3")
    assert (form.typed["host_party_id"], form.typed["host_party_id__id"]) == ("Turkey", str(TURKEY))
    assert form.typed["negotiation_id"] == "1", "a choice from a short list is its id"
    assert form.typed["scheduled_start"] == "13:00" and form.typed["start_time"] == ""
    assert form.typed["duration_minutes"] == ""
    assert view.root.live is not None and form.seen_version == view.root.live["version"]
    assert form.sources == view.root.sources


def test_a_delegations_members_are_its_rows_head_first(seeded: sa.Engine, session: Session) -> None:
    for person_id in (6, 7):  # Sergiy Kyslytsya and Oleksandr Poklad join Rustem Umerov at round 2
        session.add(DelegationMember(delegation_id=4, person_id=person_id, is_head=False))
    session.commit()
    view = round_2(session)
    ukraine = view.items["delegations:4"]
    # As a draft would leave them: Sergiy Kyslytsya taken out, Oleksandr Poklad made head.
    view.items["delegation_members:7"].state = "removed"
    view.items["delegation_members:4"].fields["is_head"] = False
    view.items["delegation_members:8"].fields["is_head"] = True
    form = forms.shown_form(session, view, ukraine)
    assert "round_id" not in form.typed, "the round it is entered in fills that in"
    assert (form.typed["party_id"], form.typed["party_id__id"]) == ("Ukraine", str(UKRAINE))
    assert form.rows == [
        {"person_id": "Oleksandr Poklad", "person_id__id": "7", "title": "", "is_head": "true"},
        {"person_id": "Rustem Umerov", "person_id__id": "1", "title": "Defence Minister", "is_head": ""},
    ]


def test_a_new_record_starts_from_its_defaults(seeded: sa.Engine, session: Session) -> None:
    item = Item("outcomes:+new", "outcomes", None, {}, [], "new")
    form = forms.shown_form(session, round_2(session), item)
    assert form.typed["implemented_precision"] == "day" and form.typed["title"] == ""
    assert form.seen_version is None and form.rows == []


# ------------------------------------------------------------------ a form checked


def test_everything_wrong_is_said_at_once_by_field(seeded: sa.Engine, session: Session) -> None:
    form = new_round(
        session,
        FOURTH_ROUND
        | {
            "sequence": "fourth",
            "date": "2025-02-30",
            "status": "over",
            "chair_id": "Vladimir",
            "host_party_id": "Atlantis",
        },
    )
    assert form.errors == {
        "sequence": "Enter a whole number, such as 3.",
        "status": "Choose one of the options.",
        "date": "“2025-02-30” is not a date that exists. Write it as YYYY-MM-DD, such as 2025-06-02.",
        "host_party_id": "No party called “Atlantis” is in the record. Pick one from the list, or add them as new.",
        "chair_id": VLADIMIR,
    }
    assert form.addable == {"host_party_id"}, "a party not in the record may be added as new"


def test_what_the_model_and_the_record_say_is_wrong_comes_back_by_field(seeded: sa.Engine, session: Session) -> None:
    form = new_round(session, FOURTH_ROUND | {"delay_minutes": "-5", "slug": "Round Four"})
    assert form.errors == {
        "slug": "Use lowercase letters, digits and single hyphens (e.g. 2025-06-02-istanbul).",
        "delay_minutes": "Delay in minutes must be 0 or more.",
    }
    taken = new_round(session, FOURTH_ROUND | {"sequence": "2"})
    assert taken.errors == {"sequence": "Round 2 of this negotiation is already on the record."}


def test_a_round_with_nothing_to_make_its_address_from_asks_for_the_date_or_city(
    seeded: sa.Engine, session: Session
) -> None:
    """Not "Input should be a valid string" on the Address, the one box the form says may be left empty."""
    form = new_round(session, {"negotiation_id": "1", "sequence": "4", "status": "held"})
    assert form.errors == {"date": "Enter the date or the city: the address is made from them."}
    wrong_date = new_round(session, {"negotiation_id": "1", "sequence": "4", "status": "held", "date": "2025-02-30"})
    assert set(wrong_date.errors) == {"date"} and "not a date that exists" in wrong_date.errors["date"]


def test_a_valid_form_has_its_values_and_an_address_made_for_it(seeded: sa.Engine, session: Session) -> None:
    form = new_round(session, FOURTH_ROUND)
    assert form.errors == {}
    assert form.values["sequence"] == 4 and form.values["chair_id"] == 3 and form.values["date"] == "2025-07-23"
    assert form.values["slug"] == "2025-07-23-istanbul", "an address left empty is made from the date and city"


def test_a_name_to_add_as_new_passes_the_models_checks_until_it_is_added(seeded: sa.Engine, session: Session) -> None:
    form = new_round(session, FOURTH_ROUND | {"chair_id": "Oleh Novyi", "chair_id__new": "1"})
    assert form.errors == {}
    assert form.to_create == [("chair_id", "people", "Oleh Novyi")]


def test_a_party_colour_that_does_not_read_comes_back_with_one_that_does(seeded: sa.Engine, session: Session) -> None:
    view = drafts.view(session, spec=spec_of("parties"), entity_id=None, draft=None)
    form = checked(session, view, view.root, {"name": "Moldova", "short_name": "Moldova", "colour": "#ffff00"})
    assert form.errors["colour"].endswith(" Try #9e822e, which reads on both.")


def test_sources_are_attached_by_their_words_or_said_to_be_gone(seeded: sa.Engine, session: Session) -> None:
    attached = new_round(session, FOURTH_ROUND | {"source_pick": "tass.com/politics/1989745"})
    assert attached.errors == {} and attached.sources == [8] and attached.source_text == ""
    gone = new_round(session, FOURTH_ROUND, sources=("99999",))
    assert gone.errors == {"sources": "A source chosen is no longer in the record; choose it again."}


def test_each_row_is_checked_and_resolved_on_its_own(seeded: sa.Engine, session: Session) -> None:
    form = new_delegation(
        session,
        {
            "party_id": "United States",
            "row-0-person_id": "Vladimir Medinsky",
            "row-0-is_head": "on",
            "row-1-person_id": "Hakan Fidan",
            "row-1-title": "Foreign Minister",
            "row-2-person_id": "Vladimir",
        },
    )
    assert form.errors == {
        "row-2-person_id": VLADIMIR,
        "row-0-person_id": (
            "Vladimir Medinsky belongs to another party; a delegation's head belongs to the delegation's party."
        ),
    }
    assert form.row_values[1] == {"person_id": 3, "title": "Foreign Minister", "is_head": False}
    assert form.row_values[2]["person_id"] is None


@pytest.mark.parametrize("party", ["Ukraine", "x"])
def test_a_record_already_there_is_named_as_such(seeded: sa.Engine, session: Session, party: str) -> None:
    form = new_delegation(session, {"party_id": party, "party_id__id": str(UKRAINE)})
    assert form.errors == {"party_id": "This round already has a delegation of Ukraine."}


def test_a_rule_over_several_records_is_said_beside_its_field(seeded: sa.Engine, session: Session) -> None:
    view = drafts.view(session, spec=spec_of("positions"), entity_id=None, draft=None)
    data = {"negotiation_id": "2", "round_id": "1", "party_id": "Ukraine", "topic_id": "Ceasefire", "summary": "S"}
    form = checked(session, view, view.root, data)
    assert form.errors == {"round_id": "That round belongs to another negotiation than the one chosen."}
