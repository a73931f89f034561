"""Index updated_at on every tracked table.

The newest updated_at across the record (with the newest revision) is the record's version: the
response cache reads it in one query, which an index on each column keeps cheap at any size.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 22:07:36.709745
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "citations",
    "delegation_members",
    "delegations",
    "events",
    "gap_assessments",
    "negotiation_parties",
    "negotiations",
    "outcome_parties",
    "outcomes",
    "parties",
    "people",
    "positions",
    "reported_figures",
    "rounds",
    "sources",
    "topics",
    "users",
)


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_updated_at"), ["updated_at"], unique=False)


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_updated_at"))
