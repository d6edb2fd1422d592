"""Triads: groups of (usually three) LAs who scrutinise and challenge each other in a cycle."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.owners import InCycle
from app.models.types import UTCDateTime, utcnow


class Triad(InCycle, Base):
    """A group of (usually three) LAs who scrutinise each other's self-evaluations in a cycle."""

    __tablename__ = "triad"
    __table_args__ = (UniqueConstraint("cycle_id", "number"),)

    number: Mapped[int]
    formed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    formed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TriadMember(Base):
    __tablename__ = "triad_member"
    # An LA sits in one triad a cycle.
    __table_args__ = (UniqueConstraint("cycle_id", "la_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    triad_id: Mapped[int] = mapped_column(ForeignKey("triad.id"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"))
    la_code: Mapped[str] = mapped_column(String(60))
