"""What htmx asks of the server (app/web/htmx.py): a fragment or the whole page, and where to go next."""

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from app.web import htmx


def request_with(**headers: str) -> Request:
    raw = [(name.replace("_", "-").lower().encode(), value.encode()) for name, value in headers.items()]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": raw, "query_string": b""})


@pytest.mark.parametrize(
    ("headers", "fragment"),
    [
        ({}, False),
        ({"HX_Request": "true"}, True),
        # A boosted link and a history restore replace the whole page, so they get all of it.
        ({"HX_Request": "true", "HX_Boosted": "true"}, False),
        ({"HX_Request": "true", "HX_History_Restore_Request": "true"}, False),
    ],
)
def test_htmx_gets_a_fragment_only_when_it_swaps_part_of_the_page(headers: dict[str, str], fragment: bool) -> None:
    request = request_with(**headers)
    assert htmx.is_htmx(request) is bool(headers)
    assert htmx.wants_fragment(request) is fragment


def test_after_a_form_a_browser_is_redirected_and_htmx_navigates() -> None:
    plain = htmx.go_to(request_with(), "/drafts/7")
    assert (plain.status_code, plain.headers["location"]) == (303, "/drafts/7")
    swapped = htmx.go_to(request_with(HX_Request="true"), "/drafts/7")
    assert (swapped.status_code, swapped.headers["HX-Redirect"]) == (204, "/drafts/7")
    assert "location" not in swapped.headers


def test_htmx_sent_to_sign_in_is_told_why_and_where_it_was() -> None:
    request = request_with(HX_Request="true", HX_Current_URL="http://testserver/drafts")
    assert htmx.current_url(request) == "http://testserver/drafts"
    assert htmx.current_url(request_with(HX_Current_URL="http://testserver/drafts")) == ""
    refused = htmx.go_to(request, "/login?next=%2Fdrafts", htmx_status=401)
    assert (refused.status_code, refused.headers["HX-Redirect"]) == (401, "/login?next=%2Fdrafts")


def test_an_answer_can_be_sent_somewhere_else_on_the_page() -> None:
    response = htmx.swap_into(htmx.go_to(request_with(), "/"), "#flash")
    assert (response.headers["HX-Retarget"], response.headers["HX-Reswap"]) == ("#flash", "innerHTML")


def test_a_fragment_fetched_by_htmx_carries_the_pages_new_title(seeded, client: TestClient) -> None:
    """After another round is chosen the tab must not still say "as of round 2"."""
    fragment = client.get("/compare?as_of=2025-05-16-istanbul", headers={"HX-Request": "true"}).text
    assert fragment.startswith(
        "<title>Compare positions as of round 1 — Russia–Ukraine talks, Istanbul 2025 · Parley</title>\n"
    )
    assert '<div id="comparison">' in fragment
