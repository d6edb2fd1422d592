"""History entries about what a person did inside one region's cycle: every stage's entries have
the same actor, region and cycle; only the subject, the words and the payload differ."""

from sqlalchemy.orm import Session

from app.audit.chain import Actor, Entry, record_many
from app.auth.principal import Principal
from app.models import Cycle

Subject = tuple[str, int]  # ("mou_version", 7), ("self_evaluation", 3), ("cycle", 1)


def actor_of(principal: Principal) -> Actor:
    """The person as the history names them."""
    return Actor(principal.user_id, principal.display_name)


def cycle_entry(
    principal: Principal,
    cycle: Cycle,
    subject: Subject,
    action: str,
    summary: str,
    payload: dict[str, object] | None,
    organisation_code: str | None = None,
) -> Entry:
    """One history entry about `subject` in this cycle, by `principal`, for `transition` or the log."""
    subject_type, subject_id = subject
    return Entry(
        actor_of(principal),
        action,
        summary,
        subject_type,
        subject_id,
        cycle.region_id,
        cycle.id,
        organisation_code,
        payload,
    )


def record_in_cycle(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    subject: Subject,
    action: str,
    summary: str,
    payload: dict[str, object] | None,
    organisation_code: str | None = None,
) -> None:
    """Append that entry in the caller's transaction."""
    entry = cycle_entry(principal, cycle, subject, action, summary, payload, organisation_code)
    record_many(session, [entry])
