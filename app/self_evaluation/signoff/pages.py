"""HTML pages for a self-evaluation's sign-off: submit, sign, return with a reason, and track.

The tracker's path (/self-evaluations/tracker) would be taken for an LA code by the drafting
pages' /self-evaluations/{la_code}, so this router is included before theirs.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app import forms
from app.auth.permissions import Action, Scope, can
from app.auth.principal import Principal
from app.auth.roles import SIGNATORY_ROLES, Role
from app.auth.web import CsrfProtected, DbSession, PostedForm, WriteSession, permission
from app.cycles.routes import CYCLE, CurrentCycle, in_cycle
from app.errors import AlreadyDone, Conflict, InvalidInput, NotPermitted
from app.models import Cycle, SefSignOffEvent, SefVersion, SelfEvaluation
from app.self_evaluation.access import SHARED_STATES
from app.self_evaluation.drafting import content, service
from app.self_evaluation.drafting.pages_versions import sef_url
from app.self_evaluation.schemas import MESSAGES, ReturnSefInput, SignSefInput, SubmitInput
from app.self_evaluation.signoff import service as signoff
from app.self_evaluation.signoff.service import statement
from app.signoff.status import OUTSTANDING
from app.web import render, render_form, see_other
from app.workflow import SELF_EVALUATION, allows
from app.workflow.states import SefAction

router = APIRouter(include_in_schema=False)
SEFS = CYCLE + "/self-evaluations"
ONE = SEFS + "/{la_code}"
# Page-level errors (a changed version, a refused step) link to the version panel or the button.
VERSION = "version"
SUBMIT_BUTTON = "submit-for-sign-off"


# --- submit ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChapterReview:
    title: str
    grade: str
    strengths: bool
    areas: bool


def _review(sef: SelfEvaluation, found: SefVersion | None) -> list[ChapterReview]:
    text = service.content_of(sef, found)
    rows = []
    for chapter in service.template_of(sef).chapters:
        sections = text.get(chapter.id, {})
        rows.append(
            ChapterReview(
                chapter.title,
                content.grade_label(sections.get("grade", "")),
                bool(sections.get("strengths", "").strip()),
                bool(sections.get("areas_for_development", "").strip()),
            )
        )
    return rows


def _submit_view(
    request: Request,
    session: Session,
    principal: Principal,
    cycle: Cycle,
    la_code: str,
    errors: forms.FormErrors,
) -> Response:
    sef = service.get_sef(session, principal, cycle, la_code)
    latest = service.latest_version(session, sef)
    missing = (
        content.missing_by_chapter(service.template_of(sef), service.content_of(sef, latest))
        if latest and allows(SELF_EVALUATION, sef.state, SefAction.SUBMIT)
        else []
    )
    status_code = errors.status_code
    if missing:
        # The page lists each gap once, as its own error linking to the chapter that needs it; a
        # refused submission's message (the same gaps joined in one sentence) would repeat them.
        errors = forms.FormErrors()
    return render_form(
        request,
        "sef/submit.html",
        errors,
        {
            **in_cycle(cycle),
            "la": service.local_authority(cycle, la_code),
            "sef": sef,
            "template": service.template_of(sef),
            "latest": latest,
            "chapters": _review(sef, latest),
            "missing": missing,
            "ready": latest is not None
            and allows(SELF_EVALUATION, sef.state, SefAction.SUBMIT)
            and not missing,
        },
        status_code,
    )


def _require_dcs(principal: Principal, cycle: Cycle, la_code: str) -> None:
    if not can(principal, Action.SUBMIT_SEF, Scope(cycle.region_id, la_code), as_role=Role.DCS):
        name = service.local_authority(cycle, la_code).name
        raise NotPermitted(
            f"Only {name}'s Director of Children's Services submits its self-evaluation for "
            "sign-off. Ask your regional coordinator to check your role."
        )


@router.get(ONE + "/submit", response_class=HTMLResponse)
def submit_page(
    request: Request,
    la_code: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.SUBMIT_SEF)],
    cycle: CurrentCycle,
) -> Response:
    _require_dcs(principal, cycle, la_code)
    return _submit_view(request, session, principal, cycle, la_code, forms.FormErrors())


@router.post(ONE + "/submit", response_class=HTMLResponse, dependencies=[CsrfProtected])
def submit(
    request: Request,
    la_code: str,
    principal: Annotated[Principal, permission(Action.SUBMIT_SEF)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    data, errors = forms.parse(
        SubmitInput, {"content_hash": str(form.get("content_hash", ""))}, MESSAGES
    )
    if data is None:
        errors = forms.FormErrors()
        errors.add(SUBMIT_BUTTON, MESSAGES["content_hash"])
    else:
        try:
            version = service.submit(session, principal, cycle, la_code, data)
        except (Conflict, InvalidInput) as exc:
            errors = forms.refusal_on(SUBMIT_BUTTON, exc)
        else:
            return see_other(
                request,
                f"Version {version.number} is submitted for sign-off. The Director of Children's "
                "Services, Lead Member and Chief Executive can now sign it.",
                sef_url(cycle, la_code),
            )
    return _submit_view(request, session, principal, cycle, la_code, errors)


# --- sign and return ------------------------------------------------------------------------


@dataclass(frozen=True)
class SigningRole:
    role: Role
    state: str  # outstanding | signed
    event: SefSignOffEvent | None
    statement: str


def _held_roles(principal: Principal, cycle: Cycle, la_code: str) -> list[Role]:
    """The signatory roles this person holds in the LA."""
    scope = Scope(cycle.region_id, la_code)
    held = [r for r in SIGNATORY_ROLES if can(principal, Action.SIGN_SEF, scope, as_role=r)]
    if not held:
        name = service.local_authority(cycle, la_code).name
        raise NotPermitted(
            f"You cannot sign {name}'s self-evaluation: you are not recorded as its Director of "
            "Children's Services, Lead Member or Chief Executive. Ask your regional coordinator "
            "to check your role."
        )
    return held


def _signing_view(
    request: Request,
    template: str,
    session: Session,
    principal: Principal,
    cycle: Cycle,
    la_code: str,
    values: dict[str, str],
    errors: forms.FormErrors,
) -> Response:
    """The sign page and the return page: the submitted version and this person's roles."""
    held = _held_roles(principal, cycle, la_code)
    sef = service.get_sef(session, principal, cycle, la_code)
    status = signoff.build_status(session, cycle, sef)
    la = service.local_authority(cycle, la_code)
    number = status.submitted.number if status.submitted else 0
    roles = [
        SigningRole(
            s.role, s.state, s.event, statement(principal, la_code, la.name, s.role, number)
        )
        for s in status.signatories
        if s.role in held
    ]
    open_ = allows(SELF_EVALUATION, status.state, SefAction.SIGN) and status.submitted is not None
    return render_form(
        request,
        template,
        errors,
        {
            **in_cycle(cycle),
            "la": la,
            "status": status,
            "submitted_at": sef.submitted_at,
            "open": open_,
            "roles": roles,
            "outstanding": [r for r in roles if r.state == OUTSTANDING] if open_ else [],
            "values": values,
        },
    )


@router.get(ONE + "/sign", response_class=HTMLResponse)
def sign_page(
    request: Request,
    la_code: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.SIGN_SEF)],
    cycle: CurrentCycle,
) -> Response:
    return _signing_view(
        request, "sef/sign.html", session, principal, cycle, la_code, {}, forms.FormErrors()
    )


@router.post(ONE + "/sign", response_class=HTMLResponse, dependencies=[CsrfProtected])
def sign(
    request: Request,
    la_code: str,
    principal: Annotated[Principal, permission(Action.SIGN_SEF)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    values = {"role": str(form.get("role", ""))}
    data, errors = forms.parse(
        SignSefInput,
        {
            **values,
            "content_hash": str(form.get("content_hash", "")),
            "confirm": form.get("confirm") == "yes",
        },
        MESSAGES,
    )
    if data is not None:
        try:
            signoff.sign(session, principal, cycle, la_code, data)
        except AlreadyDone as exc:
            # A double click: the first submit signed; show that outcome and sign nothing more.
            return see_other(request, exc.message, sef_url(cycle, la_code) + "/sign")
        except InvalidInput as exc:
            errors = forms.errors_from(exc, "confirm")
        except Conflict as exc:  # the text changed, or the state no longer allows signing
            errors = forms.refusal_on(VERSION, exc)
        else:
            sef = service.get_sef(session, principal, cycle, la_code)
            name = service.local_authority(cycle, la_code).name
            return see_other(
                request,
                f"You have signed version {sef.submitted_number} of {name}'s self-evaluation "
                f"as {data.role.label}.",
                sef_url(cycle, la_code) + "/sign",
            )
    return _signing_view(
        request, "sef/sign.html", session, principal, cycle, la_code, values, errors
    )


@router.get(ONE + "/return", response_class=HTMLResponse)
def return_page(
    request: Request,
    la_code: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.SIGN_SEF)],
    cycle: CurrentCycle,
) -> Response:
    return _signing_view(
        request,
        "sef/return.html",
        session,
        principal,
        cycle,
        la_code,
        {"reason": ""},
        forms.FormErrors(),
    )


@router.post(ONE + "/return", response_class=HTMLResponse, dependencies=[CsrfProtected])
def return_for_changes(
    request: Request,
    la_code: str,
    principal: Annotated[Principal, permission(Action.SIGN_SEF)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    values = {"role": str(form.get("role", "")), "reason": str(form.get("reason", ""))}
    data, errors = forms.parse(
        ReturnSefInput, {**values, "content_hash": str(form.get("content_hash", ""))}, MESSAGES
    )
    if data is not None:
        try:
            signoff.return_for_changes(session, principal, cycle, la_code, data)
        except InvalidInput as exc:
            errors = forms.errors_from(exc, "reason")
        except Conflict as exc:
            errors = forms.refusal_on(VERSION, exc)
        else:
            return see_other(
                request,
                "You have returned the self-evaluation to the Director of Children's Services. "
                "Your reason is recorded with it, and any signatures on that version no longer "
                "count.",
                sef_url(cycle, la_code),
            )
    return _signing_view(
        request, "sef/return.html", session, principal, cycle, la_code, values, errors
    )


# --- tracker --------------------------------------------------------------------------------


@router.get(SEFS + "/tracker", response_class=HTMLResponse)
def tracker(
    request: Request,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.TRACK_SEF)],
    cycle: CurrentCycle,
) -> Response:
    due_on, rows = signoff.tracker(session, principal, cycle)
    return render(
        request,
        "sef/tracker.html",
        {
            **in_cycle(cycle),
            "due_on": due_on,
            "rows": rows,
            "roles": SIGNATORY_ROLES,
            "role_labels": {r.value: r.label for r in SIGNATORY_ROLES},
            "signed": sum(1 for r in rows if r.state in SHARED_STATES),
            "late": sum(1 for r in rows if r.late),
        },
    )
