"""Form data -> the same Pydantic schema the API uses -> a GOV.UK error summary."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from app.errors import DomainError

Schema = TypeVar("Schema", bound=BaseModel)
Result = TypeVar("Result")


def posted_date(form: Mapping[str, object], prefix: str) -> str:
    """A GOV.UK date input's three boxes (`{prefix}-day`, `-month`, `-year`) as one ISO date for
    the schema: "" when all are blank, "invalid" when they are not a day (the schema refuses it)."""
    parts = [str(form.get(f"{prefix}-{p}", "")).strip() for p in ("day", "month", "year")]
    if not any(parts):
        return ""
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0])).isoformat()
    except ValueError:
        return "invalid"


@dataclass
class FormErrors:
    """Errors keyed by field, in page order, ready for govukErrorSummary and errorMessage."""

    by_field: dict[str, str] = field(default_factory=dict)
    # The status a page showing these errors answers: 422 for what the form itself got wrong, or
    # the refusing service's own (409 for a version that changed meanwhile, say).
    refused_with: int = 422

    @property
    def status_code(self) -> int:
        """200 for a form with nothing wrong, else the status its refusal carries."""
        return self.refused_with if self.by_field else 200

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, message)

    @property
    def summary(self) -> list[dict[str, str]]:
        return [{"text": text, "href": f"#{name}"} for name, text in self.by_field.items()]

    def __bool__(self) -> bool:
        return bool(self.by_field)


def validation_messages(
    error: ValidationError, messages: Mapping[str, str]
) -> list[tuple[str, str]]:
    """(field, message) pairs: the schema's plain-English message for each field, once each."""
    found: list[tuple[str, str]] = []
    for item in error.errors():
        name = str(item["loc"][0]) if item["loc"] else "form"
        message = messages.get(name)
        if message is None:
            detail = str(item.get("msg", "is not valid"))
            message = detail.removeprefix("Value error, ")
        if name not in {n for n, _ in found}:
            found.append((name, message))
    return found


def parse(
    schema: type[Schema], data: Mapping[str, Any], messages: Mapping[str, str]
) -> tuple[Schema | None, FormErrors]:
    """Validate form data with the API's schema; on failure, GOV.UK errors by field."""
    errors = FormErrors()
    try:
        return schema.model_validate(dict(data)), errors
    except ValidationError as exc:
        for name, message in validation_messages(exc, messages):
            errors.add(name, message)
        return None, errors


def errors_from(exc: DomainError, default_field: str) -> FormErrors:
    """A service refusal shown on the form, against the field it names, with the refusal's status."""
    return refusal_on(exc.field or default_field, exc)


def refusal_on(name: str, exc: DomainError) -> FormErrors:
    """A service refusal shown against one part of the page, whichever field the service named
    (a changed version against the version panel, a refused step against its button)."""
    errors = FormErrors(refused_with=exc.status_code)
    errors.add(name, exc.message)
    return errors


@dataclass
class Attempt(Generic[Result]):
    """What became of a posted form: done (with the service's result), or errors to show."""

    errors: FormErrors
    done: bool = False
    result: Result | None = None
    # The service's refusal, if it refused: its status, and its type for the few routes that
    # answer one kind differently (a double click's AlreadyDone, say).
    refusal: DomainError | None = None

    @property
    def status_code(self) -> int:
        """The status of the page that shows the errors: 422, or the refusal's own."""
        return self.errors.status_code


def attempt(
    data: Schema | None,
    errors: FormErrors,
    act: Callable[[Schema], Result],
    *,
    field: str,
    refused: type[DomainError] | tuple[type[DomainError], ...] = DomainError,
    passes: tuple[type[DomainError], ...] = (),
) -> Attempt[Result]:
    """The POST pattern's middle: when the form parsed, call the service; a refusal of the
    `refused` kinds (except `passes`, which propagate to the error page) is shown against the
    field it names, or `field`."""
    if data is None:
        return Attempt(errors)
    try:
        result = act(data)
    except passes:
        raise
    except refused as exc:
        return Attempt(errors_from(exc, field), refusal=exc)
    return Attempt(errors, done=True, result=result)
