"""HTML pages for a member authority's part in its triad's conversation: who it brings, and
withdrawing from the meeting with a reason."""

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app import forms
from app.auth.principal import Principal
from app.auth.web import CsrfProtected, DbSession, PostedForm, WriteSession, permission
from app.challenge import attendance, meetings
from app.challenge.actions import ChallengeAction
from app.challenge.meeting_pages import ONE
from app.challenge.meeting_schemas import (
    ATTENDEE_LABELS,
    MAX_ATTENDEES,
    MESSAGES,
    AttendeeRole,
    AttendeesInput,
    WithdrawalInput,
)
from app.cycles.routes import CurrentCycle, in_cycle
from app.errors import NotPermitted
from app.models import Cycle
from app.web import render_form, see_other

router = APIRouter(include_in_schema=False)
ATTENDEES = ONE + "/attendees/{la_code}"
WITHDRAW = ONE + "/withdraw/{la_code}"


def _home(cycle: Cycle, number: str) -> str:
    return ONE.format(region_id=cycle.region_id, year=cycle.year, number=number)


def _attendees_values(found: attendance.AttendeeSet) -> dict[str, str]:
    values = {"version": found.version}
    for n, person in enumerate(found.people, start=1):
        values[f"name-{n}"] = person.name
        values[f"role-{n}"] = person.role
    return values


def _attendees_form(
    request: Request,
    session: DbSession,
    principal: Principal,
    cycle: Cycle,
    number: str,
    la_code: str,
    values: dict[str, str] | None = None,
    errors: forms.FormErrors | None = None,
) -> Response:
    found = attendance.attendees(session, cycle, number, la_code)
    if not attendance.may_name(principal, found.la.code):
        raise NotPermitted(
            f"Only {found.la.name}'s Director of Children's Services can name who it brings to "
            "its challenge conversation."
        )
    triad = meetings.triad_by_number(session, cycle, number)
    meeting = meetings.meeting_of(session, triad)
    session_on = meeting is not None and meeting.lead_members_session
    options = [{"value": "", "text": "Choose a role"}] + [
        {"value": role.value, "text": label}
        for role, label in ATTENDEE_LABELS.items()
        if role is not AttendeeRole.LEAD_MEMBER or session_on
    ]
    return render_form(
        request,
        "challenge/attendees.html",
        errors or forms.FormErrors(),
        {
            **in_cycle(cycle),
            "number": triad.number,
            "home": _home(cycle, number),
            "la": found.la,
            "meeting": meeting,
            "options": options,
            "places": range(1, MAX_ATTENDEES + 1),
            "values": values if values is not None else _attendees_values(found),
        },
    )


@router.get(ATTENDEES, response_class=HTMLResponse)
def attendees_form(
    request: Request,
    number: str,
    la_code: str,
    session: DbSession,
    principal: Annotated[Principal, permission(ChallengeAction.NAME_ATTENDEES)],
    cycle: CurrentCycle,
) -> Response:
    return _attendees_form(request, session, principal, cycle, number, la_code)


def _attendees_input(form: PostedForm) -> dict[str, object]:
    people = []
    for n in range(1, MAX_ATTENDEES + 1):
        name = str(form.get(f"name-{n}", "")).strip()
        role = str(form.get(f"role-{n}", "")).strip()
        if name or role:
            people.append({"name": name, "role": role})
    return {"version": str(form.get("version", "")), "attendees": people}


@router.post(ATTENDEES, response_class=HTMLResponse, dependencies=[CsrfProtected])
def attendees_save(
    request: Request,
    number: str,
    la_code: str,
    principal: Annotated[Principal, permission(ChallengeAction.NAME_ATTENDEES)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    data, errors = forms.parse(AttendeesInput, _attendees_input(form), MESSAGES)
    saved = forms.attempt(
        data,
        errors,
        lambda d: attendance.save_attendees(session, principal, cycle, number, la_code, d),
        field="attendees",
        passes=(NotPermitted,),
    )
    if saved.result is not None:
        return see_other(request, f"Saved who {saved.result.la.name} brings.", _home(cycle, number))
    values = {key: str(value) for key, value in form.items() if key != "csrf_token"}
    return _attendees_form(
        request, session, principal, cycle, number, la_code, values, saved.errors
    )


def _withdraw_form(
    request: Request,
    session: DbSession,
    principal: Principal,
    cycle: Cycle,
    number: str,
    la_code: str,
    values: dict[str, str] | None = None,
    errors: forms.FormErrors | None = None,
) -> Response:
    found = attendance.attendees(session, cycle, number, la_code)
    if not attendance.may_withdraw(principal, found.la.code):
        raise NotPermitted(
            f"Only {found.la.name}'s Director of Children's Services can withdraw it from its "
            "challenge conversation."
        )
    triad = meetings.triad_by_number(session, cycle, number)
    meeting = meetings.meeting_of(session, triad)
    return render_form(
        request,
        "challenge/withdraw.html",
        errors or forms.FormErrors(),
        {
            **in_cycle(cycle),
            "number": triad.number,
            "home": _home(cycle, number),
            "la": found.la,
            "meeting": meeting,
            "values": values
            if values is not None
            else {"meets_on": meeting.meets_on.isoformat() if meeting else ""},
        },
    )


@router.get(WITHDRAW, response_class=HTMLResponse)
def withdraw_form(
    request: Request,
    number: str,
    la_code: str,
    session: DbSession,
    principal: Annotated[Principal, permission(ChallengeAction.WITHDRAW)],
    cycle: CurrentCycle,
) -> Response:
    return _withdraw_form(request, session, principal, cycle, number, la_code)


@router.post(WITHDRAW, response_class=HTMLResponse, dependencies=[CsrfProtected])
def withdraw_save(
    request: Request,
    number: str,
    la_code: str,
    principal: Annotated[Principal, permission(ChallengeAction.WITHDRAW)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    values = {key: str(form.get(key, "")) for key in ("meets_on", "reason")}
    data, errors = forms.parse(WithdrawalInput, values, MESSAGES)
    saved = forms.attempt(
        data,
        errors,
        lambda d: attendance.withdraw(session, principal, cycle, number, la_code, d),
        field="reason",
        passes=(NotPermitted,),
    )
    if saved.done:
        return see_other(request, "Withdrawal recorded.", _home(cycle, number))
    return _withdraw_form(request, session, principal, cycle, number, la_code, values, saved.errors)
