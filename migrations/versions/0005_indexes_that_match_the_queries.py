"""Indexes that match the queries: none on ``published``; one for a negotiation's timeline.

Nearly every row is published, so an index on the flag narrows nothing; but SQLite's planner, which
has no statistics unless ANALYZE has run, rates an equality on any indexed column alike and chose
these over the selective ones: the comparison read every published position instead of one
negotiation's, and the timeline sorted every published round instead of walking ix_rounds_timeline.
Their cost grew with the record. Drafts are few, and the drafts list reads rounds only.

(negotiation_id, sort_date, id) on rounds serves a negotiation's timeline in order, and the latest
round of each negotiation (a topic page's default), without sorting the negotiation's rounds.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 10:20:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("events", "gap_assessments", "outcomes", "positions", "rounds")


def upgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_published", table_name=table)
    op.create_index("ix_rounds_negotiation_timeline", "rounds", ["negotiation_id", "sort_date", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_rounds_negotiation_timeline", table_name="rounds")
    for table in reversed(TABLES):
        op.create_index(f"ix_{table}_published", table, ["published"], unique=False)
