"""The annual cycle of a region and its stage calendar."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.owners import InCycle
from app.models.types import UTCDateTime, utcnow


class Cycle(Base):
    __tablename__ = "cycle"
    __table_args__ = (UniqueConstraint("region_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[str] = mapped_column(String(60))
    year: Mapped[str] = mapped_column(String(7))
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StageWindow(InCycle, Base):
    __tablename__ = "stage_window"
    __table_args__ = (UniqueConstraint("cycle_id", "stage"),)

    stage: Mapped[str] = mapped_column(String(40))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
