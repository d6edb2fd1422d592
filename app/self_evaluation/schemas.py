"""Inputs for the self-evaluation: shared by the HTML forms and the JSON API."""

from datetime import date
from typing import Annotated

from pydantic import BeforeValidator, Field, field_validator

from app.auth.roles import Role
from app.cycles.years import check_year
from app.identifiers import Identifier
from app.inputs import Input, TextInput
from app.reference.sef import OfstedGrade
from app.signoff.schemas import Confirmation, ContentHash, Reason


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


Section = Annotated[str, Field(default="", max_length=20_000)]
MaybeGrade = Annotated[OfstedGrade | None, BeforeValidator(_blank_is_none)]
MaybeNumber = Annotated[Identifier | None, BeforeValidator(_blank_is_none)]


class ChapterInput(TextInput):
    """One chapter as its writer saves it, with the version they started from."""

    base_version: MaybeNumber = Field(
        default=None,
        description="The version number the writer started from; none if nothing was saved yet",
    )
    grade: MaybeGrade = Field(default=None, description="The self-assessed grade, if decided")
    narrative: Section = ""
    strengths: Section = ""
    areas_for_development: Section = ""
    signatures_of_strength: Section = ""
    signatures_of_risk: Section = ""
    evidence: Section = ""


class AssignInput(TextInput):
    chapter_id: str = Field(min_length=1, max_length=60)
    user_id: Identifier = Field(description="A person who holds a role in the authority")


class CompareInput(Input):
    """Two version numbers to set side by side: the history page's form and the API's query."""

    a: Identifier = Field(description="One version number")
    b: Identifier = Field(description="The other; the older is always `older`")


class SubmitInput(Input):
    content_hash: ContentHash = Field(description="SHA-256 of the version the DCS reviewed")


class SignSefInput(TextInput):
    role: Role
    content_hash: ContentHash = Field(description="SHA-256 of the submitted version being signed")
    confirm: Confirmation


class ReturnSefInput(TextInput):
    role: Role
    content_hash: ContentHash
    reason: Reason


class CommentInput(TextInput):
    chapter_id: str = Field(min_length=1, max_length=60)
    body: str = Field(min_length=1, max_length=5000)
    challenged_grade: MaybeGrade = Field(
        default=None,
        description="A different view of the chapter's self-assessed grade: the grade the "
        "scrutineer reads in the evidence. Only for chapters that carry a grade",
    )


class ResponseInput(TextInput):
    body: str = Field(min_length=1, max_length=5000)


class CarryForwardInput(TextInput):
    """The DCS starts a blank self-evaluation from the LA's signed one of an earlier cycle."""

    from_year: str = Field(description="The earlier cycle, like 2025-26, whose signed text to copy")

    @field_validator("from_year")
    @classmethod
    def valid_year(cls, value: str) -> str:
        return check_year(value)


class DueDateInput(TextInput):
    """The coordinator sets one LA's own sign-off date, or (no date) returns it to the region's."""

    due_on: Annotated[date | None, BeforeValidator(_blank_is_none)] = Field(
        default=None,
        description="The LA's own due date; null returns it to the close of the region's window",
    )
    reason: str = Field(min_length=1, max_length=500, description="Why, for the history")


class TriadsInput(Input):
    """The triad number each LA of the region sits in this cycle."""

    groups: dict[str, int] = Field(description="LA code -> triad number (1, 2, ...)")


MESSAGES = {
    "base_version": "Reload the page: the version you started from is missing",
    "grade": "Choose a grade from the Ofsted scale",
    "narrative": "Keep each section under 20,000 characters",
    "strengths": "Keep each section under 20,000 characters",
    "areas_for_development": "Keep each section under 20,000 characters",
    "signatures_of_strength": "Keep each section under 20,000 characters",
    "signatures_of_risk": "Keep each section under 20,000 characters",
    "evidence": "Keep each section under 20,000 characters",
    "chapter_id": "Choose a chapter",
    "user_id": "Choose a person from your authority",
    "role": "Choose the role you are signing as",
    "confirm": "Confirm the statement to sign the self-evaluation",
    "reason": "Say why you are returning the self-evaluation, in under 2,000 characters",
    "body": "Enter your comment, in under 5,000 characters",
    "challenged_grade": "Choose a grade from the Ofsted scale, or leave it blank",
    "content_hash": "The version reference is missing or malformed; reload the page",
    "groups": "Choose a triad for every authority",
    "from_year": "Choose the earlier cycle to start from",
    "due_on": "Enter the due date as a real date, like 14 11 2026",
    "a": "Choose the first version to compare",
    "b": "Choose the second version to compare",
}
