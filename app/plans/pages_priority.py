"""HTML forms for writing a plan: one priority (its actions, their success measures and support
needed, and an optional theory of change), and adopting an existing plan.

The form's rows become the API's body (`_input`), checked by the same schema and service.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app import forms
from app.auth.principal import Principal
from app.auth.web import CsrfProtected, DbSession, PostedForm, WriteSession, permission
from app.cycles import service as cycles
from app.cycles.routes import CurrentCycle, in_cycle
from app.errors import NotFound, NotPermitted
from app.identifiers import Identifier
from app.models import Cycle
from app.plans import access, service, writing
from app.plans.actions import PlanAction
from app.plans.pages import ONE, plan_url
from app.plans.schemas import MESSAGES, PROVIDER_LABELS, AdoptInput, PriorityInput
from app.reference import get_reference
from app.web import render_form, see_other

router = APIRouter(include_in_schema=False)
PRIORITY = ONE + "/priorities/{position}"
ADOPTED = ONE + "/adopted"
# Blank action and measure rows the form offers beyond those written.
SPARE_ACTIONS, MEASURES = 2, 2
_DATE_PARTS = ("day", "month", "year")
_ACTION_FIELDS = ("text", "owner_name", "owner_role", "support_area", "support_days")
_MEASURE_FIELDS = ("kind", "indicator_id", "baseline", "target", "description")


def _date(form: PostedForm, name: str) -> str:
    parts = [str(form.get(f"{name}-{part}", "")).strip() for part in _DATE_PARTS]
    if not all(p.isdigit() for p in parts):
        return "-".join(parts) if any(parts) else ""
    day, month, year = (int(p) for p in parts)
    return f"{year:04d}-{month:02d}-{day:02d}"


def _measures(form: PostedForm, a: int) -> list[dict[str, Any]]:
    found = []
    for m in range(1, MEASURES + 1):
        row = {f: str(form.get(f"a{a}-m{m}-{f}", "")).strip() for f in _MEASURE_FIELDS}
        if row["indicator_id"] or row["description"] or row["baseline"] or row["target"]:
            found.append(row | {"kind": row["kind"] or "indicator"})
    return found


def _action(form: PostedForm, a: int) -> dict[str, Any] | None:
    row = {f: str(form.get(f"a{a}-{f}", "")).strip() for f in _ACTION_FIELDS}
    if not row["text"]:
        return None
    provider = str(form.get(f"a{a}-support_provider", "")).strip()
    support = None
    if row["support_area"] or row["support_days"] or provider:
        support = {
            "improvement_area": row["support_area"],
            "days": row["support_days"],
            "provider": provider,
        }
    return {
        "text": row["text"],
        "owner_name": row["owner_name"],
        "owner_role": row["owner_role"],
        "starts_on": _date(form, f"a{a}-starts_on"),
        "due_on": _date(form, f"a{a}-due_on"),
        "measures": _measures(form, a),
        "support": support,
    }


def _input(form: PostedForm) -> dict[str, Any]:
    """The form's rows as the API's body."""
    rows = int(str(form.get("rows", "0")) or 0) if str(form.get("rows", "")).isdigit() else 0
    actions = [a for n in range(1, min(rows, 10) + 1) if (a := _action(form, n)) is not None]
    toc = {k: str(form.get(f"toc_{k}", "")).strip() for k in ("inputs", "activities", "outcomes")}
    return {
        "base_version": form.get("base_version", ""),
        "title": form.get("title", ""),
        "theory_of_change": toc if any(toc.values()) else None,
        "actions": actions,
    }


def _values_of(priority: dict[str, Any] | None, number: int | None) -> dict[str, str]:
    """The form as it opens, from the priority as saved."""
    values = {"base_version": str(number or "")}
    if priority is None:
        return values
    values["title"] = priority["title"]
    for key, text in (priority.get("theory_of_change") or {}).items():
        values[f"toc_{key}"] = text
    for a, action in enumerate(priority["actions"], start=1):
        for f in ("text", "owner_name", "owner_role"):
            values[f"a{a}-{f}"] = action[f]
        for name in ("starts_on", "due_on"):
            year, month, day = action[name].split("-")
            values |= {f"a{a}-{name}-day": day, f"a{a}-{name}-month": month}
            values[f"a{a}-{name}-year"] = year
        for m, measure in enumerate(action["measures"], start=1):
            for f in _MEASURE_FIELDS:
                value = measure.get(f)
                values[f"a{a}-m{m}-{f}"] = (
                    ""
                    if value is None
                    else f"{value:g}"
                    if isinstance(value, float)
                    else str(value)
                )
        if support := action.get("support"):
            values[f"a{a}-support_area"] = support["improvement_area"]
            values[f"a{a}-support_days"] = str(support["days"])
            values[f"a{a}-support_provider"] = support["provider"]
    return values


def _writable_view(
    session: Session, principal: Principal, cycle: Cycle, la_code: str
) -> service.PlanView:
    found = service.read(session, principal, cycle, la_code)
    if not access.can_write(principal, cycle, la_code):
        raise NotPermitted(
            f"Only {found.la.name}'s Director of Children's Services can write its plan."
        )
    return found


def _priority_view(
    request: Request,
    session: Session,
    principal: Principal,
    cycle: Cycle,
    la_code: str,
    position: int,
    values: dict[str, str] | None = None,
    errors: forms.FormErrors | None = None,
) -> Response:
    found = _writable_view(session, principal, cycle, la_code)
    priorities = found.content["priorities"]
    if position > len(priorities) + 1:
        raise NotFound(f"There is no priority {position} in this development plan.")
    existing = priorities[position - 1] if position <= len(priorities) else None
    values = values if values is not None else _values_of(existing, found.number)
    written = len(existing["actions"]) if existing else 0
    return render_form(
        request,
        "plans/priority.html",
        errors or forms.FormErrors(),
        {
            **in_cycle(cycle),
            "found": found,
            "position": position,
            "existing": existing,
            "values": values,
            "rows": range(1, min(written + SPARE_ACTIONS, 10) + 1),
            "measure_rows": range(1, MEASURES + 1),
            "indicators": sorted(get_reference().indicators.values(), key=lambda i: i.name),
            "providers": PROVIDER_LABELS,
            "home": plan_url(cycle, la_code),
        },
    )


@router.get(PRIORITY, response_class=HTMLResponse)
def priority_page(
    request: Request,
    region_id: str,
    year: str,
    la_code: str,
    position: Identifier,
    session: DbSession,
    principal: Annotated[Principal, permission(PlanAction.WRITE_PLAN)],
) -> Response:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    return _priority_view(request, session, principal, cycle, la_code, position)


@router.post(PRIORITY, response_class=HTMLResponse, dependencies=[CsrfProtected])
def priority_save(
    request: Request,
    region_id: str,
    year: str,
    la_code: str,
    position: Identifier,
    principal: Annotated[Principal, permission(PlanAction.WRITE_PLAN)],
    session: WriteSession,
    form: PostedForm,
) -> Response:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    data, errors = forms.parse(PriorityInput, _input(form), MESSAGES)
    saved = forms.attempt(
        data,
        errors,
        lambda d: writing.save_priority(session, principal, cycle, la_code, position, d),
        field="title",
    )
    if saved.done:
        return see_other(request, f"Priority {position} saved.", plan_url(cycle, la_code))
    values = {key: str(value) for key, value in form.items() if key != "csrf_token"}
    return _priority_view(
        request, session, principal, cycle, la_code, position, values, saved.errors
    )


def _adopt_view(
    request: Request,
    session: Session,
    principal: Principal,
    cycle: Cycle,
    la_code: str,
    values: dict[str, str] | None = None,
    errors: forms.FormErrors | None = None,
) -> Response:
    found = _writable_view(session, principal, cycle, la_code)
    adopted = found.content["adopted"] or {}
    opened = {"base_version": str(found.number or "")} | adopted
    return render_form(
        request,
        "plans/adopt.html",
        errors or forms.FormErrors(),
        {
            **in_cycle(cycle),
            "found": found,
            "values": values if values is not None else opened,
            "home": plan_url(cycle, la_code),
        },
    )


@router.get(ADOPTED, response_class=HTMLResponse)
def adopt_page(
    request: Request,
    la_code: str,
    session: DbSession,
    principal: Annotated[Principal, permission(PlanAction.WRITE_PLAN)],
    cycle: CurrentCycle,
) -> Response:
    return _adopt_view(request, session, principal, cycle, la_code)


@router.post(ADOPTED, response_class=HTMLResponse, dependencies=[CsrfProtected])
def adopt_save(
    request: Request,
    la_code: str,
    principal: Annotated[Principal, permission(PlanAction.WRITE_PLAN)],
    cycle: CurrentCycle,
    session: WriteSession,
    form: PostedForm,
) -> Response:
    values = {k: str(form.get(k, "")) for k in ("base_version", "title", "document")}
    data, errors = forms.parse(AdoptInput, values, MESSAGES)
    saved = forms.attempt(
        data, errors, lambda d: writing.adopt(session, principal, cycle, la_code, d), field="title"
    )
    if saved.done:
        return see_other(request, "Adopted plan saved.", plan_url(cycle, la_code))
    return _adopt_view(request, session, principal, cycle, la_code, values, saved.errors)
