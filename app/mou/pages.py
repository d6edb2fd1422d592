"""HTML pages for the MoU: read, sign, decline, track, remind, download (drafting: pages_drafting)."""

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
from app.cycles.routes import CYCLE, CurrentCycle, CurrentRegion, in_cycle
from app.errors import AlreadyDone, DomainError
from app.identifiers import Identifier
from app.models import Cycle
from app.mou import pack, review, service, terms
from app.mou.reminders import send_reminders
from app.mou.schemas import MESSAGES, DeclineInput, SignInput
from app.mou.status import signing_options
from app.signoff.events import Decision
from app.web import as_download, render, render_form, see_other

router = APIRouter(include_in_schema=False)
MOU = CYCLE + "/mou"


def base_path(region_id: str, year: str) -> str:
    return f"/regions/{region_id}/cycles/{year}/mou"


@router.get(MOU, response_class=HTMLResponse)
def mou_page(
    request: Request,
    region_id: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_MOU)],
    cycle: CurrentCycle,
) -> Response:
    status = service.status(session, principal, cycle)
    scope = Scope(region_id)
    return render(
        request,
        "mou/show.html",
        {
            **in_cycle(cycle),
            "status": status,
            "blocks": service.blocks_of(status.current) if status.current else (),
            "draft": service.draft_of(session, cycle)
            if can(principal, Action.EDIT_MOU, scope)
            else None,
            "versions": service.versions(session, cycle),
            "can_edit": can(principal, Action.EDIT_MOU, scope),
            "signing_options": signing_options(principal, status),
            "terms_warning": terms.warning_for(principal, status),
            "review": review.review_state(session, cycle),
            "can_review": can(principal, Action.REVIEW_MOU, scope),
        },
    )


@router.get(MOU + "/versions/{number}", response_class=HTMLResponse)
def version_page(
    request: Request,
    region_id: str,
    year: str,
    number: Identifier,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_MOU)],
) -> Response:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    version = service.readable_version(session, principal, cycle, number)
    return render(
        request,
        "mou/version.html",
        {
            **in_cycle(cycle),
            "version": version,
            "blocks": service.blocks_of(version),
            "signatures": service.signature_events(session, version),
        },
    )


@router.get(MOU + "/sign", response_class=HTMLResponse)
def sign_page(
    request: Request,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.SIGN_MOU)],
    cycle: CurrentCycle,
) -> Response:
    return _sign_view(request, session, principal, cycle, forms.FormErrors())


def _sign_view(
    request: Request, session: Session, principal: Principal, cycle: Cycle, errors: forms.FormErrors
) -> Response:
    status = service.status(session, principal, cycle)
    return render_form(
        request,
        "mou/sign.html",
        errors,
        {
            **in_cycle(cycle),
            "status": status,
            "blocks": service.blocks_of(status.current) if status.current else (),
            "options": signing_options(principal, status),
        },
    )


def _on_signing_as(errors: forms.FormErrors) -> forms.FormErrors:
    """The page asks 'who are you signing for' in one field; the schema has two. (The sign and
    decline pages answer every refusal 422, whatever the service's own status.)"""
    moved = forms.FormErrors()
    if "organisation_code" in errors.by_field or "role" in errors.by_field:
        moved.add("signing_as", MESSAGES["organisation_code"])
    for name, message in errors.by_field.items():
        if name not in ("organisation_code", "role"):
            moved.add(name, message)
    return moved


@router.post(MOU + "/sign", response_class=HTMLResponse, dependencies=[CsrfProtected])
def sign(
    request: Request,
    region_id: str,
    year: str,
    principal: Annotated[Principal, permission(Action.SIGN_MOU)],
    cycle: CurrentCycle,
    region: CurrentRegion,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    option = str(form.get("signing_as", ""))
    org_code, _, role = option.partition("|")
    values = {
        "organisation_code": org_code,
        "role": role,
        "content_hash": str(form.get("content_hash", "")),
        "confirm": form.get("confirm") == "yes",
    }
    data, errors = forms.parse(SignInput, values, MESSAGES)
    if data is not None:
        try:
            service.sign(session, principal, cycle, data)
        except AlreadyDone:
            # A double click: the first submit signed; show the same outcome, sign nothing more.
            return see_other(
                request,
                "You had already signed this version of the Memorandum.",
                base_path(region_id, year) + "/sign",
            )
        except DomainError as exc:
            errors = forms.errors_from(exc, "confirm")
        else:
            organisation = region.organisation(data.organisation_code)
            return see_other(
                request,
                f"You have signed the Memorandum for {organisation.name} as {data.role.label}.",
                base_path(region_id, year) + "/sign",
            )
    return _sign_view(request, session, principal, cycle, _on_signing_as(errors))


@router.get(MOU + "/decline", response_class=HTMLResponse)
def decline_page(
    request: Request,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.SIGN_MOU)],
    cycle: CurrentCycle,
    organisation: str = "",
    role: str = "",
) -> Response:
    values = {"signing_as": f"{organisation}|{role}", "reason": ""}
    return _decline_view(request, session, principal, cycle, values, forms.FormErrors())


def _decline_view(
    request: Request,
    session: Session,
    principal: Principal,
    cycle: Cycle,
    values: dict[str, str],
    errors: forms.FormErrors,
) -> Response:
    status = service.status(session, principal, cycle)
    return render_form(
        request,
        "mou/decline.html",
        errors,
        {
            **in_cycle(cycle),
            "status": status,
            "options": [
                o for o in signing_options(principal, status) if o.state.state != Decision.SIGNED
            ],
            "values": values,
        },
    )


@router.post(MOU + "/decline", response_class=HTMLResponse, dependencies=[CsrfProtected])
def decline(
    request: Request,
    region_id: str,
    year: str,
    principal: Annotated[Principal, permission(Action.SIGN_MOU)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    values = {"signing_as": str(form.get("signing_as", "")), "reason": str(form.get("reason", ""))}
    org_code, _, role = values["signing_as"].partition("|")
    data, errors = forms.parse(
        DeclineInput,
        {
            "organisation_code": org_code,
            "role": role,
            "content_hash": str(form.get("content_hash", "")),
            "reason": values["reason"],
        },
        MESSAGES,
    )
    declined = forms.attempt(
        data, errors, lambda d: service.decline(session, principal, cycle, d), field="reason"
    )
    if declined.done:
        return see_other(
            request,
            "You have declined to sign. Your reason has been recorded and the coordinator can see it.",
            base_path(region_id, year) + "/sign",
        )
    errors = _on_signing_as(declined.errors)
    return _decline_view(request, session, principal, cycle, values, errors)


@router.get(MOU + "/tracker", response_class=HTMLResponse)
def tracker(
    request: Request,
    region_id: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_MOU)],
    cycle: CurrentCycle,
) -> Response:
    status = service.status(session, principal, cycle)
    return render(
        request,
        "mou/tracker.html",
        {
            **in_cycle(cycle),
            "status": status,
            "roles": [Role.DCS, Role.LEAD_MEMBER, Role.CHIEF_EXECUTIVE],
            "can_remind": can(principal, Action.SEND_MOU_REMINDERS, Scope(region_id)),
            "terms_warning": terms.warning_for(principal, status),
            "review": review.review_state(session, cycle),
            "can_review": can(principal, Action.REVIEW_MOU, Scope(region_id)),
        },
    )


@router.post(MOU + "/reminders", response_class=HTMLResponse, dependencies=[CsrfProtected])
def reminders(
    request: Request,
    region_id: str,
    year: str,
    principal: Annotated[Principal, permission(Action.SEND_MOU_REMINDERS)],
    cycle: CurrentCycle,
    session: WriteSession,
) -> Response:
    sent = send_reminders(session, principal, cycle)
    return see_other(
        request,
        f"Reminders queued for {sent} {'person' if sent == 1 else 'people'} with a signature outstanding.",
        base_path(region_id, year) + "/tracker",
    )


@router.get(MOU + "/pack.pdf")
def pack_pdf(
    region_id: str,
    year: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.DOWNLOAD_MOU_PACK)],
    cycle: CurrentCycle,
) -> Response:
    return as_download(pack.pdf_for(session, principal, cycle), f"mou-{region_id}-{year}.pdf")
