"""The triad challenge stage: each LA's key lines of enquiry (KLOEs) for its conversation."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.types import UTCDateTime, utcnow


class Kloe(Base):
    """One of the 3 to 6 questions an LA wants its triad to test in a cycle (issue 12).

    An LA's set is replaced whole when its DCS saves it; the history keeps every set saved.
    """

    __tablename__ = "kloe"
    __table_args__ = (UniqueConstraint("cycle_id", "la_code", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"))
    la_code: Mapped[str] = mapped_column(String(60))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    # Where a drafted question came from (app.challenge.drafting.Source), kept when it is edited;
    # all None for a question the DCS wrote or took from the prompt bank.
    source_kind: Mapped[str | None] = mapped_column(String(30))
    source_chapter: Mapped[str | None] = mapped_column(String(60))
    source_ref: Mapped[str | None] = mapped_column(String(120))
    source_label: Mapped[str | None] = mapped_column(String(400))
    set_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
