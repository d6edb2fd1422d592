"""Supporting documents of a self-evaluation's chapters ("key documents", seed 002:2346).

The bytes live outside the web root, named by their SHA-256 (app/self_evaluation/documents/files.py); a row says
whose chapter carries them and in which versions. Removing a document closes its row: it is
never deleted, so what a signed version carried stays known.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.owners import InSelfEvaluation
from app.models.types import UTCDateTime, utcnow


class SefDocument(InSelfEvaluation, Base):
    __tablename__ = "sef_document"
    __table_args__ = (Index("ix_sef_document_sef", "self_evaluation_id"),)

    chapter_id: Mapped[str] = mapped_column(String(60))
    # The uploader's file name, cleaned to letters, digits and a few marks (never a path).
    filename: Mapped[str] = mapped_column(String(120))
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_by_name: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The version that first carried it, and the first that no longer did.
    added_in_version: Mapped[int]
    removed_in_version: Mapped[int | None]
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
