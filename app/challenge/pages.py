"""HTML pages for key lines of enquiry: who has set theirs, an LA's questions, and setting them."""

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app import forms
from app.auth.principal import Principal
from app.auth.web import CsrfProtected, DbSession, PostedForm, WriteSession, permission
from app.challenge import access, kloes, pack
from app.challenge.actions import ChallengeAction
from app.challenge.drafting import MAX_KLOES
from app.challenge.schemas import MESSAGES, KloesInput
from app.cycles.routes import CYCLE, CurrentCycle, in_cycle
from app.models import Cycle
from app.reference.kloe_bank import get_kloe_bank
from app.web import render, render_form, see_other

router = APIRouter(include_in_schema=False)
KLOES = CYCLE + "/kloes"
ONE = KLOES + "/{la_code}"


@router.get(KLOES, response_class=HTMLResponse)
def kloes_index(
    request: Request,
    session: DbSession,
    principal: Annotated[Principal, permission(ChallengeAction.VIEW_KLOES)],
    cycle: CurrentCycle,
) -> Response:
    return render(
        request,
        "challenge/index.html",
        {
            **in_cycle(cycle),
            "rows": kloes.status(session, principal, cycle),
            "tracking": access.tracks(principal, cycle.region_id),
            "packs": pack.downloadable(session, principal, cycle),
        },
    )


def _values(found: kloes.KloeSet, drafts: list[kloes.DraftKloe]) -> dict[str, str]:
    """The form as the page opens: the questions set, else the draft."""
    values = {"version": found.version}
    if found.questions:
        for row in found.questions:
            values[f"question-{row.position}"] = row.text
            values[f"source-{row.position}"] = kloes.source_key(row) or ""
    else:
        for n, drafted in enumerate(drafts, start=1):
            values[f"question-{n}"] = drafted.text
            values[f"source-{n}"] = drafted.source.key
    return values


def _view(
    request: Request,
    session: DbSession,
    principal: Principal,
    cycle: Cycle,
    la_code: str,
    values: dict[str, str] | None = None,
    errors: forms.FormErrors | None = None,
) -> Response:
    found = kloes.read(session, principal, cycle, la_code)
    may_set = access.can_set(principal, la_code)
    drafts = kloes.suggestions(session, principal, cycle, la_code)  # [] unless the LA's DCS
    return render_form(
        request,
        "challenge/kloes.html",
        errors or forms.FormErrors(),
        {
            **in_cycle(cycle),
            "found": found,
            "may_set": may_set,
            "drafts": drafts,
            "labels": {d.source.key: d.source.label for d in drafts}
            | {kloes.source_key(r) or "": r.source_label or "" for r in found.questions},
            "bank": get_kloe_bank().for_region(cycle.region_id),
            "places": range(1, MAX_KLOES + 1),
            "values": values if values is not None else _values(found, drafts),
        },
    )


@router.get(ONE, response_class=HTMLResponse)
def kloes_page(
    request: Request,
    la_code: str,
    session: DbSession,
    principal: Annotated[Principal, permission(ChallengeAction.VIEW_KLOES)],
    cycle: CurrentCycle,
) -> Response:
    return _view(request, session, principal, cycle, la_code)


def _input(form: PostedForm) -> dict[str, object]:
    """The form's rows as the API's body: each question written, with the source it kept."""
    questions = []
    for n in range(1, MAX_KLOES + 1):
        text = str(form.get(f"question-{n}", "")).strip()
        if text:
            source = str(form.get(f"source-{n}", "")).strip()
            questions.append({"text": text, "source": source or None})
    return {"version": str(form.get("version", "")), "questions": questions}


@router.post(ONE, response_class=HTMLResponse, dependencies=[CsrfProtected])
def kloes_save(
    request: Request,
    la_code: str,
    principal: Annotated[Principal, permission(ChallengeAction.SET_KLOES)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    data, errors = forms.parse(KloesInput, _input(form), MESSAGES)
    saved = forms.attempt(
        data, errors, lambda d: kloes.save(session, principal, cycle, la_code, d), field="questions"
    )
    if saved.done:
        url = ONE.format(region_id=cycle.region_id, year=cycle.year, la_code=la_code)
        return see_other(request, "Key lines of enquiry saved.", url)
    values = {key: str(value) for key, value in form.items() if key != "csrf_token"}
    return _view(request, session, principal, cycle, la_code, values, saved.errors)
