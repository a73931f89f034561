"""Clauses paired by hand: an editor sets a clause beside a clause of another document it answers to.

Two documents are set side by side by the topics their clauses bear on; where that pairs them
wrongly (a clause on two topics, or none), an editor pairs two clauses, and the comparison puts them
in one row whatever their topics.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 00:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "clause_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("clause_id", sa.Integer(), nullable=False),
        sa.Column("paired_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clause_id"], ["clauses.id"], name=op.f("fk_clause_pairs_clause_id_clauses"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["paired_id"], ["clauses.id"], name=op.f("fk_clause_pairs_paired_id_clauses"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clause_pairs")),
        sa.UniqueConstraint("clause_id", "paired_id", name=op.f("uq_clause_pairs_clause_id_paired_id")),
    )
    with op.batch_alter_table("clause_pairs", schema=None) as batch_op:
        for column in ("clause_id", "paired_id", "updated_at"):
            batch_op.create_index(batch_op.f(f"ix_clause_pairs_{column}"), [column], unique=False)


def downgrade() -> None:
    op.drop_table("clause_pairs")
