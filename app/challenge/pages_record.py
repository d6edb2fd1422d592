"""HTML pages for the record of a triad's challenge conversation: read it as the MoU allows, write
an LA's part, comment on its accuracy, agree or return the exact version, share an LA's part."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from app import forms
from app.auth.principal import Principal
from app.auth.web import CsrfProtected, DbSession, PostedForm, WriteSession, permission
from app.challenge import access, record_acts, record_form
from app.challenge import record as records
from app.challenge.actions import ChallengeAction
from app.challenge.record_access import Level
from app.challenge.record_schemas import (
    RECORD_MESSAGES,
    AccuracyCommentInput,
    AgreeRecordInput,
    RecordPartInput,
    ReturnRecordInput,
    ShareInput,
)
from app.challenge.record_workflow import CHALLENGE_RECORD, RecordAction
from app.cycles.routes import CYCLE, CurrentCycle, in_cycle
from app.errors import NotPermitted
from app.models import Cycle
from app.reference.improvement_areas import get_improvement_areas
from app.web import render_form, see_other
from app.workflow import allows

router = APIRouter(include_in_schema=False)
RECORD = CYCLE + "/conversations/{number}/record"
PART = RECORD + "/parts/{la_code}"


def _url(cycle: Cycle, number: int | str) -> str:
    return RECORD.format(region_id=cycle.region_id, year=cycle.year, number=number)


def _record_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    cycle: Cycle,
    number: str,
    errors: forms.FormErrors | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    seen = records.view(session, principal, cycle, records.triad_number(number))
    codes = [la.code for la in seen.members]
    acting = access.member_las_of(principal, ChallengeAction.AGREE_RECORD, codes)
    state = seen.record.state if seen.record else "draft"
    writes = seen.level == Level.FULL  # the triad's members: its DCSs and named reviewers
    return render_form(
        request,
        "challenge/record.html",
        errors or forms.FormErrors(),
        {
            **in_cycle(cycle),
            "seen": seen,
            "names": {la.code: la.name for la in seen.members},
            "areas": {a.id: a.name for a in get_improvement_areas().for_region(cycle.region_id)},
            "here": _url(cycle, number),
            "may_write": writes and allows(CHALLENGE_RECORD, state, RecordAction.EDIT),
            "acting": [la for la in seen.members if la.code in acting]
            if seen.level == "full"
            else [],
            "statements": {
                la.code: record_acts.statement(principal, la, seen.triad, seen.version.number)
                for la in seen.members
                if seen.version is not None and la.code in acting
            },
            "open": allows(CHALLENGE_RECORD, state, RecordAction.AGREE),
            "values": values or {},
        },
    )


@router.get(RECORD, response_class=HTMLResponse)
def record_page(
    request: Request,
    number: str,
    session: DbSession,
    principal: Annotated[Principal, permission(ChallengeAction.VIEW_CONVERSATIONS)],
    cycle: CurrentCycle,
) -> Response:
    return _record_page(request, session, principal, cycle, number)


def _part_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    cycle: Cycle,
    number: str,
    la_code: str,
    values: dict[str, str] | None = None,
    errors: forms.FormErrors | None = None,
) -> Response:
    seen = records.view(session, principal, cycle, records.triad_number(number))
    if seen.level != "full":
        raise NotPermitted(records.NOT_IN_TRIAD)
    la = next((m for m in seen.members if m.code == la_code), None)
    if la is None:
        raise NotPermitted("That authority is not a member of this triad.")
    return render_form(
        request,
        "challenge/record_part.html",
        errors or forms.FormErrors(),
        {
            **in_cycle(cycle),
            "seen": seen,
            "la": la,
            "questions": seen.kloes.get(la_code, ()),
            "others": [m for m in seen.members if m.code != la_code],
            "areas": get_improvement_areas().for_region(cycle.region_id),
            "record_url": _url(cycle, number),
            "closed": seen.agreed,
            "action_rows": range(1, record_form.ACTION_ROWS + 1),
            "support_rows": range(1, record_form.SUPPORT_ROWS + 1),
            "values": values
            if values is not None
            else record_form.values_from(seen.parts.get(la_code), seen.content_hash),
        },
    )


@router.get(PART, response_class=HTMLResponse)
def part_page(
    request: Request,
    number: str,
    la_code: str,
    session: DbSession,
    principal: Annotated[Principal, permission(ChallengeAction.WRITE_RECORD)],
    cycle: CurrentCycle,
) -> Response:
    return _part_page(request, session, principal, cycle, number, la_code)


@router.post(PART, response_class=HTMLResponse, dependencies=[CsrfProtected])
def part_save(
    request: Request,
    number: str,
    la_code: str,
    principal: Annotated[Principal, permission(ChallengeAction.WRITE_RECORD)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    seen = records.view(session, principal, cycle, records.triad_number(number))
    positions = [k.position for k in seen.kloes.get(la_code, ())]
    body = record_form.body_from(form, positions)
    data, errors = forms.parse(RecordPartInput, body, RECORD_MESSAGES)
    saved = forms.attempt(
        data,
        errors,
        lambda d: record_acts.save_part(
            session, principal, cycle, records.triad_number(number), la_code, d
        ),
        field="kloes",
        passes=(NotPermitted,),
    )
    if saved.result is not None:
        name = next(m.name for m in seen.members if m.code == la_code)
        return see_other(request, f"{name}'s part of the record saved.", _url(cycle, number))
    values = {key: str(value) for key, value in form.items() if key != "csrf_token"}
    return _part_page(request, session, principal, cycle, number, la_code, values, saved.errors)


def _act(
    request: Request,
    session: WriteSession,
    principal: Principal,
    cycle: Cycle,
    number: str,
    form: PostedForm,
    schema: type[BaseModel],
    body: dict[str, Any],
    act: Callable[[Any], object],
    done: str,
) -> Response:
    """The POST pattern for the record page's small forms: parse, act, or show the page again."""
    data, errors = forms.parse(schema, body, RECORD_MESSAGES)
    result = forms.attempt(data, errors, act, field="form", passes=(NotPermitted,))
    if result.done:
        return see_other(request, done, _url(cycle, number))
    values = {key: str(value) for key, value in form.items() if key != "csrf_token"}
    return _record_page(request, session, principal, cycle, number, result.errors, values)


def _posted(form: PostedForm, *names: str) -> dict[str, Any]:
    return {name: str(form.get(name, "")) for name in names}


@router.post(RECORD + "/comments", response_class=HTMLResponse, dependencies=[CsrfProtected])
def comment(
    request: Request,
    number: str,
    principal: Annotated[Principal, permission(ChallengeAction.AGREE_RECORD)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    return _act(
        request,
        session,
        principal,
        cycle,
        number,
        form,
        AccuracyCommentInput,
        _posted(form, "content_hash", "la_code", "text"),
        lambda d: record_acts.comment(session, principal, cycle, records.triad_number(number), d),
        "Your comment on the record's accuracy is saved.",
    )


@router.post(RECORD + "/agree", response_class=HTMLResponse, dependencies=[CsrfProtected])
def agree(
    request: Request,
    number: str,
    principal: Annotated[Principal, permission(ChallengeAction.AGREE_RECORD)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    body = _posted(form, "content_hash", "la_code") | {"confirm": form.get("confirm") == "yes"}
    return _act(
        request,
        session,
        principal,
        cycle,
        number,
        form,
        AgreeRecordInput,
        body,
        lambda d: record_acts.agree(session, principal, cycle, records.triad_number(number), d),
        "You have agreed this version of the record.",
    )


@router.post(RECORD + "/return", response_class=HTMLResponse, dependencies=[CsrfProtected])
def return_record(
    request: Request,
    number: str,
    principal: Annotated[Principal, permission(ChallengeAction.AGREE_RECORD)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    return _act(
        request,
        session,
        principal,
        cycle,
        number,
        form,
        ReturnRecordInput,
        _posted(form, "content_hash", "la_code", "reason"),
        lambda d: record_acts.return_record(
            session, principal, cycle, records.triad_number(number), d
        ),
        "You have returned the record. It must be changed before it can be agreed.",
    )


@router.post(RECORD + "/share", response_class=HTMLResponse, dependencies=[CsrfProtected])
def share(
    request: Request,
    number: str,
    principal: Annotated[Principal, permission(ChallengeAction.SHARE_RECORD)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    shared = form.get("shared") == "yes"
    body = _posted(form, "la_code") | {"shared": shared}
    words = (
        "Your authority's part of the record is now shared with the RISL."
        if shared
        else "Your authority's part of the record is no longer shared with the RISL."
    )
    return _act(
        request,
        session,
        principal,
        cycle,
        number,
        form,
        ShareInput,
        body,
        lambda d: record_acts.share(session, principal, cycle, records.triad_number(number), d),
        words,
    )
