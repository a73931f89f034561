"""Full-text search over rounds, positions, outcomes, events, people and sources.

SQLite: an FTS5 table, ``search_index``, kept by triggers on those six tables and filled here from
what they hold. PostgreSQL: a GIN index per table on the ``tsvector`` of the same text. Both are
described in ``app/record/search_index.py``, which this migration calls so that the two never differ.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 21:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

from app.record import search_index

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The kinds this migration indexes; later ones add theirs (0014: documents and clauses).
KINDS = search_index.of_tables("rounds", "positions", "outcomes", "events", "people", "sources")


def upgrade() -> None:
    search_index.install(op.get_bind(), KINDS)


def downgrade() -> None:
    search_index.uninstall(op.get_bind(), KINDS)
