"""The page for the leads' yearly review of the MoU: "reviewed, no change", or revise it."""

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app import forms
from app.auth.permissions import Action, Scope, can
from app.auth.principal import Principal
from app.auth.web import CsrfProtected, DbSession, PostedForm, WriteSession, permission
from app.cycles.routes import CurrentCycle, in_cycle
from app.errors import AlreadyDone
from app.models import Cycle
from app.mou import review, service
from app.mou.pages import MOU, base_path
from app.mou.schemas import MESSAGES, ReviewInput
from app.web import render_form, see_other

router = APIRouter(include_in_schema=False)


def _view(
    request: Request,
    session: Session,
    principal: Principal,
    cycle: Cycle,
    errors: forms.FormErrors,
) -> Response:
    status = service.status(session, principal, cycle)
    return render_form(
        request,
        "mou/review.html",
        errors,
        {
            **in_cycle(cycle),
            "status": status,
            "review": review.review_state(session, cycle),
            "can_review": can(principal, Action.REVIEW_MOU, Scope(cycle.region_id)),
            # The leads record the review; revising the text is the coordinator's.
            "can_revise": can(principal, Action.EDIT_MOU, Scope(cycle.region_id)),
        },
    )


@router.get(MOU + "/review", response_class=HTMLResponse)
def review_page(
    request: Request,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.REVIEW_MOU)],
    cycle: CurrentCycle,
) -> Response:
    return _view(request, session, principal, cycle, forms.FormErrors())


@router.post(MOU + "/review", response_class=HTMLResponse, dependencies=[CsrfProtected])
def record_review(
    request: Request,
    region_id: str,
    year: str,
    principal: Annotated[Principal, permission(Action.REVIEW_MOU)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    values = {
        "content_hash": str(form.get("content_hash", "")),
        "confirm": form.get("confirm") == "yes",
    }
    data, errors = forms.parse(ReviewInput, values, MESSAGES)
    recorded = forms.attempt(
        data,
        errors,
        lambda d: review.record_no_change(session, principal, cycle, d),
        field="confirm",
    )
    tracker = base_path(region_id, year) + "/tracker"
    if isinstance(recorded.refusal, AlreadyDone):  # a double click: the first one recorded it
        return see_other(request, recorded.refusal.message, tracker)
    if recorded.done:
        return see_other(
            request, f"Review recorded: no change. Nobody needs to sign again for {year}.", tracker
        )
    return _view(request, session, principal, cycle, recorded.errors)
