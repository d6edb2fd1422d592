"""Inputs for LA development plans: shared by the HTML forms and the JSON API.

A plan is written a priority at a time; each input names the version its writer opened
(`base_version`), so a save over someone else's newer version is refused and the same save sent
twice changes nothing.
"""

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator, Field

from app.auth.roles import Role
from app.identifiers import Identifier
from app.inputs import Input, TextInput
from app.signoff.schemas import Confirmation, ContentHash, Reason


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


MaybeNumber = Annotated[Identifier | None, BeforeValidator(_blank_is_none)]
MaybeFloat = Annotated[float | None, BeforeValidator(_blank_is_none)]
MaybeText = Annotated[str | None, BeforeValidator(_blank_is_none)]
Short = Annotated[str, Field(min_length=1, max_length=200)]
Long = Annotated[str, Field(default="", max_length=2000)]

BASE_VERSION = Field(
    default=None,
    description="The version number you started from; none while nothing is saved yet",
)


class MeasureKind(StrEnum):
    INDICATOR = "indicator"  # a core indicator, with a baseline and (where it has a better
    # direction) a target
    DESCRIBED = "described"  # a measure the LA describes in words


class Provider(StrEnum):
    WITHIN_REGION = "within_region"
    OUTSIDE_REGION = "outside_region"
    PARTNERS_IN_PRACTICE = "partners_in_practice"


PROVIDER_LABELS = {
    Provider.WITHIN_REGION: "Within the region",
    Provider.OUTSIDE_REGION: "Outside the region",
    Provider.PARTNERS_IN_PRACTICE: "A Partners in Practice authority",
}


class MeasureInput(TextInput):
    kind: MeasureKind
    indicator_id: MaybeText = Field(
        default=None, max_length=60, description="A core indicator's id, for kind `indicator`"
    )
    baseline: MaybeFloat = Field(default=None, description="The indicator's value at the start")
    target: MaybeFloat = Field(
        default=None,
        description="Where the indicator should reach: only for indicators with a better "
        "direction; contextual and two-sided indicators are monitored without one",
    )
    description: MaybeText = Field(
        default=None, max_length=600, description="The measure in words, for kind `described`"
    )


class SupportInput(TextInput):
    improvement_area: Short
    days: Annotated[int, Field(ge=1, le=365, description="Approximate days of support")]
    provider: Provider


class ActionInput(TextInput):
    text: Annotated[str, Field(min_length=1, max_length=600, description="What will be done")]
    owner_name: Short
    owner_role: Short
    starts_on: date
    due_on: date
    measures: list[MeasureInput] = Field(min_length=1, max_length=5)
    support: SupportInput | None = Field(default=None, description="Support needed, if any")


class TheoryOfChange(TextInput):
    inputs: Long = ""
    activities: Long = ""
    outcomes: Long = ""


class PriorityInput(TextInput):
    """One priority, whole, as its writer saves it."""

    base_version: MaybeNumber = BASE_VERSION
    title: Annotated[str, Field(min_length=1, max_length=300)]
    theory_of_change: TheoryOfChange | None = Field(
        default=None, description="Optional: the inputs, activities and outcomes"
    )
    actions: list[ActionInput] = Field(default_factory=list, max_length=10)


class StartInput(Input):
    """The DCS starts the plan from the signed self-evaluation's areas for development."""

    keep: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=list,
        max_length=30,
        description="The `suggestions[].source.key` of each area for development to keep as a "
        "priority; the rest are dropped",
    )


class DropInput(Input):
    base_version: MaybeNumber = BASE_VERSION


class AdoptInput(TextInput):
    """The LA adopts its existing improvement plan (one plan, not two), mapping its priorities
    into the service rather than rewriting it; an empty title stops adopting it."""

    base_version: MaybeNumber = BASE_VERSION
    title: Annotated[str, Field(default="", max_length=300)] = ""
    document: Annotated[str, Field(default="", max_length=300)] = Field(
        default="", description="The name of the supporting document: the plan as adopted"
    )


class SubmitPlanInput(Input):
    content_hash: ContentHash = Field(description="SHA-256 of the version the DCS reviewed")


class SignPlanInput(TextInput):
    role: Role
    content_hash: ContentHash = Field(description="SHA-256 of the submitted version being signed")
    confirm: Confirmation


class ReturnPlanInput(TextInput):
    role: Role
    content_hash: ContentHash
    reason: Reason


class PlanCommentInput(TextInput):
    """A triad partner's comment on one priority; a challenge is a question the LA must answer."""

    text: Annotated[str, Field(min_length=1, max_length=2000)]
    is_challenge: bool = Field(
        default=False, description="A challenge: a question the authority must answer"
    )


class PlanResponseInput(TextInput):
    """The LA's DCS's one answer to a challenge."""

    text: Annotated[str, Field(min_length=1, max_length=2000)]


MESSAGES = {
    "text": "Write your comment or answer, in under 2,000 characters",
    "base_version": "Reload the page: the version you started from is missing",
    "title": "Enter the priority, in under 300 characters",
    "theory_of_change": "Keep each part of the theory of change under 2,000 characters",
    "actions": "Give each action what will be done, its owner's name and role, a start date and "
    "a due date as real dates, and a success measure",
    "keep": "Choose the areas for development to keep",
    "document": "Enter the supporting document's name, in under 300 characters",
    "role": "Choose the role you are signing as",
    "confirm": "Confirm the statement to sign the development plan",
    "reason": "Say why you are returning the development plan, in under 2,000 characters",
    "content_hash": "The version reference is missing or malformed; reload the page",
}
