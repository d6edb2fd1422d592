"""HTML pages for arranging triad challenge conversations: every triad, one triad's arrangements,
and the forms to set the meeting, name reviewers, name who an authority brings and withdraw."""

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app import forms
from app.auth.principal import Principal
from app.auth.web import CsrfProtected, DbSession, PostedForm, WriteSession, permission
from app.challenge import attendance, meetings, reviewers, summary
from app.challenge import record as records
from app.challenge.actions import ChallengeAction
from app.challenge.meeting_schemas import (
    ATTENDEE_LABELS,
    MESSAGES,
    MODE_LABELS,
    MeetingInput,
    ReviewerInput,
)
from app.cycles import service as cycles
from app.cycles.routes import CYCLE, CurrentCycle, in_cycle
from app.errors import NotPermitted
from app.models import ChallengeMeeting, Cycle
from app.web import render, render_form, see_other

router = APIRouter(include_in_schema=False)
CONVERSATIONS = CYCLE + "/conversations"
ONE = CONVERSATIONS + "/{number}"


def _home(cycle: Cycle, number: str) -> str:
    return ONE.format(region_id=cycle.region_id, year=cycle.year, number=number)


def _common(cycle: Cycle) -> dict[str, object]:
    return {**in_cycle(cycle), "modes": MODE_LABELS, "roles": ATTENDEE_LABELS}


@router.get(CONVERSATIONS, response_class=HTMLResponse)
def conversations_page(
    request: Request,
    session: DbSession,
    principal: Annotated[Principal, permission(ChallengeAction.VIEW_CONVERSATIONS)],
    cycle: CurrentCycle,
) -> Response:
    return render(
        request,
        "challenge/conversations.html",
        {
            **_common(cycle),
            "views": meetings.conversations(session, principal, cycle),
            "tracking": meetings.coordinates(principal, cycle.region_id),
            "records": records.record_lines(session, principal, cycle),
            "summary_ready": summary.available(session, principal, cycle),
        },
    )


def _conversation(
    request: Request,
    session: DbSession,
    principal: Principal,
    cycle: Cycle,
    number: str,
    errors: forms.FormErrors | None = None,
) -> Response:
    view = meetings.conversation(session, principal, cycle, number)
    naming = view.arrangements is not None and reviewers.may_name(principal, cycle.region_id)
    named = {r.user_id for r in view.arrangements.reviewers} if view.arrangements else set()
    return render_form(
        request,
        "challenge/conversation.html",
        errors or forms.FormErrors(),
        {
            **_common(cycle),
            "view": view,
            "here": _home(cycle, number),
            "may_arrange": meetings.may_arrange(session, principal, cycle, view.triad),
            "naming": naming,
            "options": [
                {"value": str(c.user_id), "text": c.name}
                for c in reviewers.candidates(session, cycle)
                if c.user_id not in named
            ]
            if naming
            else [],
            "bringing": [la for la in view.members if attendance.may_name(principal, la.code)],
            "withdrawing": [
                la for la in view.members if attendance.may_withdraw(principal, la.code)
            ],
            "record_line": records.record_lines(session, principal, cycle).get(view.triad.number),
        },
    )


@router.get(ONE, response_class=HTMLResponse)
def conversation_page(
    request: Request,
    number: str,
    session: DbSession,
    principal: Annotated[Principal, permission(ChallengeAction.VIEW_CONVERSATIONS)],
    cycle: CurrentCycle,
) -> Response:
    return _conversation(request, session, principal, cycle, number)


def _meeting_values(meeting: ChallengeMeeting | None) -> dict[str, str]:
    if meeting is None:
        return {}
    day = meeting.meets_on
    return {
        "meets_on-day": str(day.day),
        "meets_on-month": str(day.month),
        "meets_on-year": str(day.year),
        "mode": meeting.mode,
        "facilitator_name": meeting.facilitator_name or "",
        "facilitator_organisation": meeting.facilitator_organisation or "",
        "lead_members_session": "yes" if meeting.lead_members_session else "",
    }


def _meeting_form(
    request: Request,
    session: DbSession,
    principal: Principal,
    cycle: Cycle,
    number: str,
    values: dict[str, str] | None = None,
    errors: forms.FormErrors | None = None,
) -> Response:
    triad = meetings.triad_by_number(session, cycle, number)
    if not meetings.may_arrange(session, principal, cycle, triad):
        raise NotPermitted(
            f"Only the regional coordinator or the DCS of an authority in triad {number} can "
            "arrange its challenge conversation."
        )
    meeting = meetings.meeting_of(session, triad)
    window = cycles.calendar(session, cycle).get("triad_challenge")
    return render_form(
        request,
        "challenge/meeting.html",
        errors or forms.FormErrors(),
        {
            **_common(cycle),
            "number": triad.number,
            "home": _home(cycle, number),
            "meeting": meeting,
            "window": window,
            "members": meetings.members_of(session, cycle, triad),
            "values": values if values is not None else _meeting_values(meeting),
        },
    )


@router.get(ONE + "/meeting", response_class=HTMLResponse)
def meeting_form(
    request: Request,
    number: str,
    session: DbSession,
    principal: Annotated[Principal, permission(ChallengeAction.ARRANGE_MEETING)],
    cycle: CurrentCycle,
) -> Response:
    return _meeting_form(request, session, principal, cycle, number)


@router.post(ONE + "/meeting", response_class=HTMLResponse, dependencies=[CsrfProtected])
def meeting_save(
    request: Request,
    number: str,
    principal: Annotated[Principal, permission(ChallengeAction.ARRANGE_MEETING)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    values = {key: str(value) for key, value in form.items() if key != "csrf_token"}
    body = {
        "meets_on": forms.posted_date(form, "meets_on"),
        "mode": values.get("mode", ""),
        "facilitator_name": values.get("facilitator_name", ""),
        "facilitator_organisation": values.get("facilitator_organisation", ""),
        "lead_members_session": values.get("lead_members_session") == "yes",
    }
    data, errors = forms.parse(MeetingInput, body, MESSAGES)
    saved = forms.attempt(
        data,
        errors,
        lambda d: meetings.set_meeting(session, principal, cycle, number, d),
        field="meets_on",
        passes=(NotPermitted,),
    )
    if saved.done:
        return see_other(request, "Meeting saved.", _home(cycle, number))
    return _meeting_form(request, session, principal, cycle, number, values, saved.errors)


@router.post(ONE + "/reviewers", response_class=HTMLResponse, dependencies=[CsrfProtected])
def reviewer_add(
    request: Request,
    number: str,
    principal: Annotated[Principal, permission(ChallengeAction.NAME_REVIEWERS)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    data, errors = forms.parse(ReviewerInput, {"user_id": form.get("user_id", "")}, MESSAGES)
    saved = forms.attempt(
        data,
        errors,
        lambda d: reviewers.name(session, principal, cycle, number, d),
        field="user_id",
        passes=(NotPermitted,),
    )
    if saved.done:
        return see_other(request, "Triad reviewer named.", _home(cycle, number))
    return _conversation(request, session, principal, cycle, number, saved.errors)


@router.post(
    ONE + "/reviewers/{user_id}/remove", response_class=HTMLResponse, dependencies=[CsrfProtected]
)
def reviewer_remove(
    request: Request,
    number: str,
    user_id: str,
    principal: Annotated[Principal, permission(ChallengeAction.NAME_REVIEWERS)],
    cycle: CurrentCycle,
    session: WriteSession,
) -> Response:
    reviewers.remove(session, principal, cycle, number, user_id)
    return see_other(request, "Triad reviewer removed.", _home(cycle, number))
