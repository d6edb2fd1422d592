"""LA development plans over HTTP: the API (described in the OpenAPI schema) and the pages, each
write refused without its CSRF token, and the overview's tasks."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.roles import SIGNATORY_ROLES, Role
from app.models import Cycle, LaPlan, LaPlanSignOffEvent, LaPlanVersion
from tests import factories as f
from tests.page_reading import error_summary, main_text
from tests.plan_factories import DERBY, action
from tests.sef_factories import signed_sef

PAGE = "/regions/east-midlands/cycles/2026-27/plans"
API = "/api/v1/regions/east-midlands/cycles/2026-27/plans"
OVERVIEW = "/regions/east-midlands/cycles/2026-27"


@pytest.fixture
def cycle(session: Session) -> Cycle:
    return f.open_cycle(session)


def _body(base: int | None, title: str = "Timely assessments") -> dict[str, object]:
    return {"base_version": base, "title": title, "actions": [action()]}


def test_the_whole_sign_off_through_the_api(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    users = {role: f.make_user(session, role, organisation=DERBY) for role in SIGNATORY_ROLES}
    dcs = f.token_for(session, users[Role.DCS])
    put = client.put(f"{API}/{DERBY}/priorities/1", json=_body(None), headers=dcs)
    assert put.status_code == 200, put.text
    plan = put.json()
    assert (plan["state"], plan["version"]) == ("draft", 1)
    assert plan["priorities"][0]["actions"][0]["measures"][0]["indicator_id"] == (
        "assessments_within_45wd_pct"
    )
    stale = client.put(f"{API}/{DERBY}/priorities/1", json=_body(None, "Older"), headers=dcs)
    assert stale.status_code == 409
    assert stale.json()["error"]["field"] == "base_version"
    again = client.put(f"{API}/{DERBY}/priorities/1", json=_body(None), headers=dcs)
    assert again.json()["version"] == 1
    bad = client.put(
        f"{API}/{DERBY}/priorities/2",
        json={**_body(1), "actions": [action(starts_on="2027-12-01")]},
        headers=dcs,
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["message"] == (
        "Action 1: the due date must be on or after the start date."
    )
    submitted = client.post(
        f"{API}/{DERBY}/submit", json={"content_hash": plan["content_hash"]}, headers=dcs
    )
    assert submitted.json()["state"] == "awaiting_sign_off"
    for role, user in users.items():
        body = {"role": role.value, "content_hash": plan["content_hash"], "confirm": True}
        signed = client.post(f"{API}/{DERBY}/sign", json=body, headers=f.token_for(session, user))
        assert signed.status_code == 200, signed.text
    final = signed.json()
    assert final["state"] == "signed"
    assert [s["state"] for s in final["signatories"]] == ["signed"] * 3
    boss = f.token_for(
        session, f.make_user(session, Role.REGIONAL_COORDINATOR, region="east-midlands")
    )
    rows = client.get(API, headers=boss).json()["authorities"]
    assert len(rows) == 10
    derby = next(r for r in rows if r["la_code"] == DERBY)
    assert (derby["state"], derby["versions"], derby["signed"]) == ("signed", 1, 3)
    assert client.get(f"{API}/{DERBY}", headers=boss).status_code == 200
    risl = f.token_for(session, f.make_user(session, Role.RISL, region="east-midlands"))
    assert client.get(API, headers=risl).status_code == 403
    assert client.get(f"{API}/{DERBY}", headers=risl).status_code == 403


def test_return_through_the_api_needs_a_reason(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    dcs_user = f.make_user(session, Role.DCS, organisation=DERBY)
    dcs = f.token_for(session, dcs_user)
    plan = client.put(f"{API}/{DERBY}/priorities/1", json=_body(None), headers=dcs).json()
    client.post(f"{API}/{DERBY}/submit", json={"content_hash": plan["content_hash"]}, headers=dcs)
    ce = f.token_for(session, f.make_user(session, Role.CHIEF_EXECUTIVE, organisation=DERBY))
    body = {"role": "chief_executive", "content_hash": plan["content_hash"], "reason": ""}
    assert client.post(f"{API}/{DERBY}/return", json=body, headers=ce).status_code == 422
    body["reason"] = "Add the care leavers priority."
    returned = client.post(f"{API}/{DERBY}/return", json=body, headers=ce).json()
    assert returned["state"] == "draft"
    assert returned["returns"][0]["reason"] == "Add the care leavers priority."


def test_the_plan_routes_are_in_the_openapi_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    base = "/api/v1/regions/{region_id}/cycles/{year}/plans"
    for suffix in (
        "",
        "/{la_code}",
        "/{la_code}/start",
        "/{la_code}/priorities/{position}",
        "/{la_code}/priorities/{position}/drop",
        "/{la_code}/adopted",
        "/{la_code}/submit",
        "/{la_code}/sign",
        "/{la_code}/return",
    ):
        assert base + suffix in paths


def test_the_dcs_starts_writes_and_submits_on_the_pages(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    signed_sef(session, cycle)
    user = f.make_user(session, Role.DCS, organisation=DERBY)
    f.sign_in(client, user)
    page = client.get(f"{PAGE}/{DERBY}")
    assert page.status_code == 200
    assert "Start from your self-evaluation's areas for development" in main_text(page.text)
    token = f.csrf(client, f"{PAGE}/{DERBY}")
    no_token = client.post(f"{PAGE}/{DERBY}/start", data={"keep": []})
    assert no_token.status_code == 403
    keys = [
        line.split('value="')[1].split('"')[0]
        for line in page.text.split("\n")
        if 'name="keep"' in line
    ]
    started = client.post(f"{PAGE}/{DERBY}/start", data={"csrf_token": token, "keep": keys[:1]})
    assert started.status_code == 303
    shown = main_text(client.get(f"{PAGE}/{DERBY}").text)
    assert "Priority 1: Timeliness of assessments." in shown
    assert "Started from: Self-evaluation" in shown
    form = {
        "csrf_token": f.csrf(client, f"{PAGE}/{DERBY}/priorities/1"),
        "base_version": "1",
        "rows": "3",
        "title": "Timely assessments",
        "a1-text": "Weekly performance clinic",
        "a1-owner_name": "Sam Patel",
        "a1-owner_role": "Head of Assessment",
        "a1-starts_on-day": "1", "a1-starts_on-month": "4", "a1-starts_on-year": "2027",
        "a1-due_on-day": "30", "a1-due_on-month": "9", "a1-due_on-year": "2027",
        "a1-m1-kind": "indicator",
        "a1-m1-indicator_id": "assessments_within_45wd_pct",
        "a1-m1-baseline": "78",
        "a1-m1-target": "70",
        "a1-support_area": "Front door",
        "a1-support_days": "10",
        "a1-support_provider": "partners_in_practice",
    }  # fmt: skip
    refused = client.post(f"{PAGE}/{DERBY}/priorities/1", data=form)
    assert refused.status_code == 422
    assert error_summary(refused.text) == [
        (
            "#actions",
            "Action 1, success measure 1: for Assessments completed within 45 working days "
            "higher is better, so the target must be higher than the baseline.",
        )
    ]
    saved = client.post(f"{PAGE}/{DERBY}/priorities/1", data={**form, "a1-m1-target": "88"})
    assert saved.status_code == 303, saved.text
    shown = main_text(client.get(f"{PAGE}/{DERBY}").text)
    assert "Assessments completed within 45 working days: baseline 78, target 88" in shown
    assert "Front door: about 10 days, a partners in practice authority" in shown
    assert "1 April 2027 to 30 September 2027" in shown
    # The form opens with what was saved.
    reopened = client.get(f"{PAGE}/{DERBY}/priorities/1").text
    assert 'value="Sam Patel"' in reopened
    latest = session.scalars(select(LaPlanVersion).order_by(LaPlanVersion.number.desc())).first()
    assert latest is not None and latest.number == 2
    token = f.csrf(client, f"{PAGE}/{DERBY}")
    submitted = client.post(
        f"{PAGE}/{DERBY}/submit", data={"csrf_token": token, "content_hash": latest.content_hash}
    )
    assert submitted.status_code == 303
    plan = session.scalars(select(LaPlan)).one()
    session.refresh(plan)
    assert plan.state == "awaiting_sign_off"


def test_a_signatory_signs_and_returns_on_the_page(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    from tests.plan_factories import submitted_plan

    dcs = f.signatory(session, DERBY, Role.DCS)
    submitted = submitted_plan(session, cycle, dcs)
    lead = f.make_user(session, Role.LEAD_MEMBER, organisation=DERBY)
    f.sign_in(client, lead)
    page = main_text(client.get(f"{PAGE}/{DERBY}").text)
    assert "As Lead Member of Derby, I sign off version 1 of this development plan" in page
    token = f.csrf(client, f"{PAGE}/{DERBY}")
    base = {"csrf_token": token, "content_hash": submitted.content_hash, "role": "lead_member"}
    unconfirmed = client.post(f"{PAGE}/{DERBY}/sign", data=base)
    assert unconfirmed.status_code == 422
    assert error_summary(unconfirmed.text) == [
        ("#confirm", "Confirm the statement to sign the development plan")
    ]
    signed = client.post(f"{PAGE}/{DERBY}/sign", data={**base, "confirm": "yes"})
    assert signed.status_code == 303
    # A double click: the second post shows the first one's outcome and signs nothing more.
    again = client.post(f"{PAGE}/{DERBY}/sign", data={**base, "confirm": "yes"})
    assert again.status_code == 303
    assert (
        "You have already signed version 1 as Lead Member." in client.get(PAGE + "/" + DERBY).text
    )
    assert len(session.scalars(select(LaPlanSignOffEvent)).all()) == 1
    page = main_text(client.get(f"{PAGE}/{DERBY}").text)
    assert "Sign the plan as Lead Member" not in page
    token = f.csrf(client, f"{PAGE}/{DERBY}")
    returned = client.post(
        f"{PAGE}/{DERBY}/return",
        data={"csrf_token": token, "content_hash": submitted.content_hash,
              "return_role": "lead_member", "reason": "Add a care leavers priority."},
    )  # fmt: skip
    assert returned.status_code == 303
    page = main_text(client.get(f"{PAGE}/{DERBY}").text)
    assert "was returned by" in page and "Add a care leavers priority." in page
    assert "void, the plan changed or was returned after it" in page


@pytest.mark.parametrize(
    ("role", "org", "task"),
    [
        (Role.DCS, DERBY, "Write Derby's development plan"),
        (Role.CHIEF_EXECUTIVE, DERBY, "Sign Derby's development plan"),
        (Role.RISL, None, None),
    ],
)
def test_the_overview_lists_a_plan_to_write_and_to_sign(
    session: Session,
    client: TestClient,
    cycle: Cycle,
    role: Role,
    org: str | None,
    task: str | None,
) -> None:
    from tests.plan_factories import submitted_plan

    submitted_plan(session, cycle, f.signatory(session, DERBY, Role.DCS))
    region = None if org else "east-midlands"
    f.sign_in(client, f.make_user(session, role, organisation=org, region=region))
    text = main_text(client.get(OVERVIEW).text)
    if task is None:
        assert "See development plans" not in text
        assert "Derby's development plan" not in text
        assert client.get(PAGE).status_code == 403
    else:
        assert task in text
        assert "See development plans" in text


@pytest.mark.parametrize("role", [r for r in Role if r != Role.DCS])
def test_every_other_role_is_refused_writing_through_the_api(
    session: Session, client: TestClient, cycle: Cycle, role: Role
) -> None:
    in_la = role in {Role.LEAD_MEMBER, Role.CHIEF_EXECUTIVE, Role.DATA_LEAD, Role.CONTRIBUTOR}
    region = None if in_la or role == Role.SERVICE_ADMIN else "east-midlands"
    user = f.make_user(session, role, organisation=DERBY if in_la else None, region=region)
    headers = f.token_for(session, user)
    put = client.put(f"{API}/{DERBY}/priorities/1", json=_body(None), headers=headers)
    assert put.status_code == 403
    assert session.scalars(select(LaPlanVersion)).all() == []


def test_the_coordinator_sees_where_each_plan_stands(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    from tests.plan_factories import submitted_plan

    submitted_plan(session, cycle, f.signatory(session, DERBY, Role.DCS))
    f.sign_in(client, f.make_user(session, Role.REGIONAL_COORDINATOR, region="east-midlands"))
    text = main_text(client.get(PAGE).text)
    assert "Every authority" in text
    assert "Derby Awaiting sign-off 1 0 of 3" in text
    assert "Derbyshire Not started 0" in text
    assert "Sign-off of version 1" in main_text(client.get(f"{PAGE}/{DERBY}").text)
