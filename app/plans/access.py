"""Who may read, write and sign an LA's development plan: object-level rules on top of the table.

The plan is the LA's own: its DCS writes it, its signatories (the region's `la_plan_signatories`)
sign it, and its DCS, Lead Member, Chief Executive and data lead read it. The region's coordinator
reads every plan of the region and sees where each stands.

The RISL sees nothing of a plan. The MoU (regions/templates/mou-standard.yaml, "How shared data
will be used") says documents shared through the alliance "are for the participating
organisations ... and are used only for sector-led improvement"; its data terms give the RISL
only the quarterly figures after the release period and, where the region says so, signed
self-evaluations (app/reference/terms_text.py). Nothing in them extends to plans, so none is
shown to the RISL.

Peer challenge (issue 12): once a plan is submitted for sign-off or signed, its LA's triad
partners (a DCS of another LA in its triad, or a triad reviewer named to that triad) read it and
comment on each priority; a comment may be a challenge the LA's DCS answers once. The LA's own
people read the comments; the coordinator sees only how many challenges were raised and answered
(the MoU's triad confidentiality clause keeps the conversation within the triad).
"""

from sqlalchemy.orm import Session

from app.auth.permissions import Scope, can
from app.auth.principal import Principal
from app.auth.roles import SIGNATORY_ROLES, Role
from app.challenge import access as triad_access
from app.models import Cycle
from app.plans.actions import PlanAction
from app.reference import get_reference


def can_read(principal: Principal | None, cycle: Cycle, la_code: str) -> bool:
    """The LA's own people and the coordinator. (Triad partners hold the permission row too, but
    read only once the plan is submitted: `may_read`.)"""
    if is_own(principal, cycle, la_code):
        return True
    scope = Scope(cycle.region_id, la_code)
    return can(principal, PlanAction.READ_PLAN, scope, as_role=Role.REGIONAL_COORDINATOR)


def can_write(principal: Principal | None, cycle: Cycle, la_code: str) -> bool:
    """The LA's DCS."""
    return can(principal, PlanAction.WRITE_PLAN, Scope(cycle.region_id, la_code), as_role=Role.DCS)


def tracks(principal: Principal | None, region_id: str) -> bool:
    """The region's coordinator, who sees where every LA's plan stands."""
    return can(principal, PlanAction.TRACK_PLANS, Scope(region_id))


def signatory_roles(region_id: str) -> tuple[Role, ...]:
    """Who signs an LA's plan in this region (its file's `la_plan_signatories`)."""
    return get_reference().regions[region_id].la_plan_signatories


def signing_roles(principal: Principal | None, cycle: Cycle, la_code: str) -> list[Role]:
    """The signatory roles this person holds for the LA, in the region's order."""
    scope = Scope(cycle.region_id, la_code)
    return [
        role
        for role in signatory_roles(cycle.region_id)
        if can(principal, PlanAction.SIGN_PLAN, scope, as_role=role)
    ]


# The states in which a plan is open to its LA's triad partners.
SHARED_STATES = frozenset({"awaiting_sign_off", "signed"})
_OWN_ROLES = (*SIGNATORY_ROLES, Role.DATA_LEAD)


def is_partner(session: Session, principal: Principal | None, cycle: Cycle, la_code: str) -> bool:
    """A DCS of another LA in the LA's triad, or a triad reviewer named to that triad; never the
    LA's own DCS (an LA does not challenge its own plan)."""
    if principal is None or can_write(principal, cycle, la_code):
        return False
    members = [m for m in triad_access.triad_of(session, cycle, la_code) if m != la_code]
    if triad_access.member_las_of(principal, PlanAction.COMMENT_PLAN, members):
        return True
    named = triad_access.reviewer_triads(session, principal, cycle)
    return bool(named) and triad_access.triad_id_of(session, cycle, la_code) in named


def is_own(principal: Principal | None, cycle: Cycle, la_code: str) -> bool:
    """One of the LA's own people (its DCS, Lead Member, Chief Executive or data lead)."""
    scope = Scope(cycle.region_id, la_code)
    return any(can(principal, PlanAction.READ_PLAN, scope, as_role=r) for r in _OWN_ROLES)


def may_read(
    session: Session, principal: Principal | None, cycle: Cycle, la_code: str, state: str
) -> bool:
    """The one rule for reading a plan: its own people and the coordinator; its triad partners
    once it is submitted or signed."""
    if can_read(principal, cycle, la_code):
        return True
    return state in SHARED_STATES and is_partner(session, principal, cycle, la_code)


def sees_comments(
    session: Session, principal: Principal | None, cycle: Cycle, la_code: str
) -> bool:
    """The comments and challenges on a plan, and their answers: its own people and its triad
    partners. The coordinator sees only the counts (`tracks`); the RISL nothing."""
    return is_own(principal, cycle, la_code) or is_partner(session, principal, cycle, la_code)


def can_comment(
    session: Session, principal: Principal | None, cycle: Cycle, la_code: str, state: str
) -> bool:
    return state in SHARED_STATES and is_partner(session, principal, cycle, la_code)


def can_respond(principal: Principal | None, cycle: Cycle, la_code: str) -> bool:
    """The LA's DCS answers the challenges to its plan."""
    return can(
        principal, PlanAction.RESPOND_PLAN, Scope(cycle.region_id, la_code), as_role=Role.DCS
    )
