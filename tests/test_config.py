import pytest
from pydantic import ValidationError

from app.core.config import Settings


def test_default_database_is_sqlite_under_the_data_folder(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("PARLEY_DATABASE_URL", raising=False)
    settings = Settings(data_dir=tmp_path / "data")
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'parley.db'}"


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("PARLEY_SECRET_KEY", raising=False)
    first = Settings(data_dir=tmp_path)
    second = Settings(data_dir=tmp_path)
    assert len(first.secret_key) >= 32
    assert first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_variables_are_read(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PARLEY_DATABASE_URL", "postgresql+psycopg://parley@db/parley")
    monkeypatch.setenv("PARLEY_SECRET_KEY", "s" * 40)
    settings = Settings(data_dir=tmp_path)
    assert settings.database_url == "postgresql+psycopg://parley@db/parley"
    assert settings.secret_key == "s" * 40


@pytest.mark.parametrize("placeholder", ["changethis", "secret", "CHANGE-ME"])
def test_production_refuses_a_placeholder_secret(placeholder: str, tmp_path) -> None:
    with pytest.raises(ValidationError, match="PARLEY_SECRET_KEY is the placeholder"):
        Settings(environment="production", secret_key=placeholder, data_dir=tmp_path)


def test_development_tolerates_a_placeholder_secret(tmp_path) -> None:
    assert Settings(secret_key="changethis", data_dir=tmp_path).secret_key == "changethis"
