"""A release keeps its files as they were made, so that a later Parley never changes them.

Releases made before this migration have no stored files; Parley makes theirs from the release's
record document when they are asked for (the same record, so the same rows), which is how every
release's files were made until now.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 01:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("releases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("files", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("releases", schema=None) as batch_op:
        batch_op.drop_column("files")
