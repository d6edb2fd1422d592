"""HTML pages for peer scrutiny of a signed self-evaluation: comments, responses, closing."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app import forms
from app.auth.permissions import Action, Scope, can
from app.auth.principal import Principal
from app.auth.roles import Role
from app.auth.web import CsrfProtected, DbSession, PostedForm, WriteSession, permission
from app.cycles import service as cycles
from app.cycles.routes import CYCLE, CurrentCycle, in_cycle
from app.errors import AlreadyDone, Conflict, InvalidInput, NotPermitted
from app.identifiers import Identifier
from app.models import Cycle
from app.reference.models import Scrutiny
from app.reference.sef import OfstedGrade, SefChapter
from app.self_evaluation import access
from app.self_evaluation.drafting import content, service
from app.self_evaluation.drafting.pages_versions import readable_all, sef_url
from app.self_evaluation.schemas import MESSAGES, CommentInput, ResponseInput
from app.self_evaluation.scrutiny import service as scrutiny
from app.web import render_form, see_other
from app.workflow import SELF_EVALUATION, allows
from app.workflow.states import SefAction, SefState

router = APIRouter(include_in_schema=False)
SCRUTINY = CYCLE + "/self-evaluations/{la_code}/scrutiny"
RESPONSE_MESSAGES = {**MESSAGES, "body": "Enter your response, in under 5,000 characters"}
# Where an error about the page as a whole (scrutiny closed, not yet signed) is linked to.
STATE = "scrutiny-state"


@dataclass(frozen=True)
class ChapterThreads:
    chapter: SefChapter
    grade: str
    threads: list[scrutiny.Thread]
    # Whether the chapter carries a grade, and so whether a different view of it may be offered.
    graded: bool


def _placed(errors: forms.FormErrors, ids: dict[str, str]) -> forms.FormErrors:
    """Each schema field's error, against the id of that field in this chapter's or comment's form."""
    placed = forms.FormErrors(refused_with=errors.refused_with)
    for name, message in errors.by_field.items():
        placed.add(ids.get(name, STATE), message)
    return placed


def _view(
    request: Request,
    session: Session,
    principal: Principal,
    cycle: Cycle,
    la_code: str,
    values: dict[str, str],
    errors: forms.FormErrors,
) -> Response:
    sef = service.get_sef(session, principal, cycle, la_code)
    found = scrutiny.visible_threads(session, principal, cycle, sef)
    if found is None:
        raise NotPermitted(scrutiny.WITHHELD)
    shown = service.submitted_version(session, sef) or service.latest_version(session, sef)
    text = service.content_of(sef, shown)
    template = service.template_of(sef)
    chapters = [
        ChapterThreads(
            chapter,
            content.grade_label(text.get(chapter.id, {}).get("grade", "")),
            [t for t in found if t.comment.chapter_id == chapter.id],
            template.graded(chapter.id),
        )
        for chapter in template.chapters
    ]
    region = cycles.region_or_404(cycle.region_id)
    names = {la.code: la.name for la in region.local_authorities}
    peers = sorted(names[c] for c in access.scrutineer_organisations(session, cycle, la_code))
    is_open = allows(SELF_EVALUATION, sef.state, SefAction.COMMENT)
    if not is_open:  # no form is on the page: say why against the page's state
        errors = _placed(errors, {})
    scope = Scope(cycle.region_id, la_code)
    return render_form(
        request,
        "sef/scrutiny.html",
        errors,
        {
            **in_cycle(cycle),
            "la": service.local_authority(cycle, la_code),
            "sef": sef,
            "version": shown,
            "moderation": region.scrutiny is Scrutiny.MODERATION,
            "peers": peers,
            "chapters": chapters,
            # The signed text beside each chapter's comments, so a comment answers what was signed.
            "texts": readable_all(sef, text),
            "can_comment": is_open and access.is_scrutineer(session, principal, cycle, la_code),
            "can_respond": is_open and can(principal, Action.RESPOND_SEF, scope, as_role=Role.DCS),
            "can_close": is_open and can(principal, Action.CLOSE_SEF_SCRUTINY, scope),
            "grades": list(OfstedGrade),
            "grade_label": content.grade_label,
            "values": values,
        },
    )


@router.get(SCRUTINY, response_class=HTMLResponse)
def scrutiny_page(
    request: Request,
    la_code: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_SEF)],
    cycle: CurrentCycle,
) -> Response:
    return _view(request, session, principal, cycle, la_code, {}, forms.FormErrors())


@router.post(SCRUTINY + "/comments", response_class=HTMLResponse, dependencies=[CsrfProtected])
def add_comment(
    request: Request,
    la_code: str,
    principal: Annotated[Principal, permission(Action.COMMENT_SEF)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    values = {name: str(form.get(name, "")) for name in ("chapter_id", "body", "challenged_grade")}
    data, errors = forms.parse(CommentInput, values, MESSAGES)
    added = forms.attempt(
        data,
        errors,
        lambda d: scrutiny.comment(session, principal, cycle, la_code, d),
        field="body",
        refused=(Conflict, InvalidInput),
    )
    sef = service.get_sef(session, principal, cycle, la_code)
    if (comment := added.result) is not None:
        title = service.chapter_of(sef, comment.chapter_id).title
        return see_other(
            request,
            f"Your comment on '{title}' is added. The authority can now respond.",
            sef_url(cycle, la_code) + "/scrutiny",
        )
    chapter = values["chapter_id"]
    known = {c.id for c in service.template_of(sef).chapters}
    # A chapter the template lacks has no form on the page: its errors go to the page's state.
    ids = (
        {"body": f"comment-{chapter}", "challenged_grade": f"challenge-{chapter}"}
        if chapter in known
        else {}
    )
    errors = _placed(added.errors, ids)
    return _view(request, session, principal, cycle, la_code, values, errors)


@router.post(
    SCRUTINY + "/comments/{comment_id}/response",
    response_class=HTMLResponse,
    dependencies=[CsrfProtected],
)
def respond(
    request: Request,
    region_id: str,
    year: str,
    la_code: str,
    comment_id: Identifier,
    principal: Annotated[Principal, permission(Action.RESPOND_SEF)],
    session: WriteSession,
    form: PostedForm,
) -> Response:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    values = {"comment_id": str(comment_id), "body": str(form.get("body", ""))}
    data, errors = forms.parse(ResponseInput, {"body": values["body"]}, RESPONSE_MESSAGES)
    responded = forms.attempt(
        data,
        errors,
        lambda d: scrutiny.respond(session, principal, cycle, la_code, comment_id, d),
        field="body",
        refused=(Conflict, InvalidInput),
    )
    page = sef_url(cycle, la_code) + "/scrutiny"
    if isinstance(responded.refusal, AlreadyDone):
        # A double click, or a second tab: the first response stands; nothing is added.
        return see_other(request, responded.refusal.message, page)
    if responded.done:
        return see_other(request, "Your response is recorded beside the comment.", page)
    errors = _placed(responded.errors, {"body": f"response-{comment_id}"})
    return _view(request, session, principal, cycle, la_code, values, errors)


@router.post(SCRUTINY + "/close", response_class=HTMLResponse, dependencies=[CsrfProtected])
def close(
    request: Request,
    region_id: str,
    year: str,
    la_code: str,
    principal: Annotated[Principal, permission(Action.CLOSE_SEF_SCRUTINY)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    name = service.local_authority(cycle, la_code).name
    back = (
        f"/regions/{region_id}/cycles/{year}/self-evaluations/tracker"
        if form.get("next") == "tracker"
        else sef_url(cycle, la_code) + "/scrutiny"
    )
    try:
        scrutiny.close(session, principal, cycle, la_code)
    except Conflict:
        if service.get_sef(session, principal, cycle, la_code).state != SefState.SCRUTINY_CLOSED:
            raise
        # A double click: the first press closed it.
        return see_other(request, f"Scrutiny of {name}'s self-evaluation was already closed.", back)
    return see_other(
        request,
        f"Scrutiny of {name}'s self-evaluation is closed. Its comments and responses are kept "
        "with it.",
        back,
    )
