"""The event loop never waits on the database, and writes take their lock late (issue 8).

An `async def` route or dependency that makes synchronous database calls blocks every other
request of its worker while it waits on a lock; if the lock's holder needs the event loop to
commit, neither ever moves (the PostgreSQL hang of issue 8). These tests walk every route's
dependency tree and refuse that shape, and check that every route that changes something
starts its write transaction only through `WriteSession`.
"""

import inspect
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from app.auth.pages import sign_in
from app.auth.pages_reset import reset_password
from app.auth.web import write_session
from app.db import get_session
from app.main import create_app

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Routes that open their write transaction themselves, later than WriteSession would:
# signing in checks the password (a quarter of a second of Argon2) before anything is locked,
# and a password reset hashes the new password (Argon2 again) before it writes.
SELF_PHASED = {sign_in, reset_password}


def _routes() -> list[Any]:
    found = []
    for context in iter_route_contexts(create_app().routes):
        if isinstance(context.original_route, APIRoute):
            found.append(context)
    return found


ROUTES = _routes()
IDS = [f"{sorted(r.methods)[0]} {r.path}" for r in ROUTES]


def _is_async(call: Any) -> bool:
    return inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call)


def _uses_session(dependant: Any) -> bool:
    return any(sub.call is get_session or _uses_session(sub) for sub in dependant.dependencies)


def _async_users_of_session(dependant: Any, name: str) -> list[str]:
    """Every async callable in the tree that depends, however deeply, on the session."""
    found = []
    if _is_async(dependant.call) and _uses_session(dependant):
        found.append(getattr(dependant.call, "__qualname__", name))
    for sub in dependant.dependencies:
        found += _async_users_of_session(sub, getattr(sub.call, "__qualname__", "?"))
    return found


def _calls(dependant: Any) -> set[Any]:
    calls = {dependant.call}
    for sub in dependant.dependencies:
        calls |= _calls(sub)
    return calls


def test_the_walk_sees_async_and_sync_routes() -> None:
    assert len(ROUTES) >= 60
    assert any(r.methods & UNSAFE for r in ROUTES)


@pytest.mark.parametrize("route", ROUTES, ids=IDS)
def test_no_async_code_waits_on_the_database(route: Any) -> None:
    offenders = _async_users_of_session(route.dependant, route.name)
    assert not offenders, (
        f"{route.path}: {offenders} would run synchronous database calls on the event loop; "
        "make it a plain def (FastAPI runs it in the thread pool) and take the form as "
        "PostedForm"
    )


@pytest.mark.parametrize("route", ROUTES, ids=IDS)
def test_every_route_that_changes_something_writes_through_write_session(route: Any) -> None:
    if not route.methods & UNSAFE or not _uses_session(route.dependant):
        return
    calls = _calls(route.dependant)
    if route.endpoint in SELF_PHASED:
        assert write_session not in calls
        return
    assert write_session in calls, (
        f"{route.path} changes data but takes DbSession: take WriteSession, so its write lock "
        "is taken after identity, the CSRF check and the form"
    )


def test_the_rules_would_catch_an_async_route_on_the_session() -> None:
    """The walk is not vacuous: an async route on the session is found, a def one is not."""
    from typing import Annotated

    from fastapi import Depends, FastAPI
    from sqlalchemy.orm import Session

    app = FastAPI()

    @app.post("/bad")
    async def bad(session: Annotated[Session, Depends(get_session)]) -> None: ...

    @app.post("/good")
    def good(session: Annotated[Session, Depends(write_session)]) -> None: ...

    routes = {c.path: c for c in iter_route_contexts(app.routes)}
    assert _async_users_of_session(routes["/bad"].dependant, "bad") == [
        "test_the_rules_would_catch_an_async_route_on_the_session.<locals>.bad"
    ]
    assert _async_users_of_session(routes["/good"].dependant, "good") == []
    assert write_session in _calls(routes["/good"].dependant)
    assert write_session not in _calls(routes["/bad"].dependant)
