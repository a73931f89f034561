"""The migration history builds exactly the models' schema, and unwinds completely."""

import datetime as dt

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import Session, SQLModel, col, select

from app.core import migrate
from app.core.config import Settings
from app.core.db import make_engine, session_scope
from app.reading.search import search
from app.record import search_index
from app.record.models import Position
from app.record.transfer import seed_record


def test_upgrade_head_matches_models_and_downgrade_base_empties(empty_database_url: str, tmp_path) -> None:
    settings = Settings(database_url=empty_database_url, data_dir=tmp_path)
    engine = make_engine(empty_database_url)
    try:
        migrate.upgrade(settings, "head")
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_name": search_index.include_name}
            )
            assert compare_metadata(context, SQLModel.metadata) == []
            tables = set(sa.inspect(connection).get_table_names())
        assert set(SQLModel.metadata.tables) <= tables

        migrate.downgrade(settings, "base")
        with engine.connect() as connection:
            assert set(sa.inspect(connection).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def test_sqlite_connections_enforce_foreign_keys_with_wal(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    finally:
        engine.dispose()


def test_upgrading_a_filled_database_keeps_every_row_and_backfills_new_columns(
    empty_database_url: str, tmp_path
) -> None:
    settings = Settings(database_url=empty_database_url, data_dir=tmp_path)
    engine = make_engine(empty_database_url)
    stamp = {"version": 1, "created_at": dt.datetime(2025, 1, 1, tzinfo=dt.UTC)}
    stamp["updated_at"] = stamp["created_at"]
    rows = {
        "negotiations": {"id": 1, "slug": "n", "title": "N", "description": ""},
        "parties": {"id": 1, "slug": "ukraine", "name": "Ukraine", "short_name": "UA", "colour": "#1c7ed6"},
        "topics": {"id": 1, "slug": "ceasefire", "name": "Ceasefire", "description": "", "sort_order": 1},
        "rounds": {
            "id": 1,
            "negotiation_id": 1,
            "sequence": 1,
            "slug": "r1",
            "status": "planned",
            "date": dt.date(2025, 6, 1),
            "date_precision": "month",
            "summary": "",
        },
        "positions": {
            "id": 1,
            "party_id": 1,
            "topic_id": 1,
            "round_id": 1,
            "stated_precision": "day",
            "summary": "A ceasefire first",
            "text": "",
        },
    }
    try:
        migrate.upgrade(settings, "0001")
        with engine.begin() as connection:
            metadata = sa.MetaData()
            metadata.reflect(connection)
            for name, row in rows.items():
                connection.execute(metadata.tables[name].insert(), [row | stamp])
        migrate.upgrade(settings, "head")
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT sort_date FROM rounds")).scalar() in {
                dt.date(2025, 6, 30),
                "2025-06-30",
            }
            assert connection.execute(sa.text("SELECT negotiation_id FROM positions")).scalar() == 1
            # What existed before drafts did was public.
            assert connection.execute(sa.text("SELECT published FROM positions")).scalar() in {True}
            # SQLite rebuilds tables to alter them; no rebuild may cascade into another table's rows.
            for name in rows:
                assert connection.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar() == 1, name
        migrate.downgrade(settings, "0001")
        with engine.connect() as connection:
            for name in rows:
                assert connection.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar() == 1, name
    finally:
        engine.dispose()


def test_a_database_built_by_the_migrations_finds_every_kind_it_searches(empty_database_url: str, tmp_path) -> None:
    """As `make run` builds it: migrations 0011 and 0015 rebuilt positions and sources on SQLite and
    took their index triggers with them, and search found neither until 0019 made them again."""
    settings = Settings(database_url=empty_database_url, data_dir=tmp_path)
    migrate.upgrade(settings, "head")
    engine = make_engine(empty_database_url)
    try:
        with session_scope(engine) as session:
            seed_record(session=session)

        def kinds_found(q: str) -> set[str]:
            with Session(engine) as session:
                return {group.kind for group in search(session=session, q=q).groups}

        assert "position" in kinds_found("prisoners")
        assert "source" in kinds_found("TASS")
        # Kept as the record changes: an edited position is found by its new words, not its old ones.
        with session_scope(engine) as session:
            position = session.exec(select(Position).where(col(Position.text).contains("prisoner"))).first()
            assert position is not None
            position.text = "A wholly new wording about lighthouses."
            session.add(position)
        assert "position" in kinds_found("lighthouses")
        if engine.dialect.name == "sqlite":  # every kind's index is kept by triggers on its table
            with engine.connect() as connection:
                triggers = set(
                    connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars()
                )
            wanted = {
                f"{search_index.FTS_TABLE}_{s.table}_{event}"
                for s in search_index.SEARCHED
                for event in ("insert", "update", "delete")
            }
            assert wanted <= triggers, sorted(wanted - triggers)
    finally:
        engine.dispose()
