"""The domain error tree. Each error knows its HTTP status and says why in plain words.

DomainError
├── NotSignedIn          401  no session or token
├── NotPermitted         403  wrong role or organisation
├── NotFound             404
├── Conflict             409  wrong order, stale version, already done
│   └── StaleVersion     409  saved over someone else's newer save
├── InvalidInput         422  a field is wrong; names the field
│   └── FileRejected     422  an uploaded file has problems; carries every one by row and column
├── CsrfRejected         403  the form's security token is missing or wrong
└── PayloadTooLarge      413  the request is larger than settings.max_request_bytes

Every JSON API error answers one body, `ErrorOut` below, documented in the OpenAPI document for
every operation (app.error_responses); a route may document a larger body of its own (a stale
save's 409 with the newer version) as long as it still matches `ErrorOut`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from pydantic import BaseModel, Field


class DomainError(Exception):
    status_code = 400
    title = "There is a problem"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotSignedIn(DomainError):
    status_code = 401
    title = "Sign in to continue"


class NotPermitted(DomainError):
    status_code = 403
    title = "You cannot do that"


class CsrfRejected(DomainError):
    status_code = 403
    title = "The form has expired"


class NotFound(DomainError):
    status_code = 404
    title = "Page not found"


class Conflict(DomainError):
    status_code = 409
    title = "That cannot be done now"


class StaleVersion(Conflict):
    title = "Someone else has changed this"


class AlreadyDone(Conflict):
    title = "That has already been done"


class InvalidInput(DomainError):
    status_code = 422
    title = "There is a problem"


@dataclass(frozen=True)
class RowProblem:
    """One problem in an uploaded file: the row as a spreadsheet counts it (header is 1)."""

    row: int | None
    column: str | None
    message: str


class FileRejected(InvalidInput):
    """A file with any problem writes nothing; every problem is reported at once."""

    def __init__(self, message: str, problems: list[RowProblem], *, field: str = "file") -> None:
        super().__init__(message, field=field)
        self.problems = problems


class PayloadTooLarge(DomainError):
    status_code = 413
    title = "The request is too large"


class ProblemOut(BaseModel):
    """One problem: a field of the request, or a row and column of an uploaded file."""

    message: str
    field: str | None = Field(default=None, description="The field, for a refused request")
    row: int | None = Field(default=None, description="The file's row (its header is row 1)")
    column: str | None = Field(default=None, description="The file's column")


class ErrorBody(BaseModel):
    type: str = Field(description="The kind of error, such as NotFound or InvalidInput")
    title: str = Field(description="A heading in plain English")
    message: str = Field(description="What went wrong and what to do, in plain English")
    field: str | None = Field(description="The field to correct, when one is to blame")
    problems: list[ProblemOut] | None = Field(
        default=None, description="Every problem found in a refused request or file"
    )


class ErrorOut(BaseModel):
    """The body of every error the JSON API answers."""

    error: ErrorBody


def error_body(
    exc: DomainError, problems: list[dict[str, str]] | None = None
) -> dict[str, dict[str, object]]:
    """The JSON body of a refusal, as ErrorOut documents it; `problems` for a refused request."""
    body: dict[str, object] = {
        "type": type(exc).__name__,
        "title": exc.title,
        "message": exc.message,
        "field": exc.field,
    }
    if isinstance(exc, FileRejected):
        body["problems"] = [asdict(p) for p in exc.problems]
    elif problems is not None:
        body["problems"] = problems
    return {"error": body}
