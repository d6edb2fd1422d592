"""Reporting periods: a year `2026-27` runs April to March; its quarters are `2026-27 Q1` to `Q4`.

Published DfE annual figures belong to the reporting year they describe: DfE time period `2025`
(year to 31 March 2025) is `2024-25`.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from app.errors import InvalidInput, NotFound

_QUARTER = re.compile(r"^(\d{4})-(\d{2}) Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Quarter:
    start_year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        """`2026-27 Q1` -> Quarter(2026, 1); ValueError in plain words otherwise."""
        match = _QUARTER.match(text.strip())
        if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
            raise ValueError(f"“{text}” is not a quarter: write it like 2026-27 Q1")
        return cls(int(match.group(1)), int(match.group(3)))

    def __str__(self) -> str:
        return f"{self.year} Q{self.number}"

    @property
    def slug(self) -> str:
        """`2026-27-q1`: the quarter in a URL."""
        return f"{self.year}-q{self.number}"

    @classmethod
    def from_slug(cls, slug: str) -> "Quarter":
        year, _, number = slug.rpartition("-q")
        return cls.parse(f"{year} Q{number}")

    @classmethod
    def read(cls, text: str) -> "Quarter":
        """A quarter written either way: `2026-27 Q1` or its URL slug `2026-27-q1`."""
        return cls.parse(text) if " " in text.strip() else cls.from_slug(text)

    @property
    def year(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def starts_on(self) -> date:
        month = 4 + 3 * (self.number - 1)
        return date(self.start_year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def ends_on(self) -> date:
        return self.next().starts_on - timedelta(days=1)

    @property
    def label(self) -> str:
        """`April to June 2026`, for people."""
        last = self.ends_on
        return f"{self.starts_on:%B} to {last:%B} {last.year}"

    def next(self) -> "Quarter":
        return (
            Quarter(self.start_year + 1, 1)
            if self.number == 4
            else Quarter(self.start_year, self.number + 1)
        )

    def previous(self) -> "Quarter":
        return (
            Quarter(self.start_year - 1, 4)
            if self.number == 1
            else Quarter(self.start_year, self.number - 1)
        )


def quarters_of(year: str) -> list[Quarter]:
    """The four quarters of a reporting year such as 2026-27."""
    match = _YEAR.match(year)
    if not match:
        raise ValueError(f"“{year}” is not a reporting year: write it like 2026-27")
    return [Quarter(int(match.group(1)), n) for n in (1, 2, 3, 4)]


@dataclass(frozen=True, order=True)
class ReportingYear:
    """A whole reporting year, benchmarked on DfE's published annual figures (issue 9)."""

    start_year: int

    @classmethod
    def parse(cls, text: str) -> "ReportingYear":
        """`2024-25` -> ReportingYear(2024); ValueError in plain words otherwise."""
        match = _YEAR.match(text.strip())
        if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
            raise ValueError(f"“{text}” is not a reporting year: write it like 2024-25")
        return cls(int(match.group(1)))

    def __str__(self) -> str:
        return self.year

    @property
    def year(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def slug(self) -> str:
        return self.year

    @property
    def label(self) -> str:
        """`April 2024 to March 2025`, for people."""
        return f"April {self.start_year} to March {self.start_year + 1}"

    def previous(self) -> "ReportingYear":
        return ReportingYear(self.start_year - 1)


# A period the benchmarks are read for: a quarter of provisional returns, or a reporting year of
# DfE's published annual figures.
Period = Quarter | ReportingYear


def read_period(text: str) -> Period:
    """`2026-27 Q1`, its slug `2026-27-q1`, or a reporting year `2024-25`."""
    cleaned = text.strip()
    if _YEAR.match(cleaned):
        return ReportingYear.parse(cleaned)
    try:
        return Quarter.read(cleaned)
    except ValueError:
        raise ValueError(
            f"“{text}” is not a quarter or a reporting year: write it like 2026-27 Q1 or 2024-25"
        ) from None


def trailing(quarter: Quarter, count: int = 8) -> list[Quarter]:
    """The `count` quarters ending with `quarter`, oldest first."""
    found = [quarter]
    while len(found) < count:
        found.append(found[-1].previous())
    return list(reversed(found))


def published_year(time_period: int) -> str:
    """DfE time period 2025 (year to 31 March 2025) is reporting year 2024-25."""
    return f"{time_period - 1}-{time_period % 100:02d}"


def quarter_in_path(slug: str) -> Quarter:
    """The quarter named in a URL path: an unknown one is a page that does not exist."""
    try:
        return Quarter.from_slug(slug)
    except ValueError:
        raise NotFound("There is no such quarter.") from None


def period_in_path(slug: str) -> Period:
    """A quarter or reporting year named in a URL path: an unknown one does not exist."""
    try:
        return read_period(slug)
    except ValueError:
        raise NotFound("There is no such quarter or reporting year.") from None


def period_in_query(text: str) -> Period:
    """A quarter or reporting year asked for in a query or form field."""
    try:
        return read_period(text)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="period") from exc


def quarter_in_query(text: str) -> Quarter:
    """The quarter asked for in a query or form field: a malformed one names the field."""
    try:
        return Quarter.read(text)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="period") from exc
