"""pack jobs: the queue of packs to render, shared by every server process; cached packs by document

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pack_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=60), nullable=False),
        sa.Column("args", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=120), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pack_job")),
    )
    op.create_index(
        "uq_pack_job_one_queued",
        "pack_job",
        ["kind", "subject"],
        unique=True,
        sqlite_where=sa.text("state = 'queued'"),
        postgresql_where=sa.text("state = 'queued'"),
    )
    op.create_index("ix_pack_job_state", "pack_job", ["state", "run_after"])
    # Pruning finds a document's cached copies by its kind and subject.
    op.create_index("ix_rendered_pack_document", "rendered_pack", ["kind", "subject_id"])


def downgrade() -> None:
    op.drop_index("ix_rendered_pack_document", table_name="rendered_pack")
    op.drop_index("ix_pack_job_state", table_name="pack_job")
    op.drop_index("uq_pack_job_one_queued", table_name="pack_job")
    op.drop_table("pack_job")
