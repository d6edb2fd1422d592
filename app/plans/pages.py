"""HTML pages for LA development plans: where each plan stands, and one LA's plan with its acts
(start it, drop a priority, submit, sign, return). Writing a priority and adopting an existing
plan are on their own forms (app.plans.pages_priority)."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app import forms
from app.auth.principal import Principal
from app.auth.web import CsrfProtected, DbSession, PostedForm, WriteSession, permission
from app.cycles import service as cycles
from app.cycles.routes import CYCLE, CurrentCycle, in_cycle
from app.errors import AlreadyDone
from app.identifiers import Identifier
from app.models import Cycle
from app.plans import access, comments, index, service, signoff, writing
from app.plans.actions import PlanAction
from app.plans.schemas import (
    MESSAGES,
    PROVIDER_LABELS,
    DropInput,
    ReturnPlanInput,
    SignPlanInput,
    StartInput,
    SubmitPlanInput,
)
from app.plans.workflow import STATE_LABELS, PlanState
from app.reference import get_reference
from app.uk_dates import date_uk
from app.web import render, render_form, see_other

router = APIRouter(include_in_schema=False)
PLANS = CYCLE + "/plans"
ONE = PLANS + "/{la_code}"


def plan_url(cycle: Cycle, la_code: str) -> str:
    return ONE.format(region_id=cycle.region_id, year=cycle.year, la_code=la_code)


@router.get(PLANS, response_class=HTMLResponse)
def plans_index(
    request: Request,
    session: DbSession,
    principal: Annotated[Principal, permission(PlanAction.VIEW_PLANS)],
    cycle: CurrentCycle,
) -> Response:
    return render(
        request,
        "plans/index.html",
        {
            **in_cycle(cycle),
            "rows": index.rows(session, principal, cycle),
            "tracking": access.tracks(principal, cycle.region_id),
            "labels": STATE_LABELS,
            "signers": len(access.signatory_roles(cycle.region_id)),
        },
    )


def show_context(
    session: Session, principal: Principal, cycle: Cycle, la_code: str
) -> dict[str, object]:
    """What the plan page shows this reader: the plan, its sign-off, and the acts open to them."""
    found = service.read(session, principal, cycle, la_code)
    status = signoff.build_status(session, cycle, found.plan) if found.plan else None
    may_write = access.can_write(principal, cycle, la_code)
    awaiting = found.state == PlanState.AWAITING_SIGN_OFF
    signed_roles = {p.role for p in status.signatories if p.state == "signed"} if status else set()
    roles = access.signing_roles(principal, cycle, la_code) if awaiting else []
    number = found.plan.submitted_number if found.plan and awaiting else None
    tracking = access.tracks(principal, cycle.region_id)
    return {
        **_challenge_context(session, principal, cycle, found, tracking),
        "found": found,
        "status": status,
        "may_write": may_write
        and found.state in {"not_started", PlanState.DRAFT, PlanState.AWAITING_SIGN_OFF},
        "may_submit": may_write and found.state == PlanState.DRAFT,
        "suggestions": service.suggestions(session, principal, cycle, la_code)
        if may_write and found.latest is None
        else [],
        "sign_roles": [r for r in roles if r not in signed_roles],
        "return_roles": roles,
        "statements": {
            r.value: signoff.statement_for(found.la.name, r, number or 0) for r in roles
        },
        "submitted": status.submitted if status else None,
        "indicators": {i.id: i.name for i in get_reference().indicators.values()},
        "providers": PROVIDER_LABELS,
        "labels": STATE_LABELS,
        "tracking": tracking,
        # The plan pack is for the plan's own readers (app.plans.pack reads through service.read).
        "pack_url": f"/regions/{cycle.region_id}/cycles/{cycle.year}/plans/{la_code}/pack.pdf"
        if access.can_read(principal, cycle, la_code)
        else None,
        "day": lambda iso: date_uk(date.fromisoformat(iso)),
    }


def _challenge_context(
    session: Session, principal: Principal, cycle: Cycle, found: service.PlanView, tracking: bool
) -> dict[str, object]:
    """Peer challenge on the plan page: the comments for those who may see them, the forms for
    partners and the LA's DCS, and for the coordinator only the counts."""
    la_code = found.la.code
    return {
        "threads": comments.threads(session, principal, cycle, found),
        "counts": comments.counts(session, found.plan) if tracking else None,
        "may_comment": access.can_comment(session, principal, cycle, la_code, found.state),
        "may_respond": access.can_respond(principal, cycle, la_code),
        "error_at": "",
    }


def _show(
    request: Request,
    session: Session,
    principal: Principal,
    cycle: Cycle,
    la_code: str,
    errors: forms.FormErrors | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    context = show_context(session, principal, cycle, la_code)
    return render_form(
        request,
        "plans/show.html",
        errors or forms.FormErrors(),
        {**in_cycle(cycle), **context, "values": values or {}},
    )


@router.get(ONE, response_class=HTMLResponse)
def plan_page(
    request: Request,
    la_code: str,
    session: DbSession,
    principal: Annotated[Principal, permission(PlanAction.READ_PLAN)],
    cycle: CurrentCycle,
) -> Response:
    return _show(request, session, principal, cycle, la_code)


def _values(form: PostedForm) -> dict[str, str]:
    return {key: str(value) for key, value in form.items() if key != "csrf_token"}


@router.post(ONE + "/start", response_class=HTMLResponse, dependencies=[CsrfProtected])
def plan_start(
    request: Request,
    la_code: str,
    principal: Annotated[Principal, permission(PlanAction.WRITE_PLAN)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    data, errors = forms.parse(StartInput, {"keep": form.getlist("keep")}, MESSAGES)
    done = forms.attempt(
        data, errors, lambda d: writing.start(session, principal, cycle, la_code, d), field="keep"
    )
    if done.done:
        return see_other(request, "Development plan started.", plan_url(cycle, la_code))
    return _show(request, session, principal, cycle, la_code, done.errors, _values(form))


@router.post(
    ONE + "/priorities/{position}/drop", response_class=HTMLResponse, dependencies=[CsrfProtected]
)
def priority_drop(
    request: Request,
    region_id: str,
    year: str,
    la_code: str,
    position: Identifier,
    principal: Annotated[Principal, permission(PlanAction.WRITE_PLAN)],
    session: WriteSession,
    form: PostedForm,
) -> Response:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    data, errors = forms.parse(DropInput, {"base_version": form.get("base_version", "")}, MESSAGES)
    done = forms.attempt(
        data,
        errors,
        lambda d: writing.drop_priority(session, principal, cycle, la_code, position, d),
        field="base_version",
    )
    if done.done:
        return see_other(request, f"Priority {position} dropped.", plan_url(cycle, la_code))
    return _show(request, session, principal, cycle, la_code, done.errors)


@router.post(ONE + "/submit", response_class=HTMLResponse, dependencies=[CsrfProtected])
def plan_submit(
    request: Request,
    la_code: str,
    principal: Annotated[Principal, permission(PlanAction.SUBMIT_PLAN)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    posted = {"content_hash": form.get("content_hash", "")}
    data, errors = forms.parse(SubmitPlanInput, posted, MESSAGES)
    done = forms.attempt(
        data,
        errors,
        lambda d: writing.submit(session, principal, cycle, la_code, d),
        field="content_hash",
    )
    if done.done:
        return see_other(
            request, "Development plan submitted for sign-off.", plan_url(cycle, la_code)
        )
    return _show(request, session, principal, cycle, la_code, done.errors)


@router.post(ONE + "/sign", response_class=HTMLResponse, dependencies=[CsrfProtected])
def plan_sign(
    request: Request,
    la_code: str,
    principal: Annotated[Principal, permission(PlanAction.SIGN_PLAN)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    posted = {
        "role": form.get("role", ""),
        "content_hash": form.get("content_hash", ""),
        "confirm": form.get("confirm") == "yes",
    }
    data, errors = forms.parse(SignPlanInput, posted, MESSAGES)
    done = forms.attempt(
        data,
        errors,
        lambda d: signoff.sign(session, principal, cycle, la_code, d),
        field="confirm",
    )
    if done.done:
        return see_other(request, "You have signed the development plan.", plan_url(cycle, la_code))
    if isinstance(done.refusal, AlreadyDone):
        # A double click: the first submit signed; show that outcome and sign nothing more.
        return see_other(request, done.refusal.message, plan_url(cycle, la_code))
    return _show(request, session, principal, cycle, la_code, done.errors, _values(form))


@router.post(ONE + "/return", response_class=HTMLResponse, dependencies=[CsrfProtected])
def plan_return(
    request: Request,
    la_code: str,
    principal: Annotated[Principal, permission(PlanAction.SIGN_PLAN)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    posted = {
        "role": form.get("return_role", form.get("role", "")),
        "content_hash": form.get("content_hash", ""),
        "reason": form.get("reason", ""),
    }
    data, errors = forms.parse(ReturnPlanInput, posted, MESSAGES)
    done = forms.attempt(
        data,
        errors,
        lambda d: signoff.return_for_changes(session, principal, cycle, la_code, d),
        field="reason",
    )
    if done.done:
        return see_other(
            request, "The development plan was returned to the DCS.", plan_url(cycle, la_code)
        )
    return _show(request, session, principal, cycle, la_code, done.errors, _values(form))
