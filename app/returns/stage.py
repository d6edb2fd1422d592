"""The quarterly returns of core indicators, as the registry (app.stages) sees them."""

from app.auth.permissions import Action
from app.auth.roles import COORDINATOR, EVERY_ROLE, Role
from app.returns.schemas import MESSAGES
from app.stage import CalendarEntry, Link, OverviewSection, Permission, Stage

STAGE = Stage(
    name="returns",
    routers=("app.returns.pages:router", "app.returns.api:router"),
    permissions=(
        # A data lead submits for their own LA; the coordinator may upload for the whole region.
        Permission(
            Action.SUBMIT_RETURN,
            frozenset({Role.DATA_LEAD, Role.REGIONAL_COORDINATOR}),
            "submit quarterly indicators for this authority",
        ),
        # One file for every region's LAs at once: the service administrator's, besides the
        # command line (which acts as each region's coordinator). Not a right to submit any one
        # LA's form.
        Permission(
            Action.IMPORT_NATIONAL_RETURNS,
            frozenset({Role.SERVICE_ADMIN}),
            "import a national file of quarterly returns",
        ),
        # Seeing returns is further limited, value by value, by app.returns.visibility.
        Permission(Action.VIEW_RETURNS, EVERY_ROLE, "see this region's quarterly returns"),
        Permission(
            Action.OVERRIDE_RETURNS,
            COORDINATOR,
            "accept returns from an authority whose MoU is not in force",
        ),
    ),
    messages={"/returns": MESSAGES},
    calendar=CalendarEntry("quarterly_returns", "Quarterly core indicators", ("returns.",)),
    overview=(
        OverviewSection(
            "Quarterly indicators",
            "returns-tasks",
            "app.returns.overview:indicator_tasks",
            (
                Link(
                    "See every local authority's quarterly indicators and signatures of risk",
                    "/regions/{region_id}/dashboard",
                ),
            ),
        ),
    ),
)
