"""Accounts: the command line, signing in and out, the throttle, who may open what, and the admins' page."""

import base64
import datetime as dt
import hashlib
import json
from http.cookies import SimpleCookie

import httpx2 as httpx
import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from app.cli import cli
from app.core.config import Settings
from app.main import create_app
from app.record.models import LoginAttempt, Role, User, UserSession, utcnow
from app.web import accounts
from tests.accounts_fixtures import PASSWORD, PRODUCTION_HASHER, csrf, make_user, sign_in

runner = CliRunner()


def soup_of(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def cookie_attributes(response: httpx.Response) -> dict[str, str | bool]:
    """The session cookie's attributes, lower-cased, as Set-Cookie states them."""
    header = next(v for v in response.headers.get_list("set-cookie") if v.startswith("parley_session="))
    parts = [part.strip() for part in header.split(";")[1:]]
    return {(pair := part.split("=", 1))[0].lower(): (pair[1].lower() if len(pair) == 2 else True) for part in parts}


def attempt_sign_in(client: TestClient, email: str, password: str, next_path: str | None = None) -> httpx.Response:
    data = {"email": email, "password": password, "csrf_token": csrf(client, "/login")}
    if next_path is not None:
        data["next"] = next_path
    return client.post("/login", data=data, follow_redirects=False)


def user_by_email(engine: sa.Engine, email: str) -> User | None:
    with Session(engine) as session:
        return session.exec(select(User).where(col(User.email) == email)).first()


# ------------------------------------------------------------------ command line


def test_user_add_reads_the_password_from_stdin(settings: Settings, engine: sa.Engine) -> None:
    result = runner.invoke(
        cli,
        ["user", "add", "Olena@Example.org", "--role", "admin", "--name", "Olena K.", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Added Olena K. <olena@example.org> as admin." in result.output
    user = user_by_email(engine, "olena@example.org")
    assert user is not None and user.role == Role.admin and user.active
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert accounts.password_hasher.verify(user.password_hash, PASSWORD)

    listed = runner.invoke(cli, ["user", "list"])
    assert "olena@example.org\tOlena K.\tadmin\tactive" in listed.output


def test_user_add_defaults_to_an_editor_named_after_the_address(settings: Settings, engine: sa.Engine) -> None:
    result = runner.invoke(cli, ["user", "add", "taras@example.org", "--password-stdin"], input=PASSWORD)
    assert result.exit_code == 0, result.output
    user = user_by_email(engine, "taras@example.org")
    assert user is not None and user.role == Role.editor and user.name == "taras"


def test_user_add_refuses_a_taken_address(settings: Settings, engine: sa.Engine, editor: User) -> None:
    result = runner.invoke(cli, ["user", "add", "EDITOR@example.org", "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 1
    assert "No account was added" in result.output
    assert "email: editor@example.org already has an account." in result.output


@pytest.mark.parametrize(
    ("email", "password", "expected"),
    [
        ("short@example.org", "only11chars", "password: Use at least 12 characters."),
        ("not-an-address", PASSWORD, "email: Enter an email address such as name@example.org."),
    ],
)
def test_user_add_refuses_bad_input(
    settings: Settings, engine: sa.Engine, email: str, password: str, expected: str
) -> None:
    result = runner.invoke(cli, ["user", "add", email, "--password-stdin"], input=password + "\n")
    assert result.exit_code == 1
    assert expected in result.output
    with Session(engine) as session:
        assert session.exec(select(User)).all() == []


def test_user_add_refuses_an_unknown_role(settings: Settings) -> None:
    result = runner.invoke(cli, ["user", "add", "a@example.org", "--role", "owner", "--password-stdin"], input=PASSWORD)
    assert result.exit_code != 0


# ------------------------------------------------------------------ signing in


def test_sign_in_sets_an_httponly_lax_session_cookie_and_goes_back(client: TestClient, editor: User) -> None:
    response = attempt_sign_in(client, editor.email, PASSWORD, next_path="/compare?party=ukraine")
    assert response.status_code == 303
    assert response.headers["location"] == "/compare?party=ukraine"
    attributes = cookie_attributes(response)
    assert attributes["httponly"] is True and attributes["samesite"] == "lax" and attributes["path"] == "/"
    assert "secure" not in attributes  # plain HTTP here; see the HTTPS test
    assert response.headers["clear-site-data"] == '"cache"'

    page = client.get("/compare")
    header = soup_of(page).select_one(".account")
    assert header is not None and "Signed in as Erin Editor" in header.get_text(" ", strip=True)
    assert page.headers["cache-control"] == "private, no-store"
    assert soup_of(page).select_one("footer a[href^='/login']") is None


def test_the_session_cookie_is_secure_over_https(settings: Settings, editor: User) -> None:
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        login_page = client.get("/login")
        assert cookie_attributes(login_page)["secure"] is True
        response = attempt_sign_in(client, editor.email, PASSWORD)
        assert response.status_code == 303
        assert cookie_attributes(response)["secure"] is True
        client.app.state.engine.dispose()  # type: ignore[attr-defined]


def test_the_session_holds_a_token_kept_on_the_server_and_no_role(
    client: TestClient, editor: User, engine: sa.Engine
) -> None:
    response = attempt_sign_in(client, editor.email, PASSWORD)
    cookie = SimpleCookie(response.headers["set-cookie"])["parley_session"].value
    payload = json.loads(base64.b64decode(cookie.split(".")[0]))
    assert set(payload) == {"sid", "auth", "csrf"}
    with Session(engine) as session:
        kept = session.exec(select(UserSession)).one()
    assert kept.user_id == editor.id and kept.ended_at is None
    assert kept.token_hash == hashlib.sha256(payload["sid"].encode()).hexdigest()  # the token itself is not kept


def test_signing_in_rotates_the_session(client: TestClient, editor: User) -> None:
    before = csrf(client, "/login")
    cookie_before = client.cookies["parley_session"]
    sign_in(client, editor)
    assert client.cookies["parley_session"] != cookie_before
    assert csrf(client, "/") != before


def test_wrong_password_and_unknown_email_get_the_same_answer(client: TestClient, editor: User) -> None:
    wrong = attempt_sign_in(client, editor.email, "not the password at all")
    unknown = attempt_sign_in(client, "nobody@example.org", "not the password at all")
    for response, email in ((wrong, editor.email), (unknown, "nobody@example.org")):
        assert response.status_code == 422
        soup = soup_of(response)
        assert soup.select_one("#sign-in-problem").get_text() == accounts.WRONG_CREDENTIALS
        assert soup.select_one("#field-email")["value"] == email
        assert soup.select_one("#field-password").get("value") is None


def test_an_empty_form_asks_for_both_fields(client: TestClient) -> None:
    response = attempt_sign_in(client, "", "")
    assert response.status_code == 422
    assert soup_of(response).select_one("#sign-in-problem").get_text() == accounts.MISSING_CREDENTIALS


def test_a_disabled_user_cannot_sign_in(client: TestClient, engine: sa.Engine) -> None:
    user = make_user(engine, email="gone@example.org", active=False)
    response = attempt_sign_in(client, user.email, PASSWORD)
    assert response.status_code == 422
    assert soup_of(response).select_one("#sign-in-problem").get_text() == accounts.DISABLED
    # Without the right password a disabled account looks like any other.
    wrong = attempt_sign_in(client, user.email, "not the password at all")
    assert soup_of(wrong).select_one("#sign-in-problem").get_text() == accounts.WRONG_CREDENTIALS


def test_sign_out_ends_the_session(editor_client: TestClient) -> None:
    assert soup_of(editor_client.get("/")).select_one(".account") is not None
    response = editor_client.post("/logout", data={"csrf_token": csrf(editor_client)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert "parley_session=null" in response.headers["set-cookie"]
    page = editor_client.get("/")
    assert soup_of(page).select_one(".account") is None
    assert soup_of(page).select_one("footer a[href^='/login']").get_text() == "Editor sign-in"
    assert editor_client.get("/admin/users", follow_redirects=False).status_code == 303


def test_sign_out_ends_the_session_for_a_copied_cookie_too(editor_client: TestClient, client: TestClient) -> None:
    copied = editor_client.cookies["parley_session"]
    editor_client.post("/logout", data={"csrf_token": csrf(editor_client)})
    client.cookies.set("parley_session", copied)
    assert client.get("/admin/users", follow_redirects=False).headers["location"].startswith("/login")
    assert soup_of(client.get("/compare")).select_one(".account") is None


def test_logout_only_answers_post(editor_client: TestClient) -> None:
    assert editor_client.get("/logout").status_code == 405


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "/logout",
        "",
    ],
)
def test_next_never_leaves_the_site(client: TestClient, editor: User, target: str) -> None:
    response = attempt_sign_in(client, editor.email, PASSWORD, next_path=target)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_next_is_carried_through_the_sign_in_page(client: TestClient) -> None:
    form = soup_of(client.get("/login?next=/rounds/x%3Fa%3D1")).select_one("form")
    assert form.select_one("input[name=next]")["value"] == "/rounds/x?a=1"
    form = soup_of(client.get("/login?next=https://evil.example")).select_one("form")
    assert form.select_one("input[name=next]")["value"] == "/"


def test_a_signed_in_visitor_to_the_sign_in_page_goes_on(editor_client: TestClient) -> None:
    response = editor_client.get("/login?next=/compare", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/compare"


def test_signing_in_rehashes_a_password_hashed_with_old_parameters(
    client: TestClient, engine: sa.Engine, editor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_hash = user_by_email(engine, editor.email).password_hash
    monkeypatch.setattr(accounts, "password_hasher", PRODUCTION_HASHER)
    assert PRODUCTION_HASHER.check_needs_rehash(old_hash)
    assert attempt_sign_in(client, editor.email, PASSWORD).status_code == 303
    new_hash = user_by_email(engine, editor.email).password_hash
    assert new_hash != old_hash and not PRODUCTION_HASHER.check_needs_rehash(new_hash)
    assert PRODUCTION_HASHER.verify(new_hash, PASSWORD)


def test_every_checked_attempt_is_recorded(client: TestClient, engine: sa.Engine, editor: User) -> None:
    attempt_sign_in(client, editor.email, "not the password at all")
    attempt_sign_in(client, "Editor@Example.org", PASSWORD)
    with Session(engine) as session:
        attempts = session.exec(select(LoginAttempt).order_by(col(LoginAttempt.id))).all()
    assert [(a.email, a.address, a.succeeded) for a in attempts] == [
        ("editor@example.org", "testclient", False),
        ("editor@example.org", "testclient", True),
    ]


# ------------------------------------------------------------------ the throttle


def test_too_many_failures_for_one_account_from_one_address_are_refused_with_429(
    client: TestClient, editor: User
) -> None:
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS):
        assert attempt_sign_in(client, editor.email, "not the password at all").status_code == 422
    refused = attempt_sign_in(client, editor.email, PASSWORD)  # even the right password, for now
    assert refused.status_code == 429
    message = soup_of(refused).select_one("#sign-in-problem").get_text()
    assert message == "Too many failed sign-ins for this account from your network address; try again in 15 minutes."
    # Counted from the first failure: a second or so may have passed on a loaded machine.
    assert 880 <= int(refused.headers["retry-after"]) <= 900
    assert soup_of(refused).select_one("#field-email")["value"] == editor.email
    # Another account from the same address is not locked by this one.
    other = make_user(client.app.state.engine, email="other@example.org")  # type: ignore[attr-defined]
    assert attempt_sign_in(client, other.email, PASSWORD).status_code == 303


def test_the_account_throttle_applies_to_unknown_accounts_too(client: TestClient) -> None:
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS):
        attempt_sign_in(client, "nobody@example.org", "not the password at all")
    assert attempt_sign_in(client, "nobody@example.org", "not the password at all").status_code == 429


def test_too_many_failures_from_one_address_are_refused_with_429(client: TestClient, editor: User) -> None:
    for number in range(accounts.MAX_FAILURES_PER_ADDRESS):
        attempt_sign_in(client, f"guess-{number}@example.org", "not the password at all")
    refused = attempt_sign_in(client, editor.email, PASSWORD)
    assert refused.status_code == 429
    message = soup_of(refused).select_one("#sign-in-problem").get_text()
    assert message == "Too many failed sign-ins from your network address; try again in 15 minutes."


def _failed(session: Session, email: str, address: str, at: dt.datetime) -> None:
    session.add(LoginAttempt(email=email, address=address, succeeded=False, at=at))


def test_a_stranger_guessing_cannot_lock_the_owner_out(session: Session, editor: User) -> None:
    """A guesser at one address is stopped there; the owner at theirs signs in as usual."""
    now = utcnow()
    for minutes_ago in range(accounts.MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS):
        _failed(session, editor.email, "203.0.113.66", now - dt.timedelta(minutes=minutes_ago, seconds=1))
    session.commit()
    with pytest.raises(accounts.TooManyAttempts):
        accounts.sign_in(session=session, email=editor.email, password=PASSWORD, address="203.0.113.66", now=now)
    user = accounts.sign_in(session=session, email=editor.email, password=PASSWORD, address="192.0.2.10", now=now)
    assert user.id == editor.id


def test_guessing_from_many_addresses_only_slows_new_places_down(session: Session, editor: User) -> None:
    now = utcnow()
    accounts.sign_in(session=session, email=editor.email, password=PASSWORD, address="192.0.2.10", now=now)
    later = now + dt.timedelta(minutes=1)
    for number in range(accounts.ACCOUNT_BACKOFF_AFTER):  # a botnet: one guess from each of many addresses
        _failed(session, editor.email, f"198.51.100.{number}", later + dt.timedelta(seconds=number))
    session.commit()
    last_guess = later + dt.timedelta(seconds=accounts.ACCOUNT_BACKOFF_AFTER - 1)
    with pytest.raises(accounts.TooManyAttempts) as refused:
        accounts.sign_in(
            session=session, email=editor.email, password="another guess", address="198.51.100.99", now=last_guess
        )
    assert refused.value.seconds == 60
    assert str(refused.value) == (
        "This account has had many failed sign-ins, so new places may try once a minute; try again in 1 minute."
    )
    # The owner, where they have signed in before, is not slowed down at all...
    user = accounts.sign_in(
        session=session, email=editor.email, password=PASSWORD, address="192.0.2.10", now=last_guess
    )
    assert user.id == editor.id
    # ...and from a new place waits at most a minute after the latest guess.
    for number in range(accounts.ACCOUNT_BACKOFF_AFTER):
        _failed(session, editor.email, f"198.51.100.{number}", last_guess + dt.timedelta(seconds=number + 1))
    session.commit()
    newest = last_guess + dt.timedelta(seconds=accounts.ACCOUNT_BACKOFF_AFTER)
    a_minute_on = newest + accounts.ACCOUNT_BACKOFF + dt.timedelta(seconds=1)
    user = accounts.sign_in(
        session=session, email=editor.email, password=PASSWORD, address="192.0.2.77", now=a_minute_on
    )
    assert user.id == editor.id


def test_the_lock_lifts_as_failures_leave_the_window(session: Session, editor: User) -> None:
    now = utcnow()
    for minutes_ago in (14, 10, 6, 4, 2):
        _failed(session, editor.email, "192.0.2.1", now - dt.timedelta(minutes=minutes_ago))
    session.commit()
    with pytest.raises(accounts.TooManyAttempts) as refused:
        accounts.sign_in(session=session, email=editor.email, password=PASSWORD, address="192.0.2.1", now=now)
    assert refused.value.seconds == 60  # the failure 14 minutes ago leaves the window in a minute
    later = now + dt.timedelta(minutes=1, seconds=1)
    user = accounts.sign_in(session=session, email=editor.email, password=PASSWORD, address="192.0.2.1", now=later)
    assert user.id == editor.id


def test_signing_in_clears_the_accounts_earlier_failures(session: Session, editor: User) -> None:
    now = utcnow()
    for number in range(accounts.MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS - 1):
        with pytest.raises(accounts.SignInRefused):
            accounts.sign_in(
                session=session,
                email=editor.email,
                password="wrong password " + str(number),
                address="192.0.2.2",
                now=now,
            )
    accounts.sign_in(session=session, email=editor.email, password=PASSWORD, address="192.0.2.2", now=now)
    with pytest.raises(accounts.SignInRefused) as refused:
        accounts.sign_in(session=session, email=editor.email, password="wrong again", address="192.0.2.2", now=now)
    assert not isinstance(refused.value, accounts.TooManyAttempts)


# ------------------------------------------------------------------ who may open what


def test_anonymous_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    response = client.get("/admin/users?x=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fadmin%2Fusers%3Fx%3D1"
    assert "set-cookie" not in response.headers


def test_anonymous_htmx_requests_are_sent_to_sign_in_by_header(client: TestClient) -> None:
    headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver/admin/users"}
    response = client.get("/admin/users", headers=headers, follow_redirects=False)
    assert response.status_code == 401
    assert response.headers["hx-redirect"] == "/login?next=%2Fadmin%2Fusers"
    foreign = {"HX-Request": "true", "HX-Current-URL": "https://evil.example/admin/users"}
    assert client.get("/admin/users", headers=foreign).headers["hx-redirect"] == "/login"


def test_editors_may_not_open_admin_pages(editor_client: TestClient) -> None:
    response = editor_client.get("/admin/users")
    assert response.status_code == 403
    soup = soup_of(response)
    assert soup.select_one("h1").get_text() == "Not for your account"
    assert "This page is for admins" in soup.select_one("main").get_text()
    assert soup_of(editor_client.get("/")).select_one(".account a[href='/admin/users']") is None


def test_admins_see_the_users(admin_client: TestClient, editor: User, admin: User) -> None:
    response = admin_client.get("/admin/users")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"
    rows = {
        row.select("td")[0].get_text(): [cell.get_text(" ", strip=True) for cell in row.select("td")[1:4]]
        for row in soup_of(response).select("table.users tbody tr")
    }
    assert rows == {
        "editor@example.org": ["Erin Editor", "Editor", "Active"],
        "admin@example.org": ["Ada Admin", "Admin", "Active"],
    }
    assert soup_of(admin_client.get("/")).select_one(".account a[href='/admin/users']") is not None


def test_an_admin_adds_an_editor(admin_client: TestClient, engine: sa.Engine) -> None:
    data = {
        "email": "new@example.org",
        "name": "Nadia New",
        "role": "editor",
        "password": PASSWORD,
        "csrf_token": csrf(admin_client, "/admin/users"),
    }
    response = admin_client.post("/admin/users", data=data, follow_redirects=False)
    assert response.status_code == 303
    user = user_by_email(engine, "new@example.org")
    assert user is not None and user.role == Role.editor and user.name == "Nadia New"
    assert response.headers["location"] == f"/admin/users?added={user.id}#user-{user.id}"
    page = soup_of(admin_client.get(response.headers["location"]))
    assert page.select_one(".notice").get_text() == "Added Nadia New (new@example.org) as editor."


def test_an_invalid_new_account_is_shown_again_with_each_error_beside_its_field(
    admin_client: TestClient, editor: User, engine: sa.Engine
) -> None:
    data = {
        "email": editor.email,
        "name": "Someone",
        "role": "admin",
        "password": "short",
        "csrf_token": csrf(admin_client, "/admin/users"),
    }
    response = admin_client.post("/admin/users", data=data)
    assert response.status_code == 422
    soup = soup_of(response)
    assert soup.select_one("#error-email").get_text() == "editor@example.org already has an account."
    assert soup.select_one("#error-password").get_text() == "Use at least 12 characters."
    assert soup.select_one("#field-email")["value"] == editor.email
    assert soup.select_one("#field-email")["aria-invalid"] == "true"
    assert soup.select_one("#field-name")["value"] == "Someone"
    assert soup.select_one("input[name=role][checked]")["value"] == "admin"
    assert soup.select_one("#field-password").get("value") is None
    assert user_by_email(engine, "someone@example.org") is None

    data |= {"email": "fine@example.org", "password": PASSWORD, "role": "owner"}
    response = admin_client.post("/admin/users", data=data)
    assert response.status_code == 422
    assert soup_of(response).select_one("#error-role").get_text() == "Choose editor or admin."


def test_an_admin_disables_and_re_enables_an_editor(
    admin_client: TestClient, editor_client: TestClient, editor: User, engine: sa.Engine
) -> None:
    token = csrf(admin_client, "/admin/users")
    response = admin_client.post(
        f"/admin/users/{editor.id}/disable", data={"csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == f"/admin/users#user-{editor.id}"
    assert user_by_email(engine, editor.email).active is False
    row = soup_of(admin_client.get("/admin/users")).select_one(f"#user-{editor.id}")
    assert "Disabled" in row.get_text() and row.select_one("button").get_text(" ", strip=True).startswith("Re-enable")

    # The editor's session stops working at once, and they cannot sign in again.
    copied = editor_client.cookies["parley_session"]
    assert editor_client.get("/admin/users", follow_redirects=False).headers["location"].startswith("/login")
    assert soup_of(editor_client.get("/")).select_one(".account") is None
    assert attempt_sign_in(editor_client, editor.email, PASSWORD).status_code == 422

    response = admin_client.post(f"/admin/users/{editor.id}/enable", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert user_by_email(engine, editor.email).active is True
    # Re-enabling does not bring the old session back: a cookie kept from before stays signed out.
    other = TestClient(admin_client.app)  # another browser holding the copy
    other.cookies.set("parley_session", copied)
    assert soup_of(other.get("/compare")).select_one(".account") is None
    assert attempt_sign_in(editor_client, editor.email, PASSWORD).status_code == 303


def test_an_admin_sees_and_ends_a_users_sessions(
    admin_client: TestClient, editor_client: TestClient, client_for, editor: User
) -> None:
    second = client_for(editor)  # the same editor on another browser
    page = soup_of(admin_client.get("/admin/users"))
    listed = page.select(f"#sessions-{editor.id} > ul > li")
    assert len(listed) == 2
    assert "from testclient" in listed[0].get_text(" ", strip=True)
    token = csrf(admin_client, "/admin/users")
    one = listed[0].select_one("form")["action"]
    assert admin_client.post(one, data={"csrf_token": token}, follow_redirects=False).status_code == 303
    signed_in = [soup_of(c.get("/compare")).select_one(".account") is not None for c in (editor_client, second)]
    assert sorted(signed_in) == [False, True], "one of the two browsers is signed out, the other is not"

    ending_all = soup_of(admin_client.get("/admin/users")).select(f"#sessions-{editor.id} > ul > li")
    assert len(ending_all) == 1
    admin_client.post(f"/admin/users/{editor.id}/sessions/end", data={"csrf_token": token})
    assert all(soup_of(c.get("/compare")).select_one(".account") is None for c in (editor_client, second))
    assert soup_of(admin_client.get("/admin/users")).select_one(f"#sessions-{editor.id}") is None


def test_an_admin_cannot_disable_themself(admin_client: TestClient, admin: User, engine: sa.Engine) -> None:
    page = soup_of(admin_client.get("/admin/users"))
    assert page.select_one(f"#user-{admin.id} form") is None
    token = csrf(admin_client, "/admin/users")
    response = admin_client.post(f"/admin/users/{admin.id}/disable", data={"csrf_token": token})
    assert response.status_code == 403
    assert "You cannot disable your own account" in response.text
    assert user_by_email(engine, admin.email).active is True


def test_disabling_an_unknown_user_is_404(admin_client: TestClient) -> None:
    token = csrf(admin_client, "/admin/users")
    assert admin_client.post("/admin/users/9999/disable", data={"csrf_token": token}).status_code == 404


def test_a_new_password_ends_other_sessions(editor_client: TestClient, engine: sa.Engine, editor: User) -> None:
    with Session(engine) as session:
        user = session.get(User, editor.id)
        user.password_hash = accounts.password_hasher.hash("a brand new password")
        session.commit()
    assert soup_of(editor_client.get("/")).select_one(".account") is None


def test_a_tampered_cookie_is_ignored(client: TestClient, editor_client: TestClient, admin: User) -> None:
    forged = editor_client.cookies["parley_session"].replace("eyJ", "eyK", 1)
    client.cookies.set("parley_session", forged)
    assert client.get("/admin/users", follow_redirects=False).status_code == 303


# ------------------------------------------------------------------ readers stay cookie-free


@pytest.mark.parametrize("path", ["/", "/compare", "/rounds/2025-06-02-istanbul", "/api/timeline"])
def test_public_pages_set_no_cookie_for_readers(seeded: sa.Engine, client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    assert response.headers["cache-control"].startswith("public")
    assert "etag" in response.headers
    assert not client.cookies


def test_readers_get_no_csrf_token_nor_script(client: TestClient) -> None:
    soup = soup_of(client.get("/"))
    assert soup.select_one('meta[name="csrf-token"]') is None
    assert soup.select_one('script[src$="parley.js"]') is None
    assert soup.select_one("footer a[href^='/login']")["href"] == "/login?next=/"


def test_signed_in_pages_carry_the_token_and_the_script(editor_client: TestClient) -> None:
    soup = soup_of(editor_client.get("/compare"))
    assert soup.select_one('meta[name="csrf-token"]')["content"]
    assert soup.select_one('script[src="/static/parley.js"]') is not None
    assert editor_client.get("/static/parley.js").status_code == 200
