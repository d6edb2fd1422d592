"""The triad challenge stage: each LA's key lines of enquiry (KLOEs), its triad's conversation,
the record of it and each member DCS's agreement."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.owners import InCycle
from app.models.signoff import SignOffEventColumns, signed_once_index
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


class ChallengeMeeting(InCycle, Base):
    """A triad's challenge conversation: when, how, and who facilitates it (issue 12).

    One a triad a cycle; a new date (say, after an LA withdraws) replaces the old one, and the
    history keeps every date set."""

    __tablename__ = "challenge_meeting"
    __table_args__ = (UniqueConstraint("triad_id"),)

    triad_id: Mapped[int] = mapped_column(ForeignKey("triad.id"))
    meets_on: Mapped[date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(20))  # in_person | virtual
    # An optional independent facilitator, e.g. the LGA Children's Improvement Adviser.
    facilitator_name: Mapped[str | None] = mapped_column(String(200))
    facilitator_organisation: Mapped[str | None] = mapped_column(String(200))
    # A region may add a Lead Members' peer session alongside the DCSs' conversation.
    lead_members_session: Mapped[bool] = mapped_column(default=False)
    arranged_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    arranged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChallengeAttendee(InCycle, Base):
    """Someone an organisation brings to its triad's conversation: its DCS, or a named delegate
    (an Assistant Director or Tier-2 officer), or its Lead Member for the peer session."""

    __tablename__ = "challenge_attendee"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("challenge_meeting.id"))
    organisation_code: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40))
    added_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChallengeWithdrawal(InCycle, Base):
    """An LA withdrew from its triad's conversation on a date, with its reason: an engagement
    flag the coordinator sees. A later date set for the triad is the replacement."""

    __tablename__ = "challenge_withdrawal"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("challenge_meeting.id"))
    la_code: Mapped[str] = mapped_column(String(60))
    meets_on: Mapped[date] = mapped_column(Date)  # the date it withdrew from
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChallengeRecord(InCycle, Base):
    """The record of a triad's challenge conversation: a private draft until every member LA's
    DCS has agreed its exact version (app.challenge.record). Its text lives in its versions."""

    __tablename__ = "challenge_record"
    __table_args__ = (UniqueConstraint("triad_id"),)

    triad_id: Mapped[int] = mapped_column(ForeignKey("triad.id"))
    state: Mapped[str] = mapped_column(String(20))  # draft | agreed
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChallengeRecordVersion(Base):
    """A saved version of a record: the whole text at that moment, never updated."""

    __tablename__ = "challenge_record_version"
    __table_args__ = (UniqueConstraint("record_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("challenge_record.id"))
    number: Mapped[int]
    # Canonical JSON (app.challenge.record_content); text is plain, never HTML.
    content: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    saved_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    saved_by_name: Mapped[str] = mapped_column(String(200))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChallengeAccuracyComment(Base):
    """A member LA's comment on the factual accuracy of one version of the private draft."""

    __tablename__ = "challenge_accuracy_comment"
    __table_args__ = (Index("ix_challenge_accuracy_comment_record", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("challenge_record.id"))
    record_version_id: Mapped[int] = mapped_column(ForeignKey("challenge_record_version.id"))
    la_code: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    author_name: Mapped[str] = mapped_column(String(200))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChallengeAgreementEvent(SignOffEventColumns, Base):
    """A member LA's DCS agreed, or returned, one exact version of the record. Append-only."""

    __tablename__ = "challenge_agreement_event"
    __table_args__ = (
        Index("ix_challenge_agreement_event_record", "record_id"),
        # A double submit agrees once: one agreement per LA on a version.
        signed_once_index(
            "uq_challenge_agreement_signed_once", "record_version_id", "organisation_code"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("challenge_record.id"))
    record_version_id: Mapped[int] = mapped_column(ForeignKey("challenge_record_version.id"))


class ChallengeShare(Base):
    """An LA chose to share its own part of an agreed record with the DfE's regional lead: an
    explicit act it can take back (the row goes; the history keeps both acts)."""

    __tablename__ = "challenge_share"
    __table_args__ = (UniqueConstraint("record_id", "la_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("challenge_record.id"))
    la_code: Mapped[str] = mapped_column(String(60))
    shared_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TriadReviewer(InCycle, Base):
    """A triad reviewer the coordinator names to one triad: they read its members' questions and
    record its conversation, and see nothing of any other triad."""

    __tablename__ = "triad_reviewer"
    __table_args__ = (UniqueConstraint("triad_id", "user_id"),)

    triad_id: Mapped[int] = mapped_column(ForeignKey("triad.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    named_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    named_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
