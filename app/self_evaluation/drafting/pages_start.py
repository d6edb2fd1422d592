"""HTML pages for how one LA's self-evaluation starts and when it is due.

Starting from last year: the DCS starts a blank self-evaluation from the LA's own signed one of
an earlier cycle (app.self_evaluation.drafting.carry). Its own due date: the region's coordinator sets one LA's
sign-off date with a reason (app.self_evaluation.due). Both are thin: parse the shared schema, call the one
service function, redirect or show the errors.
"""

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app import forms
from app.auth.permissions import Action, Scope, require
from app.auth.principal import Principal
from app.auth.web import CsrfProtected, DbSession, PostedForm, WriteSession, permission
from app.cycles.routes import CurrentCycle
from app.errors import NotPermitted
from app.models import Cycle
from app.self_evaluation import due
from app.self_evaluation.drafting import carry, service
from app.self_evaluation.drafting.pages_versions import ONE, common, sef_url
from app.self_evaluation.schemas import MESSAGES, CarryForwardInput, DueDateInput
from app.self_evaluation.signoff import service as signoff
from app.web import render_form, see_other

router = APIRouter(include_in_schema=False)
DUE_MESSAGES = {
    **MESSAGES,
    "reason": "Say why this authority has its own due date, in under 500 characters",
}


def _start_view(
    request: Request,
    session: Session,
    principal: Principal,
    cycle: Cycle,
    la_code: str,
    errors: forms.FormErrors,
) -> Response:
    service.require_dcs(principal, cycle, la_code, Action.EDIT_SEF)
    sef = service.get_sef(session, principal, cycle, la_code)
    source = carry.previous_signed(session, principal, cycle, la_code)
    return render_form(
        request,
        "sef/start.html",
        errors,
        {
            **common(cycle, sef),
            "source": source,
            "source_label": carry.year_label(source.year) if source else None,
            "blank": service.latest_version(session, sef) is None,
        },
    )


@router.get(ONE + "/start", response_class=HTMLResponse)
def start_page(
    request: Request,
    la_code: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.EDIT_SEF)],
    cycle: CurrentCycle,
) -> Response:
    return _start_view(request, session, principal, cycle, la_code, forms.FormErrors())


@router.post(ONE + "/start", response_class=HTMLResponse, dependencies=[CsrfProtected])
def start_from_last_year(
    request: Request,
    la_code: str,
    principal: Annotated[Principal, permission(Action.EDIT_SEF)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    data, errors = forms.parse(
        CarryForwardInput, {"from_year": str(form.get("from_year", ""))}, MESSAGES
    )
    started = forms.attempt(
        data,
        errors,
        lambda d: carry.carry_forward(session, principal, cycle, la_code, d),
        field="from_year",
        passes=(NotPermitted,),
    )
    if data is not None and (saved := started.result) is not None:
        return see_other(
            request,
            f"Started from the signed {carry.year_label(data.from_year)} self-evaluation as "
            f"version {saved.number}. Each chapter is marked as carried forward until it is "
            "edited.",
            sef_url(cycle, la_code),
        )
    return _start_view(request, session, principal, cycle, la_code, started.errors)


def _due_view(
    request: Request,
    session: Session,
    principal: Principal,
    cycle: Cycle,
    la_code: str,
    values: dict[str, str] | None,
    errors: forms.FormErrors,
) -> Response:
    require(principal, Action.EDIT_CALENDAR, Scope(cycle.region_id))
    sef = service.get_sef(session, principal, cycle, la_code)
    if values is None:
        own = sef.due_on
        values = {
            "due_on-day": str(own.day) if own else "",
            "due_on-month": str(own.month) if own else "",
            "due_on-year": str(own.year) if own else "",
            "reason": sef.due_reason or "",
        }
    return render_form(
        request,
        "sef/due_date.html",
        errors,
        {**common(cycle, sef), "window_due": signoff.due_date(session, cycle), "values": values},
    )


@router.get(ONE + "/due-date", response_class=HTMLResponse)
def due_date_page(
    request: Request,
    la_code: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.EDIT_CALENDAR)],
    cycle: CurrentCycle,
) -> Response:
    return _due_view(request, session, principal, cycle, la_code, None, forms.FormErrors())


def _posted_date(form: PostedForm) -> str:
    """The due date's boxes as one ISO date; "" when the region's date is chosen again."""
    return "" if form.get("use_region") == "yes" else forms.posted_date(form, "due_on")


@router.post(ONE + "/due-date", response_class=HTMLResponse, dependencies=[CsrfProtected])
def set_due_date(
    request: Request,
    region_id: str,
    year: str,
    la_code: str,
    principal: Annotated[Principal, permission(Action.EDIT_CALENDAR)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    values = {
        name: str(form.get(name, ""))
        for name in ("due_on-day", "due_on-month", "due_on-year", "reason", "use_region")
    }
    data, errors = forms.parse(
        DueDateInput, {"due_on": _posted_date(form), "reason": values["reason"]}, DUE_MESSAGES
    )
    moved = forms.attempt(
        data,
        errors,
        lambda d: due.set_due_date(session, principal, cycle, la_code, d),
        field="due_on",
        passes=(NotPermitted,),
    )
    if (sef := moved.result) is not None:
        name = service.local_authority(cycle, la_code).name
        when = signoff.build_status(session, cycle, sef).due_on
        return see_other(
            request,
            f"{name}'s self-evaluation is now due by {when:%-d %B %Y}."
            if when
            else f"{name}'s self-evaluation now follows the region's calendar.",
            f"/regions/{region_id}/cycles/{year}/self-evaluations/tracker#la-{la_code}",
        )
    return _due_view(request, session, principal, cycle, la_code, values, moved.errors)
