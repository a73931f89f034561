"""Every database test runs on SQLite and, when PARLEY_TEST_DATABASE_URL is set, on PostgreSQL.

Each test gets a database of its own, copied from a template made once per test process: a file
copied on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL. There are two templates, the schema
alone and the schema with the bundled record; a test that asks for ``seeded`` starts from the second,
so the record is loaded twice per run (once per engine) rather than once per test.
"""

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, SQLModel

from app.core.config import Settings, get_settings
from app.core.db import make_engine, session_scope
from app.main import create_app
from app.record.transfer import seed_record

POSTGRES_URL = os.environ.get("PARLEY_TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ["sqlite", "postgresql"]
# What a new database starts with: nothing, the schema, or the schema and the bundled record.
EMPTY, SCHEMA, SEEDED = "empty", "schema", "seeded"


def pytest_sessionstart(session: pytest.Session) -> None:
    if IN_CI and not POSTGRES_URL:
        raise pytest.UsageError("CI=true needs PARLEY_TEST_DATABASE_URL: the PostgreSQL tests may not be skipped")


def _fill(url: str, contents: str) -> None:
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    if contents == SEEDED:
        with session_scope(engine) as session:
            seed_record(session=session)
    engine.dispose()  # a template is copied with no connection open to it


class Databases:
    """Makes test databases by copying templates, each made on first use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.prefix = f"parley_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.templates: dict[tuple[str, str], str] = {}
        self._admin: sa.Engine | None = None

    @property
    def admin(self) -> sa.Engine:
        if self._admin is None:
            self._admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        return self._admin

    def _template(self, backend: str, contents: str) -> str:
        """The name (PostgreSQL) or path (SQLite) of the template holding ``contents``."""
        key = (backend, contents)
        if key not in self.templates:
            if backend == "sqlite":
                path = self.folder / f"template-{contents}.db"
                _fill(f"sqlite:///{path}", contents)
                self.templates[key] = str(path)
            else:
                name = f"{self.prefix}_{contents}"
                self._create(name)
                _fill(self._url(name), contents)
                self.templates[key] = name
        return self.templates[key]

    def _url(self, name: str) -> str:
        return sa.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)

    def _create(self, name: str, template: str | None = None) -> None:
        copy = f' TEMPLATE "{template}"' if template else ""
        with self.admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"{copy}'))

    def _drop(self, name: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def new(self, backend: str, tmp_path: Path, contents: str) -> Iterator[str]:
        """Yield the URL of a new database on ``backend`` holding ``contents``; drop it afterwards."""
        if backend == "sqlite":
            path = tmp_path / f"parley-{uuid.uuid4().hex[:8]}.db"
            if contents != EMPTY:
                shutil.copyfile(self._template(backend, contents), path)
            yield f"sqlite:///{path}"
            return
        if not POSTGRES_URL:
            pytest.skip("PARLEY_TEST_DATABASE_URL is not set")
        name = f"{self.prefix}_{uuid.uuid4().hex[:10]}"
        self._create(name, self._template(backend, contents) if contents != EMPTY else None)
        try:
            yield self._url(name)
        finally:
            self._drop(name)

    def close(self) -> None:
        for (backend, _), name in self.templates.items():
            if backend == "postgresql":
                self._drop(name)
        if self._admin is not None:
            self._admin.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    made = Databases(tmp_path_factory.mktemp("templates"))
    yield made
    made.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path, databases: Databases) -> Iterator[str]:
    """A database with no tables at all (for migration tests)."""
    yield from databases.new(backend, tmp_path, EMPTY)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, databases: Databases, request: pytest.FixtureRequest) -> Iterator[str]:
    """A database with the schema in place: with the bundled record when the test asks for ``seeded``."""
    yield from databases.new(backend, tmp_path, SEEDED if "seeded" in request.fixturenames else SCHEMA)


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
    """The bundled record, loaded (see ``database_url``: the database was copied with it in place)."""
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
