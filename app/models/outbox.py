"""Email waiting to be sent, so a send is retry-safe and never inside the request."""

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.types import UTCDateTime, utcnow


class OutboxMessage(Base):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_email: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class RenderedPack(Base):
    """A rendered PDF pack, cached by the hash of everything that went into it."""

    __tablename__ = "rendered_pack"
    # Pruning keeps the latest copy of each document (app/pack/prune.py).
    __table_args__ = (Index("ix_rendered_pack_document", "kind", "subject_id"),)

    input_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(60))
    pdf: Mapped[bytes]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
