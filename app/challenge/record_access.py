"""Who sees what of a triad's challenge record: the MoU's triad confidentiality clause, as one rule.

The clause (issue 12, "Who sees what: the MoU's own words"; the words the MoU ships are
app/reference/terms_text.py: challenge_sentence, written from this rule):
- the record, its key lines of enquiry included, stays private to the triad's members (its DCSs and
  the triad reviewers named to it) until every member has agreed it;
- the coordinator sees only whether it is agreed, and once it is, its agreed summary: actions by
  improvement area, and the support asked for and offered;
- the wider alliance sees only the agreed summary;
- the DfE's regional lead (RISL) never sees a record, unless an LA chooses to share its own part:
  an explicit act, recorded, that the LA can take back.

Pages, the API, history and packs all ask `level` (and `shared_parts` for the RISL), so no way out
shows more than the rule allows.
"""

from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.permissions import Scope, can
from app.auth.principal import Principal
from app.auth.roles import Role
from app.challenge import access
from app.challenge.actions import ChallengeAction
from app.challenge.record_workflow import RecordState
from app.models import ChallengeRecord, ChallengeShare, Cycle, Triad


class Level(StrEnum):
    NONE = "none"  # nothing of the record, not even whether there is one
    STATUS = "status"  # whether it is agreed (the coordinator, before agreement)
    SUMMARY = "summary"  # the agreed summary (the coordinator and the alliance, after agreement)
    FULL = "full"  # everything, the private draft included (the triad's members)


def is_risl(principal: Principal | None, cycle: Cycle) -> bool:
    return can(
        principal, ChallengeAction.VIEW_CONVERSATIONS, Scope(cycle.region_id), as_role=Role.RISL
    )


def level(
    session: Session,
    principal: Principal | None,
    cycle: Cycle,
    triad: Triad,
    record: ChallengeRecord | None,
) -> Level:
    """How much of this triad's record this person may see."""
    if access.in_triad(session, principal, cycle, triad):
        return Level.FULL
    agreed = record is not None and record.state == RecordState.AGREED
    if access.tracks(principal, cycle.region_id):
        return Level.SUMMARY if agreed else Level.STATUS
    # The RISL holds no other role's view of a record: only the parts LAs share (shared_parts).
    if is_risl(principal, cycle) and not alliance_member(principal, cycle):
        return Level.NONE
    if agreed and alliance_member(principal, cycle):
        return Level.SUMMARY
    return Level.NONE


def alliance_member(principal: Principal | None, cycle: Cycle) -> bool:
    """Someone of the alliance other than the RISL: any other role held in the region."""
    if principal is None:
        return False
    return any(
        a.role is not Role.RISL
        and can(
            principal, ChallengeAction.VIEW_CONVERSATIONS, Scope(cycle.region_id), as_role=a.role
        )
        for a in principal.assignments
    )


def shared_parts(
    session: Session, principal: Principal | None, cycle: Cycle, record: ChallengeRecord | None
) -> frozenset[str]:
    """The LAs whose own part of an agreed record the RISL may read: those that chose to share."""
    if record is None or record.state != RecordState.AGREED or not is_risl(principal, cycle):
        return frozenset()
    return frozenset(
        session.scalars(select(ChallengeShare.la_code).where(ChallengeShare.record_id == record.id))
    )


def history_reach(
    session: Session, principal: Principal | None, cycle: Cycle
) -> tuple[list[int], list[int]]:
    """The cycle's records whose whole history this person may read (the triad's members), and
    those of which they may read only that they were agreed (the coordinator, the alliance)."""
    whole: list[int] = []
    agreed_only: list[int] = []
    rows = session.execute(
        select(ChallengeRecord, Triad)
        .join(Triad, Triad.id == ChallengeRecord.triad_id)
        .where(ChallengeRecord.cycle_id == cycle.id)
    ).all()
    for record, triad in rows:
        seen = level(session, principal, cycle, triad, record)
        if seen is Level.FULL:
            whole.append(record.id)
        elif seen is not Level.NONE:
            agreed_only.append(record.id)
    return whole, agreed_only
