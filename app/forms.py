"""Form data -> the same Pydantic schema the API uses -> a GOV.UK error summary."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from app.errors import DomainError

Schema = TypeVar("Schema", bound=BaseModel)


@dataclass
class FormErrors:
    """Errors keyed by field, in page order, ready for govukErrorSummary and errorMessage."""

    by_field: dict[str, str] = field(default_factory=dict)

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
    """A service refusal shown on the form, against the field it names."""
    errors = FormErrors()
    errors.add(exc.field or default_field, exc.message)
    return errors
