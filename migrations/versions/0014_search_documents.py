"""Full-text search over documents and their clauses.

The index of migration 0010 gains two kinds: documents (title, summary, standpoint) and clauses
(heading, text, number). SQLite's triggers and PostgreSQL's GIN indexes are made by
``app/record/search_index.py``, as for the others.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 00:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

from app.record import search_index

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = search_index.of_tables("documents", "clauses")


def upgrade() -> None:
    search_index.install(op.get_bind(), KINDS)


def downgrade() -> None:
    search_index.uninstall(op.get_bind(), KINDS, whole=False)
