"""The acts of sign-off: sign an exact version with an explicit statement, decline or return it
with a reason. Each act is one event row and one history entry, in the caller's transaction.

The stage decides who may act and on which version (its permission and its state table); the
kernel writes the event the same way for every stage, so "a double click signs once" and "a
decline needs a reason" hold everywhere.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from app.audit.chain import Entry, record_many
from app.audit.entries import cycle_entry
from app.auth.principal import Principal
from app.auth.roles import Role
from app.db import add_once
from app.errors import DomainError, InvalidInput, StaleVersion
from app.models import Cycle
from app.models.signoff import SignOffEventColumns
from app.models.types import utcnow
from app.signoff.events import Decision

M = TypeVar("M", bound=SignOffEventColumns)


def require_confirmed(confirm: bool, message: str) -> None:
    """A signature needs the signatory to confirm the statement of intent."""
    if not confirm:
        raise InvalidInput(message, field="confirm")


def require_reason(reason: str | None, message: str) -> None:
    """A decline or a return says why."""
    if reason is None or not reason.strip():
        raise InvalidInput(message, field="reason")


def require_version(current_hash: str | None, given_hash: str, message: str) -> None:
    """The act is on the exact version the person read: its SHA-256 is the one now open."""
    if current_hash is None or current_hash != given_hash:
        raise StaleVersion(message)


@dataclass(frozen=True)
class OnVersion(Generic[M]):
    """One exact version open to sign-off, as its stage names it: the stage's event table and
    the columns that name the version there, the version's SHA-256, and the history's subject."""

    model: type[M]
    keys: Mapping[str, int]  # {"mou_version_id": 7}, or the self-evaluation's and its version's
    content_hash: str
    cycle: Cycle
    subject: tuple[str, int]  # ("mou_version", 7), ("self_evaluation", 3)

    def event(
        self,
        principal: Principal,
        decision: Decision,
        organisation_code: str,
        role: Role,
        *,
        statement: str = "",
        reason: str | None = None,
    ) -> M:
        """An unsaved event on this version."""
        shared: dict[str, Any] = {
            "organisation_code": organisation_code,
            "role": role.value,
            "decision": decision.value,
            "user_id": principal.user_id,
            "signatory_name": principal.display_name,
            "statement": statement,
            "reason": reason,
            "content_hash": self.content_hash,
            "occurred_at": utcnow(),
        }
        return self.model(**self.keys, **shared)

    def entry(
        self,
        principal: Principal,
        action: str,
        summary: str,
        payload: dict[str, object],
        organisation_code: str | None = None,
    ) -> Entry:
        """A history entry about this version's document, by `principal`."""
        return cycle_entry(
            principal, self.cycle, self.subject, action, summary, payload, organisation_code
        )


def signed_payload(event: SignOffEventColumns) -> dict[str, object]:
    return {"role": event.role, "content_hash": event.content_hash, "statement": event.statement}


def reason_payload(event: SignOffEventColumns) -> dict[str, object]:
    return {"role": event.role, "content_hash": event.content_hash, "reason": event.reason}


def sign(
    session: Session,
    event: M,
    *,
    refusal: DomainError,
    audit: Entry,
    complete: Callable[[], bool] | None = None,
    on_complete: Callable[[], None] | None = None,
) -> M:
    """Record a signature once: the signed-once index refuses a double submit (raising
    `refusal`, nothing written). When `complete` then says every required pair has signed,
    `on_complete` runs in the same transaction (the MoU comes into force, a self-evaluation is
    shared with its scrutineers)."""
    if event.decision != Decision.SIGNED or not event.statement:
        raise ValueError("a signature is a signed event with its statement")
    add_once(session, event, refusal)
    record_many(session, [audit])
    if on_complete is not None and complete is not None and complete():
        on_complete()
    return event


def decide(session: Session, event: M, *, audit: Entry, reason_required: str) -> M:
    """Record a decline or a return: it needs a reason (`reason_required` says so if missing)."""
    if event.decision == Decision.SIGNED:
        raise ValueError("use sign() for a signature")
    require_reason(event.reason, reason_required)
    session.add(event)
    session.flush()
    record_many(session, [audit])
    return event


def voided_by_new_version(
    session: Session, model: type[M], on_version: ColumnElement[bool]
) -> list[str]:
    """Who signed the version `on_version` selects, "Name (Role)" as the history says when a new
    version voids their signatures (VersionPolicy.VOID); the events stay, and say so themselves."""
    signed = session.scalars(select(model).where(on_version, model.decision == "signed")).all()
    return [f"{e.signatory_name} ({Role(e.role).label})" for e in signed]
