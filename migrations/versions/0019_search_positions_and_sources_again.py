"""The full-text index of positions and sources, made again on SQLite.

Migrations 0011 and 0015 altered the positions and sources tables in Alembic's batch mode, which on
SQLite copies a table into a new one and drops the old: the triggers migration 0010 made on them to
keep the index went with the old tables. On a database built by the migrations (every `make run`),
search has since found no position and no source, and edits to them were not indexed. This makes
the triggers again and fills the two kinds' index from their tables. On PostgreSQL the GIN indexes
outlived the alterations; made only where missing, nothing changes there.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 21:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

from app.record import search_index

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = search_index.of_tables("positions", "sources")


def upgrade() -> None:
    search_index.install(op.get_bind(), KINDS)


def downgrade() -> None:
    # 0018's schema was meant to have them (0010 made them): nothing of 0018's to take away.
    pass
