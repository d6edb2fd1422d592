"""A stage plugs in through its folder and one line of the registry (app.stages).

This file is a tiny fake stage: one page, one API route, one permission, one overview task and
its own error words. Registering it (the one line, done here by monkeypatch) serves its page,
enforces and refuses its permission in plain words, shows its task on the cycle overview and
answers its API's bad input in its own words, with no edit to app/main.py, the permission table
(app/auth/permissions.py) or the overview (app/overview/tasks.py).
"""

from enum import StrEnum
from typing import Annotated

import pytest
from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app import stages
from app.auth.permissions import PERMISSIONS, Scope, can
from app.auth.principal import Principal
from app.auth.roles import Role
from app.auth.web import permission
from app.models import Cycle
from app.stage import Link, OverviewSection, Permission, Stage, Task
from tests import factories as f

CYCLE = "/regions/east-midlands/cycles/2026-27"


class FakeAction(StrEnum):
    VIEW = "fake.view"


router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1")


@router.get("/regions/{region_id}/cycles/{year}/fake", response_class=HTMLResponse)
def fake_page(
    region_id: str, year: str, principal: Annotated[Principal, permission(FakeAction.VIEW)]
) -> str:
    return f"<!DOCTYPE html><title>Fake</title><p>The fake stage of {region_id} {year}</p>"


@api_router.get("/regions/{region_id}/fake-counts")
def fake_count(
    region_id: str,
    principal: Annotated[Principal, permission(FakeAction.VIEW)],
    count: Annotated[int, Query()],
) -> dict[str, int]:
    return {"count": count}


def fake_tasks(session: Session, principal: Principal, cycle: Cycle) -> list[Task]:
    if not can(principal, FakeAction.VIEW, Scope(cycle.region_id)):
        return []
    return [Task("Do the fake thing", f"{CYCLE}/fake", "not_started", "Nothing real happens")]


HERE = __name__
FAKE = Stage(
    name="fake",
    routers=(f"{HERE}:router", f"{HERE}:api_router"),
    permissions=(
        Permission(FakeAction.VIEW, frozenset({Role.REGIONAL_COORDINATOR}), "see the fake stage"),
    ),
    messages={"/fake-counts": {"count": "Enter how many fake things, as a whole number"}},
    overview=(
        OverviewSection(
            "The fake stage",
            "fake-tasks",
            f"{HERE}:fake_tasks",
            (Link("Read about the fake stage", "/regions/{region_id}/cycles/{year}/fake"),),
        ),
    ),
)


@pytest.fixture(autouse=True)
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """The one line a real stage adds to app/stages.py."""
    monkeypatch.setattr(stages, "STAGES", (*stages.STAGES, FAKE))


def test_the_fake_stage_is_served_permitted_and_on_the_overview(
    session: Session, client: TestClient
) -> None:
    boss = f.coordinator(session)
    f.open_cycle(session, boss)
    user = f.make_user(session, Role.REGIONAL_COORDINATOR, region="east-midlands")
    f.sign_in(client, user)

    page = client.get(f"{CYCLE}/fake")
    assert page.status_code == 200
    assert "The fake stage of east-midlands 2026-27" in page.text

    overview = client.get(CYCLE)
    assert overview.status_code == 200
    assert '<h2 class="govuk-heading-m">The fake stage</h2>' in overview.text
    assert "Do the fake thing" in overview.text
    assert f'href="{CYCLE}/fake"' in overview.text
    # The stages registered before it still come first, in the registry's order.
    assert overview.text.index("Memorandum of Understanding</h2>") < overview.text.index(
        "The fake stage</h2>"
    )


def test_the_fake_permission_is_in_the_table_and_refused_in_plain_words(
    session: Session, client: TestClient
) -> None:
    assert PERMISSIONS[FakeAction.VIEW] == frozenset({Role.REGIONAL_COORDINATOR})
    f.open_cycle(session)
    dcs = f.make_user(session, Role.DCS, organisation="E06000015")
    f.sign_in(client, dcs)

    refused = client.get(f"{CYCLE}/fake")
    assert refused.status_code == 403
    assert "You cannot see the fake stage: none of your roles allows it." in refused.text
    # Nor is its task on this person's overview.
    assert "Do the fake thing" not in client.get(CYCLE).text


def test_the_fake_api_answers_in_its_own_words(session: Session, client: TestClient) -> None:
    user = f.make_user(session, Role.REGIONAL_COORDINATOR, region="east-midlands")
    headers = f.token_for(session, user)

    ok = client.get("/api/v1/regions/east-midlands/fake-counts?count=3", headers=headers)
    assert ok.json() == {"count": 3}
    bad = client.get("/api/v1/regions/east-midlands/fake-counts?count=many", headers=headers)
    assert bad.status_code == 422
    assert bad.json()["error"]["message"] == "Enter how many fake things, as a whole number"

    dcs = f.make_user(session, Role.DCS, organisation="E06000015")
    refused = client.get(
        "/api/v1/regions/east-midlands/fake-counts?count=3", headers=f.token_for(session, dcs)
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == (
        "You cannot see the fake stage: none of your roles allows it. "
        "Ask your regional coordinator if you think you should."
    )


def test_without_the_line_the_stage_is_not_there(
    monkeypatch: pytest.MonkeyPatch, session: Session
) -> None:
    from fastapi.routing import iter_route_contexts

    from app.main import create_app

    fake_page_path = "/regions/{region_id}/cycles/{year}/fake"
    assert fake_page_path in {c.path for c in iter_route_contexts(create_app().routes)}
    monkeypatch.setattr(stages, "STAGES", tuple(s for s in stages.STAGES if s is not FAKE))
    assert fake_page_path not in {c.path for c in iter_route_contexts(create_app().routes)}
    assert FakeAction.VIEW not in PERMISSIONS
