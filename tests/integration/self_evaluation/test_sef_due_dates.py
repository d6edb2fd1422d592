"""Each LA's own due date: the region's coordinator sets one with a reason (for example before the
LA's Ofsted annual engagement meeting); the tracker, late flags, API and the LA's pages use it;
the region's window stays the default; every change is in the history; every other role is
refused."""

import json
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.roles import ROLE_SCOPE, Role, ScopeKind
from app.errors import InvalidInput, NotPermitted
from app.models import AuditEvent, Cycle
from app.self_evaluation import due
from app.self_evaluation.drafting import service
from app.self_evaluation.schemas import DueDateInput
from app.self_evaluation.signoff import service as signoff
from tests import factories as f
from tests.sef_factories import DERBY

LEICESTER = "E06000016"
WINDOW = date(2026, 12, 19)  # the East Midlands self-evaluation window's close (2026-27)
OWN = date(2026, 11, 13)  # before today in the tests (23 November 2026): Derby is late
REASON = "Before its Ofsted annual engagement meeting on 20 November"
SEFS = f"/regions/{f.REGION}/cycles/2026-27/self-evaluations"
API = f"/api/v1/regions/{f.REGION}/cycles/2026-27/self-evaluations"


def _status(session: Session, cycle: Cycle, la_code: str) -> signoff.SignOffStatus:
    session.expire_all()
    return signoff.build_status(session, cycle, service._row(session, cycle, la_code, lock=False))


def test_the_coordinator_sets_and_clears_an_las_own_due_date(session: Session) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    assert (_status(session, cycle, DERBY).due_on, _status(session, cycle, DERBY).late) == (
        WINDOW,
        False,
    )
    before = session.scalar(select(func.max(AuditEvent.sequence)))

    due.set_due_date(session, boss, cycle, DERBY, DueDateInput(due_on=OWN, reason=REASON))

    derby = _status(session, cycle, DERBY)
    assert (derby.due_on, derby.late, derby.due_reason) == (OWN, True, REASON)
    leicester = _status(session, cycle, LEICESTER)
    assert (leicester.due_on, leicester.late, leicester.due_reason) == (WINDOW, False, None)
    window_due, rows = signoff.tracker(session, boss, cycle)
    assert window_due == WINDOW
    by_code = {r.la_code: r for r in rows}
    assert (by_code[DERBY].due_on, by_code[DERBY].late, by_code[DERBY].due_reason) == (
        OWN,
        True,
        REASON,
    )
    assert (by_code[LEICESTER].due_on, by_code[LEICESTER].late) == (WINDOW, False)
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.sequence > before)).all()
    assert (event.action, event.summary, event.organisation_code) == (
        "sef.due_date_set",
        f"Derby's self-evaluation is due on 13 November 2026: {REASON}",
        DERBY,
    )
    assert json.loads(event.payload) == {
        "due_on": "2026-11-13",
        "was": None,
        "region_due_on": "2026-12-19",
        "reason": REASON,
    }

    # The reason is the LA's and the coordinator's, like the rest of its history: a peer or the
    # RISL reads the date, not why.
    sef = service._row(session, cycle, DERBY, lock=False)
    for role, org, region in ((Role.DCS, LEICESTER, None), (Role.RISL, None, f.REGION)):
        reader = f.principal(session, f.make_user(session, role, organisation=org, region=region))
        shown = signoff.readable_status(session, reader, cycle, sef)
        assert (shown.due_on, shown.due_reason) == (OWN, None)
    own = f.principal(session, f.make_user(session, Role.LEAD_MEMBER, organisation=DERBY))
    assert signoff.readable_status(session, own, cycle, sef).due_reason == REASON

    # The same again records nothing; a date outside the cycle year is refused.
    due.set_due_date(session, boss, cycle, DERBY, DueDateInput(due_on=OWN, reason=REASON))
    with pytest.raises(InvalidInput) as outside:
        due.set_due_date(
            session, boss, cycle, DERBY, DueDateInput(due_on=date(2027, 4, 2), reason="Late")
        )
    assert outside.value.message == (
        "The due date must fall within the cycle year (1 April 2026 to 31 March 2027)"
    )
    # Back to the region's date.
    due.set_due_date(session, boss, cycle, DERBY, DueDateInput(due_on=None, reason="Meeting moved"))
    derby = _status(session, cycle, DERBY)
    assert (derby.due_on, derby.late, derby.due_reason) == (WINDOW, False, None)
    summaries = session.scalars(
        select(AuditEvent.summary)
        .where(AuditEvent.sequence > before, AuditEvent.action == "sef.due_date_set")
        .order_by(AuditEvent.sequence)
    ).all()
    assert summaries == [
        f"Derby's self-evaluation is due on 13 November 2026: {REASON}",
        "Derby's self-evaluation is due with the region's again, on 19 December 2026: "
        "Meeting moved",
    ]


def _every_other_role(session: Session) -> list[tuple[str, object]]:
    """Every role but the East Midlands coordinator's, plus another region's coordinator."""
    people = []
    for role in Role:
        kind = ROLE_SCOPE[role]
        if kind is ScopeKind.ORGANISATION:
            user = f.make_user(session, role, organisation=DERBY)
        elif kind is ScopeKind.REGION:
            region = "east-of-england" if role is Role.REGIONAL_COORDINATOR else f.REGION
            user = f.make_user(session, role, region=region)
        else:
            user = f.make_user(session, role)
        people.append((role.value, f.principal(session, user)))
    return people


def test_every_other_role_is_refused(session: Session) -> None:
    cycle = f.open_cycle(session)
    for label, who in _every_other_role(session):
        with pytest.raises(NotPermitted):
            due.set_due_date(session, who, cycle, DERBY, DueDateInput(due_on=OWN, reason=REASON))  # type: ignore[arg-type]
        assert _status(session, cycle, DERBY).due_on == WINDOW, label


def test_due_date_through_the_pages_and_the_api(session: Session, client: TestClient) -> None:
    f.open_cycle(session)
    boss = f.make_user(session, Role.REGIONAL_COORDINATOR, region=f.REGION)
    dcs = f.make_user(session, Role.DCS, organisation=DERBY)

    f.sign_in(client, dcs)
    assert client.get(f"{SEFS}/{DERBY}/due-date").status_code == 403
    f.sign_in(client, boss)
    page = client.get(f"{SEFS}/{DERBY}/due-date")
    assert page.status_code == 200, page.text
    token = f.csrf(client, f"{SEFS}/{DERBY}/due-date")
    form = {"csrf_token": token, "due_on-day": "13", "due_on-month": "11", "due_on-year": "2026"}
    blank = client.post(f"{SEFS}/{DERBY}/due-date", data={**form, "reason": ""})
    assert blank.status_code == 422
    assert "Say why this authority has its own due date" in blank.text
    wrong = client.post(
        f"{SEFS}/{DERBY}/due-date", data={**form, "due_on-day": "31", "reason": REASON}
    )
    assert wrong.status_code == 422 and "Enter the due date as a real date" in wrong.text
    saved = client.post(f"{SEFS}/{DERBY}/due-date", data={**form, "reason": REASON})
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{SEFS}/tracker#la-{DERBY}"
    tracker = client.get(f"{SEFS}/tracker").text
    row = re.search(rf'id="la-{DERBY}".*?</tr>', tracker, re.S)
    assert row is not None
    last = re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)[-1]
    assert " ".join(re.sub(r"<[^>]+>", " ", last).split()) == (
        f"13 November 2026 Own due date: {REASON} Change own due date for Derby"
    )

    # The LA's own page says when it is due, and why.
    f.sign_in(client, dcs)
    home = client.get(f"{SEFS}/{DERBY}").text
    assert "Sign-off is due by 13 November 2026, and has not been completed." in home
    assert f"This is Derby's own date: {REASON}" in home

    # The API: the coordinator sets it; anyone else is refused; the LA reads it.
    dcs_headers = f.token_for(session, dcs)
    refused = client.put(
        f"{API}/{DERBY}/due-date", json={"due_on": "2026-11-20", "reason": "x"}, headers=dcs_headers
    )
    assert refused.status_code == 403
    put = client.put(
        f"{API}/{DERBY}/due-date",
        json={"due_on": None, "reason": "Meeting moved"},
        headers=f.token_for(session, boss),
    )
    assert put.status_code == 200, put.text
    assert put.json() == {"la_code": DERBY, "due_on": "2026-12-19", "own": False, "reason": None}
    summary = {s["la_code"]: s for s in client.get(API, headers=dcs_headers).json()}
    assert (summary[DERBY]["due_on"], summary[DERBY]["late"]) == ("2026-12-19", False)
    paths = client.get("/openapi.json").json()["paths"]
    assert (
        "put"
        in paths["/api/v1/regions/{region_id}/cycles/{year}/self-evaluations/{la_code}/due-date"]
    )
    assert (
        "post"
        in paths["/api/v1/regions/{region_id}/cycles/{year}/self-evaluations/{la_code}/start"]
    )
