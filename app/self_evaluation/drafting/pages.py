"""HTML pages for drafting a self-evaluation: the list, one self-evaluation, a chapter, contributors.

A chapter's form carries the version its writer opened. When someone else has saved the same
chapter since, the save is refused and the page shows both texts: the writer's own, still in the
form so nothing is lost, beside the newer saved text, with the form now based on the newer version
so a second save (after combining the two) goes through.
"""

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app import forms
from app.auth.permissions import Action, Scope, can, require
from app.auth.principal import Principal
from app.auth.roles import Role
from app.auth.web import CsrfProtected, DbSession, PostedForm, WriteSession, permission
from app.cycles import service as cycles
from app.cycles.routes import CurrentCycle, in_cycle
from app.errors import DomainError, NotPermitted, StaleVersion
from app.identifiers import Identifier
from app.models import Cycle, SefVersion, SelfEvaluation
from app.reference.sef import TEXT_SECTIONS, OfstedGrade, SefChapter
from app.self_evaluation import access, contributors, profile
from app.self_evaluation.documents.pages import documents_context
from app.self_evaluation.drafting import carry, service
from app.self_evaluation.drafting.pages_versions import (
    ONE,
    SEF,
    common,
    readable,
    readable_all,
    sef_url,
)
from app.self_evaluation.schemas import MESSAGES, AssignInput, ChapterInput
from app.self_evaluation.scrutiny import service as scrutiny
from app.self_evaluation.signoff import service as signoff
from app.web import flash, render, render_form, see_other
from app.workflow import SELF_EVALUATION, allows
from app.workflow.states import SefAction, SefState, SignatoryState

router = APIRouter(include_in_schema=False)
CHAPTER_FIELDS = ("base_version", "grade", *(name for name, _ in TEXT_SECTIONS))


@router.get(SEF, response_class=HTMLResponse)
def index(
    request: Request,
    region_id: str,
    year: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_SEF)],
    cycle: CurrentCycle,
) -> Response:
    rows = [
        {
            "sef": sef,
            "la": service.local_authority(cycle, sef.la_code),
            "latest": service.latest_version(session, sef),
        }
        for sef in service.readable_sefs(session, principal, cycle)
    ]
    return render(
        request,
        "sef/index.html",
        {
            **in_cycle(cycle),
            "rows": rows,
            "is_coordinator": access.is_coordinator(principal, region_id),
            "index": f"/regions/{region_id}/cycles/{year}/self-evaluations",
        },
    )


def _editable(sef: SelfEvaluation) -> bool:
    return allows(SELF_EVALUATION, sef.state, SefAction.EDIT)


def _can_sign(
    principal: Principal, cycle: Cycle, sef: SelfEvaluation, status: signoff.SignOffStatus
) -> bool:
    """A signatory of this LA whose signature is still outstanding on the submitted version."""
    scope = Scope(cycle.region_id, sef.la_code)
    return allows(SELF_EVALUATION, sef.state, SefAction.SIGN) and any(
        can(principal, Action.SIGN_SEF, scope, as_role=s.role)
        for s in status.signatories
        if s.state == SignatoryState.OUTSTANDING
    )


@router.get(ONE, response_class=HTMLResponse)
def show(
    request: Request,
    region_id: str,
    la_code: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_SEF)],
    cycle: CurrentCycle,
) -> Response:
    sef = service.get_sef(session, principal, cycle, la_code)
    template = service.template_of(sef)
    latest = service.latest_version(session, sef)
    status = signoff.readable_status(session, principal, cycle, sef)
    threads = scrutiny.visible_threads(session, principal, cycle, sef)
    assigned: dict[str, list[contributors.Contributor]] = {}
    for person in contributors.current(session, sef):
        assigned.setdefault(person.chapter_id, []).append(person)
    shared = sef.state in access.SHARED_STATES
    is_dcs = access.is_dcs_of(principal, la_code)
    # Offered only on a blank draft, and only where a readable signed earlier one exists.
    can_start = (
        is_dcs
        and latest is None
        and _editable(sef)
        and carry.previous_signed(session, principal, cycle, la_code) is not None
    )
    return render(
        request,
        "sef/show.html",
        {
            **common(cycle, sef),
            "latest": latest,
            "chapters": readable_all(sef, service.content_of(sef, latest)),
            "assigned": assigned,
            "writable": {
                c.id
                for c in template.chapters
                if _editable(sef) and access.can_write_chapter(session, principal, sef, c.id)
            },
            "status": status,
            "carried": {
                c: carry.year_label(y) for c, y in carry.carried_chapters(session, sef).items()
            },
            "can_start": can_start,
            "can_set_due": access.is_coordinator(principal, region_id)
            and can(principal, Action.EDIT_CALENDAR, Scope(region_id)),
            "profile": profile.sef_data_profile(session, principal, region_id, la_code, template),
            "threads": threads if shared else None,
            "unanswered": sum(1 for t in threads or () if t.response is None),
            "can_assign": is_dcs,
            "can_submit": is_dcs and allows(SELF_EVALUATION, sef.state, SefAction.SUBMIT),
            "can_sign": _can_sign(principal, cycle, sef, status),
            "can_scrutiny": shared and threads is not None,
            "can_download": shared,
            "is_coordinator": access.is_coordinator(principal, region_id),
            # Earlier versions and returns' reasons: the LA and its coordinator, not scrutineers.
            "can_read_history": access.can_read_history(principal, cycle, sef),
            "role_labels": {role.value: role.label for role in Role},
            **documents_context(session, principal, cycle, sef),
        },
    )


def _chapter_view(
    request: Request,
    session: DbSession,
    principal: Principal,
    cycle: Cycle,
    sef: SelfEvaluation,
    chapter: SefChapter,
    values: dict[str, str],
    errors: forms.FormErrors,
    newer: dict[str, object] | None = None,
) -> Response:
    template = service.template_of(sef)
    return render_form(
        request,
        "sef/chapter.html",
        errors,
        {
            **common(cycle, sef),
            "chapter": chapter,
            "values": values,
            "grades": list(OfstedGrade),
            "graded": template.graded(chapter.id),
            "carried_from": carry.year_label(y)
            if (y := carry.carried_chapters(session, sef).get(chapter.id))
            else None,
            "text_sections": TEXT_SECTIONS,
            "newer": newer,
            "profile": profile.sef_data_profile(
                session, principal, cycle.region_id, sef.la_code, template
            ),
        },
    )


def _values_of(sef: SelfEvaluation, latest: SefVersion | None, chapter_id: str) -> dict[str, str]:
    text = service.content_of(sef, latest)[chapter_id]
    return {**text, "base_version": str(latest.number) if latest else ""}


@router.get(ONE + "/chapters/{chapter_id}", response_class=HTMLResponse)
def chapter_page(
    request: Request,
    la_code: str,
    chapter_id: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.EDIT_SEF)],
    cycle: CurrentCycle,
) -> Response:
    sef = service.get_sef(session, principal, cycle, la_code)
    chapter = service.chapter_of(sef, chapter_id)
    service.require_writer(session, principal, sef, chapter)
    values = _values_of(sef, service.latest_version(session, sef), chapter.id)
    return _chapter_view(
        request, session, principal, cycle, sef, chapter, values, forms.FormErrors()
    )


@router.post(
    ONE + "/chapters/{chapter_id}", response_class=HTMLResponse, dependencies=[CsrfProtected]
)
def chapter_save(
    request: Request,
    la_code: str,
    chapter_id: str,
    principal: Annotated[Principal, permission(Action.EDIT_SEF)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    sef = service.get_sef(session, principal, cycle, la_code)
    chapter = service.chapter_of(sef, chapter_id)
    values = {name: str(form.get(name, "")) for name in CHAPTER_FIELDS}
    data, errors = forms.parse(ChapterInput, values, MESSAGES)
    newer = None
    if data is not None:
        before = service.latest_version(session, sef)
        was_awaiting = sef.state == SefState.AWAITING_SIGN_OFF
        try:
            saved = service.save_chapter(session, principal, cycle, la_code, chapter.id, data)
        except StaleVersion as exc:
            errors = forms.errors_from(exc, "narrative")
            latest = service.latest_version(session, sef)
            if latest is not None:
                newer = {
                    # Who last changed this chapter, not whoever saved another chapter since.
                    "version": service.last_change(session, sef, chapter.id) or latest,
                    "text": readable(
                        service.content_of(sef, latest)[chapter.id],
                        graded=service.template_of(sef).graded(chapter.id),
                    ),
                }
                # The form now starts from the newer version, so a second save goes through.
                values["base_version"] = str(latest.number)
        except NotPermitted:
            raise
        except DomainError as exc:
            errors = forms.errors_from(exc, "narrative")
        else:
            if before is not None and saved.id == before.id:
                message = f"Nothing in '{chapter.title}' had changed, so no new version was made."
            else:
                message = f"'{chapter.title}' saved as version {saved.number}."
                if was_awaiting:
                    message += (
                        " The signatures gathered so far no longer count: the self-evaluation is "
                        "back in drafting and needs submitting for sign-off again."
                    )
            return see_other(request, message, sef_url(cycle, la_code) + "#chapter-" + chapter.id)
    return _chapter_view(
        request, session, principal, cycle, sef, chapter, values, errors, newer=newer
    )


def _contributors_view(
    request: Request,
    session: DbSession,
    cycle: Cycle,
    sef: SelfEvaluation,
    values: dict[str, str] | None = None,
    errors: forms.FormErrors | None = None,
) -> Response:
    assigned: dict[str, list[contributors.Contributor]] = {}
    for person in contributors.current(session, sef):
        assigned.setdefault(person.chapter_id, []).append(person)
    return render_form(
        request,
        "sef/contributors.html",
        errors or forms.FormErrors(),
        {
            **common(cycle, sef),
            "assigned": assigned,
            "people": contributors.eligible(session, sef.la_code),
            "values": values or {"chapter_id": "", "user_id": ""},
        },
    )


def _dcs_sef(
    session: DbSession, principal: Principal, cycle: Cycle, la_code: str
) -> tuple[Cycle, SelfEvaluation]:
    require(
        principal, Action.ASSIGN_SEF_CHAPTERS, Scope(cycle.region_id, la_code), as_role=Role.DCS
    )
    return cycle, service.get_sef(session, principal, cycle, la_code)


@router.get(ONE + "/contributors", response_class=HTMLResponse)
def contributors_page(
    request: Request,
    la_code: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.ASSIGN_SEF_CHAPTERS)],
    cycle: CurrentCycle,
) -> Response:
    cycle, sef = _dcs_sef(session, principal, cycle, la_code)
    return _contributors_view(request, session, cycle, sef)


@router.post(ONE + "/contributors", response_class=HTMLResponse, dependencies=[CsrfProtected])
def assign(
    request: Request,
    la_code: str,
    principal: Annotated[Principal, permission(Action.ASSIGN_SEF_CHAPTERS)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    cycle, sef = _dcs_sef(session, principal, cycle, la_code)
    values = {name: str(form.get(name, "")) for name in ("chapter_id", "user_id")}
    data, errors = forms.parse(AssignInput, values, MESSAGES)
    assigned = forms.attempt(
        data,
        errors,
        lambda d: contributors.assign(session, principal, cycle, la_code, d),
        field="user_id",
    )
    if (person := assigned.result) is not None:
        title = service.chapter_of(sef, person.chapter_id).title
        return see_other(
            request,
            f"{person.name} can now draft '{title}'.",
            sef_url(cycle, la_code) + "/contributors",
        )
    return _contributors_view(request, session, cycle, sef, values, assigned.errors)


@router.post(
    ONE + "/contributors/{contributor_id}/remove",
    response_class=HTMLResponse,
    dependencies=[CsrfProtected],
)
def unassign(
    request: Request,
    region_id: str,
    year: str,
    la_code: str,
    contributor_id: Identifier,
    principal: Annotated[Principal, permission(Action.ASSIGN_SEF_CHAPTERS)],
    session: WriteSession,
) -> Response:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    cycle, sef = _dcs_sef(session, principal, cycle, la_code)
    found = next((c for c in contributors.current(session, sef) if c.id == contributor_id), None)
    contributors.unassign(session, principal, cycle, la_code, contributor_id)
    if found is not None:
        title = service.chapter_of(sef, found.chapter_id).title
        flash(request, f"{found.name} no longer drafts '{title}'. What they wrote is kept.")
    return RedirectResponse(sef_url(cycle, la_code) + "/contributors", status_code=303)
