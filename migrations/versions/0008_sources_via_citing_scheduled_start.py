"""What a source passes on, and a round's scheduled start kept apart from when it began.

- ``sources.via`` and ``sources.citing``: a report known only through another outlet ("Axios, via
  babel.ua") or that passes on another's reporting ("The Moscow Times, citing Reuters") says so in
  fields of its own, not in its publisher's name.
- ``rounds.scheduled_start``: the time a round was due to start. ``start_time`` is now when it began;
  the two differ when talks start late, and a reader must be told which is which.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 21:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("via", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.add_column(sa.Column("citing", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scheduled_start", sa.Time(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_column("scheduled_start")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("citing")
        batch_op.drop_column("via")
