"""Inputs for key lines of enquiry: shared by the HTML form and the JSON API."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.challenge.drafting import MAX_KLOES, MIN_KLOES

QUESTION_LIMIT = 600


class QuestionInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: str = Field(min_length=1, max_length=QUESTION_LIMIT)
    source: str | None = Field(
        default=None,
        max_length=200,
        description="The key of the drafted suggestion this question started from "
        "(`suggestions[].source.key`); kept when the text is edited. Null for your own question.",
    )


class KloesInput(BaseModel):
    """An LA's whole set of questions, replacing the set it started from."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    version: Annotated[str, Field(max_length=64)] = Field(
        default="",
        description="The `version` of the set you started from ('' when none was set): a save "
        "over someone else's newer set is refused",
    )
    questions: list[QuestionInput] = Field(min_length=MIN_KLOES, max_length=MAX_KLOES)


MESSAGES = {
    "version": "Reload the page: the version you started from is malformed",
    "questions": f"Write {MIN_KLOES} to {MAX_KLOES} questions, each under {QUESTION_LIMIT} "
    "characters",
}
