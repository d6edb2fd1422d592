"""The annual self-evaluation (SEF): its versions, contributors, sign-off and peer scrutiny.

Every save is a new, immutable version; sign-off events are bound to one version's SHA-256, so
which text was signed is never in doubt and an edit after signing visibly voids the signatures.
"""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.owners import InCycle, InSelfEvaluation
from app.models.signoff import SignOffEventColumns, signed_once_index
from app.models.types import UTCDateTime, partial_unique_index, utcnow


class SelfEvaluation(InCycle, Base):
    """One LA's self-evaluation in one cycle. Its text lives in its versions."""

    __tablename__ = "self_evaluation"
    __table_args__ = (UniqueConstraint("cycle_id", "la_code"),)

    la_code: Mapped[str] = mapped_column(String(60))
    template_id: Mapped[str] = mapped_column(String(60))
    state: Mapped[str] = mapped_column(String(30))
    # The number of the version under sign-off, or signed; None while drafting.
    submitted_number: Mapped[int | None]
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scrutiny_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The LA's own sign-off date, set by the coordinator with a reason (say, before its Ofsted
    # annual engagement meeting); None: the close of the region's self-evaluation window.
    due_on: Mapped[date | None] = mapped_column(Date)
    due_reason: Mapped[str | None] = mapped_column(Text)


class SefVersion(InSelfEvaluation, Base):
    """A saved version: the whole text at that moment. Never updated."""

    __tablename__ = "sef_version"
    __table_args__ = (UniqueConstraint("self_evaluation_id", "number"),)

    number: Mapped[int]
    # Canonical JSON: {chapter id: {section: text}}; text is plain, never HTML.
    content: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    # The chapter this save changed (None when a whole version was written at once).
    chapter_id: Mapped[str | None] = mapped_column(String(60))
    based_on_number: Mapped[int | None]
    # Set on a version copied whole from the LA's signed self-evaluation of an earlier cycle: the
    # signed version it came from. Its chapters count as carried forward until each is edited.
    carried_from_version_id: Mapped[int | None] = mapped_column(ForeignKey("sef_version.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_by_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SefContributor(InSelfEvaluation, Base):
    """A named person in the LA who may draft one chapter. Ending it keeps the history."""

    __tablename__ = "sef_contributor"
    __table_args__ = (
        partial_unique_index(
            "uq_sef_contributor_active",
            "self_evaluation_id",
            "chapter_id",
            "user_id",
            where="ended_at IS NULL",
        ),
    )

    chapter_id: Mapped[str] = mapped_column(String(60))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SefSignOffEvent(InSelfEvaluation, SignOffEventColumns, Base):
    """A signatory signed, or returned, one exact version. Append-only: never updated.

    organisation_code is the self-evaluation's LA, so every sign-off table has the same shape."""

    __tablename__ = "sef_sign_off_event"
    __table_args__ = (
        Index("ix_sef_sign_off_event_sef", "self_evaluation_id"),
        # A double submit signs once: the database refuses a second signature on a version.
        signed_once_index("uq_sef_sign_off_signed_once", "sef_version_id", "role"),
    )

    sef_version_id: Mapped[int] = mapped_column(ForeignKey("sef_version.id"))


class SefComment(InSelfEvaluation, Base):
    """A scrutineer's comment on one chapter of the signed version, perhaps offering a different
    view of its grade."""

    __tablename__ = "sef_comment"
    __table_args__ = (Index("ix_sef_comment_sef", "self_evaluation_id"),)

    sef_version_id: Mapped[int] = mapped_column(ForeignKey("sef_version.id"))
    chapter_id: Mapped[str] = mapped_column(String(60))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    author_name: Mapped[str] = mapped_column(String(200))
    # Where the scrutineer speaks from: their LA, or "Moderator".
    author_affiliation: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # A different view of the LA's grade: the grade the scrutineer reads in the evidence.
    challenged_grade: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SefResponse(Base):
    """The LA's one response to a scrutineer's comment."""

    __tablename__ = "sef_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("sef_comment.id"), unique=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    author_name: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
