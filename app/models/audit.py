"""The append-only, hash-chained audit log."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.types import UTCDateTime, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_subject", "subject_type", "subject_id"),)

    # The sequence is the chain position, given out under the head row's lock.
    sequence: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    summary: Mapped[str] = mapped_column(String(500))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(60))
    region_id: Mapped[str | None] = mapped_column(String(60))
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycle.id"))
    organisation_code: Mapped[str | None] = mapped_column(String(60))
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """A single row naming the chain's last entry; locking it orders concurrent writers."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    sequence: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))


class AuditHeadSignature(Base):
    """The chain head at a moment, signed with a key held outside the database (issue 9).

    Whoever can write to the database can rewrite an entry and every hash after it, but cannot
    sign: a rewrite before a signed head no longer matches the signature. "day" rows sign each
    day's last head (written by the first change of a later day); "published" rows are heads
    printed by `riia audit head` to be kept elsewhere.
    """

    __tablename__ = "audit_head_signature"

    id: Mapped[int] = mapped_column(primary_key=True)
    sequence: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(16))  # "day" or "published"
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(100))  # base64 of the 64-byte Ed25519 signature
