"""The input fields every stage's sign, decline and return schemas share (HTML form and API).

A stage's schemas compose these, so the version reference, the confirmation and the reason are
validated, and described in the OpenAPI document, the same way on every signed document.
"""

import re
from typing import Annotated

from pydantic import AfterValidator, Field

HASH = re.compile(r"^[0-9a-f]{64}$")


def _hex_hash(value: str) -> str:
    value = value.strip().lower()
    if not HASH.match(value):
        raise ValueError("The version reference is missing or malformed; reload the page")
    return value


# The SHA-256 of the exact version a person read: what they sign, decline or return.
ContentHash = Annotated[str, AfterValidator(_hex_hash)]
# The signatory ticked the statement of intent.
Confirmation = Annotated[bool, Field(description="The signatory confirms the statement of intent")]
# Why a signatory declines or returns a version.
Reason = Annotated[str, Field(min_length=1, max_length=2000)]
