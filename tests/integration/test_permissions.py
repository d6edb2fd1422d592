"""The permission table, and the proof through the API that every role gets exactly what it says."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.permissions import PERMISSIONS, Action, Scope, can
from app.auth.principal import Assignment, Principal
from app.auth.roles import ROLE_SCOPE, Role, ScopeKind
from app.models import AuditEvent, Cycle, MouSignatureEvent, MouVersion, OutboxMessage, StageWindow
from app.mou import service as mou
from app.mou.schemas import DraftInput
from tests import factories as f

REGION = "east-midlands"
LONDON = "london"
DERBY = "E06000015"
RUTLAND = "E06000017"
# Leicester leads nothing in the region file, so its people act only in the roles they hold
# (Derby's Lead Member, say, also acts as a lead Lead Member: app/auth/acting.py).
LEICESTER = "E06000016"
BARKING = "E09000002"  # a London borough
CYCLE = "/api/v1/regions/east-midlands/cycles/2026-27"
MOU = CYCLE + "/mou"


def _holding(role: Role, region: str = REGION, organisation: str = DERBY) -> Principal:
    kind = ROLE_SCOPE[role]
    if kind is ScopeKind.ORGANISATION:
        assignment = Assignment(role, region, organisation)
    elif kind is ScopeKind.REGION:
        assignment = Assignment(role, region, None)
    else:
        assignment = Assignment(role)
    return Principal(1, "Someone", "someone@test.example", (assignment,))


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_can_follows_the_table(action: Action, role: Role) -> None:
    principal = _holding(role, organisation=LEICESTER)
    expected = role in PERMISSIONS[action]
    assert can(principal, action, Scope(REGION)) is expected
    assert can(principal, action, Scope(REGION, LEICESTER)) is expected
    assert can(principal, action) is expected
    assert can(None, action, Scope(REGION)) is False


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", [r for r in Role if ROLE_SCOPE[r] is not ScopeKind.SERVICE])
def test_a_role_held_in_london_never_acts_in_east_midlands(action: Action, role: Role) -> None:
    principal = _holding(role, region=LONDON, organisation=BARKING)
    assert not can(principal, action, Scope(REGION))
    assert not can(principal, action, Scope(REGION, DERBY))
    # ...while it does allow what the table says in London itself.
    assert can(principal, action, Scope(LONDON)) is (role in PERMISSIONS[action])


@pytest.mark.parametrize("role", [r for r in Role if ROLE_SCOPE[r] is ScopeKind.ORGANISATION])
def test_an_organisation_role_does_not_reach_another_organisation(role: Role) -> None:
    principal = _holding(role, organisation=RUTLAND)
    assert not can(principal, Action.SIGN_MOU, Scope(REGION, DERBY))
    assert can(principal, Action.SIGN_MOU, Scope(REGION, RUTLAND)) is (
        role in PERMISSIONS[Action.SIGN_MOU]
    )


# --- the proof through the API -------------------------------------------------------------


def _snapshot(session: Session) -> tuple[Any, ...]:
    session.expire_all()
    counts = tuple(
        session.scalar(select(func.count()).select_from(model)) or 0
        for model in (AuditEvent, Cycle, MouVersion, MouSignatureEvent, OutboxMessage)
    )
    windows = tuple(
        session.execute(
            select(StageWindow.stage, StageWindow.opens_on, StageWindow.closes_on).order_by(
                StageWindow.id
            )
        ).all()
    )
    drafts = tuple(
        session.execute(
            select(
                MouVersion.number, MouVersion.state, MouVersion.revision, MouVersion.content_hash
            )
        ).all()
    )
    return counts, windows, drafts


@dataclass(frozen=True)
class Write:
    """One write of the stage: the state it needs, the request, and the rule it follows."""

    name: str
    action: Action
    method: str
    path: str
    status: int
    prepare: Callable[[Session], dict[str, Any]]


def _nothing(session: Session) -> dict[str, Any]:
    return {}


def _cycle(session: Session) -> dict[str, Any]:
    f.open_cycle(session)
    return {}


def _draft(session: Session) -> dict[str, Any]:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    title, body, _ = mou.editor_source(session, cycle)
    draft = mou.save_draft(session, boss, cycle, DraftInput(title=title, body=body))
    return {"content_hash": draft.content_hash}


def _published(session: Session) -> dict[str, Any]:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    version = f.publish_from_template(session, cycle, boss)
    return {"content_hash": version.content_hash}


WRITES = [
    Write(
        "open cycle",
        Action.OPEN_CYCLE,
        "POST",
        "/api/v1/regions/east-midlands/cycles",
        201,
        _nothing,
    ),
    Write("put draft", Action.EDIT_MOU, "PUT", MOU + "/draft", 200, _cycle),
    Write("publish", Action.PUBLISH_MOU, "POST", MOU + "/publish", 200, _draft),
    Write("sign", Action.SIGN_MOU, "POST", MOU + "/signatures", 201, _published),
    Write("decline", Action.SIGN_MOU, "POST", MOU + "/declines", 201, _published),
    Write("reminders", Action.SEND_MOU_REMINDERS, "POST", MOU + "/reminders", 200, _published),
    Write("put calendar", Action.EDIT_CALENDAR, "PUT", CYCLE + "/calendar", 200, _cycle),
]


def _body(write: Write, state: dict[str, Any]) -> dict[str, Any] | None:
    if write.name == "open cycle":
        return {"year": "2026-27"}
    if write.name == "put draft":
        return {"title": "Our Memorandum", "body": "# Purpose\nWe agree."}
    if write.name == "publish":
        return {"content_hash": state["content_hash"]}
    if write.name == "sign":
        return {
            "organisation_code": DERBY,
            "role": "dcs",
            "content_hash": state["content_hash"],
            "confirm": True,
        }
    if write.name == "decline":
        return {
            "organisation_code": DERBY,
            "role": "dcs",
            "content_hash": state["content_hash"],
            "reason": "Not yet agreed by our cabinet.",
        }
    if write.name == "put calendar":
        return {"windows": {"mou": {"opens": "2026-04-15", "closes": "2026-06-30"}}}
    return None


def _allowed(write: Write, role: Role) -> bool:
    # Signing and declining "as DCS of Derby" needs the DCS role itself, not any signing role.
    if write.action is Action.SIGN_MOU:
        return role is Role.DCS
    return role in PERMISSIONS[write.action]


def _user_with_only(
    session: Session, role: Role, *, region: str = REGION, organisation: str = DERBY
) -> dict[str, str]:
    kind = ROLE_SCOPE[role]
    if kind is ScopeKind.ORGANISATION:
        user = f.make_user(session, role, organisation=organisation)
    elif kind is ScopeKind.REGION:
        user = f.make_user(session, role, region=region)
    else:
        user = f.make_user(session, role)
    return f.token_for(session, user)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("write", WRITES, ids=[w.name for w in WRITES])
def test_each_write_is_allowed_only_to_the_roles_in_its_rule(
    session: Session, client: TestClient, write: Write, role: Role
) -> None:
    state = write.prepare(session)
    headers = _user_with_only(session, role)
    session.commit()
    before = _snapshot(session)
    response = client.request(write.method, write.path, json=_body(write, state), headers=headers)
    if _allowed(write, role):
        assert response.status_code == write.status, response.text
        assert _snapshot(session)[0][0] == before[0][0] + 1  # exactly one audit event
    else:
        assert response.status_code == 403, response.text
        error = response.json()["error"]
        assert error["type"] == "NotPermitted"
        assert error["message"].startswith("You cannot ")
        assert _snapshot(session) == before


def test_a_coordinator_of_london_is_refused_in_east_midlands(
    session: Session, client: TestClient
) -> None:
    headers = _user_with_only(session, Role.REGIONAL_COORDINATOR, region=LONDON)
    session.commit()
    before = _snapshot(session)
    response = client.post(
        "/api/v1/regions/east-midlands/cycles", json={"year": "2026-27"}, headers=headers
    )
    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        "You cannot open a cycle for this region: none of your roles allows it. "
        "Ask your regional coordinator if you think you should."
    )
    assert _snapshot(session) == before
    assert (
        client.post(
            "/api/v1/regions/london/cycles", json={"year": "2026-27"}, headers=headers
        ).status_code
        == 201
    )


def test_a_dcs_of_rutland_cannot_sign_for_derby(session: Session, client: TestClient) -> None:
    state = _published(session)
    headers = _user_with_only(session, Role.DCS, organisation=RUTLAND)
    session.commit()
    before = _snapshot(session)
    body = {
        "organisation_code": DERBY,
        "role": "dcs",
        "content_hash": state["content_hash"],
        "confirm": True,
    }
    response = client.post(MOU + "/signatures", json=body, headers=headers)
    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        "You cannot sign the Memorandum of Understanding for this organisation: you are not recorded "
        "as its Director of Children's Services. Ask your regional coordinator to check your role."
    )
    assert _snapshot(session) == before
    # The same person can sign for Rutland.
    own = client.post(
        MOU + "/signatures", json={**body, "organisation_code": RUTLAND}, headers=headers
    )
    assert own.status_code == 201, own.text


def test_risl_reads_status_and_history_but_writes_nothing(
    session: Session, client: TestClient
) -> None:
    state = _published(session)
    headers = _user_with_only(session, Role.RISL)
    session.commit()
    status = client.get(MOU, headers=headers)
    assert status.status_code == 200
    assert (status.json()["signed"], status.json()["required"]) == (0, 31)
    history = client.get(CYCLE + "/history", headers=headers)
    assert history.status_code == 200
    # The RISL reads the published MoU, never the coordinator's drafts.
    assert [e["action"] for e in history.json()["entries"]] == ["mou.published", "cycle.opened"]
    assert client.get(MOU + "/draft", headers=headers).status_code == 403
    before = _snapshot(session)
    for write in WRITES:
        response = client.request(
            write.method, write.path, json=_body(write, state), headers=headers
        )
        assert response.status_code == 403, (write.name, response.text)
    assert _snapshot(session) == before
