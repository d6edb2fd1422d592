"""Benchmarking and insight: the region's figures compared, as the registry (app.stages) sees them."""

from app.auth.permissions import Action
from app.auth.roles import EVERY_ROLE
from app.stage import Permission, Stage

STAGE = Stage(
    name="benchmarks",
    routers=(
        "app.benchmarks.api:router",
        "app.benchmarks.api:api_router",
        "app.benchmarks.pages:router",
        "app.benchmarks.pages:api_router",
    ),
    permissions=(Permission(Action.VIEW_BENCHMARKS, EVERY_ROLE, "see this region's benchmarking"),),
)
