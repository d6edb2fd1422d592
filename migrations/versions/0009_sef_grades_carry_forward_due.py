"""self-evaluations: carried forward from last year, and each LA's own due date

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite cannot add a foreign key to an existing table in place.
    with op.batch_alter_table("sef_version") as batch:
        batch.add_column(sa.Column("carried_from_version_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_sef_version_carried_from_version_id_sef_version"),
            "sef_version",
            ["carried_from_version_id"],
            ["id"],
        )
    with op.batch_alter_table("self_evaluation") as batch:
        batch.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("due_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("self_evaluation") as batch:
        batch.drop_column("due_reason")
        batch.drop_column("due_on")
    with op.batch_alter_table("sef_version") as batch:
        batch.drop_constraint(
            op.f("fk_sef_version_carried_from_version_id_sef_version"), type_="foreignkey"
        )
        batch.drop_column("carried_from_version_id")
