"""CSRF: every state-changing route refuses a request without the session's token, forms and htmx alike."""

import re

import fastapi.routing
import httpx2 as httpx
import pytest
from bs4 import BeautifulSoup
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from app.record.models import User
from app.web.security import REFUSAL_MESSAGE, safe_next
from app.web.templating import templates
from tests.accounts_fixtures import csrf, sign_in

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def state_changing_requests(settings: Settings) -> list[tuple[str, str]]:
    """(method, path) for every state-changing route of the app, each path parameter filled with "1"."""
    # Since FastAPI 0.137 app.routes holds included routers whole; this walks into them, prefixes applied.
    every_route = getattr(fastapi.routing, "iter_route_contexts", iter)
    found = []
    for context in every_route(create_app(settings).routes):
        if not isinstance(getattr(context, "original_route", context), fastapi.routing.APIRoute):
            continue
        path = re.sub(r"{[^}]+}", "1", context.path_format)
        found += [(method, path) for method in sorted((context.methods or set()) & STATE_CHANGING)]
    return found


def assert_refused(response: httpx.Response, method: str, path: str) -> None:
    assert response.status_code == 403, f"{method} {path} answered {response.status_code} without a valid token"
    if path.startswith("/api/"):
        assert "CSRF token missing or invalid" in response.json()["detail"]
    else:
        assert REFUSAL_MESSAGE in BeautifulSoup(response.text, "html.parser").select_one("main").get_text()


def test_the_walk_finds_the_state_changing_routes(settings: Settings) -> None:
    requests = state_changing_requests(settings)
    assert {("POST", "/login"), ("POST", "/logout"), ("POST", "/admin/users/1/disable")} <= set(requests)


@pytest.mark.parametrize("who", ["reader", "anonymous", "editor", "admin"])
def test_every_state_changing_route_refuses_a_request_without_a_valid_token(
    settings: Settings, client: TestClient, editor_client: TestClient, admin_client: TestClient, who: str
) -> None:
    signed_in = {"reader": client, "anonymous": client, "editor": editor_client, "admin": admin_client}[who]
    if who == "anonymous":
        client.get("/login")  # a session with a token of its own, so only the request's token is missing
    other_sessions_token = csrf(admin_client if who != "admin" else editor_client)
    for method, path in state_changing_requests(settings):
        attempts = [
            ("no token", {}),
            ("an empty token", {"data": {"csrf_token": ""}}),
            ("a forged token", {"data": {"csrf_token": "forged"}}),
            ("another session's token", {"data": {"csrf_token": other_sessions_token}}),
            ("another session's token in the header", {"headers": {"X-CSRF-Token": other_sessions_token}}),
            ("a token in a JSON body", {"json": {"csrf_token": other_sessions_token}}),
        ]
        for label, options in attempts:
            response = signed_in.request(method, path, follow_redirects=False, **options)  # type: ignore[arg-type]
            try:
                assert_refused(response, method, path)
            except AssertionError as error:
                raise AssertionError(f"{who}, {label}: {error}") from None


def test_a_valid_token_in_the_form_is_accepted(editor_client: TestClient) -> None:
    response = editor_client.post("/logout", data={"csrf_token": csrf(editor_client)}, follow_redirects=False)
    assert response.status_code == 303


def test_a_valid_token_in_a_multipart_form_is_accepted(admin_client: TestClient, editor: User) -> None:
    token = csrf(admin_client, "/admin/users")
    response = admin_client.post(
        f"/admin/users/{editor.id}/disable", files={"csrf_token": (None, token)}, follow_redirects=False
    )
    assert response.status_code == 303


def test_htmx_sends_the_token_as_a_header(editor_client: TestClient) -> None:
    token = csrf(editor_client)
    response = editor_client.post("/logout", headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert response.status_code == 204
    assert response.headers["hx-redirect"] == "/"


def test_the_route_still_reads_a_form_the_check_has_read(client: TestClient, admin_client: TestClient) -> None:
    token = csrf(admin_client, "/admin/users")
    data = {"email": "read@example.org", "name": "Read Twice", "role": "editor", "password": "x" * 12}
    response = admin_client.post("/admin/users", data={**data, "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303


def test_an_htmx_refusal_replaces_the_pages_content(editor_client: TestClient) -> None:
    response = editor_client.post("/logout", headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response.headers["hx-retarget"] == "#main" and response.headers["hx-reswap"] == "innerHTML"
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.find("html") is None and REFUSAL_MESSAGE in soup.get_text()


def test_the_sign_in_form_needs_the_cookie_it_set(client: TestClient) -> None:
    token = csrf(client, "/login")
    client.cookies.clear()
    response = client.post("/login", data={"email": "a@example.org", "password": "x" * 12, "csrf_token": token})
    assert response.status_code == 403


def test_a_visitor_without_a_session_is_refused_and_given_no_cookie(settings: Settings) -> None:
    with TestClient(create_app(settings)) as fresh:
        assert fresh.post("/logout").status_code == 403
        assert "set-cookie" not in fresh.post("/logout").headers
        fresh.app.state.engine.dispose()  # type: ignore[attr-defined]


def test_the_signed_in_token_is_on_every_page_and_the_sign_out_form(editor_client: TestClient) -> None:
    soup = BeautifulSoup(editor_client.get("/topics").text, "html.parser")
    meta = soup.select_one('meta[name="csrf-token"]')["content"]
    assert soup.select_one("form[action='/logout'] input[name=csrf_token]")["value"] == meta


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/rounds/x?y=1#z", "/rounds/x?y=1#z"),
        ("/", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example", "/"),
        ("evil.example", "/"),
        ("/%0d%0aSet-Cookie:x", "/%0d%0aSet-Cookie:x"),
        ("/a\r\nSet-Cookie: x", "/"),
        ("/login?next=/", "/"),
        (None, "/"),
    ],
)
def test_safe_next(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_csrf_token_works_inside_a_shared_macro(settings: Settings, editor: User) -> None:
    # Shared macros are made into globals once, so their Jinja context holds no request.
    macro = templates.env.from_string("{% macro field() %}{{ csrf_token() }}{% endmacro %}").module.field
    app = create_app(settings)
    app.add_api_route("/macro-probe", lambda: HTMLResponse(str(macro())))
    with TestClient(app) as client:
        sign_in(client, editor)
        assert client.get("/macro-probe").text == csrf(client)
        app.state.engine.dispose()
