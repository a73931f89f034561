"""An editor signs in and out in Chromium; the sign-in and user pages pass axe-core and the Nu Html Checker."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlmodel import Session

from app.core.db import make_engine
from app.record.models import Role, User
from tests.accounts_fixtures import PASSWORD, make_user

from .test_valid_html import html_problems

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .conftest import Axe


def live_user(database_url: str, role: Role) -> User:
    """An account in the live server's database; removed again after the test."""
    engine = make_engine(database_url)
    try:
        return make_user(
            engine, email=f"{role.value}-{uuid.uuid4().hex[:8]}@example.org", name=f"Browser {role.value}", role=role
        )
    finally:
        engine.dispose()


@pytest.fixture
def live_editor(live_database_url: str) -> Iterator[User]:
    user = live_user(live_database_url, Role.editor)
    yield user
    _delete(live_database_url, user)


@pytest.fixture
def live_admin(live_database_url: str) -> Iterator[User]:
    user = live_user(live_database_url, Role.admin)
    yield user
    _delete(live_database_url, user)


def _delete(database_url: str, user: User) -> None:
    engine = make_engine(database_url)
    with Session(engine) as session:
        row = session.get(User, user.id)
        if row is not None:
            session.delete(row)
            session.commit()
    engine.dispose()


def sign_in_through_the_form(page: Page, user: User, password: str = PASSWORD) -> None:
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_an_editor_signs_in_and_out(page: Page, live_editor: User) -> None:
    from playwright.sync_api import expect

    page.goto("/")
    page.goto("/compare")
    page.get_by_role("link", name="Editor sign-in").click()
    expect(page).to_have_url(re.compile(r"/login\?next=/compare$"))

    sign_in_through_the_form(page, live_editor, "not the password at all")
    expect(page.get_by_role("alert")).to_have_text("That email address and password do not match an account.")
    expect(page.get_by_label("Email address")).to_have_value(live_editor.email)

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/compare$"))
    expect(page.locator(".account")).to_contain_text(f"Signed in as {live_editor.name}")
    # The browser kept the timeline from before signing in (public pages are cacheable); signing in cleared it.
    page.goto("/")
    expect(page.locator(".account")).to_contain_text(f"Signed in as {live_editor.name}")
    expect(page.get_by_role("link", name="Editor sign-in")).to_have_count(0)
    expect(page.get_by_role("link", name="Admin")).to_have_count(0)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".account")).to_have_count(0)
    expect(page.get_by_role("link", name="Editor sign-in")).to_be_visible()
    page.goto("/admin/users")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fadmin%2Fusers$"))


def test_htmx_requests_carry_the_csrf_token(page: Page, live_editor: User) -> None:
    from playwright.sync_api import expect

    page.goto("/login")
    sign_in_through_the_form(page, live_editor)
    expect(page.locator(".account")).to_be_visible()
    # static/parley.js adds the header; without it the request would be refused with 403 in place of the page.
    page.evaluate("htmx.ajax('POST', '/logout', {target: '#main'})")
    expect(page.get_by_role("link", name="Editor sign-in")).to_be_visible()
    expect(page.locator(".account")).to_have_count(0)


def test_the_sign_in_page_passes_axe(page: Page, axe: Axe) -> None:
    page.goto("/login")
    axe.assert_no_violations(page, "sign-in form")
    page.get_by_label("Email address").fill("nobody@example.org")
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("alert").wait_for()
    axe.assert_no_violations(page, "sign-in form with an error")


def test_the_admin_pages_pass_axe(page: Page, axe: Axe, live_admin: User, live_editor: User) -> None:
    from playwright.sync_api import expect

    page.goto("/login?next=/admin/users")
    sign_in_through_the_form(page, live_admin)
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    axe.assert_no_violations(page, "users")
    page.get_by_label("Email address").fill(live_editor.email)
    page.get_by_label("Password").fill("x" * 12)
    page.get_by_role("button", name="Add account").click()
    expect(page.locator("#error-email")).not_to_be_empty()
    axe.assert_no_violations(page, "users with an invalid new account")

    page.locator(f"#user-{live_editor.id}").get_by_role("button", name=re.compile("^Disable")).click()
    expect(page.locator(f"#user-{live_editor.id}")).to_contain_text("Disabled")
    page.goto("/")
    expect(page.get_by_role("link", name="Admin")).to_be_visible()
    axe.assert_no_violations(page, "timeline, signed in as an admin")


def test_the_account_pages_are_valid_html(page: Page, live_admin: User, tmp_path: Path) -> None:
    page.goto("/login")
    files = {tmp_path / "sign-in.html": "/login"}
    (tmp_path / "sign-in.html").write_text(page.context.request.get("/login").text())
    sign_in_through_the_form(page, live_admin)
    page.locator(".account").wait_for()
    for name, path in {"users.html": "/admin/users", "signed-in-timeline.html": "/"}.items():
        html = page.context.request.get(path).text()  # with the page's cookies
        assert f"Signed in as <strong>{live_admin.name}</strong>" in html
        (tmp_path / name).write_text(html)
        files[tmp_path / name] = path
    problems = html_problems(files)
    assert not problems, "invalid HTML:\n" + "\n".join(problems)
