"""HTML pages for quarterly returns: tracker, a return, the form, uploads, templates, overrides."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from app import clock, forms
from app.auth.permissions import Action, Scope, can
from app.auth.principal import Principal
from app.auth.web import CsrfProtected, DbSession, PostedForm, WriteSession, permission
from app.cycles import service as cycles
from app.cycles.routes import in_cycle
from app.errors import AlreadyDone, DomainError, FileRejected
from app.models import IndicatorReturn
from app.reference import get_reference
from app.returns import parsing, template_files
from app.returns import service as returns
from app.returns.overrides import overrides
from app.returns.periods import Quarter, quarter_in_path
from app.returns.queries import la_or_404, submittable_las, values_of
from app.returns.schemas import COMMENTARY_MAX, MESSAGES, OverrideInput, ValueInput
from app.returns.windows import window_state
from app.web import CloseForm, as_download, render, render_form, see_other

router = APIRouter(include_in_schema=False)
RETURNS = "/regions/{region_id}/returns"
QUARTER = RETURNS + "/{quarter_slug}"
OVERRIDES = "/regions/{region_id}/cycles/{year}/returns/overrides"


def returns_url(region_id: str) -> str:
    """The region's returns tracker; a quarter's returns are below it."""
    return f"/regions/{region_id}/returns"


def this_year(today: date) -> str:
    start = today.year if today.month >= 4 else today.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


@router.get(RETURNS, response_class=HTMLResponse)
def tracker_page(
    request: Request,
    region_id: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_RETURNS)],
    year: str | None = None,
) -> Response:
    table = returns.tracker(session, principal, region_id, year or this_year(clock.today()))
    return render(
        request,
        "returns/tracker.html",
        {
            "tracker": table,
            "can_submit": bool(submittable_las(principal, region_id)),
            "today": clock.today(),
            "can_override": can(principal, Action.OVERRIDE_RETURNS, Scope(region_id)),
        },
    )


def _template(region_id: str, slug: str, principal: Principal, kind: str) -> Response:
    quarter = quarter_in_path(slug)
    codes = [la.code for la in submittable_las(principal, region_id)]
    if kind == "csv":
        body, media = template_files.csv_template(region_id, quarter, codes), "text/csv"
    else:
        body = template_files.xlsx_template(region_id, quarter, codes)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return as_download(body, f"{region_id}-{quarter.slug}-return.{kind}", media)


@router.get(QUARTER + "/template.csv")
def template_csv(
    region_id: str,
    quarter_slug: str,
    principal: Annotated[Principal, permission(Action.SUBMIT_RETURN)],
) -> Response:
    return _template(region_id, quarter_slug, principal, "csv")


@router.get(QUARTER + "/template.xlsx")
def template_xlsx(
    region_id: str,
    quarter_slug: str,
    principal: Annotated[Principal, permission(Action.SUBMIT_RETURN)],
) -> Response:
    return _template(region_id, quarter_slug, principal, "xlsx")


def _opens_later(session: DbSession, region_id: str, quarter: Quarter) -> date | None:
    """The day the quarter's return opens, while that is still to come: no upload before it."""
    window = window_state(session, region_id, quarter)
    return window.opens_on if window and window.opens_on > clock.today() else None


def _upload_page(
    request: Request,
    session: DbSession,
    region_id: str,
    quarter: Quarter,
    errors: forms.FormErrors,
    problems: list[object],
) -> Response:
    return render_form(
        request,
        "returns/upload.html",
        errors,
        {
            "region": cycles.region_or_404(region_id),
            "quarter": quarter,
            "opens_on": _opens_later(session, region_id, quarter),
            "problems": problems,
        },
    )


@router.get(QUARTER + "/upload", response_class=HTMLResponse)
def upload_form(
    request: Request,
    region_id: str,
    quarter_slug: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.SUBMIT_RETURN)],
) -> Response:
    quarter = quarter_in_path(quarter_slug)
    return _upload_page(request, session, region_id, quarter, forms.FormErrors(), [])


@router.post(
    QUARTER + "/upload", response_class=HTMLResponse, dependencies=[CloseForm, CsrfProtected]
)
def upload(
    request: Request,
    region_id: str,
    quarter_slug: str,
    session: WriteSession,
    principal: Annotated[Principal, permission(Action.SUBMIT_RETURN)],
    form: PostedForm,
) -> Response:
    quarter = quarter_in_path(quarter_slug)
    sent = form.get("file")
    errors = forms.FormErrors()
    if not isinstance(sent, UploadFile) or not sent.filename:
        errors.add("file", "Choose a CSV or XLSX file to upload")
        return _upload_page(request, session, region_id, quarter, errors, [])
    # Starlette puts no cap on a file part: read one byte past the limit to tell it was over.
    # The spooled file is read here, in the thread pool, not on the event loop.
    content = sent.file.read(parsing.MAX_FILE_BYTES + 1)
    try:
        result = returns.import_file(
            session,
            principal,
            region_id,
            quarter,
            sent.filename,
            content,
            reason=str(form.get("reason", "")) or None,
        )
    except FileRejected as exc:
        errors.add("file", exc.message)
        errors.add("problems", "Read each problem, by row and column, in the table below the form")
        return _upload_page(request, session, region_id, quarter, errors, list(exc.problems))
    except AlreadyDone as exc:
        return see_other(request, exc.message, f"{returns_url(region_id)}?year={quarter.year}")
    except DomainError as exc:
        errors = forms.errors_from(exc, "file")
        return _upload_page(request, session, region_id, quarter, errors, [])
    if len(result.returns) == 1:  # one LA's return: show it
        code = result.returns[0].organisation_code
        return see_other(request, result.message, f"{returns_url(region_id)}/{quarter.slug}/{code}")
    return see_other(request, result.message, f"{returns_url(region_id)}?year={quarter.year}")


@router.get(QUARTER + "/{la_code}", response_class=HTMLResponse)
def return_page(
    request: Request,
    region_id: str,
    quarter_slug: str,
    la_code: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_RETURNS)],
) -> Response:
    quarter = quarter_in_path(quarter_slug)
    view = returns.return_values(session, principal, region_id, quarter, la_code)
    return render(
        request,
        "returns/show.html",
        {
            "region": cycles.region_or_404(region_id),
            "view": view,
            "indicators": get_reference().indicators,
            "can_submit": can(principal, Action.SUBMIT_RETURN, Scope(region_id, la_code)),
            "opens_on": _opens_later(session, region_id, quarter),
        },
    )


def _shown(value: float | None, code: str | None, decimals: int) -> str:
    return (code or "") if value is None else f"{value:.{decimals}f}"


def _form_values(session: DbSession, current: IndicatorReturn | None) -> dict[str, str]:
    if current is None:
        return {}
    indicators = get_reference().indicators
    values: dict[str, str] = {}
    for v in values_of(session, current):
        decimals = indicators[v.indicator_id].decimals if v.indicator_id in indicators else 1
        values[f"value-{v.indicator_id}"] = _shown(v.value, v.missing_code, decimals)
        values[f"commentary-{v.indicator_id}"] = v.commentary or ""
    return values


def _edit_page(
    request: Request,
    session: DbSession,
    region_id: str,
    quarter: Quarter,
    la_code: str,
    current: IndicatorReturn | None,
    values: dict[str, str],
    errors: forms.FormErrors,
) -> Response:
    region = cycles.region_or_404(region_id)
    return render_form(
        request,
        "returns/edit.html",
        errors,
        {
            "region": region,
            "quarter": quarter,
            "la": la_or_404(region, la_code),
            "current": current,
            "values": values,
            "indicators": get_reference().indicators,
            "opens_on": _opens_later(session, region_id, quarter),
        },
    )


@router.get(QUARTER + "/{la_code}/edit", response_class=HTMLResponse)
def edit_form(
    request: Request,
    region_id: str,
    quarter_slug: str,
    la_code: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.SUBMIT_RETURN)],
) -> Response:
    quarter = quarter_in_path(quarter_slug)
    view = returns.return_values(session, principal, region_id, quarter, la_code)
    values = _form_values(session, view.current)
    return _edit_page(
        request, session, region_id, quarter, la_code, view.current, values, forms.FormErrors()
    )


@router.post(QUARTER + "/{la_code}/edit", response_class=HTMLResponse, dependencies=[CsrfProtected])
def edit_save(
    request: Request,
    region_id: str,
    quarter_slug: str,
    la_code: str,
    session: WriteSession,
    principal: Annotated[Principal, permission(Action.SUBMIT_RETURN)],
    form: PostedForm,
) -> Response:
    quarter = quarter_in_path(quarter_slug)
    values = {key: str(value) for key, value in form.items() if isinstance(value, str)}
    errors = forms.FormErrors()
    items: list[ValueInput] = []
    for indicator in get_reference().indicators.values():
        commentary = values.get(f"commentary-{indicator.id}", "").strip()
        try:
            value, code = parsing.read_cell(indicator, values.get(f"value-{indicator.id}", ""))
        except ValueError as exc:
            errors.add(f"value-{indicator.id}", f"{indicator.name}: {exc}")
            continue
        if len(commentary) > COMMENTARY_MAX:
            errors.add(
                f"commentary-{indicator.id}",
                f"{indicator.name}: keep the commentary to {COMMENTARY_MAX} characters or fewer",
            )
            continue
        items.append(
            ValueInput(
                indicator_id=indicator.id,
                value=value,
                missing_code=code,  # type: ignore[arg-type]
                commentary=commentary or None,
            )
        )
    current = returns.current_return(session, la_code, quarter)
    if not errors:
        try:
            returns.submit_return(
                session,
                principal,
                region_id,
                quarter,
                la_code,
                items,
                source="form",
                reason=values.get("reason"),
            )
        except AlreadyDone as exc:
            return see_other(
                request, exc.message, f"{returns_url(region_id)}/{quarter.slug}/{la_code}"
            )
        except DomainError as exc:
            field = exc.field or "reason"
            if field in get_reference().indicators:
                field = f"value-{field}"
            errors.add(field, exc.message)
        else:
            message = f"The return for {quarter} was submitted."
            return see_other(request, message, f"{returns_url(region_id)}/{quarter.slug}/{la_code}")
    return _edit_page(request, session, region_id, quarter, la_code, current, values, errors)


def _overrides_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    region_id: str,
    year: str,
    values: dict[str, str],
    errors: forms.FormErrors,
) -> Response:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    return render_form(
        request,
        "returns/overrides.html",
        errors,
        {
            **in_cycle(cycle),
            "overrides": overrides(session, principal, cycle),
            "values": values,
        },
    )


@router.get(OVERRIDES, response_class=HTMLResponse)
def overrides_page(
    request: Request,
    region_id: str,
    year: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.OVERRIDE_RETURNS)],
) -> Response:
    return _overrides_page(request, session, principal, region_id, year, {}, forms.FormErrors())


@router.post(OVERRIDES, response_class=HTMLResponse, dependencies=[CsrfProtected])
def overrides_save(
    request: Request,
    region_id: str,
    year: str,
    session: WriteSession,
    principal: Annotated[Principal, permission(Action.OVERRIDE_RETURNS)],
    form: PostedForm,
) -> Response:
    values = {"la_code": str(form.get("la_code", "")), "reason": str(form.get("reason", ""))}
    data, errors = forms.parse(OverrideInput, values, MESSAGES)
    if data is not None:
        cycle = cycles.get_cycle(session, principal, region_id, year)
        try:
            override = returns.record_override(session, principal, cycle, data.la_code, data.reason)
        except DomainError as exc:
            # Any refusal (even "already accepted") answers 422 on this form, as it always has.
            errors.add(exc.field or "la_code", exc.message)
        else:
            name = cycles.region_or_404(region_id).local_authority(override.organisation_code).name
            message = f"Returns from {name} will be accepted for {year}."
            return see_other(request, message, request.url.path)
    return _overrides_page(request, session, principal, region_id, year, values, errors)
