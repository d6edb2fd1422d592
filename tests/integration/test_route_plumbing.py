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
    assert len(ROUTES) >= 60


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


@pytest.mark.parametrize("route", ROUTES, ids=[f"{sorted(r.methods)[0]} {r.path}" for r in ROUTES])
def test_a_route_taking_the_cycle_has_no_own_input_that_could_be_refused(route: Any) -> None:
    """FastAPI checks a route's own body, query and identifiers after its dependencies, so on a
    route with such input a dependency's 'no such cycle' would overtake the 422 (or the
    identifier's own 404) the route answered before; those routes read the cycle in their body.
    """
    dependant = route.original_route.dependant
    own = dependant.query_params + dependant.body_params + dependant.path_params
    risky = [
        p.name
        for p in own
        if p.name not in ("region_id", "year")
        and not (p.field_info.annotation is str and not p.field_info.metadata)
    ]
    risky += [
        p.name
        for p in dependant.query_params
        if p.field_info.is_required() and p.name not in ("region_id", "year")
    ]
    assert not risky, f"{route.path}: {risky} are checked after CurrentCycle"
