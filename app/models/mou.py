"""The Memorandum of Understanding: its versions and the signature events bound to them."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.owners import InCycle
from app.models.signoff import SignOffEventColumns, signed_once_index
from app.models.types import UTCDateTime, partial_unique_index, utcnow


class MouVersion(InCycle, Base):
    """One version of a cycle's MoU. Published text is frozen: its hash is what people sign."""

    __tablename__ = "mou_version"
    __table_args__ = (
        UniqueConstraint("cycle_id", "number"),
        # At most one draft and one published version per cycle, whatever races occur.
        partial_unique_index(
            "uq_mou_version_one_per_state",
            "cycle_id",
            "state",
            where="state IN ('draft', 'published')",
        ),
    )

    number: Mapped[int]
    state: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    # JSON list of structured-text blocks (never HTML).
    content: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    # Bumped on every draft save, so a save over a newer one is refused.
    revision: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A revised version's changeover: until this day an organisation that has not signed it
    # stays bound by the version it signed; after it, that organisation's MoU lapses. None for
    # a region's first version (nobody was bound before it).
    changeover_on: Mapped[date | None] = mapped_column(Date)


class MouSignatureEvent(SignOffEventColumns, Base):
    """A signatory signed or declined a published version. Append-only: never updated."""

    __tablename__ = "mou_signature_event"
    __table_args__ = (
        Index("ix_mou_signature_event_version", "mou_version_id"),
        # A double submit signs once: the database refuses a second signature by the same
        # person. A new office holder (another person) may add theirs: the history shows both.
        signed_once_index(
            "uq_mou_signature_signed_once", "mou_version_id", "organisation_code", "role", "user_id"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mou_version_id: Mapped[int] = mapped_column(ForeignKey("mou_version.id"))


class MouReview(InCycle, Base):
    """The leads' yearly review of the alliance's MoU ended in "no change": once per cycle.

    A review that ends in a revision is the published version itself (MouVersion.cycle_id).
    """

    __tablename__ = "mou_review"
    __table_args__ = (UniqueConstraint("cycle_id", name="uq_mou_review_cycle"),)

    mou_version_id: Mapped[int] = mapped_column(ForeignKey("mou_version.id"))
    outcome: Mapped[str] = mapped_column(String(20))
    content_hash: Mapped[str] = mapped_column(String(64))
    reviewed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reviewer_name: Mapped[str] = mapped_column(String(200))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
