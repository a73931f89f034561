"""The Jinja environment (app/web/templating.py): calls of the markup functions compile to plain calls
and write what those functions write, wherever a template makes them."""

import pytest
from jinja2 import pass_context

from app.reading import schemas
from app.web import markup
from app.web.templating import DIRECT_CALLS, _direct_calls, templates

PARTY = schemas.PartyRef(slug="ukraine", name="Ukraine <delegation>", short_name="UA", colour="#0057b7")


def test_a_markup_function_writes_the_same_at_top_level_in_a_loop_and_in_a_block() -> None:
    written = str(markup.party_name(PARTY))
    page = templates.env.from_string(
        "{{ party_name(p) }}|{% for q in [p, p] %}{{ party_name(q) }}{{ loop.index }}|{% endfor %}"
        "{% block b %}{{ party_name(p, short=True) }}{% endblock %}"
    ).render(p=PARTY)
    assert page == f"{written}|{written}1|{written}2|{markup.party_name(PARTY, short=True)}"
    assert "&lt;delegation&gt;" in page and "<delegation>" not in page


def test_a_templates_own_variable_of_a_markup_functions_name_is_called_as_jinja_would() -> None:
    @pass_context
    def greeting(context, name: str) -> str:  # type: ignore[no-untyped-def]
        return f"{context['salutation']}, {name}"

    page = templates.env.from_string("{% set party_name = greet %}{{ party_name('Ukraine') }}").render(
        greet=greeting, salutation="Hello"
    )
    assert page == "Hello, Ukraine"


def test_a_function_that_takes_the_context_is_never_called_directly() -> None:
    assert {"party_name", "cites", "position_body"} <= DIRECT_CALLS

    @pass_context
    def current(context):  # type: ignore[no-untyped-def]
        return context

    with pytest.raises(TypeError, match="current take Jinja's context"):
        _direct_calls({"current": current})
