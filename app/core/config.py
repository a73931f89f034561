"""Settings: one object, read once from ``PARLEY_…`` environment variables."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Where templates/, static/ and migrations/ live: the project is installed in
# editable mode, so the package's parent is the checkout.
PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Values people paste from examples; a deployment running with one of these
# has no secret at all.
PLACEHOLDER_SECRETS = frozenset({"changethis", "change-me", "changeme", "secret", "dev", "parley"})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARLEY_", extra="ignore")

    environment: Literal["development", "production"] = Field(
        "development",
        description="`production` refuses placeholder secrets.",
    )
    data_dir: Path = Field(
        Path("data"),
        description="Folder for the default SQLite database and the generated secret key.",
    )
    database_url: str = Field(
        "",
        description=(
            "SQLAlchemy URL of the database. Empty means an SQLite file under the data folder; "
            "PostgreSQL is `postgresql+psycopg://user@host:5432/name`."
        ),
    )
    secret_key: str = Field(
        "",
        description="Signs session cookies. Generated and kept under the data folder when not given.",
    )
    secure_cookies: bool = Field(
        False,
        description=(
            "Mark the session cookie Secure on every answer. Without it the cookie is Secure whenever the "
            "request came over HTTPS; set it behind a TLS proxy that does not pass X-Forwarded-Proto."
        ),
    )
    session_days: int = Field(14, ge=1, le=90, description="Days a sign-in lasts before the editor signs in again.")
    embed_allowed_origins: str = Field(
        "*",
        pattern=r"^(\*|https?://[\w*.-]+(:\d+)?( https?://[\w*.-]+(:\d+)?)*)$",
        description=(
            "Sites that may show the widgets under /embed/ in a frame: `*` for any, or origins separated by "
            "spaces (`https://news.example.org https://*.example.com`). Other pages may never be framed."
        ),
    )

    threads: int = Field(
        2,
        ge=1,
        le=256,
        description=(
            "Requests one worker process works on at once besides its pages: saves, sign-ins, exports. Pages "
            "(every GET but the exports) take turns on threads of their own: one on SQLite, where rendering and "
            "reading the record both hold the interpreter (two threads rendered a fifth to a third fewer pages "
            "afresh than one), and this many on PostgreSQL, where a page waits for the database while another "
            "renders. The pool holds a connection for each thread, page threads too, plus four: keep "
            "workers × (2 × threads + 6) under PostgreSQL's max_connections. Add workers, not threads, for more "
            "pages at once (on PostgreSQL 4 rendered no more than 2)."
        ),
    )
    pool_timeout: float = Field(
        5.0,
        gt=0,
        le=60,
        description=(
            "Seconds a request waits for a database connection, or for the database to answer a new one, "
            "before it is answered 503 with Retry-After."
        ),
    )
    response_cache_mb: int = Field(
        32,
        ge=0,
        le=4096,
        description=(
            "Megabytes of rendered public answers one worker keeps. 0 keeps none, so that every page is "
            "rendered afresh (what `make bench` measures as cold)."
        ),
    )
    forwarded_allow_ips: str = Field(
        "",
        description=(
            "Proxies trusted to say who the visitor is (X-Forwarded-For, X-Forwarded-Proto): addresses or "
            "networks separated by commas, or `*`. Empty: nobody, so the address counted is the connection's."
        ),
    )
    import_max_bytes: int = Field(
        512 * 1024 * 1024,
        ge=1,
        description="The largest file `parley import` reads, in bytes.",
    )
    import_max_depth: int = Field(
        32,
        ge=4,
        le=10_000,
        description="How deeply arrays and objects may nest in a file `parley import` reads.",
    )

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'parley.db'}"
        if self.environment == "production" and self.secret_key.strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError(
                f"PARLEY_SECRET_KEY is the placeholder {self.secret_key!r}; production needs a real secret "
                '(for example: python -c "import secrets; print(secrets.token_urlsafe(48))")'
            )
        if not self.secret_key:
            self.secret_key = _stored_secret(self.data_dir / "secret_key")
        return self


def _stored_secret(path: Path) -> str:
    """Read the secret kept under the data folder, creating it on first run."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(key + "\n")
    return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
