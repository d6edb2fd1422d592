"""The record's pages and API: a reviewer writes a part, each DCS agrees on the page, the
coordinator and the RISL see only what the MoU allows, and refusals are in plain words."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.auth.roles import Role
from app.challenge import record as records
from app.challenge import record_acts as acts
from app.challenge.record_schemas import AgreeRecordInput
from app.models import ChallengeAgreementEvent, ChallengeRecordVersion, Cycle, User
from tests import factories as f
from tests.integration.challenge.record_setup import (
    DERBY,
    LEICESTER,
    TRIAD_ONE,
    WEST_NORTHANTS,
    name_reviewer,
    part,
    person,
    ready,
)
from tests.page_reading import error_summary, main_text

PAGE = "/regions/east-midlands/cycles/2026-27/conversations/1/record"
API = "/api/v1/regions/east-midlands/cycles/2026-27/conversations/1/record"


@pytest.fixture
def cycle(session: Session) -> Cycle:
    return f.open_cycle(session)


def _user(session: Session, who: Principal) -> User:
    found = session.get(User, who.user_id)
    assert found is not None
    return found


def _versions(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ChallengeRecordVersion)) or 0


def _form(token: str, version: str = "") -> dict[str, str]:
    return {
        "csrf_token": token,
        "version": version,
        "kloe-1-strengths": "Strong partnership triage.",
        "kloe-1-challenge_points": "Thresholds vary by team.",
        "kloe-1-action-1-what": "Publish one threshold document",
        "kloe-1-action-1-owner": "Head of Early Help",
        "kloe-1-action-1-due_on-day": "31",
        "kloe-1-action-1-due_on-month": "1",
        "kloe-1-action-1-due_on-year": "2027",
        "kloe-1-action-1-area": "front-door-early-help",
        "ask-1-area": "workforce",
        "ask-1-days": "10",
        "offer-1-to_la": LEICESTER,
        "offer-1-area": "care-leavers",
        "offer-1-days": "5",
    }


def test_a_reviewer_writes_derbys_part_on_the_page(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    ready(session, cycle)
    reviewer = name_reviewer(session, cycle, 1)
    f.sign_in(client, _user(session, reviewer))
    token = f.csrf(client, f"{PAGE}/parts/{DERBY}")
    bad_date = {**_form(token), "kloe-1-action-1-due_on-month": "13"}
    refused = client.post(f"{PAGE}/parts/{DERBY}", data=bad_date)
    assert refused.status_code == 422
    assert error_summary(refused.text) == [
        (
            "#kloes",
            "Check what you wrote for each question: each box is under 4000 characters, and each "
            "agreed action needs what, an owner, a due date and an improvement area",
        )
    ]
    assert _versions(session) == 0
    no_token = client.post(
        f"{PAGE}/parts/{DERBY}", data={k: v for k, v in _form(token).items() if k != "csrf_token"}
    )
    assert no_token.status_code == 403 and _versions(session) == 0
    saved = client.post(f"{PAGE}/parts/{DERBY}", data=_form(token))
    assert saved.status_code == 303 and saved.headers["location"] == PAGE
    shown = main_text(client.get(PAGE).text)
    assert "Derby's part of the record saved." in shown
    assert "Question 1: What makes our front door work?" in shown
    assert (
        "Publish one threshold document Head of Early Help 31 January 2027 Front door and early help"
        in shown
    )
    assert (
        "Workforce: about 10 days" in shown and "To Leicester: Care leavers, about 5 days" in shown
    )
    # The form opens with what was saved, bound to the version saved.
    again = client.get(f"{PAGE}/parts/{DERBY}").text
    assert 'value="Head of Early Help"' in again
    stale = client.post(f"{PAGE}/parts/{DERBY}", data={**_form(token), "kloe-1-strengths": "Other"})
    assert stale.status_code == 409
    assert error_summary(stale.text) == [
        (
            "#version",
            "Someone else saved the record since you opened it. Reload to see their changes "
            "before you save yours.",
        )
    ]


def test_each_dcs_agrees_on_the_page_and_the_coordinator_sees_only_the_state_then_the_summary(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    dcss = ready(session, cycle)
    v1 = acts.save_part(session, dcss[LEICESTER], cycle, 1, DERBY, part())
    coordinator = f.make_user(session, Role.REGIONAL_COORDINATOR, region="east-midlands")
    f.sign_in(client, coordinator)
    before = main_text(client.get(PAGE).text)
    assert "Not yet agreed." in before and "Thresholds vary" not in before
    for code in (DERBY, LEICESTER):
        acts.agree(
            session,
            dcss[code],
            cycle,
            1,
            AgreeRecordInput(content_hash=v1.content_hash, la_code=code, confirm=True),
        )
    client.cookies.clear()
    f.sign_in(client, _user(session, dcss[WEST_NORTHANTS]))
    token = f.csrf(client, PAGE)
    unconfirmed = client.post(
        f"{PAGE}/agree",
        data={"csrf_token": token, "content_hash": v1.content_hash, "la_code": WEST_NORTHANTS},
    )
    assert unconfirmed.status_code == 422, main_text(unconfirmed.text)
    assert error_summary(unconfirmed.text) == [
        ("#confirm", "Confirm that you agree this version of the record")
    ]
    agreed = client.post(
        f"{PAGE}/agree",
        data={
            "csrf_token": token,
            "content_hash": v1.content_hash,
            "la_code": WEST_NORTHANTS,
            "confirm": "yes",
        },
    )
    assert agreed.status_code == 303
    assert records.view(session, dcss[DERBY], cycle, 1).agreed
    client.cookies.clear()
    f.sign_in(client, coordinator)
    after = main_text(client.get(PAGE).text)
    assert "Agreed by every member on" in after and "Thresholds vary" not in after
    assert "Front door and early help 1" in after and "Derby Workforce: Recruitment 10" in after


def test_the_api_reads_writes_and_agrees_as_the_pages_do(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    dcss = ready(session, cycle)
    derby = f.token_for(session, _user(session, dcss[DERBY]))
    body = part().model_dump(mode="json")
    put = client.put(f"{API}/parts/{DERBY}", json=body, headers=derby)
    assert put.status_code == 200 and put.json()["number"] == 1
    content_hash = put.json()["content_hash"]
    stale = client.put(f"{API}/parts/{DERBY}", json={**body, "support_asked": []}, headers=derby)
    assert stale.status_code == 409
    assert stale.json()["error"]["message"].startswith("Someone else saved the record")
    read = client.get(API, headers=derby).json()
    assert (read["visibility"], read["state"], read["version"]) == ("full", "draft", 1)
    assert read["parts"][DERBY]["kloes"][0]["question"] == "What makes our front door work?"
    for code in TRIAD_ONE:
        headers = f.token_for(session, _user(session, dcss[code]))
        body = {"content_hash": content_hash, "la_code": code, "confirm": True}
        assert client.post(f"{API}/agreements", json=body, headers=headers).status_code == 201
    twice = client.post(
        f"{API}/agreements",
        json={"content_hash": content_hash, "la_code": DERBY, "confirm": True},
        headers=derby,
    )
    assert twice.status_code == 409
    assert twice.json()["error"]["message"] == (
        "Every member of the triad has agreed this record already."
    )
    risl = f.token_for(session, _user(session, person(session, Role.RISL)))
    assert client.get(API, headers=risl).status_code == 403
    share = client.put(f"{API}/shares", json={"la_code": DERBY, "shared": True}, headers=derby)
    assert share.json() == {"detail": "Now shared."}
    shared = client.get(API, headers=risl).json()
    assert (shared["visibility"], list(shared["parts"]), shared["support_asked"]) == (
        "none",
        [DERBY],
        [],
    )
    coordinator = f.token_for(
        session, f.make_user(session, Role.REGIONAL_COORDINATOR, region="east-midlands")
    )
    summary = client.get(API, headers=coordinator).json()
    assert (summary["visibility"], summary["parts"], summary["content_hash"]) == ("summary", {}, "")
    assert summary["support_asked"] == [
        {"la_code": DERBY, "area": "workforce", "days": 10, "detail": "Recruitment"}
    ]
    assert session.scalar(select(func.count()).select_from(ChallengeAgreementEvent)) == 3


def test_the_conversations_pages_link_each_record_as_the_reader_may_see_it(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    dcss = ready(session, cycle)
    v1 = acts.save_part(session, dcss[DERBY], cycle, 1, DERBY, part())
    session.commit()
    f.sign_in(client, _user(session, dcss[DERBY]))
    listing = main_text(client.get("/regions/east-midlands/cycles/2026-27/conversations").text)
    assert "Record: Private draft, version 1 (triad 1)" in listing
    one = main_text(client.get("/regions/east-midlands/cycles/2026-27/conversations/1").text)
    assert "Record of the conversation Private draft, version 1. Read the record" in one
    for code in TRIAD_ONE:
        acts.agree(
            session,
            dcss[code],
            cycle,
            1,
            AgreeRecordInput(content_hash=v1.content_hash, la_code=code, confirm=True),
        )
    session.commit()
    client.cookies.clear()
    f.sign_in(client, f.make_user(session, Role.DCS, organisation="E10000007"))
    outside = main_text(client.get("/regions/east-midlands/cycles/2026-27/conversations").text)
    assert "Record: Agreed on" in outside and "Private draft" not in outside
    assert "Download the triad summary report" not in outside  # triads 2 and 3 have no record
    client.cookies.clear()
    f.sign_in(client, _user(session, person(session, Role.RISL)))
    risl = main_text(client.get("/regions/east-midlands/cycles/2026-27/conversations").text)
    assert "Record:" not in risl
