"""Every database test runs on SQLite and, when PARLEY_TEST_DATABASE_URL is set, on PostgreSQL.

Each test gets a database of its own: a fresh SQLite file, or a fresh schema
in the PostgreSQL database (selected through the connection's search_path).
"""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, SQLModel

from app.config import Settings, get_settings
from app.db import make_engine, session_scope
from app.main import create_app
from app.transfer import seed_record

POSTGRES_URL = os.environ.get("PARLEY_TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ["sqlite", "postgresql"]


def pytest_sessionstart(session: pytest.Session) -> None:
    if IN_CI and not POSTGRES_URL:
        raise pytest.UsageError("CI=true needs PARLEY_TEST_DATABASE_URL: the PostgreSQL tests may not be skipped")


def _postgres_schema_url(schema: str) -> str:
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}"


def new_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """Yield the URL of a new, empty database on ``backend``; drop it afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / f'parley-{uuid.uuid4().hex[:8]}.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("PARLEY_TEST_DATABASE_URL is not set")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _postgres_schema_url(schema)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all (for migration tests)."""
    yield from new_database(backend, tmp_path)


@pytest.fixture
def database_url(empty_database_url: str) -> Iterator[str]:
    """A database with the schema in place and no record."""
    engine = make_engine(empty_database_url)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    yield empty_database_url


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: sa.Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@pytest.fixture
def seeded(engine: sa.Engine) -> sa.Engine:
    with session_scope(engine) as session:
        seed_record(session=session)
    return engine


@pytest.fixture
def settings(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings pointing at this test's database, also as the environment the CLI reads."""
    monkeypatch.setenv("PARLEY_DATABASE_URL", database_url)
    monkeypatch.setenv("PARLEY_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


from tests.accounts_fixtures import *  # noqa: E402, F403
