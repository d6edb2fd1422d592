"""Triads, as the registry (app.stages) sees them: formed by the coordinator, used by scrutiny."""

from app.auth.permissions import Action
from app.auth.roles import Role
from app.self_evaluation.schemas import MESSAGES
from app.stage import Permission, Stage

STAGE = Stage(
    name="triads",
    routers=("app.triads.pages:router", "app.triads.api:router"),
    permissions=(
        Permission(
            Action.FORM_TRIADS, frozenset({Role.REGIONAL_COORDINATOR}), "form this region's triads"
        ),
    ),
    # The triads form shares the self-evaluation's words; its history entries are grouped
    # with the self-evaluation's (app.self_evaluation.stage).
    messages={"/triads": MESSAGES},
)
