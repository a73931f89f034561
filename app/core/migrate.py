"""Alembic, driven from Parley's settings rather than an alembic.ini."""

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from app.core.config import PROJECT_ROOT, Settings


def alembic_config(settings: Settings, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("path_separator", "os")
    # Alembic's ini interpolation treats "%" as special; URLs may contain it.
    config.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(settings: Settings, revision: str = "head", connection: Connection | None = None) -> None:
    command.upgrade(alembic_config(settings, connection), revision)


def create_at_head(settings: Settings, connection: Connection) -> None:
    """The schema made at once from the models and stamped as the newest revision.

    For a database that is made whole and never upgraded (a release's, app/record/releases.py):
    running every migration reflects and rebuilds tables one by one on SQLite, seconds a first reader
    would wait; tests/test_migrations.py holds the models and the migrations to the same schema.
    """
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlmodel import SQLModel

    SQLModel.metadata.create_all(connection)
    MigrationContext.configure(connection).stamp(ScriptDirectory.from_config(alembic_config(settings)), "head")


def downgrade(settings: Settings, revision: str, connection: Connection | None = None) -> None:
    command.downgrade(alembic_config(settings, connection), revision)


def revision(settings: Settings, message: str, *, autogenerate: bool = True) -> None:
    command.revision(alembic_config(settings), message=message, autogenerate=autogenerate)


def current(settings: Settings) -> None:
    command.current(alembic_config(settings), verbose=False)
