"""Drafts of every kind of record, addresses that last, and sources for delegations.

- ``drafts``: an editor's unpublished changes to one record and what hangs on it, kept apart from
  what readers see until published (drafts used to exist for rounds only, as revisions).
- ``slug_redirects``: the slugs records used to have, so that old links answer with a 301.
- ``citations.delegation_id``: who led and attended a round is a claim like any other, and now
  carries its sources.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUBJECTS = ("round_id", "outcome_id", "position_id", "event_id", "figure_id")


def _exactly_one(*columns: str) -> str:
    return " + ".join(f"(CASE WHEN {c} IS NOT NULL THEN 1 ELSE 0 END)" for c in columns) + " = 1"


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("next_key", sa.Integer(), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_drafts_author_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drafts_author_id"), ["author_id"], unique=False)
        batch_op.create_index("ix_drafts_subject", ["kind", "entity_id"], unique=False)

    op.create_table(
        "slug_redirects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("old_slug", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slug_redirects")),
        sa.UniqueConstraint("kind", "old_slug", name=op.f("uq_slug_redirects_kind_old_slug")),
    )

    with op.batch_alter_table("citations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delegation_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_citations_delegation_id"), ["delegation_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_citations_delegation_id_delegations"),
            "delegations",
            ["delegation_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.drop_constraint(op.f("ck_citations_one_subject"), type_="check")
        batch_op.create_check_constraint("one_subject", _exactly_one(*SUBJECTS, "delegation_id"))


def downgrade() -> None:
    # Citations of delegations have nowhere to go in the older schema.
    op.execute("DELETE FROM citations WHERE delegation_id IS NOT NULL")
    with op.batch_alter_table("citations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_citations_one_subject"), type_="check")
        batch_op.create_check_constraint("one_subject", _exactly_one(*SUBJECTS))
        batch_op.drop_constraint(batch_op.f("fk_citations_delegation_id_delegations"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_citations_delegation_id"))
        batch_op.drop_column("delegation_id")
    op.drop_table("slug_redirects")
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.drop_index("ix_drafts_subject")
        batch_op.drop_index(batch_op.f("ix_drafts_author_id"))
    op.drop_table("drafts")
