"""kloes: each LA's key lines of enquiry for its triad's challenge conversation

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kloe",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("la_code", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source_kind", sa.String(length=30), nullable=True),
        sa.Column("source_chapter", sa.String(length=60), nullable=True),
        sa.Column("source_ref", sa.String(length=120), nullable=True),
        sa.Column("source_label", sa.String(length=400), nullable=True),
        sa.Column("set_by_id", sa.Integer(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycle.id"], name=op.f("fk_kloe_cycle_id_cycle")),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["user_account.id"], name=op.f("fk_kloe_set_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kloe")),
        sa.UniqueConstraint("cycle_id", "la_code", "position", name=op.f("uq_kloe_cycle_id")),
    )


def downgrade() -> None:
    op.drop_table("kloe")
