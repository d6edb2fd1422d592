"""The base of every request body and form a person sends: one place says how input is read."""

from pydantic import BaseModel, ConfigDict


class Input(BaseModel):
    """A field the service does not know is refused, never silently ignored."""

    model_config = ConfigDict(extra="forbid")


class TextInput(Input):
    """Typed text besides: the spaces around each value are dropped before it is checked."""

    model_config = ConfigDict(str_strip_whitespace=True)
