"""CurrentCycle and CurrentRegion are resolved in the order that keeps each route's behaviour.

After the route's permission, so a refusal is still answered before "no such cycle"; and for
CurrentCycle before WriteSession, so the cycle is read (and the read ended) before the write
transaction is taken, never in a dependency's thread while holding the write lock.
"""

from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from app.auth.web import write_session
from app.cycles.routes import current_cycle, current_region
from app.main import create_app

ROUTES = [
    c
    for c in iter_route_contexts(create_app().routes)
    if isinstance(c.original_route, APIRoute)
    and {current_cycle, current_region} & {d.call for d in c.original_route.dependant.dependencies}
]


def test_most_cycle_routes_take_the_cycle_as_a_dependency() -> None:
    assert len(ROUTES) >= 80


@pytest.mark.parametrize("route", ROUTES, ids=[f"{sorted(r.methods)[0]} {r.path}" for r in ROUTES])
def test_the_cycle_comes_after_the_permission_and_before_the_write(route: Any) -> None:
    calls = [d.call for d in route.original_route.dependant.dependencies]
    checks = [i for i, call in enumerate(calls) if hasattr(call, "riia_permission")]
    assert checks, f"{route.path} takes the cycle without a permission"
    for dependency in (current_cycle, current_region):
        if dependency in calls:
            assert checks[0] < calls.index(dependency), f"{route.path}: permission first"
    if current_cycle in calls and write_session in calls:
        assert calls.index(current_cycle) < calls.index(write_session), (
            f"{route.path}: read the cycle before WriteSession begins the write"
        )
