"""HTML pages for drafting the MoU: edit the draft, check it, publish it for signature."""

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from app import clock, forms
from app.auth.permissions import Action
from app.auth.principal import Principal
from app.auth.web import CsrfProtected, DbSession, PostedForm, WriteSession, permission
from app.cycles.routes import CurrentCycle, in_cycle
from app.errors import InvalidInput, StaleVersion
from app.models import Cycle
from app.mou import service
from app.mou.binding import DEFAULT_CHANGEOVER_DAYS
from app.mou.pages import MOU, base_path
from app.mou.schemas import MESSAGES, DraftInput, PublishInput
from app.web import render_form, see_other

router = APIRouter(include_in_schema=False)


def _editor(
    request: Request, cycle: Cycle, values: dict[str, object], errors: forms.FormErrors
) -> Response:
    return render_form(request, "mou/edit.html", errors, {**in_cycle(cycle), "values": values})


@router.get(MOU + "/edit", response_class=HTMLResponse)
def edit_page(
    request: Request,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.EDIT_MOU)],
    cycle: CurrentCycle,
) -> Response:
    title, body, revision = service.editor_source(session, cycle)
    values: dict[str, object] = {"title": title, "body": body, "revision": revision}
    return _editor(request, cycle, values, forms.FormErrors())


@router.post(MOU + "/edit", response_class=HTMLResponse, dependencies=[CsrfProtected])
def edit_save(
    request: Request,
    region_id: str,
    year: str,
    principal: Annotated[Principal, permission(Action.EDIT_MOU)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    values: dict[str, object] = {
        "title": str(form.get("title", "")),
        "body": str(form.get("body", "")),
        "revision": str(form.get("revision", "")) or None,
    }
    data, errors = forms.parse(DraftInput, values, MESSAGES)
    saved = forms.attempt(
        data, errors, lambda d: service.save_draft(session, principal, cycle, d), field="body"
    )
    if saved.done:
        return see_other(
            request,
            "Draft saved. Check it below, then publish it for signature.",
            base_path(region_id, year) + "/draft",
        )
    if isinstance(saved.refusal, StaleVersion):
        draft = service.draft_of(session, cycle)
        values["revision"] = draft.revision if draft else None
    return _editor(request, cycle, values, saved.errors)


def _draft_view(
    request: Request,
    cycle: Cycle,
    session: Session,
    changeover: dict[str, str] | None = None,
    errors: forms.FormErrors | None = None,
) -> Response:
    draft = service.draft_of(session, cycle)
    if draft is None:
        return RedirectResponse(base_path(cycle.region_id, cycle.year) + "/edit", status_code=303)
    default = clock.today() + timedelta(days=DEFAULT_CHANGEOVER_DAYS)
    return render_form(
        request,
        "mou/draft.html",
        errors or forms.FormErrors(),
        {
            **in_cycle(cycle),
            "draft": draft,
            "blocks": service.blocks_of(draft),
            "current": service.published_of(session, cycle),
            "changeover": changeover
            or {"day": str(default.day), "month": str(default.month), "year": str(default.year)},
        },
    )


@router.get(MOU + "/draft", response_class=HTMLResponse)
def draft_page(
    request: Request,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.EDIT_MOU)],
    cycle: CurrentCycle,
) -> Response:
    return _draft_view(request, cycle, session)


def _changeover_from(form: dict[str, str]) -> str | None:
    """The date input's three boxes as an ISO date for the schema; empty boxes mean the default."""
    day, month, year = (form[f"changeover_on-{p}"] for p in ("day", "month", "year"))
    if not (day or month or year):
        return None
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return "not-a-date"


@router.post(MOU + "/publish", response_class=HTMLResponse, dependencies=[CsrfProtected])
def publish(
    request: Request,
    region_id: str,
    year: str,
    principal: Annotated[Principal, permission(Action.PUBLISH_MOU)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    changeover = {
        p: str(form.get(f"changeover_on-{p}", "")).strip() for p in ("day", "month", "year")
    }
    values = {
        "content_hash": str(form.get("content_hash", "")),
        "changeover_on": _changeover_from({f"changeover_on-{k}": v for k, v in changeover.items()}),
    }
    data, errors = forms.parse(PublishInput, values, MESSAGES)
    if data is None and "content_hash" in errors.by_field:
        raise StaleVersion(errors.by_field["content_hash"])
    published = forms.attempt(
        data,
        errors,
        lambda d: service.publish(session, principal, cycle, d),
        field="changeover_on",
        refused=InvalidInput,
    )
    if (version := published.result) is not None:
        return see_other(
            request,
            f"Version {version.number} is published. Signatories can now sign it.",
            base_path(region_id, year),
        )
    return _draft_view(request, cycle, session, changeover, published.errors)
