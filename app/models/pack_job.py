"""Packs waiting to be rendered: a queue in the database every server process and machine shares."""

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.types import UTCDateTime, partial_unique_index, utcnow

QUEUED = "queued"
RUNNING = "running"
FAILED = "failed"


class PackJob(Base):
    """One pack whose inputs may have changed: `kind` names the stage's warm function, `args` its
    arguments (JSON), `subject` the document they name (the arguments joined with ":").

    A job is deleted once its pack is rendered (or found unchanged); one that kept failing stays,
    as "failed", with its last error.
    """

    __tablename__ = "pack_job"
    __table_args__ = (
        # Jobs for the same document collapse into one waiting job: the render reads the
        # database when it runs, so one render covers every change made before it starts.
        partial_unique_index("uq_pack_job_one_queued", "kind", "subject", where="state = 'queued'"),
        Index("ix_pack_job_state", "state", "run_after"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(60))
    args: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default=QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
