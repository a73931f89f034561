"""Seed, export and import: the record moves whole, or not at all."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from app.core.db import make_engine, session_scope
from app.record import document
from app.record.document import KINDS, DocumentError
from app.record.models import Party, Round
from app.record.transfer import bundled_record, export_record, import_record, is_empty, seed_record
from tests import factories
from tests.conftest import POSTGRES_URL, Databases


def _export(engine: sa.Engine) -> str:
    with Session(engine) as session:
        return document.dump(export_record(session=session))


def _counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            kind.key: connection.execute(sa.select(sa.func.count()).select_from(kind.sa_table)).scalar_one()
            for kind in KINDS
        }


def _import(engine: sa.Engine, text: str) -> None:
    with session_scope(engine) as session:
        import_record(session=session, record=document.parse(text))


def _schema(url: str) -> sa.Engine:
    engine = make_engine(url)
    from sqlmodel import SQLModel

    SQLModel.metadata.create_all(engine)
    return engine


def test_bundled_record_is_its_own_canonical_export() -> None:
    """The shipped file is exactly what `parley export` writes, so diffs against it are meaningful."""
    text = (Path(__file__).parent.parent / "app" / "data" / "istanbul-2025.json").read_text(encoding="utf-8")
    assert document.dump(document.parse(text)) == text


def test_seed_loads_the_istanbul_talks_and_a_second_run_changes_nothing(engine: sa.Engine) -> None:
    with session_scope(engine) as session:
        first = seed_record(session=session)
    before = _export(engine)
    with session_scope(engine) as session:
        second = seed_record(session=session)

    assert first.loaded and first.written == bundled_record().size()
    assert not second.loaded and second.written == 0
    assert _export(engine) == before
    with Session(engine) as session:
        slugs = session.exec(select(Round.slug).order_by(Round.sequence)).all()
    assert slugs[:2] == ["2025-05-16-istanbul", "2025-06-02-istanbul"]


def test_seed_joins_a_record_that_already_has_some_parties(engine: sa.Engine) -> None:
    with session_scope(engine) as session:
        session.add(Party(slug="ukraine", name="Ukraine", short_name="Ukraine", colour="#1c7ed6"))
    with session_scope(engine) as session:
        seed_record(session=session)
    with Session(engine) as session:
        assert len(session.exec(select(Party).where(Party.slug == "ukraine")).all()) == 1
    assert _counts(engine)["rounds"] == len(bundled_record().rounds)


def test_export_import_export_is_byte_identical(
    seeded: sa.Engine, backend: str, tmp_path: Path, databases: Databases
) -> None:
    exported = _export(seeded)
    for url in databases.new(backend, tmp_path, "empty"):
        target = _schema(url)
        _import(target, exported)
        assert _export(target) == exported
        target.dispose()


@pytest.mark.skipif(not POSTGRES_URL, reason="PARLEY_TEST_DATABASE_URL is not set")
def test_sqlite_record_moves_to_postgresql_and_back_unchanged(tmp_path: Path, databases: Databases) -> None:
    sqlite_url = next(databases.new("sqlite", tmp_path, "empty"))
    source = _schema(sqlite_url)
    with session_scope(source) as session:
        seed_record(session=session)
    exported = _export(source)

    on_postgresql: Iterator[str] = databases.new("postgresql", tmp_path, "empty")
    postgres = _schema(next(on_postgresql))
    _import(postgres, exported)
    assert _export(postgres) == exported

    # New rows after an import get fresh ids: PostgreSQL's sequences were moved past the imported ones.
    with session_scope(postgres) as session:
        party = Party(slug="european-union", name="European Union", short_name="EU", colour="#1c7ed6")
        session.add(party)
        session.flush()
        assert party.id == max(p.id for p in bundled_record().parties) + 1
    postgres.dispose()
    next(on_postgresql, None)  # drops the database


def _bundled_json() -> dict:
    return json.loads(document.dump(bundled_record()))


def _broken(change) -> str:  # type: ignore[no-untyped-def]
    data = _bundled_json()
    change(data)
    return json.dumps(data)


def _round_index(data: dict, slug: str) -> int:
    return next(i for i, entry in enumerate(data["rounds"]) if entry["slug"] == slug)


REFUSED = {
    "bad-json": ('{"format": "parley-record", "rounds": [', "not valid JSON"),
    "missing-field": (
        _broken(lambda d: d["rounds"][_round_index(d, "2025-06-02-istanbul")].pop("status")),
        'rounds[{i}] (id {id}, "2025-06-02-istanbul"): field "status" is missing',
    ),
    "dangling-reference": (
        _broken(lambda d: d["rounds"][_round_index(d, "2025-06-02-istanbul")].update(chair_id=999)),
        'rounds[{i}] (id {id}, "2025-06-02-istanbul"): field "chair_id": no entry of people has id 999',
    ),
    "duplicate-slug": (
        _broken(lambda d: d["rounds"][_round_index(d, "2025-06-02-istanbul")].update(slug="2025-05-16-istanbul")),
        'field "slug": "2025-05-16-istanbul" is already used by rounds[',
    ),
    "bad-enum": (
        _broken(lambda d: d["outcomes"][0].update(status="done")),
        'outcomes[0] (id {oid}): field "status": Input should be',
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_refused_import_names_the_entry_and_field_and_writes_nothing(case: str, engine: sa.Engine) -> None:
    text, expected = REFUSED[case]
    data = _bundled_json()
    index = _round_index(data, "2025-06-02-istanbul")
    expected = expected.format(i=index, id=data["rounds"][index]["id"], oid=data["outcomes"][0]["id"])

    with pytest.raises(DocumentError) as refused:
        _import(engine, text)
    assert any(expected in problem for problem in refused.value.problems), refused.value.problems
    with Session(engine) as session:
        assert is_empty(session=session)


def test_a_failure_inside_the_database_rolls_the_whole_import_back(engine: sa.Engine) -> None:
    """Even what only the database catches (here a reference checks skipped) leaves nothing behind."""
    record = bundled_record()
    round_ = record.rounds[0]
    round_.__dict__["chair_id"] = 999  # bypass validation: the database must refuse it
    with pytest.raises(DocumentError, match="rounds: the database refused an entry"), session_scope(engine) as session:
        import_record(session=session, record=record)
    assert _counts(engine) == {kind.key: 0 for kind in KINDS}


def test_import_into_a_database_that_holds_a_record_is_refused(seeded: sa.Engine) -> None:
    before = _export(seeded)
    with pytest.raises(DocumentError, match="needs an empty database"):
        _import(seeded, before)
    assert _export(seeded) == before


def test_a_record_loaded_today_keeps_the_times_it_carries(seeded, client) -> None:
    """The round page's "last updated" and the feed tell when the record changed, not when it was loaded:
    the page, when anything it shows last did (an outcome, on the 29th); the feed, when the round did."""
    round_1 = factories.soup_of(client, "/rounds/2025-05-16-istanbul")
    assert factories.text(round_1.select_one(".updated")) == "Last updated 29 November 2026, 20:52 UTC"
    feed = client.get("/feed.atom").text
    assert "<id>http://testserver/rounds/2025-05-16-istanbul</id>" in feed
    entry = feed.split("<id>http://testserver/rounds/2025-05-16-istanbul</id>")[1].split("</entry>")[0]
    assert "<updated>2026-11-24T21:22:26Z</updated>" in entry and "<published>2026-11-24T20:49:20Z</published>" in entry
