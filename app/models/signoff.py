"""The columns and the "signed once" index every sign-off event table shares.

Each stage keeps its own event table, so its rows carry real foreign keys to the version signed
(mou_version, sef_version, ...); this mixin makes the rest of the shape the same everywhere, which
is what lets app.signoff derive status and record acts for any of them. It lives beside the models
(not in app.signoff) because models import only the database base, and app.signoff imports models.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from app.models.types import UTCDateTime, partial_unique_index, utcnow

SIGNED_ONLY = "decision = 'signed'"


class SignOffEventColumns:
    """A named person signed, declined or returned one exact version. Append-only."""

    organisation_code: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(40))
    decision: Mapped[str] = mapped_column(String(20))
    signatory_name: Mapped[str] = mapped_column(String(200))
    statement: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @declared_attr
    def user_id(cls) -> Mapped[int]:
        # A foreign key cannot be shared between tables as one Column object: one per table.
        return mapped_column(ForeignKey("user_account.id"))


def signed_once_index(name: str, *columns: str) -> Index:
    """The partial unique index that makes a double click sign once: the database refuses a
    second "signed" row for the same columns, whatever races occur."""
    return partial_unique_index(name, *columns, where=SIGNED_ONLY)
