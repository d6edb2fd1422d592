"""Who may read and set an LA's key lines of enquiry: object-level rules on top of the table.

The MoU's triad confidentiality clause decides it (issue 12): the record of a challenge
conversation, its KLOEs included, stays private to the triad's members until all have agreed
it. So an LA's questions are read by the DCSs of the LAs in its triad (a Trust's where it sits
in the triads of the LAs it serves), and set by its own DCS. The coordinator sees only whether
they are set; the RISL and everyone else, nothing.
"""

from sqlalchemy.orm import Session

from app.auth.permissions import Scope, can
from app.auth.principal import Principal
from app.auth.roles import Role
from app.challenge.actions import ChallengeAction
from app.models import Cycle
from app.triads import service as triads


def triad_of(session: Session, cycle: Cycle, la_code: str) -> list[str]:
    """The LAs in this LA's triad (itself included); [] before triads are formed."""
    return triads.triad_of(session, cycle, la_code) or []


def can_read(session: Session, principal: Principal | None, cycle: Cycle, la_code: str) -> bool:
    """A DCS of any LA in the LA's triad."""
    return any(
        can(principal, ChallengeAction.READ_KLOES, Scope(organisation_code=member))
        for member in triad_of(session, cycle, la_code)
    )


def can_set(principal: Principal | None, la_code: str) -> bool:
    """The LA's own DCS: the LA owns its questions."""
    return can(
        principal, ChallengeAction.SET_KLOES, Scope(organisation_code=la_code), as_role=Role.DCS
    )


def tracks(principal: Principal | None, region_id: str) -> bool:
    """The region's coordinator, who sees whether each LA has set its questions."""
    return can(
        principal,
        ChallengeAction.VIEW_KLOES,
        Scope(region_id),
        as_role=Role.REGIONAL_COORDINATOR,
    )
