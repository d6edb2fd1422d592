"""HTML pages for a cycle's triads: everyone in the region sees them; the coordinator forms them."""

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app import forms
from app.auth.permissions import Action, Scope, can
from app.auth.principal import Principal
from app.auth.web import CsrfProtected, DbSession, PostedForm, WriteSession, permission
from app.cycles import service as cycles
from app.cycles.routes import CYCLE, CurrentCycle, CurrentRegion
from app.models import Cycle
from app.self_evaluation.schemas import MESSAGES, TriadsInput
from app.triads import service
from app.triads.proposal import Proposal, group_notes, summary
from app.web import render, see_other

router = APIRouter(include_in_schema=False)
TRIADS = CYCLE + "/triads"
# Each LA's select is named "la-<code>"; its value is the triad number.
PREFIX = "la-"


def _values(groups: list[list[str]]) -> dict[str, str]:
    return {
        PREFIX + code: str(number) for number, group in enumerate(groups, start=1) for code in group
    }


def explained(proposal: Proposal, names: dict[str, str]) -> list[tuple[str, list[str]]]:
    """Each proposed group's authorities by name, with what it could not avoid."""
    return [
        (", ".join(names[code] for code in group.codes), group_notes(proposal, group, names))
        for group in proposal.groups
    ]


def _view(
    request: Request,
    session: DbSession,
    principal: Principal,
    cycle: Cycle,
    values: dict[str, str] | None = None,
    errors: forms.FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    region = cycles.region_or_404(cycle.region_id)
    formed = service.triads(session, cycle)
    names = {la.code: la.name for la in region.local_authorities}
    fixed = service.is_fixed(session, cycle)
    proposal = None if formed else service.proposal(session, cycle)
    if values is None:
        values = _values(formed or (proposal.codes() if proposal else []))
    return render(
        request,
        "triads/show.html",
        {
            "region": region,
            "cycle": cycle,
            "triads": [[names[code] for code in group] for group in formed],
            "las": sorted(region.local_authorities, key=lambda la: la.name),
            "numbers": list(range(1, len(region.local_authorities) // 2 + 1)),
            "is_coordinator": can(principal, Action.FORM_TRIADS, Scope(region.id)),
            "fixed": fixed,
            "proposed": not formed,
            # What the proposal could not avoid, group by group (issue 12).
            "explained": explained(proposal, names) if proposal else [],
            "proposal_summary": summary(proposal) if proposal else "",
            "values": values,
            "errors": errors or forms.FormErrors(),
        },
        status_code=status_code,
    )


@router.get(TRIADS, response_class=HTMLResponse)
def triads_page(
    request: Request,
    region_id: str,
    year: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_CYCLE)],
    cycle: CurrentCycle,
) -> Response:
    return _view(request, session, principal, cycle)


def _groups_from(
    form: dict[str, list[str]], names: dict[str, str], errors: forms.FormErrors
) -> dict[str, int]:
    """LA code -> triad number; a field sent twice or not a whole number is an error on it."""
    groups: dict[str, int] = {}
    for field, sent in form.items():
        if not field.startswith(PREFIX):
            continue
        code = field.removeprefix(PREFIX)
        name = names.get(code, code)
        if len(sent) > 1:
            errors.add(field, f"{name} is listed twice: choose one triad for it")
        elif not sent[0].strip().isdecimal():
            errors.add(field, f"Choose a triad for {name}")
        else:
            groups[code] = int(sent[0])
    return groups


@router.post(TRIADS, response_class=HTMLResponse, dependencies=[CsrfProtected])
def triads_save(
    request: Request,
    region_id: str,
    year: str,
    principal: Annotated[Principal, permission(Action.FORM_TRIADS)],
    cycle: CurrentCycle,
    region: CurrentRegion,
    session: WriteSession,
    raw: PostedForm,
) -> Response:
    form = {key: [str(v) for v in raw.getlist(key)] for key in raw}
    values = {key: sent[-1] for key, sent in form.items() if key.startswith(PREFIX)}
    errors = forms.FormErrors()
    groups = _groups_from(form, {la.code: la.name for la in region.local_authorities}, errors)
    status_code = 422
    if not errors:
        data, errors = forms.parse(TriadsInput, {"groups": groups}, MESSAGES)
        formed = forms.attempt(
            data,
            errors,
            lambda d: service.form_triads(session, principal, cycle, d),
            field=service.FIELD,
        )
        if formed.done:
            return see_other(
                request, "Triads saved.", TRIADS.format(region_id=region_id, year=year)
            )
        errors, status_code = formed.errors, formed.status_code
    return _view(request, session, principal, cycle, values, errors, status_code)
