"""Peer challenge of LA development plans: triad partners' comments and challenges on each
priority, and the LA's one response to each challenge

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "la_plan_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("plan_version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("author_la_code", sa.String(length=60), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("is_challenge", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_la_plan_comment_author_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["la_plan.id"], name=op.f("fk_la_plan_comment_plan_id_la_plan")
        ),
        sa.ForeignKeyConstraint(
            ["plan_version_id"],
            ["la_plan_version.id"],
            name=op.f("fk_la_plan_comment_plan_version_id_la_plan_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_la_plan_comment")),
    )
    with op.batch_alter_table("la_plan_comment", schema=None) as batch_op:
        batch_op.create_index("ix_la_plan_comment_plan", ["plan_id"], unique=False)
    op.create_table(
        "la_plan_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_la_plan_response_author_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["la_plan_comment.id"],
            name=op.f("fk_la_plan_response_comment_id_la_plan_comment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_la_plan_response")),
        sa.UniqueConstraint("comment_id", name=op.f("uq_la_plan_response_comment_id")),
    )


def downgrade() -> None:
    op.drop_table("la_plan_response")
    with op.batch_alter_table("la_plan_comment", schema=None) as batch_op:
        batch_op.drop_index("ix_la_plan_comment_plan")
    op.drop_table("la_plan_comment")
