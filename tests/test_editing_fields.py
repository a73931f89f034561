"""Fields (app/editing/fields.py): which box each field of a record gets, how what an editor types in
it becomes a value or a sentence saying what is wrong, and how a value is shown in the box again."""

import pytest

from app.editing.fields import FieldSpec, field_specs, parse, shown, spec_field
from app.editing.kinds import spec_of


def field(kind: str, name: str) -> FieldSpec:
    return spec_field(spec_of(kind), name)


# ------------------------------------------------------------------ which box a field gets


@pytest.mark.parametrize(
    ("kind", "name", "widget", "reference"),
    [
        ("rounds", "negotiation_id", "choice", "negotiations"),  # a short list to choose from
        ("rounds", "chair_id", "pick", "people"),  # a name typed and looked up
        ("positions", "topic_id", "pick", "topics"),
        ("rounds", "status", "choice", None),  # one of an enum's values
        ("delegation_members", "is_head", "checkbox", None),
        ("rounds", "sequence", "number", None),
        ("rounds", "date", "date", None),
        ("rounds", "start_time", "time", None),
        ("rounds", "summary", "textarea", None),  # a column of unbounded text
        ("rounds", "city", "text", None),
        ("parties", "colour", "colour", None),
    ],
)
def test_each_field_gets_the_box_its_type_calls_for(kind: str, name: str, widget: str, reference: str | None) -> None:
    found = field(kind, name)
    assert (found.widget, found.reference) == (widget, reference)


def test_an_enums_values_are_offered_in_words() -> None:
    assert field("rounds", "status").options == (
        ("planned", "Planned"),
        ("held", "Held"),
        ("postponed", "Postponed"),
        ("cancelled", "Cancelled"),
    )
    measures = dict(field("reported_figures", "measure").options)
    assert measures["duration_minutes"] == "Duration, in minutes", "a label of its own where the words would not do"
    assert dict(field("outcomes", "status").options)["in_progress"] == "In progress"


def test_a_field_is_required_when_its_model_needs_it_and_nothing_fills_it_in() -> None:
    assert field("rounds", "sequence").required
    assert not field("rounds", "date").required, "optional in the model"
    assert not field("rounds", "slug").required, "an address left empty is made from the date and city"
    assert not field("delegation_members", "is_head").required, "an unticked box is an answer"


def test_an_empty_box_stands_for_the_models_default() -> None:
    precision = field("rounds", "date_precision").default
    assert precision == "day" and type(precision) is str, "an enum's default, as the value a form sends"
    assert field("topics", "sort_order").default == 0
    assert field("delegation_members", "is_head").default is False
    assert field("sources", "language").default == "en"
    assert field("rounds", "date").default is None


def test_text_boxes_know_how_much_they_hold() -> None:
    assert field("parties", "short_name").max_length == 40
    assert field("rounds", "summary").max_length is None


def test_fields_its_composer_fills_in_can_be_left_out() -> None:
    names = [f.name for f in field_specs(spec_of("delegations"), with_fixed=False)]
    assert names == ["party_id", "note"]
    assert [f.name for f in field_specs(spec_of("delegations"))] == ["round_id", "party_id", "note"]


def test_labels_and_hints_come_from_the_kind() -> None:
    assert field("rounds", "sequence").label == "Round number"
    assert field("rounds", "sequence").hint == "1 for the first round of its negotiation."
    assert field("people", "name_native").hint == "The name in its own script."
    # The model's description is for the codebook; a form does not fall back to it.
    assert field("rounds", "city").hint == ""


# ------------------------------------------------------------------ what is typed becomes a value


@pytest.mark.parametrize(
    ("kind", "name", "typed", "value", "error"),
    [
        ("rounds", "sequence", " 4 ", 4, None),
        ("rounds", "sequence", "-2", -2, None),  # the model, not the box, says it must be 1 or more
        ("rounds", "sequence", "4.5", None, "Enter a whole number, such as 3."),
        ("rounds", "sequence", "1234567890", None, "Enter a whole number, such as 3."),
        ("rounds", "sequence", "--3", None, "Enter a whole number, such as 3."),  # once a 500
        ("rounds", "sequence", "²", None, "Enter a whole number, such as 3."),  # a digit to isdigit(), not to int()
        ("rounds", "sequence", "٣", 3, None),  # Arabic-Indic three
        ("rounds", "chair_id", "--3", None, "Choose from the list."),
        ("rounds", "negotiation_id", "1", 1, None),  # a record chosen from a list sends its id
        ("rounds", "negotiation_id", "Istanbul", None, "Choose from the list."),
        ("rounds", "chair_id", "12", 12, None),
        ("rounds", "chair_id", "Hakan", None, "Choose from the list."),
        ("rounds", "status", "held", "held", None),
        ("rounds", "status", "Held", None, "Choose one of the options."),
        ("rounds", "date", "2025-06-02", "2025-06-02", None),
        (
            "rounds",
            "date",
            "2 June",
            None,
            "“2 June” is not a date that exists. Write it as YYYY-MM-DD, such as 2025-06-02.",
        ),
        ("rounds", "start_time", "13:05", "13:05:00", None),
        ("rounds", "start_time", "25:00", None, "“25:00” is not a time. Write it as HH:MM, such as 13:00."),
        ("rounds", "city", "  Istanbul ", "Istanbul", None),
        ("parties", "colour", "#1c7ed6", "#1c7ed6", None),
    ],
)
def test_what_is_typed_in_each_box_becomes_a_value_or_says_what_is_wrong(
    kind: str, name: str, typed: str, value: object, error: str | None
) -> None:
    assert parse(field(kind, name), typed) == (value, error)


@pytest.mark.parametrize(("typed", "ticked"), [("on", True), ("true", True), ("1", True), ("", False), ("no", False)])
def test_a_checkbox_is_ticked_or_not_never_missing(typed: str, ticked: bool) -> None:
    assert parse(field("delegation_members", "is_head"), typed) == (ticked, None)


@pytest.mark.parametrize(
    ("kind", "name", "error"),
    [
        ("rounds", "sequence", "Enter a round number."),
        ("rounds", "negotiation_id", "Choose a negotiation."),
        ("positions", "topic_id", "Choose a topic."),
        ("rounds", "status", "Choose a status."),
        ("outcome_parties", "outcome_id", "Choose an outcome."),
        ("events", "title", "Enter a title."),
    ],
)
def test_a_required_box_left_empty_says_what_to_enter(kind: str, name: str, error: str) -> None:
    assert parse(field(kind, name), "   ") == (None, error)


def test_an_optional_box_left_empty_stands_for_its_default() -> None:
    assert parse(field("rounds", "date_precision"), "") == ("day", None)
    assert parse(field("topics", "sort_order"), "") == (0, None)
    assert parse(field("rounds", "date"), "") == (None, None)


# ------------------------------------------------------------------ a value shown again


@pytest.mark.parametrize(
    ("kind", "name", "typed"),
    [
        ("rounds", "sequence", "4"),
        ("rounds", "status", "postponed"),
        ("rounds", "date", "2025-06-02"),
        ("rounds", "start_time", "13:05"),
        ("delegation_members", "is_head", "true"),
        ("rounds", "city", "Istanbul"),
    ],
)
def test_a_value_is_shown_again_as_it_was_typed(kind: str, name: str, typed: str) -> None:
    box = field(kind, name)
    value, error = parse(box, typed)
    assert error is None and shown(box, value) == typed


def test_nothing_and_an_unticked_box_show_an_empty_box() -> None:
    assert shown(field("rounds", "date"), None) == ""
    assert shown(field("delegation_members", "is_head"), False) == ""
