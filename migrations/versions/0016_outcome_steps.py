"""Outcomes carried out step by step: dated steps, each with the state it left the outcome in.

An exchange agreed at one round and carried out in stages over several days is one outcome with
several steps, each with its sources; the round page and the outcome's own page draw them as a
progress line, and each step is an entry in the Atom feed.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 00:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUBJECTS = (
    "round_id",
    "outcome_id",
    "position_id",
    "event_id",
    "figure_id",
    "delegation_id",
    "document_id",
    "movement_id",
)
STATUSES = ("proposed", "agreed", "in_progress", "implemented", "stalled", "broken")


def _exactly_one(*columns: str) -> str:
    return " + ".join(f"(CASE WHEN {c} IS NOT NULL THEN 1 ELSE 0 END)" for c in columns) + " = 1"


def upgrade() -> None:
    op.create_table(
        "outcome_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome_id", sa.Integer(), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column(
            "date_precision", sa.Enum("day", "month", "year", name="dateprecision", native_enum=False), nullable=False
        ),
        sa.Column("status", sa.Enum(*STATUSES, name="outcomestatus", native_enum=False), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["outcome_id"], ["outcomes.id"], name=op.f("fk_outcome_steps_outcome_id_outcomes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_steps")),
    )
    with op.batch_alter_table("outcome_steps", schema=None) as batch_op:
        for column in ("outcome_id", "updated_at"):
            batch_op.create_index(batch_op.f(f"ix_outcome_steps_{column}"), [column], unique=False)

    with op.batch_alter_table("citations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("step_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_citations_step_id"), ["step_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_citations_step_id_outcome_steps"), "outcome_steps", ["step_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.drop_constraint(op.f("ck_citations_one_subject"), type_="check")
        batch_op.create_check_constraint("one_subject", _exactly_one(*SUBJECTS, "step_id"))


def downgrade() -> None:
    # Citations of steps have nowhere to go in the older schema.
    op.execute("DELETE FROM citations WHERE step_id IS NOT NULL")
    with op.batch_alter_table("citations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_citations_one_subject"), type_="check")
        batch_op.create_check_constraint("one_subject", _exactly_one(*SUBJECTS))
        batch_op.drop_constraint(batch_op.f("fk_citations_step_id_outcome_steps"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_citations_step_id"))
        batch_op.drop_column("step_id")
    op.drop_table("outcome_steps")
