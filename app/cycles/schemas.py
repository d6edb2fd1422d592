"""Inputs for opening a cycle and setting its calendar, shared by the form and the API."""

import re
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

STAGE_LABELS: dict[str, str] = {
    "mou": "Memorandum of Understanding",
    "quarterly_returns": "Quarterly core indicators",
    "self_evaluation": "Self-evaluation",
    "triad_challenge": "Triad peer challenge",
    "la_development_plan": "LA development plans",
    "capacity_index": "Regional capacity index",
    "regional_plan": "Regional development plan",
}

YEAR_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def check_year(value: str) -> str:
    """A cycle year such as 2026-27: April of the first year to March of the next."""
    match = YEAR_PATTERN.match(value.strip())
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValueError("Enter the cycle year like 2026-27")
    if not 2019 <= int(match.group(1)) <= 2100:
        raise ValueError("Enter a cycle year from 2019-20 onwards")
    return value.strip()


class StageDates(BaseModel):
    model_config = ConfigDict(extra="forbid")

    opens: date
    closes: date

    @model_validator(mode="after")
    def closes_after_opens(self) -> "StageDates":
        if self.closes < self.opens:
            raise ValueError("The closing date must be the same as or after the opening date")
        return self


class CalendarInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    windows: dict[str, StageDates]
    returns: dict[str, StageDates] = Field(
        default_factory=dict, description="Quarterly return windows by quarter, like '2026-27 Q1'"
    )

    @field_validator("windows")
    @classmethod
    def known_stages(cls, value: dict[str, StageDates]) -> dict[str, StageDates]:
        unknown = sorted(set(value) - set(STAGE_LABELS))
        if unknown:
            raise ValueError(f"Unknown stage: {', '.join(unknown)}")
        return value


class OpenCycleInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: str = Field(description="The cycle year, like 2026-27")
    windows: dict[str, StageDates] | None = Field(
        default=None, description="Stage windows; the region's defaults where left out"
    )

    @field_validator("year")
    @classmethod
    def valid_year(cls, value: str) -> str:
        return check_year(value)
