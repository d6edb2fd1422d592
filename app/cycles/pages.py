"""HTML pages for the cycle: the list of cycles, opening one, its overview and calendar."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from app import forms
from app.auth.permissions import Action, Scope, can
from app.auth.principal import Principal
from app.auth.web import CsrfProtected, DbSession, PostedForm, WriteSession, permission, signed_in
from app.cycles import service
from app.cycles.organisation import organisation_rows
from app.cycles.routes import CYCLE, CurrentCycle, CurrentRegion, in_cycle
from app.cycles.schemas import STAGE_LABELS, CalendarInput, HistoryQuery, OpenCycleInput
from app.history.service import read_history
from app.overview.tasks import overview_sections
from app.returns.periods import quarters_of
from app.web import render, see_other

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, session: DbSession, principal: Annotated[Principal, signed_in()]
) -> Response:
    regions = service.visible_regions(principal)
    cycles = {r.id: service.cycles_in_region(session, principal, r.id) for r in regions}
    return render(
        request,
        "cycles/home.html",
        {
            "regions": regions,
            "cycles": cycles,
            "can_open": {r.id: can(principal, Action.OPEN_CYCLE, Scope(r.id)) for r in regions},
        },
    )


@router.get("/regions/{region_id}/cycles/new", response_class=HTMLResponse)
def new_cycle(
    request: Request,
    principal: Annotated[Principal, permission(Action.OPEN_CYCLE)],
    region: CurrentRegion,
) -> Response:
    return render(
        request, "cycles/new.html", {"region": region, "errors": forms.FormErrors(), "values": {}}
    )


@router.post(
    "/regions/{region_id}/cycles", response_class=HTMLResponse, dependencies=[CsrfProtected]
)
def open_cycle(
    request: Request,
    region_id: str,
    session: WriteSession,
    principal: Annotated[Principal, permission(Action.OPEN_CYCLE)],
    region: CurrentRegion,
    form: PostedForm,
) -> Response:
    values = {"year": str(form.get("year", ""))}
    data, errors = forms.parse(OpenCycleInput, values, {})
    opened = forms.attempt(
        data, errors, lambda d: service.open_cycle(session, principal, region_id, d), field="year"
    )
    if opened.result is not None:
        year = opened.result.year
        return see_other(
            request,
            f"The {year} cycle is open. Its calendar uses the region's dates; change them below if you need to.",
            f"/regions/{region_id}/cycles/{year}",
        )
    return render(
        request,
        "cycles/new.html",
        {"region": region, "errors": opened.errors, "values": values},
        status_code=422,
    )


@router.get("/regions/{region_id}", response_class=HTMLResponse)
def region_cycles(
    request: Request,
    region_id: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_CYCLE)],
    region: CurrentRegion,
) -> Response:
    cycles = service.cycles_in_region(session, principal, region_id)
    return render(
        request,
        "cycles/region.html",
        {
            "region": region,
            "cycles": cycles,
            "can_open": can(principal, Action.OPEN_CYCLE, Scope(region_id)),
            "organised": organisation_rows(region),
        },
    )


@router.get(CYCLE, response_class=HTMLResponse)
def overview(
    request: Request,
    region_id: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_CYCLE)],
    cycle: CurrentCycle,
) -> Response:
    return render(
        request,
        "cycles/overview.html",
        {
            **in_cycle(cycle),
            "stages": service.stage_states(session, cycle),
            "sections": overview_sections(session, principal, cycle),
            "can_edit_calendar": can(principal, Action.EDIT_CALENDAR, Scope(region_id)),
            "can_view_history": can(principal, Action.VIEW_HISTORY, Scope(region_id)),
        },
    )


def _calendar_values(windows: dict[str, tuple[date, date]]) -> dict[str, str]:
    values: dict[str, str] = {}
    for stage, pair in windows.items():
        for edge, day in zip(("opens", "closes"), pair, strict=True):
            values[f"{stage}-{edge}-day"] = str(day.day)
            values[f"{stage}-{edge}-month"] = str(day.month)
            values[f"{stage}-{edge}-year"] = str(day.year)
    return values


@router.get(CYCLE + "/calendar", response_class=HTMLResponse)
def calendar_form(
    request: Request,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.EDIT_CALENDAR)],
    cycle: CurrentCycle,
    region: CurrentRegion,
) -> Response:
    windows = {s: (w.opens_on, w.closes_on) for s, w in service.calendar(session, cycle).items()}
    # A stage added to the region files after this cycle opened starts from the region's dates.
    for stage, pair in region.default_calendar(cycle.year).items():
        windows.setdefault(stage, pair)
    for quarter, row in service.return_windows(session, cycle).items():
        windows[f"return-{quarter.slug}"] = (row.opens_on, row.closes_on)
    return render(
        request,
        "cycles/calendar.html",
        {
            **in_cycle(cycle),
            "stages": _sections(cycle.year),
            "values": _calendar_values(windows),
            "errors": forms.FormErrors(),
        },
    )


def _sections(year: str) -> dict[str, str]:
    """Every window on the calendar form: the stages, then each quarter's return."""
    returns = {f"return-{q.slug}": f"{q} return" for q in quarters_of(year)}
    return {**STAGE_LABELS, **returns}


def _calendar_input(year: str, windows: dict[str, dict[str, date]]) -> dict[str, object]:
    stages = {k: v for k, v in windows.items() if k in STAGE_LABELS}
    returns = {
        str(q): windows[f"return-{q.slug}"]
        for q in quarters_of(year)
        if f"return-{q.slug}" in windows
    }
    return {"windows": stages, "returns": returns}


def _dates_from_form(
    form: dict[str, str], errors: forms.FormErrors, sections: dict[str, str]
) -> dict[str, dict[str, date]]:
    windows: dict[str, dict[str, date]] = {}
    for stage, label in sections.items():
        for edge in ("opens", "closes"):
            parts = [form.get(f"{stage}-{edge}-{p}", "").strip() for p in ("day", "month", "year")]
            try:
                day = date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                word = "opening" if edge == "opens" else "closing"
                errors.add(
                    f"{stage}-{edge}", f"Enter a real {word} date for {label}, like 1 4 2026"
                )
                continue
            windows.setdefault(stage, {})[edge] = day
        dates = windows.get(stage, {})
        if "opens" in dates and "closes" in dates and dates["closes"] < dates["opens"]:
            # Named here, against the closing date, so the error summary links to a real field.
            errors.add(
                f"{stage}-closes",
                f"The closing date for {label} must be the same as or after the opening date",
            )
    return windows


@router.post(CYCLE + "/calendar", response_class=HTMLResponse, dependencies=[CsrfProtected])
def calendar_save(
    request: Request,
    region_id: str,
    year: str,
    principal: Annotated[Principal, permission(Action.EDIT_CALENDAR)],
    cycle: CurrentCycle,
    session: WriteSession,
    posted: PostedForm,
) -> Response:
    form = {k: str(v) for k, v in posted.items()}
    errors = forms.FormErrors()
    windows = _dates_from_form(form, errors, _sections(cycle.year))
    if not errors:
        data, errors = forms.parse(CalendarInput, _calendar_input(cycle.year, windows), {})
        saved = forms.attempt(
            data,
            errors,
            lambda d: service.update_calendar(session, principal, cycle, d),
            field="mou-opens",
        )
        if saved.done:
            return see_other(request, "Calendar saved.", f"/regions/{region_id}/cycles/{year}")
        errors = saved.errors
    return render(
        request,
        "cycles/calendar.html",
        {
            **in_cycle(cycle),
            "stages": _sections(cycle.year),
            "values": form,
            "errors": errors,
        },
        status_code=422,
    )


@router.get(CYCLE + "/history", response_class=HTMLResponse)
def history_page(
    request: Request,
    region_id: str,
    year: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_HISTORY)],
    query: Annotated[HistoryQuery, Query()],
) -> Response:
    return render(
        request,
        "cycles/history.html",
        {"history": read_history(session, principal, region_id, year, query)},
    )
