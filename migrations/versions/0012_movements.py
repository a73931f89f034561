"""Movement: how each party's stance on each topic moved from one round to the next.

An editor records, with sources, whether a stance was first stated, held, shifted, hardened,
softened, reversed or dropped at a round; the comparison and the topic pages show it, and a topic
page draws each party's track over the rounds.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 00:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUBJECTS = ("round_id", "outcome_id", "position_id", "event_id", "figure_id", "delegation_id", "document_id")


def _exactly_one(*columns: str) -> str:
    return " + ".join(f"(CASE WHEN {c} IS NOT NULL THEN 1 ELSE 0 END)" for c in columns) + " = 1"


def upgrade() -> None:
    op.create_table(
        "movements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column(
            "move",
            sa.Enum(
                "first_stated",
                "held",
                "shifted",
                "hardened",
                "softened",
                "reversed",
                "dropped",
                name="movekind",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_movements_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_movements_party_id_parties"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.id"], name=op.f("fk_movements_topic_id_topics"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_movements")),
        sa.UniqueConstraint("round_id", "party_id", "topic_id", name=op.f("uq_movements_round_id_party_id_topic_id")),
    )
    with op.batch_alter_table("movements", schema=None) as batch_op:
        for column in ("round_id", "party_id", "topic_id", "updated_at"):
            batch_op.create_index(batch_op.f(f"ix_movements_{column}"), [column], unique=False)

    with op.batch_alter_table("citations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("movement_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_citations_movement_id"), ["movement_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_citations_movement_id_movements"), "movements", ["movement_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.drop_constraint(op.f("ck_citations_one_subject"), type_="check")
        batch_op.create_check_constraint("one_subject", _exactly_one(*SUBJECTS, "movement_id"))


def downgrade() -> None:
    # Citations of movements have nowhere to go in the older schema.
    op.execute("DELETE FROM citations WHERE movement_id IS NOT NULL")
    with op.batch_alter_table("citations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_citations_one_subject"), type_="check")
        batch_op.create_check_constraint("one_subject", _exactly_one(*SUBJECTS))
        batch_op.drop_constraint(batch_op.f("fk_citations_movement_id_movements"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_citations_movement_id"))
        batch_op.drop_column("movement_id")
    op.drop_table("movements")
