"""Who may read, write and sign an LA's development plan: object-level rules on top of the table.

The plan is the LA's own: its DCS writes it, its signatories (the region's `la_plan_signatories`)
sign it, and its DCS, Lead Member, Chief Executive and data lead read it. The region's coordinator
reads every plan of the region and sees where each stands.

The RISL sees nothing of a plan. The MoU (regions/templates/mou-standard.yaml, "How shared data
will be used") says documents shared through the alliance "are for the participating
organisations ... and are used only for sector-led improvement"; its data terms give the RISL
only the quarterly figures after the release period and, where the region says so, signed
self-evaluations (app/reference/terms_text.py). Nothing in them extends to plans, so none is
shown to the RISL. Triad partners comment on plans in a later slice (issue 12, "Peer challenge").
"""

from app.auth.permissions import Scope, can
from app.auth.principal import Principal
from app.auth.roles import Role
from app.models import Cycle
from app.plans.actions import PlanAction
from app.reference import get_reference


def can_read(principal: Principal | None, cycle: Cycle, la_code: str) -> bool:
    """The LA's own people (the permission row's roles, held in the LA) and the coordinator."""
    return can(principal, PlanAction.READ_PLAN, Scope(cycle.region_id, la_code))


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
