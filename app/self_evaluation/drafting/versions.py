"""Which versions of a self-evaluation a reader may open, and two versions side by side.

The drafts behind the signed text are the authority's and its coordinator's (app.self_evaluation.access):
scrutineers and the RISL read the signed version only.
"""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.errors import NotPermitted
from app.models import Cycle, SefVersion, SelfEvaluation
from app.self_evaluation import access
from app.self_evaluation.drafting import content, service


@dataclass(frozen=True)
class Comparison:
    older: SefVersion
    newer: SefVersion
    chapters: tuple[content.ChapterComparison, ...]


def compare(session: Session, sef: SelfEvaluation, first: int, second: int) -> Comparison:
    """Any two saved versions side by side, older on the left."""
    a, b = (
        service.version(session, sef, min(first, second)),
        service.version(session, sef, max(first, second)),
    )
    chapters = content.compare(
        service.template_of(sef), service.content_of(sef, a), service.content_of(sef, b)
    )
    return Comparison(a, b, chapters)


def history_refusal(cycle: Cycle, sef: SelfEvaluation) -> NotPermitted:
    """What a scrutineer or the RISL is told on asking for the drafts behind the signed text."""
    name = service.local_authority(cycle, sef.la_code).name
    return NotPermitted(
        f"Earlier versions of {name}'s self-evaluation are seen only by {name}'s own people and "
        "the regional coordinator; you can read the signed version."
    )


def readable_versions(
    session: Session, principal: Principal | None, cycle: Cycle, sef: SelfEvaluation
) -> list[SefVersion]:
    """Every version (newest first) for the LA and its coordinator; the signed one for others."""
    if access.can_read_history(principal, cycle, sef):
        return service.versions(session, sef)
    signed = service.submitted_version(session, sef) if sef.state in access.SHARED_STATES else None
    return [signed] if signed else []


def readable_version(
    session: Session, principal: Principal | None, cycle: Cycle, sef: SelfEvaluation, number: int
) -> SefVersion:
    """One version; outside the LA and its coordinator, only the signed one (never a draft)."""
    if not access.can_read_history(principal, cycle, sef) and not (
        sef.state in access.SHARED_STATES and number == sef.submitted_number
    ):
        raise history_refusal(cycle, sef)
    return service.version(session, sef, number)


def compare_for(
    session: Session,
    principal: Principal | None,
    cycle: Cycle,
    sef: SelfEvaluation,
    first: int,
    second: int,
) -> Comparison:
    """Two versions side by side, for the LA and its coordinator: others see no drafts."""
    if not access.can_read_history(principal, cycle, sef):
        raise history_refusal(cycle, sef)
    return compare(session, sef, first, second)
