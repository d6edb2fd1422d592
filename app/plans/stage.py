"""LA development plans, as the registry (app.stages) sees them: writing and signing the plan."""

from app.auth.roles import COORDINATOR, SIGNATORY_ROLES, Role
from app.plans.actions import PlanAction
from app.plans.schemas import MESSAGES
from app.stage import CalendarEntry, Link, OverviewSection, Permission, Stage

_DCS = frozenset({Role.DCS})
# The LA's own people: its signatories and its data lead. Which LA is further limited to their
# own (app.plans.access); the coordinator reads every plan of the region. The RISL reads none:
# the MoU's data terms do not extend to plans (app/plans/access.py).
_LA_READERS = frozenset(SIGNATORY_ROLES) | {Role.DATA_LEAD}
# Triad partners: a DCS of another LA in the plan's LA's triad, or a triad reviewer named to it;
# which plan, and only once submitted, is limited in app.plans.access.
_PARTNERS = _DCS | {Role.TRIAD_REVIEWER}

STAGE = Stage(
    name="plans",
    routers=(
        "app.plans.api:router",
        "app.plans.pages:router",
        "app.plans.pages_priority:router",
        "app.plans.pages_pack:router",
        "app.plans.pages_pack:api_router",
        "app.plans.pages_comments:router",
        "app.plans.api_comments:router",
    ),
    permissions=(
        Permission(PlanAction.VIEW_PLANS, _LA_READERS | COORDINATOR, "see development plans"),
        Permission(
            PlanAction.READ_PLAN,
            _LA_READERS | COORDINATOR | _PARTNERS,
            "read this authority's development plan",
        ),
        Permission(PlanAction.WRITE_PLAN, _DCS, "write this authority's development plan"),
        Permission(
            PlanAction.SUBMIT_PLAN, _DCS, "submit this authority's development plan for sign-off"
        ),
        # Which of the three sign in a region is its file's `la_plan_signatories`.
        Permission(
            PlanAction.SIGN_PLAN,
            frozenset(SIGNATORY_ROLES),
            "sign or return this authority's development plan",
        ),
        Permission(PlanAction.TRACK_PLANS, COORDINATOR, "track this region's development plans"),
        Permission(
            PlanAction.COMMENT_PLAN,
            _PARTNERS,
            "comment on or challenge a triad partner's development plan",
        ),
        Permission(
            PlanAction.RESPOND_PLAN, _DCS, "answer a challenge to this authority's development plan"
        ),
    ),
    messages={"/plans": MESSAGES},
    calendar=CalendarEntry("la_development_plan", "LA development plans", ("plans.",)),
    overview=(
        OverviewSection(
            "LA development plans",
            "plan-tasks",
            "app.plans.overview:plan_tasks",
            (
                Link(
                    "See development plans",
                    "/regions/{region_id}/cycles/{year}/plans",
                    PlanAction.VIEW_PLANS,
                ),
            ),
            hide_empty_list=True,
        ),
    ),
)
