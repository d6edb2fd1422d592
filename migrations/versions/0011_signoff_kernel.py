"""signoff kernel: every sign-off event names its organisation

The self-evaluation's sign-off events gain organisation_code (their LA), so they have the same
shape as the MoU's and app.signoff derives status for (organisation, role) pairs on both.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIGNED = sa.text("decision = 'signed'")


def _keep_signed_once(batch_op: object) -> None:
    # SQLite's batch mode rebuilds the table; recreate the partial index so its WHERE survives.
    batch_op.drop_index(  # type: ignore[attr-defined]
        "uq_sef_sign_off_signed_once", sqlite_where=SIGNED, postgresql_where=SIGNED
    )
    batch_op.create_index(  # type: ignore[attr-defined]
        "uq_sef_sign_off_signed_once",
        ["sef_version_id", "role"],
        unique=True,
        sqlite_where=SIGNED,
        postgresql_where=SIGNED,
    )


def upgrade() -> None:
    with op.batch_alter_table("sef_sign_off_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organisation_code", sa.String(length=60), nullable=True))
    # Existing rows belong to their self-evaluation's LA.
    op.execute(
        "UPDATE sef_sign_off_event SET organisation_code = ("
        "SELECT self_evaluation.la_code FROM self_evaluation "
        "WHERE self_evaluation.id = sef_sign_off_event.self_evaluation_id)"
    )
    with op.batch_alter_table("sef_sign_off_event", schema=None) as batch_op:
        batch_op.alter_column(
            "organisation_code", existing_type=sa.String(length=60), nullable=False
        )
        _keep_signed_once(batch_op)


def downgrade() -> None:
    with op.batch_alter_table("sef_sign_off_event", schema=None) as batch_op:
        batch_op.drop_column("organisation_code")
        _keep_signed_once(batch_op)
