"""Inputs for supporting documents and DOCX import: shared by the HTML forms and the JSON API."""

from pydantic import Field

from app.inputs import TextInput
from app.mou.schemas import ContentHash
from app.self_evaluation.schemas import MaybeNumber


class DocumentInput(TextInput):
    """Which chapter an uploaded document supports (the file itself comes as a multipart part)."""

    chapter_id: str = Field(min_length=1, max_length=60)


class ImportInput(TextInput):
    """The DCS's confirmed mapping of an uploaded DOCX's sections to chapters."""

    file_sha256: ContentHash = Field(description="SHA-256 of the DOCX, as the proposal gave it")
    base_version: MaybeNumber = Field(
        default=None, description="The version the proposal was made against; none before any"
    )
    filename: str = Field(
        default="document.docx", max_length=200, description="The DOCX's name, for the history"
    )
    chapters: list[str] = Field(
        max_length=500,
        description='For each section of the proposal, in order, a chapter id or "" to skip it',
    )


MESSAGES = {
    "chapter_id": "Choose the chapter this document supports",
    "file_sha256": "The uploaded document is missing; upload it again",
    "base_version": "Reload the page: the version you started from is missing",
    "chapters": "Choose a chapter, or 'Do not import', for each section",
}
