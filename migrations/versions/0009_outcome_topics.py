"""The topic an outcome bears on.

A round was found under a topic only through the positions stated there, so filtering the timeline
by prisoners and humanitarian issues left out round 1, whose main outcome was the 1,000-for-1,000
exchange. ``outcomes.topic_id`` names the issue an outcome bears on, and a round is found under the
topics of its outcomes as well.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("topic_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outcomes_topic_id"), ["topic_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_outcomes_topic_id_topics"), "topics", ["topic_id"], ["id"], ondelete="RESTRICT"
        )


def downgrade() -> None:
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_outcomes_topic_id_topics"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_outcomes_topic_id"))
        batch_op.drop_column("topic_id")
