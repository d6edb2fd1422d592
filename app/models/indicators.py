"""Quarterly core indicator returns, their windows, and DfE published comparators."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.owners import InCycle
from app.models.types import UTCDateTime, utcnow


class ReturnWindow(InCycle, Base):
    """When a quarter's return opens and closes for one cycle (from the region's data terms)."""

    __tablename__ = "return_window"
    __table_args__ = (UniqueConstraint("cycle_id", "period"),)

    period: Mapped[str] = mapped_column(String(12))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)


class IndicatorReturn(Base):
    """One version of an LA's return for a quarter. Never updated: a resubmission is a new row."""

    __tablename__ = "indicator_return"
    __table_args__ = (
        UniqueConstraint("organisation_code", "period", "version"),
        Index("ix_indicator_return_region_period", "region_id", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[str] = mapped_column(String(60))
    organisation_code: Mapped[str] = mapped_column(String(60))
    period: Mapped[str] = mapped_column(String(12))
    version: Mapped[int]
    source: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    late: Mapped[bool] = mapped_column(default=False)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    demonstration: Mapped[bool] = mapped_column(default=False)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReturnValue(Base):
    """A value, or a typed reason it is missing (DfE codes c, x, z, u): never a silent zero."""

    __tablename__ = "return_value"
    __table_args__ = (
        UniqueConstraint("return_id", "indicator_id"),
        CheckConstraint(
            "(value IS NULL AND missing_code IS NOT NULL) OR (value IS NOT NULL AND missing_code IS NULL)",
            name="value_or_missing_code",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("indicator_return.id"))
    indicator_id: Mapped[str] = mapped_column(String(60))
    value: Mapped[float | None] = mapped_column(Float)
    missing_code: Mapped[str | None] = mapped_column(String(4))
    commentary: Mapped[str | None] = mapped_column(Text)


class ReturnOverride(InCycle, Base):
    """The coordinator accepts returns from an organisation whose MoU is not yet in force."""

    __tablename__ = "return_override"
    __table_args__ = (UniqueConstraint("cycle_id", "organisation_code"),)

    organisation_code: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ImportedFile(Base):
    """A file that was imported, by hash, so importing the same file again is a no-op."""

    __tablename__ = "imported_file"
    __table_args__ = (UniqueConstraint("sha256", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(12))
    region_id: Mapped[str] = mapped_column(String(60))
    filename: Mapped[str] = mapped_column(String(255))
    returns_created: Mapped[int]
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PublishedValue(Base):
    """A DfE published annual value for England, a region or an LA (an annual comparator)."""

    __tablename__ = "published_value"
    __table_args__ = (
        UniqueConstraint("indicator_id", "period", "code"),
        CheckConstraint(
            "(value IS NULL AND missing_code IS NOT NULL) OR (value IS NOT NULL AND missing_code IS NULL)",
            name="value_or_missing_code",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[str] = mapped_column(String(60))
    period: Mapped[str] = mapped_column(String(7))
    level: Mapped[str] = mapped_column(String(10))  # national, regional, la
    code: Mapped[str] = mapped_column(String(12))  # E92000001, E12..., or an LA's ONS code
    value: Mapped[float | None] = mapped_column(Float)
    missing_code: Mapped[str | None] = mapped_column(String(4))
    # Set where DfE published one value for two LAs (Kingston and Richmond's joint workforce return).
    joint_with: Mapped[str | None] = mapped_column(String(12))


class FiguresVersion(Base):
    """A token that changes, in the same transaction, whenever returns or published values do.

    Benchmarks are computed from those figures alone, so results are remembered per token
    (app/benchmarks/figures_version.py). A random token, not a counter: a rolled-back change
    restores the old token together with the old figures, and no two states share one.
    """

    __tablename__ = "figures_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
