"""The history entries about a self-evaluation: one shape for every stage inside it (drafting,
documents, sign-off, scrutiny), built for `workflow.transition` or appended to the log."""

from collections.abc import Callable

from sqlalchemy.orm import Session

from app.audit.chain import Entry, record_many
from app.auth.principal import Principal
from app.cycles.service import actor_of
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
    return Entry(
        actor=actor_of(principal),
        action=action,
        summary=summary,
        subject_type="self_evaluation",
        subject_id=sef.id,
        region_id=cycle.region_id,
        cycle_id=cycle.id,
        organisation_code=sef.la_code,
        payload=payload,
    )


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
