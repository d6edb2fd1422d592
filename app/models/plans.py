"""LA development plans (issue 12): an LA's plan for a cycle, its versions and their sign-off.

Like the self-evaluation, every save is a new, immutable version whose canonical JSON content is
bound by its SHA-256; sign-off events name the exact version signed, so an edit after signing
visibly voids the signatures (app.signoff, VersionPolicy.VOID).
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.owners import InCycle
from app.models.signoff import SignOffEventColumns, signed_once_index
from app.models.types import UTCDateTime, utcnow


class LaPlan(InCycle, Base):
    """One LA's development plan in one cycle. Its text lives in its versions."""

    __tablename__ = "la_plan"
    __table_args__ = (UniqueConstraint("cycle_id", "la_code"),)

    la_code: Mapped[str] = mapped_column(String(60))
    state: Mapped[str] = mapped_column(String(30))
    # The number of the version under sign-off, or signed; None while drafting.
    submitted_number: Mapped[int | None]
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LaPlanVersion(Base):
    """A saved version of a plan: the whole plan at that moment. Never updated."""

    __tablename__ = "la_plan_version"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("la_plan.id"))
    number: Mapped[int]
    # Canonical JSON (app.plans.content): the adopted plan, if any, and the priorities; plain
    # text, never HTML.
    content: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    based_on_number: Mapped[int | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_by_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LaPlanSignOffEvent(SignOffEventColumns, Base):
    """A signatory signed, or returned, one exact version of a plan. Append-only."""

    __tablename__ = "la_plan_sign_off_event"
    __table_args__ = (
        Index("ix_la_plan_sign_off_event_plan", "plan_id"),
        # A double submit signs once: the database refuses a second signature on a version.
        signed_once_index("uq_la_plan_sign_off_signed_once", "plan_version_id", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("la_plan.id"))
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("la_plan_version.id"))


class LaPlanComment(Base):
    """A triad partner's comment on one priority of a submitted or signed plan (issue 12, "Peer
    challenge"). A challenge is a question the LA must answer. Never updated."""

    __tablename__ = "la_plan_comment"
    __table_args__ = (Index("ix_la_plan_comment_plan", "plan_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("la_plan.id"))
    # The version the partner read when commenting, and the priority's place in it.
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("la_plan_version.id"))
    position: Mapped[int]
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    author_name: Mapped[str] = mapped_column(String(200))
    # The LA the author comments for (a partner DCS's LA); None for a triad reviewer.
    author_la_code: Mapped[str | None] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    is_challenge: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LaPlanResponse(Base):
    """The LA's DCS's one answer to a challenge. Never updated."""

    __tablename__ = "la_plan_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: a challenge is answered once; the database refuses a second answer.
    comment_id: Mapped[int] = mapped_column(ForeignKey("la_plan_comment.id"), unique=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    author_name: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
