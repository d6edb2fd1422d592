"""sign-in attempts: the shared store of the sign-in throttle

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("email_key", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("cleared", sa.Boolean(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_attempt")),
    )
    op.create_index(
        "ix_sign_in_attempt_email_key",
        "sign_in_attempt",
        ["purpose", "email_key", "attempted_at"],
    )
    op.create_index(
        "ix_sign_in_attempt_address", "sign_in_attempt", ["purpose", "address", "attempted_at"]
    )
    op.create_index("ix_sign_in_attempt_attempted_at", "sign_in_attempt", ["attempted_at"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_attempt_attempted_at", table_name="sign_in_attempt")
    op.drop_index("ix_sign_in_attempt_address", table_name="sign_in_attempt")
    op.drop_index("ix_sign_in_attempt_email_key", table_name="sign_in_attempt")
    op.drop_table("sign_in_attempt")
