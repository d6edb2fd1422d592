"""Quarterly returns through the pages and the API, as a data lead and a coordinator use them."""

import re
from datetime import date
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import clock
from app.auth.roles import Role
from app.models import IndicatorReturn
from app.reference import get_reference
from app.returns import parsing
from tests import factories as f
from tests.conftest import check_page

DERBY = "E06000015"
BASE = "/regions/east-midlands/returns"
UPLOAD = BASE + "/2026-27-q1/upload"
IDS = list(get_reference().indicators)
NAMES = {i: indicator.name for i, indicator in get_reference().indicators.items()}


def _csv(bad: bool = False) -> bytes:
    lines = ["la_code,indicator_id,value,commentary"]
    for i in IDS:
        value = "" if bad and i == IDS[0] else "4"
        lines.append(f"{DERBY},{i},{value},")
    if bad:
        lines.append(f"{DERBY},made_up,1,")
    return ("\r\n".join(lines) + "\r\n").encode()


def _ready(session: Session, client: TestClient) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    f.publish_from_template(session, cycle, boss)
    f.sign_everyone(session, cycle)
    f.sign_in(client, f.make_user(session, Role.DATA_LEAD, organisation=DERBY))


def test_a_data_lead_fixes_a_rejected_file(session: Session, client: TestClient) -> None:
    _ready(session, client)
    token = f.csrf(client, UPLOAD)
    refused = client.post(
        UPLOAD, data={"csrf_token": token}, files={"file": ("q1.csv", _csv(bad=True), "text/csv")}
    )
    assert refused.status_code == 422
    check_page(refused.text)
    html = unescape(refused.text)
    assert "The file has 2 problems, so nothing was saved." in html
    cells = [
        re.sub(r"<[^>]+>|\s+", " ", row).split()
        for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', html, re.S)[1:]
    ]
    assert cells[0][:2] == ["2", "value"] and cells[1][:2] == ["22", "indicator_id"]
    # The indicator is named as people know it, not by its id.
    assert f"{NAMES[IDS[0]]}: enter a value or a DfE code (c, x, z or u)" in html
    assert session.scalar(select(func.count()).select_from(IndicatorReturn)) == 0

    token = f.csrf(client, UPLOAD)
    done = client.post(
        UPLOAD, data={"csrf_token": token}, files={"file": ("q1.csv", _csv(), "text/csv")}
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"{BASE}/2026-27-q1/{DERBY}"
    page = client.get(done.headers["location"])
    assert page.status_code == 200
    check_page(page.text)
    assert "q1.csv was imported: 1 return (Derby)" in unescape(page.text)
    tracker = client.get(BASE + "?year=2026-27")
    check_page(tracker.text)
    assert "Late" in tracker.text  # today is after the Q1 close in this test run's calendar


def test_an_oversize_upload_is_refused_and_writes_nothing(
    session: Session, client: TestClient
) -> None:
    _ready(session, client)
    token = f.csrf(client, UPLOAD)
    big = b"x" * (parsing.MAX_FILE_BYTES + 10)
    response = client.post(
        UPLOAD, data={"csrf_token": token}, files={"file": ("big.csv", big, "text/csv")}
    )
    assert response.status_code == 413
    check_page(response.text)
    assert "The file is larger than 2 MB" in unescape(response.text)
    assert session.scalar(select(func.count()).select_from(IndicatorReturn)) == 0


def test_the_templates_download(session: Session, client: TestClient) -> None:
    _ready(session, client)
    response = client.get(BASE + "/2026-27-q1/template.csv")
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "period,la_code,la_name,indicator_id,indicator_name,unit,value,commentary"
    assert len(lines) == 21 and lines[1].startswith(f"2026-27 Q1,{DERBY},Derby,")
    xlsx = client.get(BASE + "/2026-27-q1/template.xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")


def test_the_api_upload_lists_every_problem(session: Session, client: TestClient) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    f.publish_from_template(session, cycle, boss)
    f.sign_everyone(session, cycle)
    lead = f.make_user(session, Role.DATA_LEAD, organisation=DERBY)
    headers = f.token_for(session, lead)
    session.commit()  # a refused request rolls back: keep the set-up
    url = "/api/v1" + UPLOAD
    refused = client.post(url, headers=headers, files={"file": ("q1.csv", _csv(bad=True))})
    assert refused.status_code == 422
    assert refused.json()["error"]["problems"] == [
        {
            "row": 2,
            "column": "value",
            "message": f"{NAMES[IDS[0]]}: enter a value or a DfE code (c, x, z or u)",
        },
        {
            "row": 22,
            "column": "indicator_id",
            "message": "made_up is not a core indicator: use an indicator_id from the template",
        },
    ]
    done = client.post(url, headers=headers, files={"file": ("q1.csv", _csv())})
    assert done.status_code == 200, done.text
    assert done.json()["returns"] == [{"la_code": DERBY, "version": 1, "late": True}]
    shown = client.get(f"/api/v1{BASE}/2026-27-q1/{DERBY}", headers=headers)
    assert shown.status_code == 200
    assert shown.json()["current_version"] == 1 and len(shown.json()["values"]) == 20


def test_no_page_offers_an_upload_before_the_quarter_opens(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ready(session, client)
    monkeypatch.setattr(clock, "today", lambda: date(2026, 11, 23))  # Q3 opens on 1 January 2027
    q2, q3 = BASE + "/2026-27-q2", BASE + "/2026-27-q3"
    tracker = client.get(BASE + "?year=2026-27")
    check_page(tracker.text)
    links = re.findall(r'href="([^"]*/upload)"', tracker.text)
    assert links == [BASE + "/2026-27-q1/upload", q2 + "/upload"]
    page = client.get(f"{q3}/{DERBY}")
    check_page(page.text)
    assert "/upload" not in page.text and "/edit" not in page.text
    assert "You can enter or upload this return from 1 January 2027." in unescape(page.text)
    upload = client.get(q3 + "/upload")
    check_page(upload.text)
    assert 'enctype="multipart/form-data"' not in upload.text
    assert 'type="file"' not in upload.text
    assert (
        "The 2026-27 Q3 return opens on 1 January 2027. You can upload it from then."
        in unescape(upload.text)
    )
    edit = client.get(f"{q3}/{DERBY}/edit")
    check_page(edit.text)
    assert 'name="value-' not in edit.text
    assert "The 2026-27 Q3 return opens on 1 January 2027. You can enter it from then." in unescape(
        edit.text
    )
    # An open quarter still offers both.
    open_page = client.get(f"{q2}/{DERBY}")
    assert f"{q2}/upload" in open_page.text and f"{q2}/{DERBY}/edit" in open_page.text
    assert 'type="file"' in client.get(q2 + "/upload").text
