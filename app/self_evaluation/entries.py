"""The history entries about a self-evaluation: one shape for every stage inside it (drafting,
documents, sign-off, scrutiny), built for `workflow.transition` or appended to the log."""

from collections.abc import Callable

from sqlalchemy.orm import Session

from app.audit.chain import Entry, record_many
from app.audit.entries import cycle_entry
from app.auth.principal import Principal
from app.models import Cycle, SefVersion, SelfEvaluation

# What a new version's history entry says, once its number and hash are known.
VersionEntry = Callable[[SefVersion], Entry]


def entry(
    principal: Principal,
    cycle: Cycle,
    sef: SelfEvaluation,
    action: str,
    summary: str,
    payload: dict[str, object],
) -> Entry:
    """One history entry about this self-evaluation, for `transition` or the log."""
    subject = ("self_evaluation", sef.id)
    return cycle_entry(principal, cycle, subject, action, summary, payload, sef.la_code)


def audit(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    sef: SelfEvaluation,
    action: str,
    summary: str,
    payload: dict[str, object],
) -> None:
    """One history entry about this self-evaluation, in the caller's transaction."""
    record_many(session, [entry(principal, cycle, sef, action, summary, payload)])
