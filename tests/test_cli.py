"""The `parley` command, as an operator types it."""

import json
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from app.cli import cli
from app.core.config import Settings
from app.record.transfer import bundled_record
from tests.test_transfer import _counts

runner = CliRunner()


def test_db_upgrade_then_downgrade_base(empty_database_url: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PARLEY_DATABASE_URL", empty_database_url)
    monkeypatch.setenv("PARLEY_DATA_DIR", str(tmp_path))
    from app.core.config import get_settings

    get_settings.cache_clear()
    engine = sa.create_engine(empty_database_url)
    try:
        result = runner.invoke(cli, ["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert "rounds" in sa.inspect(engine).get_table_names()
        result = runner.invoke(cli, ["db", "downgrade", "base"])
        assert result.exit_code == 0, result.output
        assert "rounds" not in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()
        get_settings.cache_clear()


def test_seed_twice_then_export_and_import(settings: Settings, engine: sa.Engine, tmp_path: Path) -> None:
    first = runner.invoke(cli, ["seed"])
    assert first.exit_code == 0, first.output
    assert "Loaded the bundled Istanbul 2025 record" in first.output
    second = runner.invoke(cli, ["seed"])
    assert "already loaded; nothing changed" in second.output
    assert runner.invoke(cli, ["seed", "--if-empty"]).output.startswith("The database already holds a record")

    exported = tmp_path / "record.json"
    assert runner.invoke(cli, ["export", str(exported)]).exit_code == 0
    assert json.loads(exported.read_text())["rounds"][0]["slug"] == "2025-05-16-istanbul"

    refused = runner.invoke(cli, ["import", str(exported)])
    assert refused.exit_code == 1
    assert "needs an empty database" in refused.output


def test_import_refuses_a_broken_file_naming_entry_and_field(
    settings: Settings, engine: sa.Engine, tmp_path: Path
) -> None:
    data = json.loads(Path("app/data/istanbul-2025.json").read_text())
    data["people"][0]["party_id"] = 404
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data))

    result = runner.invoke(cli, ["import", str(broken)])
    assert result.exit_code == 1
    assert "nothing was written" in result.output
    person = data["people"][0]
    expected = f'people[0] (id {person["id"]}, "{person["slug"]}"): field "party_id": no entry of parties has id 404'
    assert expected in result.output
    assert set(_counts(engine).values()) == {0}


def test_import_loads_an_exported_file(settings: Settings, engine: sa.Engine, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["import", "app/data/istanbul-2025.json"])
    assert result.exit_code == 0, result.output
    assert f"Imported {bundled_record().size()} entries" in result.output
    assert _counts(engine)["rounds"] == len(bundled_record().rounds)
