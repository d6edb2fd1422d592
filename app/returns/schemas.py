"""Inputs for quarterly returns: shared by the form, the file import and the JSON API."""

from typing import Literal

from pydantic import Field, model_validator

from app.inputs import TextInput

MissingCode = Literal["c", "x", "z", "u"]
MISSING_CODES: dict[str, str] = {
    "c": "confidential: suppressed to protect individuals (small numbers)",
    "x": "not available",
    "z": "not applicable",
    "u": "low reliability",
}
COMMENTARY_MAX = 500


class ValueInput(TextInput):
    """One indicator's value, or the DfE code saying why there is none (never a zero)."""

    indicator_id: str = Field(min_length=1, max_length=60)
    value: float | None = Field(default=None, allow_inf_nan=False)
    missing_code: MissingCode | None = Field(
        default=None, description="DfE code when there is no value: c, x, z or u"
    )
    commentary: str | None = Field(default=None, max_length=COMMENTARY_MAX)

    @model_validator(mode="after")
    def _value_or_code(self) -> "ValueInput":
        if (self.value is None) == (self.missing_code is None):
            raise ValueError("Give either a value or a DfE code (c, x, z or u), not both")
        if self.commentary == "":
            self.commentary = None
        return self


class ReturnInput(TextInput):
    """A whole quarter's return for one LA, with a reason when it replaces an earlier version."""

    values: list[ValueInput] = Field(min_length=1, max_length=200)
    reason: str | None = Field(default=None, max_length=2000)


class OverrideInput(TextInput):
    la_code: str = Field(min_length=1, max_length=60)
    reason: str = Field(min_length=1, max_length=2000)


MESSAGES: dict[str, str] = {
    "la_code": "Choose the local authority",
    "reason": "Enter the reason, up to 2,000 characters",
    "values": "Enter a value or a DfE code for each indicator",
}
