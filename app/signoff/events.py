"""What a sign-off event is: its decisions, its shared columns and the "signed once" index."""

from collections.abc import Callable, Iterable
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from app.models.signoff import SignOffEventColumns, signed_once_index

__all__ = [
    "Decision",
    "SignOffEventColumns",
    "first_signatures",
    "signed_once_index",
]


class Decision(StrEnum):
    """What a signatory did, in the past tense: the event log's vocabulary."""

    SIGNED = "signed"
    DECLINED = "declined"
    RETURNED = "returned"


# Any stage's event table: the shared columns on a table with its own version key.
E = TypeVar("E", bound=SignOffEventColumns)


def first_signatures(
    events: Iterable[E], version_of: Callable[[E], int]
) -> dict[tuple[int, str, str], datetime]:
    """When each (version, organisation, role) was first signed: a later signature by a new
    office holder is history, not a new condition. `events` oldest first."""
    first: dict[tuple[int, str, str], datetime] = {}
    for event in events:
        if event.decision == Decision.SIGNED:
            key = (version_of(event), event.organisation_code, event.role)
            first.setdefault(key, event.occurred_at)
    return first
