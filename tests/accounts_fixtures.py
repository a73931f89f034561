"""Accounts for tests: users, signed-in clients and the CSRF token a page carries.

Imported into tests/conftest.py, so every test can ask for these fixtures:

- ``editor``, ``admin``: ``User`` rows in the test's database, made through ``accounts.create_user``,
  with the password ``PASSWORD``.
- ``editor_client``, ``admin_client``: a ``TestClient`` of its own, signed in as that user. Each has its
  own cookies, so a test can hold the anonymous ``client`` and both at once.
- ``client_for(user, password=PASSWORD)``: one more signed-in client (a second editor, say).
- ``sign_in(client, user, password=PASSWORD)``: sign an existing client in through the form.
- ``make_user(engine, email=..., role=..., ...)``: one more account.
- ``csrf(client, path="/")``: the token ``path`` carries, for the form field ``csrf_token`` or the
  header ``X-CSRF-Token``. Signed-in pages carry it in ``<meta name="csrf-token">``; the sign-in
  page in its form.

Password hashing is made cheap for the whole test run (``fast_password_hashing``, autouse): tests
that need the production parameters restore ``PRODUCTION_HASHER``.
"""

import uuid
from collections.abc import Callable, Iterator

import httpx2 as httpx
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.config import Settings
from app.main import create_app
from app.record.models import Role, User
from app.web import accounts

__all__ = [
    "PASSWORD",
    "PRODUCTION_HASHER",
    "admin",
    "admin_client",
    "client_for",
    "csrf",
    "editor",
    "editor_client",
    "fast_password_hashing",
    "make_user",
    "sign_in",
]

PASSWORD = "correct horse battery staple"
PRODUCTION_HASHER = accounts.password_hasher
# The smallest parameters argon2-cffi accepts: hashing in tests takes microseconds, not 100 ms.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "password_hasher", FAST_HASHER)


def make_user(
    engine: sa.Engine,
    *,
    email: str | None = None,
    role: Role = Role.editor,
    password: str = PASSWORD,
    name: str = "",
    active: bool = True,
) -> User:
    """Add an account (a unique email unless given) and return it, detached from any session."""
    with Session(engine) as session:
        user = accounts.create_user(
            session=session,
            email=email or f"{role.value}-{uuid.uuid4().hex[:8]}@example.org",
            name=name,
            role=role,
            password=password,
        )
        if not active:
            user.active = False
            session.commit()
            session.refresh(user)
        session.expunge(user)
    return user


@pytest.fixture
def editor(engine: sa.Engine) -> User:
    return make_user(engine, email="editor@example.org", name="Erin Editor", role=Role.editor)


@pytest.fixture
def admin(engine: sa.Engine) -> User:
    return make_user(engine, email="admin@example.org", name="Ada Admin", role=Role.admin)


def csrf(client: TestClient, path: str = "/") -> str:
    """The CSRF token the page at ``path`` carries for this client's session."""
    response = client.get(path)
    soup = BeautifulSoup(response.text, "html.parser")
    meta = soup.select_one('meta[name="csrf-token"]')
    field = soup.select_one('input[name="csrf_token"]')
    token = meta["content"] if meta else field["value"] if field else None
    if not isinstance(token, str) or not token:
        raise AssertionError(f"GET {path} ({response.status_code}) carries no CSRF token: is the client signed in?")
    return token


def sign_in(client: TestClient, user: User | str, password: str = PASSWORD) -> httpx.Response:
    """Sign ``client`` in through the sign-in form; fails the test unless it succeeds."""
    email = user if isinstance(user, str) else user.email
    data = {"email": email, "password": password, "csrf_token": csrf(client, "/login")}
    response = client.post("/login", data=data, follow_redirects=False)
    assert response.status_code == 303, f"signing in as {email} answered {response.status_code}"
    return response


@pytest.fixture
def client_for(settings: Settings) -> Iterator[Callable[..., TestClient]]:
    """``client_for(user, password=PASSWORD)``: a new client of its own, signed in as ``user``."""
    opened: list[TestClient] = []

    def open_client(user: User, password: str = PASSWORD) -> TestClient:
        app = create_app(settings)
        client = TestClient(app)
        client.__enter__()
        opened.append(client)
        sign_in(client, user, password)
        return client

    yield open_client
    for client in opened:
        client.__exit__(None, None, None)
        client.app.state.engine.dispose()  # type: ignore[attr-defined]


@pytest.fixture
def editor_client(client_for: Callable[..., TestClient], editor: User) -> TestClient:
    return client_for(editor)


@pytest.fixture
def admin_client(client_for: Callable[..., TestClient], admin: User) -> TestClient:
    return client_for(admin)
