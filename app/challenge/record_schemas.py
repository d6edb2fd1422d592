"""The record of a triad's challenge conversation: its content and the inputs that change it,
shared by the HTML forms and the JSON API.

What the reviewers record for each LA and each of its key lines of enquiry comes from the issue's
"What is recorded" (issue 12): challenge points, the evidence discussed, the LA's response, agreed
actions (what, owner, due date) and strengths recognised; and, for the LA, the support it asks for
(improvement area, approximate days) and the support it offers the others. The conversation is
recorded on a standard template of agreed actions (../shared/docs/domain.md:57-59).
"""

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.signoff.schemas import Confirmation, ContentHash, Reason

TEXT_LIMIT = 4000
MAX_ACTIONS = 5
MAX_SUPPORT = 5
# Support is counted in days: small offers under 20, large over 50 (../shared/docs/domain.md:146).
MAX_DAYS = 200

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)
Text = Annotated[str, Field(max_length=TEXT_LIMIT)]
Days = Annotated[int, Field(ge=1, le=MAX_DAYS, description="Approximate days of support")]
AreaId = Annotated[str, Field(min_length=1, max_length=60, description="An improvement area id")]


class AgreedAction(BaseModel):
    model_config = _STRICT

    what: str = Field(min_length=1, max_length=500)
    owner: str = Field(min_length=1, max_length=200, description="Who will do it: name and role")
    due_on: date
    area: AreaId


class KloeNote(BaseModel):
    """What was said about one key line of enquiry."""

    model_config = _STRICT

    position: int = Field(ge=1, le=6, description="The question's place in the LA's set")
    challenge_points: Text = ""
    evidence: Text = ""
    response: Text = Field(default="", description="The LA's response to the challenge")
    strengths: Text = Field(default="", description="Strengths the triad recognised")
    actions: list[AgreedAction] = Field(default_factory=list, max_length=MAX_ACTIONS)


class SupportAsk(BaseModel):
    model_config = _STRICT

    area: AreaId
    days: Days
    detail: str = Field(default="", max_length=1000)


class SupportOffer(BaseModel):
    """Support this LA offers another member of its triad."""

    model_config = _STRICT

    to_la: str = Field(min_length=1, max_length=60, description="The member LA offered support")
    area: AreaId
    days: Days
    detail: str = Field(default="", max_length=1000)


class StoredNote(KloeNote):
    """A note as a version keeps it: with the question it answers, as the LA set it."""

    question: str


class StoredPart(BaseModel):
    """One LA's part of a saved version."""

    model_config = _STRICT

    kloes: list[StoredNote] = Field(default_factory=list)
    support_asked: list[SupportAsk] = Field(default_factory=list)
    support_offered: list[SupportOffer] = Field(default_factory=list)


class RecordPartInput(BaseModel):
    """One LA's part of the record, replacing the part in the version it started from."""

    model_config = _STRICT

    version: str = Field(
        default="",
        max_length=64,
        description="The `content_hash` of the record you started from ('' before the first "
        "save): a save over someone else's newer version is refused",
    )
    kloes: list[KloeNote] = Field(default_factory=list, max_length=6)
    support_asked: list[SupportAsk] = Field(default_factory=list, max_length=MAX_SUPPORT)
    support_offered: list[SupportOffer] = Field(default_factory=list, max_length=MAX_SUPPORT)


class AccuracyCommentInput(BaseModel):
    """A member LA's comment on the factual accuracy of the version it read."""

    model_config = _STRICT

    content_hash: ContentHash
    la_code: str = Field(min_length=1, max_length=60, description="The LA you comment for")
    text: str = Field(min_length=1, max_length=2000)


class AgreeRecordInput(BaseModel):
    model_config = _STRICT

    content_hash: ContentHash
    la_code: str = Field(min_length=1, max_length=60, description="The LA you agree for")
    confirm: Confirmation


class ReturnRecordInput(BaseModel):
    model_config = _STRICT

    content_hash: ContentHash
    la_code: str = Field(min_length=1, max_length=60, description="The LA you return it for")
    reason: Reason


class ShareInput(BaseModel):
    model_config = _STRICT

    la_code: str = Field(min_length=1, max_length=60)
    shared: bool = Field(
        description="True to share the LA's own part with the RISL; False to take it back"
    )


RECORD_MESSAGES = {
    "version": "Reload the page: the version you started from is malformed",
    "kloes": "Check what you wrote for each question: each box is under "
    f"{TEXT_LIMIT} characters, and each agreed action needs what, an owner, a due date and an "
    "improvement area",
    "support_asked": f"Each request for support needs an improvement area and 1 to {MAX_DAYS} days",
    "support_offered": f"Each offer needs the authority offered support, an improvement area and "
    f"1 to {MAX_DAYS} days",
    "content_hash": "The version reference is missing or malformed; reload the page",
    "la_code": "Choose the authority you act for",
    "text": "Write your comment, under 2000 characters",
    "confirm": "Confirm that you agree this version of the record",
    "reason": "Say why you are returning the record, under 2000 characters",
}
