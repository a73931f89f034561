"""Where each source stands relative to the conflict, and the party it stands with.

An editor sets each source's category (a party's government, state media or independent media; the
host or mediator; a third country; an international organisation; an independent or wire service)
and, for the first three, the party. A claim whose sources all stand with one party is then marked
"sourced from one side only" wherever it is shown.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 00:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CATEGORIES = (
    "party_government",
    "party_state_media",
    "party_independent_media",
    "host_or_mediator",
    "third_country",
    "international_organisation",
    "independent_or_wire",
)


def upgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("category", sa.Enum(*CATEGORIES, name="sourcecategory", native_enum=False), nullable=True)
        )
        batch_op.add_column(sa.Column("party_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_sources_party_id"), ["party_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_sources_party_id_parties"), "parties", ["party_id"], ["id"], ondelete="RESTRICT"
        )


def downgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_sources_party_id_parties"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_sources_party_id"))
        batch_op.drop_column("party_id")
        batch_op.drop_column("category")
