"""Inputs for arranging a triad's challenge conversation: shared by the HTML forms and the API."""

from datetime import date
from enum import StrEnum

from pydantic import Field

from app.inputs import Input, TextInput

NAME_LIMIT = 200
REASON_LIMIT = 2000
MAX_ATTENDEES = 6


class Mode(StrEnum):
    IN_PERSON = "in_person"
    VIRTUAL = "virtual"


MODE_LABELS = {Mode.IN_PERSON: "In person", Mode.VIRTUAL: "Virtual"}


class AttendeeRole(StrEnum):
    DCS = "dcs"
    ASSISTANT_DIRECTOR = "assistant_director"
    TIER_TWO = "tier_two_officer"
    LEAD_MEMBER = "lead_member"


ATTENDEE_LABELS = {
    AttendeeRole.DCS: "Director of Children's Services",
    AttendeeRole.ASSISTANT_DIRECTOR: "Assistant Director",
    AttendeeRole.TIER_TWO: "Tier-2 officer",
    AttendeeRole.LEAD_MEMBER: "Lead Member",
}


class MeetingInput(TextInput):
    """The triad's meeting as a whole: a new date replaces the old one."""

    meets_on: date = Field(description="The day of the conversation, within the cycle's window")
    mode: Mode
    facilitator_name: str = Field(
        default="", max_length=NAME_LIMIT, description="An independent facilitator, if any"
    )
    facilitator_organisation: str = Field(
        default="",
        max_length=NAME_LIMIT,
        description="The facilitator's organisation, e.g. LGA Children's Improvement Adviser",
    )
    lead_members_session: bool = Field(
        default=False, description="Whether a Lead Members' peer session is added"
    )


class ReviewerInput(Input):
    """A person holding the triad reviewer role in the region, named to the triad."""

    user_id: int = Field(gt=0)


class AttendeeInput(TextInput):
    name: str = Field(min_length=1, max_length=NAME_LIMIT)
    role: AttendeeRole


class AttendeesInput(TextInput):
    """Everyone an authority brings, replacing the set it started from."""

    version: str = Field(
        default="",
        max_length=64,
        description="The `version` of the set you started from ('' when none was named): a "
        "save over someone else's newer set is refused",
    )
    attendees: list[AttendeeInput] = Field(min_length=1, max_length=MAX_ATTENDEES)


class WithdrawalInput(TextInput):
    """An authority withdraws from the meeting on the date it saw, with its reason."""

    meets_on: date = Field(description="The meeting date you are withdrawing from")
    reason: str = Field(min_length=1, max_length=REASON_LIMIT)


MESSAGES = {
    "meets_on": "Enter the date of the conversation as a real date, like 20 1 2027",
    "mode": "Choose whether the conversation is in person or virtual",
    "facilitator_name": f"Keep the facilitator's name under {NAME_LIMIT} characters",
    "facilitator_organisation": f"Keep the organisation under {NAME_LIMIT} characters",
    "user_id": "Choose a triad reviewer",
    "attendees": f"Name 1 to {MAX_ATTENDEES} people, each with a role, names under "
    f"{NAME_LIMIT} characters",
    "reason": f"Say why your authority is withdrawing, in under {REASON_LIMIT:,} characters",
    "version": "Reload the page: the version you started from is malformed",
}
