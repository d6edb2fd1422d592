"""The JSON shapes the self-evaluation API answers with (app.self_evaluation.api builds them)."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.reference.sef import TEXT_SECTIONS
from app.self_evaluation.scrutiny.api import SignOffOut


class Out(BaseModel):
    """A response model read, by attribute, from the service's dataclasses."""

    model_config = ConfigDict(from_attributes=True)


class SefSummaryOut(BaseModel):
    la_code: str
    la_name: str
    state: str = Field(description="draft, awaiting_sign_off, signed or scrutiny_closed")
    latest_version: int | None = Field(description="The newest saved version; none before any")
    submitted_version: int | None = Field(description="The version under sign-off, or signed")
    due_on: date | None = Field(
        description="When sign-off is due: the LA's own date, else the calendar's closing day"
    )
    late: bool = Field(description="Past the due day and not yet signed by all three")


class VersionSummaryOut(BaseModel):
    number: int
    chapter_id: str | None = Field(description="The chapter this save changed")
    created_by: str
    created_at: datetime
    content_hash: str = Field(description="SHA-256 of the template and the exact text")
    based_on: int | None = Field(description="The version its writer started from")


class ChapterOut(BaseModel):
    chapter_id: str
    title: str
    graded: bool = Field(description="Whether the template gives this chapter a grade")
    grade: str | None = Field(
        description="The self-assessed grade's value, or '' while undecided; null in a chapter "
        "that carries no grade"
    )
    grade_label: str | None
    sections: dict[str, str] = Field(
        description="Every text section by name: " + ", ".join(n for n, _ in TEXT_SECTIONS)
    )


class VersionOut(VersionSummaryOut):
    chapters: list[ChapterOut]


class ContributorOut(Out):
    id: int
    chapter_id: str
    user_id: int
    name: str
    email: str | None = Field(
        description="Null unless you are one of the authority's own people or the regional "
        "coordinator"
    )
    assigned_at: datetime


class SefOut(BaseModel):
    la_code: str
    la_name: str
    state: str
    template_id: str
    submitted_at: datetime | None
    signed_at: datetime | None
    scrutiny_closed_at: datetime | None
    latest_version: VersionOut | None
    carried_forward: dict[str, str] = Field(
        default_factory=dict,
        description="Chapters started from an earlier cycle's signed self-evaluation and not "
        "edited since: chapter id -> that cycle's year",
    )
    sign_off: SignOffOut = Field(
        description="Signatures on the submitted version and those made void. `returns` (with "
        "their reasons) is empty unless you are one of the authority's own people or the "
        "regional coordinator"
    )
    contributors: list[ContributorOut] = Field(
        description="Who drafts which chapter now; emails only for the authority's own people "
        "and the regional coordinator"
    )


class DiffRowOut(Out):
    kind: str = Field(description="same, changed, added or removed")
    old: str | None
    new: str | None


class SectionComparisonOut(Out):
    name: str
    label: str
    changed: bool
    rows: list[DiffRowOut] = Field(description="Paragraph by paragraph, older beside newer")


class ChapterComparisonOut(Out):
    chapter_id: str
    title: str
    changed: bool
    sections: list[SectionComparisonOut]


class ComparisonOut(BaseModel):
    older: VersionSummaryOut
    newer: VersionSummaryOut
    chapters: list[ChapterComparisonOut]


class ConflictBody(BaseModel):
    type: str
    title: str
    message: str
    field: str | None
    latest_version: VersionSummaryOut = Field(description="The newer version saved by someone else")
    chapter: ChapterOut = Field(description="The chapter's text in that newer version")


class ConflictOut(BaseModel):
    error: ConflictBody
