"""Timeline sort keys, positions by negotiation, gap assessments.

Rounds and events get the last day their date could be, which the timeline
pages by; positions name their negotiation so statements between rounds
belong somewhere; editors can record the state of the gap on a topic.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 20:51:22.513285
"""

import calendar
import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "gap_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("agreed", "narrowing", "apart", "not_discussed", name="gapstate", native_enum=False),
            nullable=False,
        ),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_gap_assessments_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.id"], name=op.f("fk_gap_assessments_topic_id_topics"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gap_assessments")),
        sa.UniqueConstraint("round_id", "topic_id", name=op.f("uq_gap_assessments_round_id_topic_id")),
    )
    with op.batch_alter_table("gap_assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gap_assessments_round_id"), ["round_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_gap_assessments_topic_id"), ["topic_id"], unique=False)

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sort_date", sa.Date(), nullable=True))
        batch_op.create_index("ix_events_timeline", ["sort_date", "id"], unique=False)

    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("negotiation_id", sa.Integer(), nullable=True))
    _backfill_position_negotiations()
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.alter_column("negotiation_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index("ix_positions_comparison", ["negotiation_id", "topic_id", "party_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_positions_negotiation_id"), ["negotiation_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_positions_negotiation_id_negotiations"),
            "negotiations",
            ["negotiation_id"],
            ["id"],
            ondelete="CASCADE",
        )

    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sort_date", sa.Date(), nullable=True))
        batch_op.create_index("ix_rounds_timeline", ["sort_date", "id"], unique=False)

    for table in ("rounds", "events"):
        _backfill_sort_dates(table)


def downgrade() -> None:
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_index("ix_rounds_timeline")
        batch_op.drop_column("sort_date")

    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_positions_negotiation_id_negotiations"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_positions_negotiation_id"))
        batch_op.drop_index("ix_positions_comparison")
        batch_op.drop_column("negotiation_id")

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_timeline")
        batch_op.drop_column("sort_date")

    with op.batch_alter_table("gap_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gap_assessments_topic_id"))
        batch_op.drop_index(batch_op.f("ix_gap_assessments_round_id"))

    op.drop_table("gap_assessments")


def _period_end(value: dt.date, precision: str) -> dt.date:
    # A copy of app.models.period_end as it was when this migration was written.
    if precision == "year":
        return dt.date(value.year, 12, 31)
    if precision == "month":
        return dt.date(value.year, value.month, calendar.monthrange(value.year, value.month)[1])
    return value


def _backfill_sort_dates(name: str) -> None:
    table = sa.table(
        name, sa.column("id"), sa.column("date", sa.Date), sa.column("date_precision"), sa.column("sort_date", sa.Date)
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(table.c.id, table.c.date, table.c.date_precision)).all():
        # Undated rounds sort last.
        sort_date = _period_end(row.date, row.date_precision) if row.date is not None else dt.date.max
        connection.execute(table.update().where(table.c.id == row.id).values(sort_date=sort_date))


def _backfill_position_negotiations() -> None:
    positions = sa.table(
        "positions", sa.column("id"), sa.column("round_id"), sa.column("party_id"), sa.column("negotiation_id")
    )
    rounds = sa.table("rounds", sa.column("id"), sa.column("negotiation_id"))
    roles = sa.table("negotiation_parties", sa.column("party_id"), sa.column("negotiation_id"))
    connection = op.get_bind()
    connection.execute(
        positions.update()
        .where(positions.c.round_id.is_not(None))
        .values(
            negotiation_id=sa.select(rounds.c.negotiation_id)
            .where(rounds.c.id == positions.c.round_id)
            .scalar_subquery()
        )
    )
    # A statement made between rounds joins the first negotiation its party takes part in.
    connection.execute(
        positions.update()
        .where(positions.c.negotiation_id.is_(None))
        .values(
            negotiation_id=sa.select(sa.func.min(roles.c.negotiation_id))
            .where(roles.c.party_id == positions.c.party_id)
            .scalar_subquery()
        )
    )
    orphans = connection.execute(sa.select(positions.c.id).where(positions.c.negotiation_id.is_(None))).scalars().all()
    if orphans:
        raise RuntimeError(f"positions {orphans} belong to no negotiation; give their party a role in one first")
