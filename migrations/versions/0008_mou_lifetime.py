"""mou lifetime: changeover dates, the yearly review, a new office holder's signature

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIGNED = sa.text("decision = 'signed'")


def upgrade() -> None:
    with op.batch_alter_table("mou_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("changeover_on", sa.Date(), nullable=True))
    # Signed once per person: a new office holder may add their own signature.
    with op.batch_alter_table("mou_signature_event", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_mou_signature_signed_once", sqlite_where=SIGNED, postgresql_where=SIGNED
        )
        batch_op.create_index(
            "uq_mou_signature_signed_once",
            ["mou_version_id", "organisation_code", "role", "user_id"],
            unique=True,
            sqlite_where=SIGNED,
            postgresql_where=SIGNED,
        )
    op.create_table(
        "mou_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("mou_version_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_name", sa.String(length=200), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["cycle.id"], name=op.f("fk_mou_review_cycle_id_cycle")
        ),
        sa.ForeignKeyConstraint(
            ["mou_version_id"],
            ["mou_version.id"],
            name=op.f("fk_mou_review_mou_version_id_mou_version"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["user_account.id"],
            name=op.f("fk_mou_review_reviewed_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mou_review")),
        sa.UniqueConstraint("cycle_id", name="uq_mou_review_cycle"),
    )


def downgrade() -> None:
    op.drop_table("mou_review")
    with op.batch_alter_table("mou_signature_event", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_mou_signature_signed_once", sqlite_where=SIGNED, postgresql_where=SIGNED
        )
        batch_op.create_index(
            "uq_mou_signature_signed_once",
            ["mou_version_id", "organisation_code", "role"],
            unique=True,
            sqlite_where=SIGNED,
            postgresql_where=SIGNED,
        )
    with op.batch_alter_table("mou_version", schema=None) as batch_op:
        batch_op.drop_column("changeover_on")
