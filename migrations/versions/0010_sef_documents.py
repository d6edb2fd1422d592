"""sef documents: supporting documents of a self-evaluation's chapters

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sef_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("self_evaluation_id", sa.Integer(), nullable=False),
        sa.Column("chapter_id", sa.String(length=60), nullable=False),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_name", sa.String(length=200), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_in_version", sa.Integer(), nullable=False),
        sa.Column("removed_in_version", sa.Integer(), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["self_evaluation_id"],
            ["self_evaluation.id"],
            name=op.f("fk_sef_document_self_evaluation_id_self_evaluation"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name=op.f("fk_sef_document_uploaded_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["removed_by_id"],
            ["user_account.id"],
            name=op.f("fk_sef_document_removed_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sef_document")),
    )
    op.create_index("ix_sef_document_sef", "sef_document", ["self_evaluation_id"])


def downgrade() -> None:
    op.drop_index("ix_sef_document_sef", table_name="sef_document")
    op.drop_table("sef_document")
