"""Inputs for opening a cycle and setting its calendar, shared by the form and the API."""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app import stages
from app.cycles.years import check_year
from app.identifiers import Identifier
from app.inputs import Input

# The windows of the region files' calendar (app.reference.models.Calendar), in cycle order.
# A registered stage labels its own window (app.stage.CalendarEntry); these are the labels of
# the windows whose stage is not built yet.
_NOT_YET_BUILT: dict[str, str] = {
    "triad_challenge": "Triad peer challenge",
    "la_development_plan": "LA development plans",
    "capacity_index": "Regional capacity index",
    "annual_assurance_conversation": "Annual assurance conversation",
    "regional_plan": "Regional development plan",
}
_WINDOWS = ("mou", "quarterly_returns", "self_evaluation", *_NOT_YET_BUILT)
_CLAIMED = {s.calendar.key: s.calendar for s in stages.STAGES if s.calendar is not None}
STAGE_LABELS: dict[str, str] = {
    key: _CLAIMED[key].label if key in _CLAIMED else _NOT_YET_BUILT[key] for key in _WINDOWS
}


class StageDates(Input):
    opens: date
    closes: date

    @model_validator(mode="after")
    def closes_after_opens(self) -> "StageDates":
        if self.closes < self.opens:
            raise ValueError("The closing date must be the same as or after the opening date")
        return self


class CalendarInput(Input):
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


class OpenCycleInput(Input):
    year: str = Field(description="The cycle year, like 2026-27")
    windows: dict[str, StageDates] | None = Field(
        default=None, description="Stage windows; the region's defaults where left out"
    )

    @field_validator("year")
    @classmethod
    def valid_year(cls, value: str) -> str:
        return check_year(value)


# The history's stages: each groups the entries whose action starts with one of its prefixes.
HISTORY_STAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "cycle": ("The cycle and its calendar", ("cycle.",)),
    **{
        key: (STAGE_LABELS[key], entry.history_prefixes)
        for key, entry in _CLAIMED.items()
        if entry.history_prefixes
    },
}


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


class HistoryQuery(BaseModel):
    """Which entries of a cycle's history to show: the page's filter form and the API's query."""

    model_config = ConfigDict(extra="ignore")

    la: str | None = Field(
        default=None, description="Only entries about this organisation (its ONS code)"
    )
    stage: str | None = Field(
        default=None, description="Only this stage: " + ", ".join(HISTORY_STAGES)
    )
    person: Identifier | None = Field(
        default=None, description="Only entries by this person (user id)"
    )
    page: int = Field(default=1, ge=1, le=100_000, description="The page, 50 entries to a page")

    @field_validator("la", "stage", "person", mode="before")
    @classmethod
    def blank_is_all(cls, value: object) -> object:
        return _blank_is_none(value)

    @field_validator("stage")
    @classmethod
    def known_stage(cls, value: str | None) -> str | None:
        if value is not None and value not in HISTORY_STAGES:
            raise ValueError("Choose a stage from the list")
        return value
