"""The Jinja environment (app/web/templating.py): calls of the markup functions compile to plain calls
and write what those functions write, wherever a template makes them."""

import pytest
from fastapi import Request
from jinja2 import pass_context

from app.reading import schemas
from app.web import markup
from app.web.templating import DIRECT_CALLS, _direct_calls, render, templates

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


def test_a_markup_function_compiles_to_a_plain_call() -> None:
    code = templates.env.compile("{{ party_name(p) }}{% for q in [p] %}{{ cites(q) }}{% endfor %}", raw=True)
    assert "context.call(" not in code and "l_0_party_name" in code


def test_a_page_context_may_not_give_a_template_a_markup_functions_name() -> None:
    request = Request({"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b""})
    with pytest.raises(TypeError, match="party_name: names of markup functions"):
        render(request, "timeline.html", {"party_name": "Ukraine"})
