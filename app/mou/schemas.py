"""Inputs for the MoU: shared by the HTML forms and the JSON API."""

from datetime import date

from pydantic import Field

from app.auth.roles import Role
from app.identifiers import Identifier
from app.inputs import Input, TextInput
from app.signoff.schemas import Confirmation, ContentHash, Reason

__all__ = ["ContentHash"]  # where app.self_evaluation.documents first found it


class DraftInput(TextInput):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(
        min_length=1,
        max_length=50_000,
        description="Structured text: '# ' headings, paragraphs, '- ' list items",
    )
    revision: Identifier | None = Field(
        default=None, description="The draft revision the writer started from; none for a new draft"
    )


class PublishInput(Input):
    content_hash: ContentHash = Field(description="SHA-256 of the draft the coordinator reviewed")
    changeover_on: date | None = Field(
        default=None,
        description="For a revised version: the day after which an organisation that has not "
        "signed it lapses (default: 60 days after publication)",
    )


class ReviewInput(Input):
    """The leads reviewed the version in force and decided it needs no change."""

    content_hash: ContentHash = Field(description="SHA-256 of the version that was reviewed")
    confirm: bool = Field(description="The leads reviewed this version and agreed no change")


class SignInput(TextInput):
    organisation_code: str = Field(min_length=1, max_length=60)
    role: Role
    content_hash: ContentHash = Field(description="SHA-256 of the published version being signed")
    confirm: Confirmation


class DeclineInput(TextInput):
    organisation_code: str = Field(min_length=1, max_length=60)
    role: Role
    content_hash: ContentHash
    reason: Reason


# GOV.UK error messages for each field, used by the form adapter and the API alike.
MESSAGES: dict[str, str] = {
    "title": "Enter a title for the Memorandum, up to 200 characters",
    "body": "Enter the text of the Memorandum, up to 50,000 characters",
    "revision": "Reload the page and try again",
    "content_hash": "The version reference is missing or malformed; reload the page",
    "organisation_code": "Choose who you are signing for",
    "role": "Choose who you are signing for",
    "confirm": "Confirm the statement to sign the Memorandum",
    "reason": "Enter why you are declining, up to 2,000 characters",
    "changeover_on": "Enter the changeover date as a real date, for example 31 5 2027",
}
