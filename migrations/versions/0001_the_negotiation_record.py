"""The negotiation record.

Parties, people, negotiations, rounds, delegations, outcomes, topics,
positions, context events, sources, reported figures and citations.

Revision ID: 0001
Revises:
Create Date: 2026-11-24 20:47:54.970977
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "negotiations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_negotiations")),
        sa.UniqueConstraint("slug", name=op.f("uq_negotiations_slug")),
    )
    op.create_table(
        "parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("short_name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("colour", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parties")),
        sa.UniqueConstraint("slug", name=op.f("uq_parties_slug")),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("publisher", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("standpoint", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("url", name=op.f("uq_sources_url")),
    )
    op.create_table(
        "topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topics")),
        sa.UniqueConstraint("slug", name=op.f("uq_topics_slug")),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("negotiation_id", sa.Integer(), nullable=True),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column(
            "date_precision", sa.Enum("day", "month", "year", name="dateprecision", native_enum=False), nullable=False
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "military", "political", "diplomatic", "humanitarian", "other", name="eventkind", native_enum=False
            ),
            nullable=False,
        ),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["negotiation_id"],
            ["negotiations.id"],
            name=op.f("fk_events_negotiation_id_negotiations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("slug", name=op.f("uq_events_slug")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_date"), ["date"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_negotiation_id"), ["negotiation_id"], unique=False)

    op.create_table(
        "negotiation_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("negotiation_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("negotiating_party", "host", "mediator", "observer", name="partyrole", native_enum=False),
            nullable=False,
        ),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["negotiation_id"],
            ["negotiations.id"],
            name=op.f("fk_negotiation_parties_negotiation_id_negotiations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_negotiation_parties_party_id_parties"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_negotiation_parties")),
        sa.UniqueConstraint(
            "negotiation_id", "party_id", "role", name=op.f("uq_negotiation_parties_negotiation_id_party_id_role")
        ),
    )
    with op.batch_alter_table("negotiation_parties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_negotiation_parties_negotiation_id"), ["negotiation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_negotiation_parties_party_id"), ["party_id"], unique=False)

    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name_native", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("party_id", sa.Integer(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_people_party_id_parties"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("slug", name=op.f("uq_people_slug")),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_people_party_id"), ["party_id"], unique=False)

    op.create_table(
        "rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("negotiation_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column(
            "status",
            sa.Enum("planned", "held", "postponed", "cancelled", name="roundstatus", native_enum=False),
            nullable=False,
        ),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column(
            "date_precision", sa.Enum("day", "month", "year", name="dateprecision", native_enum=False), nullable=False
        ),
        sa.Column("date_note", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("start_time", sa.Time(), nullable=True),
        sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("venue", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("host_party_id", sa.Integer(), nullable=True),
        sa.Column("chair_id", sa.Integer(), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("delay_minutes", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("atmosphere", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["chair_id"], ["people.id"], name=op.f("fk_rounds_chair_id_people"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["host_party_id"], ["parties.id"], name=op.f("fk_rounds_host_party_id_parties"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["negotiation_id"],
            ["negotiations.id"],
            name=op.f("fk_rounds_negotiation_id_negotiations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rounds")),
        sa.UniqueConstraint("negotiation_id", "sequence", name=op.f("uq_rounds_negotiation_id_sequence")),
        sa.UniqueConstraint("slug", name=op.f("uq_rounds_slug")),
    )
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rounds_chair_id"), ["chair_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rounds_date"), ["date"], unique=False)
        batch_op.create_index(batch_op.f("ix_rounds_host_party_id"), ["host_party_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rounds_negotiation_id"), ["negotiation_id"], unique=False)

    op.create_table(
        "delegations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_delegations_party_id_parties"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_delegations_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegations")),
        sa.UniqueConstraint("round_id", "party_id", name=op.f("uq_delegations_round_id_party_id")),
    )
    with op.batch_alter_table("delegations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delegations_party_id"), ["party_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_delegations_round_id"), ["round_id"], unique=False)

    op.create_table(
        "outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "prisoner_exchange",
                "bodies_returned",
                "document_exchanged",
                "agreement",
                "follow_up_talks",
                "ceasefire",
                "other",
                name="outcomekind",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "agreed",
                "in_progress",
                "implemented",
                "stalled",
                "broken",
                name="outcomestatus",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("implemented_on", sa.Date(), nullable=True),
        sa.Column(
            "implemented_precision",
            sa.Enum("day", "month", "year", name="dateprecision", native_enum=False),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_outcomes_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcomes")),
    )
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outcomes_round_id"), ["round_id"], unique=False)

    op.create_table(
        "positions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("stated_on", sa.Date(), nullable=True),
        sa.Column(
            "stated_precision", sa.Enum("day", "month", "year", name="dateprecision", native_enum=False), nullable=False
        ),
        sa.Column("speaker_id", sa.Integer(), nullable=True),
        sa.Column("stated_in", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.CheckConstraint("round_id IS NOT NULL OR stated_on IS NOT NULL", name=op.f("ck_positions_when_stated")),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_positions_party_id_parties"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_positions_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"], ["people.id"], name=op.f("fk_positions_speaker_id_people"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.id"], name=op.f("fk_positions_topic_id_topics"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_positions")),
    )
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_positions_party_id"), ["party_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_positions_round_id"), ["round_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_positions_speaker_id"), ["speaker_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_positions_topic_id"), ["topic_id"], unique=False)

    op.create_table(
        "delegation_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delegation_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("is_head", sa.Boolean(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["delegation_id"],
            ["delegations.id"],
            name=op.f("fk_delegation_members_delegation_id_delegations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_delegation_members_person_id_people"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegation_members")),
        sa.UniqueConstraint("delegation_id", "person_id", name=op.f("uq_delegation_members_delegation_id_person_id")),
    )
    with op.batch_alter_table("delegation_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delegation_members_delegation_id"), ["delegation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_delegation_members_person_id"), ["person_id"], unique=False)

    op.create_table(
        "outcome_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["outcome_id"], ["outcomes.id"], name=op.f("fk_outcome_parties_outcome_id_outcomes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_outcome_parties_party_id_parties"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_parties")),
        sa.UniqueConstraint("outcome_id", "party_id", name=op.f("uq_outcome_parties_outcome_id_party_id")),
    )
    with op.batch_alter_table("outcome_parties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outcome_parties_outcome_id"), ["outcome_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outcome_parties_party_id"), ["party_id"], unique=False)

    op.create_table(
        "reported_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("outcome_id", sa.Integer(), nullable=True),
        sa.Column(
            "measure",
            sa.Enum("duration_minutes", "delay_minutes", "quantity", name="figuremeasure", native_enum=False),
            nullable=False,
        ),
        sa.Column("low", sa.Integer(), nullable=True),
        sa.Column("high", sa.Integer(), nullable=True),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("as_reported", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.CheckConstraint(
            "(CASE WHEN round_id IS NOT NULL THEN 1 ELSE 0 END) + (CASE WHEN outcome_id IS NOT NULL THEN 1 ELSE 0 END) = 1",
            name=op.f("ck_reported_figures_one_subject"),
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"], ["outcomes.id"], name=op.f("fk_reported_figures_outcome_id_outcomes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_reported_figures_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reported_figures")),
    )
    with op.batch_alter_table("reported_figures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reported_figures_outcome_id"), ["outcome_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reported_figures_round_id"), ["round_id"], unique=False)

    op.create_table(
        "citations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("outcome_id", sa.Integer(), nullable=True),
        sa.Column("position_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("figure_id", sa.Integer(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.CheckConstraint(
            "(CASE WHEN round_id IS NOT NULL THEN 1 ELSE 0 END) + (CASE WHEN outcome_id IS NOT NULL THEN 1 ELSE 0 END) + (CASE WHEN position_id IS NOT NULL THEN 1 ELSE 0 END) + (CASE WHEN event_id IS NOT NULL THEN 1 ELSE 0 END) + (CASE WHEN figure_id IS NOT NULL THEN 1 ELSE 0 END) = 1",
            name=op.f("ck_citations_one_subject"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_citations_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["figure_id"],
            ["reported_figures.id"],
            name=op.f("fk_citations_figure_id_reported_figures"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"], ["outcomes.id"], name=op.f("fk_citations_outcome_id_outcomes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["position_id"], ["positions.id"], name=op.f("fk_citations_position_id_positions"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_citations_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_citations_source_id_sources"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citations")),
    )
    with op.batch_alter_table("citations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_citations_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_citations_figure_id"), ["figure_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_citations_outcome_id"), ["outcome_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_citations_position_id"), ["position_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_citations_round_id"), ["round_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_citations_source_id"), ["source_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("citations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_citations_source_id"))
        batch_op.drop_index(batch_op.f("ix_citations_round_id"))
        batch_op.drop_index(batch_op.f("ix_citations_position_id"))
        batch_op.drop_index(batch_op.f("ix_citations_outcome_id"))
        batch_op.drop_index(batch_op.f("ix_citations_figure_id"))
        batch_op.drop_index(batch_op.f("ix_citations_event_id"))

    op.drop_table("citations")
    with op.batch_alter_table("reported_figures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reported_figures_round_id"))
        batch_op.drop_index(batch_op.f("ix_reported_figures_outcome_id"))

    op.drop_table("reported_figures")
    with op.batch_alter_table("outcome_parties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outcome_parties_party_id"))
        batch_op.drop_index(batch_op.f("ix_outcome_parties_outcome_id"))

    op.drop_table("outcome_parties")
    with op.batch_alter_table("delegation_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delegation_members_person_id"))
        batch_op.drop_index(batch_op.f("ix_delegation_members_delegation_id"))

    op.drop_table("delegation_members")
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_positions_topic_id"))
        batch_op.drop_index(batch_op.f("ix_positions_speaker_id"))
        batch_op.drop_index(batch_op.f("ix_positions_round_id"))
        batch_op.drop_index(batch_op.f("ix_positions_party_id"))

    op.drop_table("positions")
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outcomes_round_id"))

    op.drop_table("outcomes")
    with op.batch_alter_table("delegations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delegations_round_id"))
        batch_op.drop_index(batch_op.f("ix_delegations_party_id"))

    op.drop_table("delegations")
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rounds_negotiation_id"))
        batch_op.drop_index(batch_op.f("ix_rounds_host_party_id"))
        batch_op.drop_index(batch_op.f("ix_rounds_date"))
        batch_op.drop_index(batch_op.f("ix_rounds_chair_id"))

    op.drop_table("rounds")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_party_id"))

    op.drop_table("people")
    with op.batch_alter_table("negotiation_parties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_negotiation_parties_party_id"))
        batch_op.drop_index(batch_op.f("ix_negotiation_parties_negotiation_id"))

    op.drop_table("negotiation_parties")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_negotiation_id"))
        batch_op.drop_index(batch_op.f("ix_events_date"))

    op.drop_table("events")
    op.drop_table("topics")
    op.drop_table("sources")
    op.drop_table("parties")
    op.drop_table("negotiations")
