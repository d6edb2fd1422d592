"""The one choke point for a state change: guard it, write it, flush it and record it.

`fire` (pure) only says what the next state would be; `transition` is what services call to
change an object's state, so the move, its extra fields and its history entry are written in
one call, in the caller's transaction. A refused move raises Conflict before anything is written.
"""

from typing import Any, Protocol

from sqlalchemy.orm import Session

from app.audit.chain import Entry, record_many
from app.workflow import TransitionTable, fire


class HasState(Protocol):
    state: Any


def transition(
    session: Session,
    table: TransitionTable,
    subject: HasState,
    action: str,
    *,
    audit: Entry | None = None,
    **changes: object,
) -> str:
    """Move `subject` by `action` (Conflict if the table refuses), set `changes` beside the new
    state, flush, and append `audit` to the history in the same transaction."""
    for name in changes:
        if not hasattr(subject, name):
            raise AttributeError(f"{type(subject).__name__} has no field {name!r}")
    new_state = fire(table, subject.state, action)
    subject.state = new_state
    for name, value in changes.items():
        setattr(subject, name, value)
    session.flush()
    if audit is not None:
        record_many(session, [audit])
    return new_state
