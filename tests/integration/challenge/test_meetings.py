"""A triad's challenge conversation as arranged: the meeting (date within the calendar's window,
mode, facilitator, Lead Members' session), who each LA brings, withdrawals and replacement
dates; who sees them; the history, the API, the pages and the overview tasks."""

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.audit.chain import verify
from app.auth.roles import Role
from app.challenge import attendance, meetings, overview
from app.challenge.meeting_schemas import AttendeesInput, WithdrawalInput
from app.cycles.schemas import HistoryQuery
from app.errors import AlreadyDone, Conflict, InvalidInput, NotFound, NotPermitted
from app.history.service import read_history
from app.models import ChallengeAttendee, ChallengeWithdrawal, Cycle, StageWindow
from tests import factories as f
from tests.conftest import check_page
from tests.integration.challenge.arranging import (
    API,
    DERBY,
    DERBYSHIRE,
    FIRST,
    LEICESTER,
    PAGE,
    ROLES,
    SECOND,
    arrange,
    entries,
    form_triads,
    meeting,
    named_reviewer,
    person,
    who,
)
from tests.page_reading import error_summary, main_text

ONLY_ARRANGERS = (
    "Only the regional coordinator or the DCS of an authority in triad 1 can arrange its "
    "challenge conversation."
)
ONLY_DERBY_NAMES = (
    "Only Derby's Director of Children's Services can name who it brings to its challenge "
    "conversation."
)
ONLY_DERBY_WITHDRAWS = (
    "Only Derby's Director of Children's Services can withdraw it from its challenge conversation."
)
OUTSIDE_WINDOW = (
    "Choose a date between 5 January 2027 and 27 February 2027: the cycle's calendar holds triad "
    "challenge conversations then"
)
STALE = (
    "Someone else changed who Derby brings since you opened the page. Reload to see them before "
    "you save."
)
WITHDRAWN_TWICE = "Derby has already withdrawn from the meeting on 20 January 2027."
FLAG = (
    "Derby withdrew from the meeting on 20 January 2027: Our Director is at an Ofsted focused "
    "visit that week. Replacement date: 3 February 2027."
)
BRINGS = [
    {"name": "Dana Derby", "role": "dcs"},
    {"name": "Ash Assistant", "role": "assistant_director"},
]


@pytest.fixture
def cycle(session: Session) -> Cycle:
    made = f.open_cycle(session)
    form_triads(session, made)
    return made


def _people(people: list[dict[str, str]], version: str = "") -> AttendeesInput:
    return AttendeesInput(version=version, attendees=people)


def _why(day: date = FIRST) -> WithdrawalInput:
    return WithdrawalInput(
        meets_on=day, reason="Our Director is at an Ofsted focused visit that week."
    )


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


# --- the meeting ------------------------------------------------------------------------------


def test_a_member_dcs_sets_the_meeting_and_a_new_date_keeps_the_old_in_the_history(
    session: Session, cycle: Cycle
) -> None:
    dcs = person(session, Role.DCS, DERBY)
    set_ = meetings.set_meeting(session, dcs, cycle, 1, meeting(facilitator=True))
    assert (set_.meets_on, set_.mode, set_.facilitator_name, set_.facilitator_organisation) == (
        FIRST,
        "virtual",
        "Sam Adviser",
        "LGA Children's Improvement Adviser",
    )
    (entry,) = entries(session)
    triad = meetings.triad_by_number(session, cycle, 1)
    assert (entry.action, entry.summary) == (
        "conversation.meeting_set",
        "Triad 1's challenge conversation set for 20 January 2027 (virtual)",
    )
    assert (entry.subject_type, entry.subject_id, entry.organisation_code) == (
        "triad",
        str(triad.id),
        DERBY,
    )
    new = {
        "meets_on": "2027-01-20",
        "mode": "virtual",
        "facilitator_name": "Sam Adviser",
        "facilitator_organisation": "LGA Children's Improvement Adviser",
        "lead_members_session": False,
    }
    assert json.loads(entry.payload) == {
        "triad": 1,
        "old": None,
        "new": new,
        "lead_members_removed": [],
    }

    # The same details again (a double submit) change nothing.
    meetings.set_meeting(session, dcs, cycle, 1, meeting(facilitator=True))
    assert len(entries(session)) == 1

    moved = meetings.set_meeting(session, f.coordinator(session), cycle, 1, meeting(SECOND))
    assert moved.id == set_.id and moved.meets_on == SECOND and moved.facilitator_name is None
    changed = entries(session)[1]
    assert (changed.action, changed.summary, changed.organisation_code) == (
        "conversation.meeting_changed",
        "Triad 1's challenge conversation moved from 20 January 2027 to 3 February 2027 (virtual)",
        None,
    )
    payload = json.loads(changed.payload)
    assert payload["old"] == new
    assert payload["new"] == {
        **new,
        "meets_on": "2027-02-03",
        "facilitator_name": None,
        "facilitator_organisation": None,
    }
    assert verify(session).ok


def test_the_date_falls_in_the_calendar_window_or_else_in_the_cycle_year(
    session: Session, cycle: Cycle
) -> None:
    boss = f.coordinator(session)
    for day in (date(2027, 1, 4), date(2027, 2, 28)):
        with pytest.raises(InvalidInput) as refused:
            meetings.set_meeting(session, boss, cycle, 1, meeting(day))
        assert (refused.value.message, refused.value.field) == (OUTSIDE_WINDOW, "meets_on")
    # Without a triad challenge window on the calendar, any day of the cycle year.
    session.execute(
        delete(StageWindow).where(
            StageWindow.cycle_id == cycle.id, StageWindow.stage == "triad_challenge"
        )
    )
    meetings.set_meeting(session, boss, cycle, 1, meeting(date(2027, 3, 12)))
    with pytest.raises(InvalidInput) as refused:
        meetings.set_meeting(session, boss, cycle, 1, meeting(date(2027, 4, 1)))
    assert refused.value.message == (
        "Choose a date in the cycle year, between 1 April 2026 and 31 March 2027"
    )
    assert len(entries(session)) == 1


def test_a_facilitator_needs_a_name_and_an_organisation(session: Session, cycle: Cycle) -> None:
    half = meeting().model_copy(update={"facilitator_name": "Sam Adviser"})
    with pytest.raises(InvalidInput) as refused:
        meetings.set_meeting(session, f.coordinator(session), cycle, 1, half)
    assert (refused.value.message, refused.value.field) == (
        "Give the facilitator's name and their organisation, or neither",
        "facilitator_organisation",
    )
    assert entries(session) == []


ARRANGERS = {"the coordinator", "Derby's DCS (in triad 1)"}


@pytest.mark.parametrize("name", list(ROLES))
def test_only_the_coordinator_and_a_member_dcs_arrange_the_meeting(
    session: Session, cycle: Cycle, name: str
) -> None:
    someone = who(session, cycle, name)
    before = len(entries(session))
    if name in ARRANGERS:
        meetings.set_meeting(session, someone, cycle, 1, meeting())
        assert len(entries(session)) == before + 1
        return
    with pytest.raises(NotPermitted) as refused:
        meetings.set_meeting(session, someone, cycle, 1, meeting())
    assert refused.value.message == ONLY_ARRANGERS
    assert meetings.meeting_of(session, meetings.triad_by_number(session, cycle, 1)) is None


# --- who sees the arrangements ----------------------------------------------------------------

SEES = {"the coordinator", "Derby's DCS (in triad 1)", "a triad reviewer named to triad 1"}


@pytest.mark.parametrize("name", list(ROLES))
def test_the_arrangements_are_seen_by_the_triad_and_the_coordinator_only(
    session: Session, cycle: Cycle, name: str
) -> None:
    arrange(session, cycle)
    attendance.withdraw(session, person(session, Role.DCS, DERBY), cycle, 1, DERBY, _why())
    someone = who(session, cycle, name)
    views = meetings.conversations(session, someone, cycle)
    assert [v.triad.number for v in views] == [1, 2, 3]
    assert [la.name for la in views[0].members] == ["Derby", "Derbyshire", "West Northamptonshire"]
    found = views[0].arrangements
    if name in SEES:
        assert found is not None and found.meeting is not None
        assert found.meeting.meets_on == FIRST
        assert [w.la.code for w in found.withdrawals] == [DERBY]
    else:
        assert found is None
    # Triad 2's arrangements: its own DCS and the coordinator, of these people.
    assert (views[1].arrangements is not None) is (
        name in {"the coordinator", "Leicester's DCS (triad 2)"}
    )


# --- who each authority brings ----------------------------------------------------------------


def test_the_dcs_names_who_it_brings_whole_and_a_stale_or_double_save_is_handled(
    session: Session, cycle: Cycle
) -> None:
    dcs = person(session, Role.DCS, DERBY)
    with pytest.raises(Conflict) as refused:
        attendance.save_attendees(session, dcs, cycle, 1, DERBY, _people(BRINGS))
    assert refused.value.message == (
        "Triad 1's challenge conversation has no date yet: name who Derby brings once it is "
        "arranged."
    )
    arrange(session, cycle)
    saved = attendance.save_attendees(session, dcs, cycle, 1, DERBY, _people(BRINGS))
    assert [(p.name, p.role, p.organisation_code) for p in saved.people] == [
        ("Dana Derby", "dcs", DERBY),
        ("Ash Assistant", "assistant_director", DERBY),
    ]
    entry = entries(session)[-1]
    assert (entry.action, entry.summary, entry.organisation_code) == (
        "conversation.attendees_set",
        "Derby brings 2 people to triad 1's challenge conversation",
        DERBY,
    )
    assert json.loads(entry.payload) == {
        "triad": 1,
        "attendees": BRINGS,
        "version": saved.version,
    }
    # A double submit: the same set from the same starting point.
    assert attendance.save_attendees(session, dcs, cycle, 1, DERBY, _people(BRINGS)) == saved
    # Someone who opened the page before the first save sends something else.
    with pytest.raises(Conflict) as refused:
        attendance.save_attendees(session, dcs, cycle, 1, DERBY, _people(BRINGS[:1]))
    assert (refused.value.message, refused.value.field) == (STALE, "attendees")
    again = attendance.save_attendees(
        session, dcs, cycle, 1, DERBY, _people(BRINGS[:1], saved.version)
    )
    assert [p.name for p in again.people] == ["Dana Derby"]
    assert _count(session, ChallengeAttendee) == 1 and len(entries(session)) == 3


def test_a_lead_member_comes_only_with_the_lead_members_session(
    session: Session, cycle: Cycle
) -> None:
    dcs = person(session, Role.DCS, DERBY)
    arrange(session, cycle)
    lead = BRINGS + [{"name": "Cllr Lee", "role": "lead_member"}]
    with pytest.raises(InvalidInput) as refused:
        attendance.save_attendees(session, dcs, cycle, 1, DERBY, _people(lead))
    assert refused.value.message == (
        "Triad 1's conversation has no Lead Members' peer session: take the Lead Member off, or "
        "ask for the session to be added to the meeting"
    )
    with pytest.raises(InvalidInput) as refused:
        attendance.save_attendees(session, dcs, cycle, 1, DERBY, _people(BRINGS + BRINGS[:1]))
    assert refused.value.message == (
        "Name one Director of Children's Services for Derby: the others attend as delegates"
    )
    arrange(session, cycle, lead_members=True)
    saved = attendance.save_attendees(session, dcs, cycle, 1, DERBY, _people(lead))
    assert len(saved.people) == 3
    # Dropping the session takes the Lead Member off, and the history says so.
    arrange(session, cycle)
    assert [p.role for p in attendance.attendees(session, cycle, 1, DERBY).people] == [
        "dcs",
        "assistant_director",
    ]
    assert json.loads(entries(session)[-1].payload)["lead_members_removed"] == ["Cllr Lee"]


@pytest.mark.parametrize("name", [n for n in ROLES if n != "Derby's DCS (in triad 1)"])
def test_only_the_las_own_dcs_names_who_it_brings_or_withdraws_it(
    session: Session, cycle: Cycle, name: str
) -> None:
    arrange(session, cycle)
    someone = who(session, cycle, name)
    before = len(entries(session))
    with pytest.raises(NotPermitted) as refused:
        attendance.save_attendees(session, someone, cycle, 1, DERBY, _people(BRINGS))
    assert refused.value.message == ONLY_DERBY_NAMES
    with pytest.raises(NotPermitted) as refused:
        attendance.withdraw(session, someone, cycle, 1, DERBY, _why())
    assert refused.value.message == ONLY_DERBY_WITHDRAWS
    assert len(entries(session)) == before
    assert _count(session, ChallengeAttendee) == _count(session, ChallengeWithdrawal) == 0


def test_an_la_outside_the_triad_is_not_found_in_it(session: Session, cycle: Cycle) -> None:
    arrange(session, cycle)
    leicester = person(session, Role.DCS, LEICESTER)
    with pytest.raises(NotFound) as refused:
        attendance.save_attendees(session, leicester, cycle, 1, LEICESTER, _people(BRINGS))
    assert refused.value.message == "Leicester is not in triad 1."
    with pytest.raises(NotFound) as refused:
        meetings.conversation(session, leicester, cycle, "9")
    assert refused.value.message == "There is no triad 9 in this cycle."


# --- withdrawal -------------------------------------------------------------------------------


def test_an_la_withdraws_with_its_reason_once_and_a_new_date_is_the_replacement(
    session: Session, cycle: Cycle
) -> None:
    dcs = person(session, Role.DCS, DERBY)
    with pytest.raises(Conflict) as refused:
        attendance.withdraw(session, dcs, cycle, 1, DERBY, _why())
    assert refused.value.message == (
        "Triad 1's challenge conversation has no date yet: there is no meeting to withdraw from."
    )
    arrange(session, cycle)
    attendance.withdraw(session, dcs, cycle, 1, DERBY, _why())
    entry = entries(session)[-1]
    assert (entry.action, entry.summary, entry.organisation_code) == (
        "conversation.withdrew",
        "Derby withdrew from triad 1's challenge conversation on 20 January 2027",
        DERBY,
    )
    assert json.loads(entry.payload) == {
        "triad": 1,
        "meets_on": "2027-01-20",
        "reason": "Our Director is at an Ofsted focused visit that week.",
    }
    with pytest.raises(AlreadyDone) as refused:
        attendance.withdraw(session, dcs, cycle, 1, DERBY, _why())
    assert (refused.value.message, refused.value.field) == (WITHDRAWN_TWICE, "reason")

    boss = f.coordinator(session)
    (flag,) = meetings.conversation(session, boss, cycle, 1).arrangements.withdrawals  # type: ignore[union-attr]
    assert flag.sentence() == (
        "Derby withdrew from the meeting on 20 January 2027: Our Director is at an Ofsted "
        "focused visit that week. No replacement date is set yet."
    )
    arrange(session, cycle, SECOND)
    (flag,) = meetings.conversation(session, boss, cycle, 1).arrangements.withdrawals  # type: ignore[union-attr]
    assert flag.replacement == SECOND and flag.sentence() == FLAG

    # A form opened before the date moved withdraws from nothing.
    with pytest.raises(Conflict) as refused:
        attendance.withdraw(session, dcs, cycle, 1, DERBY, _why(FIRST))
    assert refused.value.message == (
        "Triad 1's challenge conversation moved to 3 February 2027 since you opened the page. "
        "Check the new date before you withdraw."
    )
    assert _count(session, ChallengeWithdrawal) == 1


def test_a_reason_is_required(session: Session) -> None:
    with pytest.raises(ValueError):
        WithdrawalInput(meets_on=FIRST, reason="  ")


# --- overview tasks and history ---------------------------------------------------------------


def test_the_overview_gives_the_coordinator_and_the_dcs_their_tasks(
    session: Session, cycle: Cycle
) -> None:
    boss = f.coordinator(session)
    dcs = person(session, Role.DCS, DERBY)
    titles = [
        (t.title, t.status, t.hint) for t in overview.conversation_tasks(session, boss, cycle)
    ]
    assert titles[0] == (
        "Arrange triad 1's challenge conversation",
        "not_started",
        "No meeting set and no triad reviewer named",
    )
    assert overview.conversation_tasks(session, dcs, cycle) == []
    arrange(session, cycle)
    named_reviewer(session, cycle)
    attendance.withdraw(session, dcs, cycle, 1, DERBY, _why())
    arrange(session, cycle, SECOND)
    tasks = overview.conversation_tasks(session, boss, cycle)
    assert [(t.title, t.status, t.hint) for t in tasks[:2]] == [
        ("Arrange triad 1's challenge conversation", "completed", "Meeting on 3 February 2027"),
        ("Follow up Derby's withdrawal from triad 1", "withdrawn", FLAG),
    ]
    mine = overview.conversation_tasks(session, dcs, cycle)
    assert [(t.title, t.href, t.status, t.hint) for t in mine] == [
        (
            "Name who Derby brings to triad 1's conversation",
            f"{PAGE}/1/attendees/{DERBY}",
            "not_started",
            "Meeting on 3 February 2027",
        )
    ]


def test_the_history_shows_the_arrangements_to_the_triad_and_the_coordinator(
    session: Session, cycle: Cycle
) -> None:
    arrange(session, cycle)
    session.commit()

    def seen(reader: object) -> list[str]:
        page = read_history(session, reader, "east-midlands", "2026-27", HistoryQuery())  # type: ignore[arg-type]
        return [e.event.action for e in page.entries if e.event.action.startswith("conversation.")]

    assert seen(person(session, Role.DCS, DERBYSHIRE)) == ["conversation.meeting_set"]
    assert seen(f.coordinator(session)) == ["conversation.meeting_set"]
    assert seen(person(session, Role.DCS, LEICESTER)) == []
    assert seen(person(session, Role.RISL)) == []


# --- API --------------------------------------------------------------------------------------


def test_the_api_arranges_names_withdraws_and_hides_from_others(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    dcs = f.token_for(session, f.make_user(session, Role.DCS, organisation=DERBY))
    body = {"meets_on": "2027-01-20", "mode": "in_person", "lead_members_session": True}
    put = client.put(f"{API}/1/meeting", json=body, headers=dcs)
    assert put.status_code == 200, put.text
    assert put.json()["arrangements"]["meeting"] == {
        "meets_on": "2027-01-20",
        "mode": "in_person",
        "facilitator_name": None,
        "facilitator_organisation": None,
        "lead_members_session": True,
    }
    late = client.put(f"{API}/1/meeting", json={**body, "meets_on": "2027-03-01"}, headers=dcs)
    assert late.status_code == 422 and late.json()["error"]["message"] == OUTSIDE_WINDOW
    bad = client.put(f"{API}/1/meeting", json={**body, "mode": "carrier pigeon"}, headers=dcs)
    assert bad.status_code == 422

    people = {"version": "", "attendees": BRINGS}
    named = client.put(f"{API}/1/attendees/{DERBY}", json=people, headers=dcs)
    assert named.status_code == 200, named.text
    assert named.json()["attendees"] == BRINGS and named.json()["la_name"] == "Derby"
    stale = client.put(
        f"{API}/1/attendees/{DERBY}", json={**people, "attendees": BRINGS[:1]}, headers=dcs
    )
    assert stale.status_code == 409 and stale.json()["error"]["message"] == STALE

    reason = {"meets_on": "2027-01-20", "reason": ""}
    assert client.post(f"{API}/1/withdrawals/{DERBY}", json=reason, headers=dcs).status_code == 422
    reason["reason"] = "Our Director is at an Ofsted focused visit that week."
    out = client.post(f"{API}/1/withdrawals/{DERBY}", json=reason, headers=dcs)
    assert out.status_code == 201, out.text
    twice = client.post(f"{API}/1/withdrawals/{DERBY}", json=reason, headers=dcs)
    assert twice.status_code == 409 and twice.json()["error"]["message"] == WITHDRAWN_TWICE

    boss = f.token_for(
        session, f.make_user(session, Role.REGIONAL_COORDINATOR, region="east-midlands")
    )
    client.put(f"{API}/1/meeting", json={**body, "meets_on": "2027-02-03"}, headers=boss)
    (flag,) = client.get(f"{API}/1", headers=boss).json()["arrangements"]["withdrawals"]
    assert flag["sentence"] == FLAG and flag["replacement"] == "2027-02-03"

    risl = f.token_for(session, f.make_user(session, Role.RISL, region="east-midlands"))
    listed = client.get(API, headers=risl).json()
    assert [t["arrangements"] for t in listed["triads"]] == [None, None, None]
    assert client.get(f"{API}/1", headers=risl).json()["arrangements"] is None
    refused = client.put(f"{API}/1/meeting", json=body, headers=risl)
    assert refused.status_code == 403
    leicester = f.token_for(session, f.make_user(session, Role.DCS, organisation=LEICESTER))
    refused = client.put(f"{API}/1/meeting", json=body, headers=leicester)
    assert refused.status_code == 403 and refused.json()["error"]["message"] == ONLY_ARRANGERS
    assert client.get(f"{API}/9", headers=boss).status_code == 404


# --- pages ------------------------------------------------------------------------------------


def test_a_dcs_arranges_the_meeting_names_who_it_brings_and_withdraws_on_the_pages(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    f.sign_in(client, f.make_user(session, Role.DCS, organisation=DERBY))
    first = main_text(client.get(f"{PAGE}/1").text)
    assert "The meeting is not arranged yet." in first and "Arrange the meeting" in first
    token = f.csrf(client, f"{PAGE}/1/meeting")
    form = {
        "csrf_token": token,
        "meets_on-day": "20",
        "meets_on-month": "1",
        "meets_on-year": "2027",
        "mode": "virtual",
        "facilitator_name": "Sam Adviser",
        "facilitator_organisation": "LGA Children's Improvement Adviser",
    }
    wrong = client.post(
        f"{PAGE}/1/meeting", data={**form, "meets_on-day": "31", "meets_on-month": "2"}
    )
    assert wrong.status_code == 422
    assert error_summary(wrong.text) == [
        ("#meets_on", "Enter the date of the conversation as a real date, like 20 1 2027")
    ]
    outside = client.post(f"{PAGE}/1/meeting", data={**form, "meets_on-month": "3"})
    assert outside.status_code == 422 and error_summary(outside.text) == [
        ("#meets_on", OUTSIDE_WINDOW)
    ]
    no_token = client.post(
        f"{PAGE}/1/meeting", data={k: v for k, v in form.items() if k != "csrf_token"}
    )
    assert no_token.status_code == 403 and entries(session) == []
    saved = client.post(f"{PAGE}/1/meeting", data=form)
    assert saved.status_code == 303 and saved.headers["location"] == f"{PAGE}/1"
    shown = main_text(client.get(f"{PAGE}/1").text)
    assert "Meeting saved." in shown
    assert "Date 20 January 2027 How Virtual" in shown
    assert "Sam Adviser, LGA Children's Improvement Adviser" in shown

    people = {"csrf_token": token, "version": "", "name-1": "Dana Derby", "role-1": "dcs"}
    missing = client.post(f"{PAGE}/1/attendees/{DERBY}", data={**people, "role-1": ""})
    assert missing.status_code == 422
    assert error_summary(missing.text) == [
        ("#attendees", "Name 1 to 6 people, each with a role, names under 200 characters")
    ]
    assert client.post(f"{PAGE}/1/attendees/{DERBY}", data=people).status_code == 303
    assert "Dana Derby, Director of Children's Services" in main_text(client.get(f"{PAGE}/1").text)

    page = client.get(f"{PAGE}/1/withdraw/{DERBY}")
    assert "Derby withdraws from the meeting on 20 January 2027." in main_text(page.text)
    why = {"csrf_token": token, "meets_on": "2027-01-20", "reason": ""}
    blank = client.post(f"{PAGE}/1/withdraw/{DERBY}", data=why)
    assert blank.status_code == 422
    assert error_summary(blank.text) == [
        ("#reason", "Say why your authority is withdrawing, in under 2,000 characters")
    ]
    why["reason"] = "Our Director is at an Ofsted focused visit that week."
    assert client.post(f"{PAGE}/1/withdraw/{DERBY}", data=why).status_code == 303
    twice = client.post(f"{PAGE}/1/withdraw/{DERBY}", data=why)
    assert twice.status_code == 409 and error_summary(twice.text) == [("#reason", WITHDRAWN_TWICE)]
    # Derby's DCS cannot open another triad's forms.
    assert client.get(f"{PAGE}/2/meeting").status_code == 403
    assert client.get(f"{PAGE}/2/attendees/{LEICESTER}").status_code == 403
    # Every page of the journey has a title and no repeated ids.
    for url in (PAGE, f"{PAGE}/1", f"{PAGE}/1/meeting", f"{PAGE}/1/attendees/{DERBY}",
                f"{PAGE}/1/withdraw/{DERBY}"):  # fmt: skip
        page = client.get(url)
        assert page.status_code == 200 and check_page(page.text).title


def test_the_coordinator_sees_the_flag_and_the_risl_sees_the_triads_only(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    arrange(session, cycle)
    attendance.withdraw(session, person(session, Role.DCS, DERBY), cycle, 1, DERBY, _why())
    arrange(session, cycle, SECOND)
    session.commit()
    f.sign_in(client, f.make_user(session, Role.REGIONAL_COORDINATOR, region="east-midlands"))
    listed = main_text(client.get(PAGE).text)
    assert FLAG in listed and "Meeting 3 February 2027, virtual" in listed
    assert "Triad 2 Leicester, Leicestershire, Lincolnshire Meeting Not arranged yet" in listed
    assert FLAG in main_text(client.get(f"{PAGE}/1").text)

    f.sign_in(client, f.make_user(session, Role.RISL, region="east-midlands"))
    for url in (PAGE, f"{PAGE}/1"):
        page = client.get(url)
        assert page.status_code == 200
        text = main_text(page.text)
        assert "Derby, Derbyshire, West Northamptonshire" in text
        assert "2027" not in text.replace("2026-27", "") and "Ofsted" not in text
        assert "seen only by its members and the regional coordinator" in text
    assert client.get(f"{PAGE}/1/meeting").status_code == 403


@pytest.mark.parametrize(
    ("role", "org"),
    [
        (Role.REGIONAL_COORDINATOR, None),
        (Role.DCS, LEICESTER),
        (Role.RISL, None),
        (Role.LEAD_MEMBER, DERBY),
        (Role.TRIAD_REVIEWER, None),
    ],
)
def test_the_cycle_page_links_everyone_in_the_alliance_to_the_conversations(
    session: Session, client: TestClient, cycle: Cycle, role: Role, org: str | None
) -> None:
    region = None if org else "east-midlands"
    f.sign_in(client, f.make_user(session, role, organisation=org, region=region))
    text = main_text(client.get("/regions/east-midlands/cycles/2026-27").text)
    assert "See triad challenge conversations" in text
    assert client.get(PAGE).status_code == 200
