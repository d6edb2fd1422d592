"""quarterly indicator returns

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "published_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.String(length=60), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("missing_code", sa.String(length=4), nullable=True),
        sa.Column("joint_with", sa.String(length=12), nullable=True),
        sa.CheckConstraint(
            "(value IS NULL AND missing_code IS NOT NULL) OR (value IS NOT NULL AND missing_code IS NULL)",
            name=op.f("ck_published_value_value_or_missing_code"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_value")),
        sa.UniqueConstraint(
            "indicator_id", "period", "code", name=op.f("uq_published_value_indicator_id")
        ),
    )
    op.create_table(
        "imported_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=12), nullable=False),
        sa.Column("region_id", sa.String(length=60), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("returns_created", sa.Integer(), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["imported_by_id"],
            ["user_account.id"],
            name=op.f("fk_imported_file_imported_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_file")),
        sa.UniqueConstraint("sha256", "period", name=op.f("uq_imported_file_sha256")),
    )
    op.create_table(
        "indicator_return",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.String(length=60), nullable=False),
        sa.Column("organisation_code", sa.String(length=60), nullable=False),
        sa.Column("period", sa.String(length=12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("demonstration", sa.Boolean(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["user_account.id"],
            name=op.f("fk_indicator_return_submitted_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_return")),
        sa.UniqueConstraint(
            "organisation_code",
            "period",
            "version",
            name=op.f("uq_indicator_return_organisation_code"),
        ),
    )
    with op.batch_alter_table("indicator_return", schema=None) as batch_op:
        batch_op.create_index(
            "ix_indicator_return_region_period", ["region_id", "period"], unique=False
        )

    op.create_table(
        "return_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("organisation_code", sa.String(length=60), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_return_override_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["cycle.id"], name=op.f("fk_return_override_cycle_id_cycle")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_override")),
        sa.UniqueConstraint(
            "cycle_id", "organisation_code", name=op.f("uq_return_override_cycle_id")
        ),
    )
    op.create_table(
        "return_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("missing_code", sa.String(length=4), nullable=True),
        sa.Column("commentary", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(value IS NULL AND missing_code IS NOT NULL) OR (value IS NOT NULL AND missing_code IS NULL)",
            name=op.f("ck_return_value_value_or_missing_code"),
        ),
        sa.ForeignKeyConstraint(
            ["return_id"],
            ["indicator_return.id"],
            name=op.f("fk_return_value_return_id_indicator_return"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_value")),
        sa.UniqueConstraint("return_id", "indicator_id", name=op.f("uq_return_value_return_id")),
    )
    op.create_table(
        "return_window",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=12), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["cycle.id"], name=op.f("fk_return_window_cycle_id_cycle")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_window")),
        sa.UniqueConstraint("cycle_id", "period", name=op.f("uq_return_window_cycle_id")),
    )


def downgrade() -> None:
    op.drop_table("return_window")
    op.drop_table("return_value")
    op.drop_table("return_override")
    with op.batch_alter_table("indicator_return", schema=None) as batch_op:
        batch_op.drop_index("ix_indicator_return_region_period")

    op.drop_table("indicator_return")
    op.drop_table("imported_file")
    op.drop_table("published_value")
