"""HTML forms for peer challenge of a plan: a triad partner's comment (or challenge) on one
priority, and the LA's DCS's one answer to a challenge. Both shown on the plan page."""

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app import forms
from app.auth.principal import Principal
from app.auth.web import CsrfProtected, PostedForm, WriteSession, permission
from app.cycles import service as cycles
from app.cycles.routes import in_cycle
from app.errors import AlreadyDone
from app.identifiers import Identifier
from app.models import Cycle
from app.plans import comments
from app.plans.actions import PlanAction
from app.plans.pages import ONE, plan_url, show_context
from app.plans.schemas import MESSAGES, PlanCommentInput, PlanResponseInput
from app.web import render_form, see_other

router = APIRouter(include_in_schema=False)


def _again(
    request: Request,
    session: Session,
    principal: Principal,
    cycle: Cycle,
    la_code: str,
    errors: forms.FormErrors,
    values: dict[str, str],
    error_at: str,
) -> Response:
    context = show_context(session, principal, cycle, la_code)
    return render_form(
        request,
        "plans/show.html",
        errors,
        {**in_cycle(cycle), **context, "values": values, "error_at": error_at},
    )


@router.post(
    ONE + "/priorities/{position}/comments",
    response_class=HTMLResponse,
    dependencies=[CsrfProtected],
)
def plan_comment(
    request: Request,
    region_id: str,
    year: str,
    la_code: str,
    position: Identifier,
    principal: Annotated[Principal, permission(PlanAction.COMMENT_PLAN)],
    session: WriteSession,
    form: PostedForm,
) -> Response:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    posted = {"text": form.get("text", ""), "is_challenge": form.get("is_challenge") == "yes"}
    data, errors = forms.parse(PlanCommentInput, posted, MESSAGES)
    done = forms.attempt(
        data,
        errors,
        lambda d: comments.comment(session, principal, cycle, la_code, position, d),
        field="text",
    )
    if done.done:
        said = "Challenge sent." if posted["is_challenge"] else "Comment added."
        return see_other(request, said, plan_url(cycle, la_code) + f"#priority-{position}")
    values = {"text": str(posted["text"]), "is_challenge": "yes" if posted["is_challenge"] else ""}
    return _again(request, session, principal, cycle, la_code, done.errors, values, f"p{position}")


@router.post(
    ONE + "/comments/{comment_id}/response",
    response_class=HTMLResponse,
    dependencies=[CsrfProtected],
)
def plan_response(
    request: Request,
    region_id: str,
    year: str,
    la_code: str,
    comment_id: Identifier,
    principal: Annotated[Principal, permission(PlanAction.RESPOND_PLAN)],
    session: WriteSession,
    form: PostedForm,
) -> Response:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    data, errors = forms.parse(PlanResponseInput, {"text": form.get("text", "")}, MESSAGES)
    done = forms.attempt(
        data,
        errors,
        lambda d: comments.respond(session, principal, cycle, la_code, comment_id, d),
        field="text",
    )
    if done.done:
        return see_other(request, "Answer sent.", plan_url(cycle, la_code))
    if isinstance(done.refusal, AlreadyDone):
        return see_other(request, done.refusal.message, plan_url(cycle, la_code))
    values = {"text": str(form.get("text", ""))}
    return _again(
        request, session, principal, cycle, la_code, done.errors, values, f"c{comment_id}"
    )
