"""The MoU's lifetime through the pages and the API: the review, and a changeover on publish."""

import re
from datetime import date
from html import unescape

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import clock
from app.auth.roles import Role
from app.cycles import service as cycles
from app.cycles.schemas import OpenCycleInput
from app.models import MouReview, MouVersion, User
from app.mou import service as mou
from app.mou.schemas import DraftInput
from tests import factories as f
from tests.conftest import check_page

NEXT = "/regions/east-midlands/cycles/2027-28"
MOU = NEXT + "/mou"
API = "/api/v1" + MOU
DERBY, LEICESTER, LINCOLNSHIRE = "E06000015", "E06000016", "E10000019"


def _page(client: TestClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code, response.text[:300])
    check_page(response.text)
    return re.sub(r"\s+", " ", unescape(response.text))


def _text(response: object) -> str:
    html = response.text  # type: ignore[attr-defined]
    check_page(html)
    return re.sub(r"\s+", " ", unescape(html))


def _second_cycle(session: Session) -> tuple[User, MouVersion]:
    """Version 1 published and signed by everyone in 2026-27; 2027-28 opened, nothing signed."""
    user = f.make_user(session, Role.REGIONAL_COORDINATOR, region=f.REGION, name="Cora Coordinator")
    boss = f.principal(session, user)
    first = f.open_cycle(session, boss)
    version = f.publish_from_template(session, first, boss)
    f.sign_everyone(session, first)
    cycles.open_cycle(session, boss, f.REGION, OpenCycleInput(year="2027-28"))
    session.commit()
    return user, version


def test_the_coordinator_records_the_review_and_the_tracker_shows_it(
    session: Session, client: TestClient
) -> None:
    user, _ = _second_cycle(session)
    f.sign_in(client, user)
    tracker = _page(client, MOU + "/tracker")
    assert "Due: the regional leads review the Memorandum this cycle." in tracker
    assert tracker.count("Bound by version 1 since") == 11
    page = _page(client, MOU + "/review")
    token = check_page(client.get(MOU + "/review").text).csrf_tokens[0]
    content_hash = re.search(r'name="content_hash" value="([0-9a-f]{64})"', page)
    assert content_hash is not None and "Record: reviewed, no change" in page

    unticked = client.post(
        MOU + "/review", data={"csrf_token": token, "content_hash": content_hash.group(1)}
    )
    assert unticked.status_code == 422
    assert "Confirm the regional leads reviewed this version and agreed no change" in _text(
        unticked
    )
    assert session.scalar(select(func.count()).select_from(MouReview)) == 0

    form = {"csrf_token": token, "content_hash": content_hash.group(1), "confirm": "yes"}
    recorded = client.post(MOU + "/review", data=form)
    assert recorded.status_code == 303 and recorded.headers["location"] == MOU + "/tracker"
    session.expire_all()
    review = session.execute(select(MouReview)).scalar_one()
    tracker = _page(client, MOU + "/tracker")
    day = clock.day_of(review.reviewed_at)
    assert (
        f"Reviewed, no change on {day.day} {day:%B %Y} by Cora Coordinator: version 1 stays in force."
    ) in tracker
    assert "Review recorded: no change. Nobody needs to sign again for 2027-28." in tracker

    again = client.post(MOU + "/review", data=form)
    assert again.status_code == 303
    assert "already been reviewed this cycle, with no change" in _page(client, MOU + "/tracker")
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(MouReview)) == 1


def test_a_signatory_may_not_open_the_review_page(session: Session, client: TestClient) -> None:
    _second_cycle(session)
    dcs = f.make_user(session, Role.DCS, organisation=DERBY)
    session.commit()
    f.sign_in(client, dcs)
    _page(client, MOU + "/review", 403)
    assert "Record the review" not in _page(client, MOU + "/tracker")


def test_the_lead_dcs_records_the_review_but_is_not_offered_the_revision(
    session: Session, client: TestClient
) -> None:
    _second_cycle(session)
    # Lincolnshire leads the region's DCSs (regions/east-midlands.yaml), so its DCS acts as lead.
    lead = f.make_user(session, Role.DCS, organisation=LINCOLNSHIRE, name="Lena Lead")
    session.commit()
    f.sign_in(client, lead)
    assert "Record the review" in _page(client, MOU + "/tracker")
    page = _page(client, MOU + "/review")
    # Revising the text is the coordinator's: the lead is told so, not linked to a refusal.
    assert "ask the regional coordinator to revise it" in page
    assert f'href="{MOU}/edit"' not in page
    _page(client, MOU + "/edit", 403)
    token = check_page(client.get(MOU + "/review").text).csrf_tokens[0]
    content_hash = re.search(r'name="content_hash" value="([0-9a-f]{64})"', page)
    assert content_hash is not None
    form = {"csrf_token": token, "content_hash": content_hash.group(1), "confirm": "yes"}
    recorded = client.post(MOU + "/review", data=form)
    assert recorded.status_code == 303
    session.expire_all()
    review = session.execute(select(MouReview)).scalar_one()
    day = clock.day_of(review.reviewed_at)
    assert (
        f"Reviewed, no change on {day.day} {day:%B %Y} by Lena Lead: version 1 stays in force."
    ) in _page(client, MOU + "/tracker")


def test_publishing_a_revision_sets_its_changeover_and_the_tracker_shows_it(
    session: Session, client: TestClient
) -> None:
    user, _ = _second_cycle(session)
    boss = f.principal(session, user)
    cycle = cycles.get_cycle(session, boss, f.REGION, "2027-28")
    title, body, revision = mou.editor_source(session, cycle)
    mou.save_draft(
        session, boss, cycle, DraftInput(title=title, body=body + "\n\nMore.", revision=revision)
    )
    session.commit()
    f.sign_in(client, user)
    draft = _page(client, MOU + "/draft")
    # The default: 60 days after today (23 November 2026).
    assert 'name="changeover_on-day" type="text" value="22"' in draft
    assert 'name="changeover_on-year" type="text" value="2027"' in draft
    token = check_page(client.get(MOU + "/draft").text).csrf_tokens[0]
    content_hash = re.search(r'name="content_hash" value="([0-9a-f]{64})"', draft)
    assert content_hash is not None
    form = {
        "csrf_token": token,
        "content_hash": content_hash.group(1),
        "changeover_on-day": "31",
        "changeover_on-month": "2",
        "changeover_on-year": "2027",
    }
    refused = client.post(MOU + "/publish", data=form)
    assert refused.status_code == 422
    assert "Enter the changeover date as a real date" in _text(refused)
    published = client.post(
        MOU + "/publish", data={**form, "changeover_on-day": "15", "changeover_on-month": "7"}
    )
    assert published.status_code == 303
    session.expire_all()
    version = session.execute(
        select(MouVersion).where(MouVersion.state == "published")
    ).scalar_one()
    assert (version.number, version.changeover_on) == (2, date(2027, 7, 15))
    tracker = _page(client, MOU + "/tracker")
    assert "Changeover date for version 2: <strong>15 July 2027</strong>." in tracker
    assert "Bound by version 1 until it signs version 2, or until 15 July 2027" in tracker


def test_the_api_records_the_review_and_reports_each_binding(
    session: Session, client: TestClient
) -> None:
    user, version = _second_cycle(session)
    headers = f.token_for(session, user)
    session.commit()
    status = client.get(API, headers=headers).json()
    assert status["review"]["state"] == "due"
    derby = next(o for o in status["organisations"] if o["organisation_code"] == DERBY)
    assert (derby["state"], derby["version_number"]) == ("in_force", 1)
    created = client.post(
        API + "/review",
        headers=headers,
        json={"content_hash": version.content_hash, "confirm": True},
    )
    assert created.status_code == 201, created.text
    assert created.json()["state"] == "reviewed_no_change"
    assert created.json()["text"].endswith("by Cora Coordinator: version 1 stays in force")
    again = client.post(
        API + "/review",
        headers=headers,
        json={"content_hash": version.content_hash, "confirm": True},
    )
    assert again.status_code == 409
    assert (
        again.json()["error"]["message"]
        == "The Memorandum has already been reviewed this cycle, with no change."
    )
    dcs = f.make_user(session, Role.DCS, organisation=LEICESTER)
    dcs_headers = f.token_for(session, dcs)
    session.commit()
    refused = client.post(
        API + "/review",
        headers=dcs_headers,
        json={"content_hash": version.content_hash, "confirm": True},
    )
    assert refused.status_code == 403
    schema = client.get("/openapi.json").json()
    assert "/api/v1/regions/{region_id}/cycles/{year}/mou/review" in schema["paths"]
