"""The texts on the table: documents, their versions and numbered clauses.

A memorandum, a draft agreement, a joint statement or a party's readout of a round is a document,
written by one party or more, handed over or published at a round. Each version of it is a list of
clauses, each bearing on topics; two documents are set side by side by topic, two versions of one
compared clause by clause. A position may name the clause it comes from, and a source may support a
document (citations.document_id).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 00:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUBJECTS = ("round_id", "outcome_id", "position_id", "event_id", "figure_id", "delegation_id")
PRECISION = sa.Enum("day", "month", "year", name="dateprecision", native_enum=False)


def _exactly_one(*columns: str) -> str:
    return " + ".join(f"(CASE WHEN {c} IS NOT NULL THEN 1 ELSE 0 END)" for c in columns) + " = 1"


def _tracked() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in (*columns, "updated_at"):
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "documents",
        *_tracked(),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("negotiation_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "memorandum",
                "draft_agreement",
                "peace_plan",
                "joint_statement",
                "readout",
                "other",
                name="documentkind",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "handed_over",
                "published",
                "leaked",
                "signed",
                "withdrawn",
                name="documentstatus",
                native_enum=False,
            ),
            nullable=False,
        ),
        sa.Column("dated_on", sa.Date(), nullable=True),
        sa.Column("date_precision", PRECISION, nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("standpoint", sa.String(length=300), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["negotiation_id"],
            ["negotiations.id"],
            name=op.f("fk_documents_negotiation_id_negotiations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_documents_round_id_rounds"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("slug", name=op.f("uq_documents_slug")),
    )
    _indexes("documents", "negotiation_id", "round_id")

    op.create_table(
        "document_parties",
        *_tracked(),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_parties_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_document_parties_party_id_parties"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_parties")),
        sa.UniqueConstraint("document_id", "party_id", name=op.f("uq_document_parties_document_id_party_id")),
    )
    _indexes("document_parties", "document_id", "party_id")

    op.create_table(
        "document_versions",
        *_tracked(),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("dated_on", sa.Date(), nullable=True),
        sa.Column("date_precision", PRECISION, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_versions_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_versions")),
        sa.UniqueConstraint("document_id", "number", name=op.f("uq_document_versions_document_id_number")),
    )
    _indexes("document_versions", "document_id")

    op.create_table(
        "clauses",
        *_tracked(),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("heading", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
            name=op.f("fk_clauses_version_id_document_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clauses")),
    )
    _indexes("clauses", "version_id")

    op.create_table(
        "clause_topics",
        *_tracked(),
        sa.Column("clause_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clause_id"], ["clauses.id"], name=op.f("fk_clause_topics_clause_id_clauses"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.id"], name=op.f("fk_clause_topics_topic_id_topics"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clause_topics")),
        sa.UniqueConstraint("clause_id", "topic_id", name=op.f("uq_clause_topics_clause_id_topic_id")),
    )
    _indexes("clause_topics", "clause_id", "topic_id")

    with op.batch_alter_table("citations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("document_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_citations_document_id"), ["document_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_citations_document_id_documents"), "documents", ["document_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.drop_constraint(op.f("ck_citations_one_subject"), type_="check")
        batch_op.create_check_constraint("one_subject", _exactly_one(*SUBJECTS, "document_id"))

    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clause_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_positions_clause_id"), ["clause_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_positions_clause_id_clauses"), "clauses", ["clause_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    # Citations of documents have nowhere to go in the older schema.
    op.execute("DELETE FROM citations WHERE document_id IS NOT NULL")
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_positions_clause_id_clauses"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_positions_clause_id"))
        batch_op.drop_column("clause_id")
    with op.batch_alter_table("citations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_citations_one_subject"), type_="check")
        batch_op.create_check_constraint("one_subject", _exactly_one(*SUBJECTS))
        batch_op.drop_constraint(batch_op.f("fk_citations_document_id_documents"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_citations_document_id"))
        batch_op.drop_column("document_id")
    for table in ("clause_topics", "clauses", "document_versions", "document_parties", "documents"):
        op.drop_table(table)
