"""The one Jinja environment (templates/ + GOV.UK macros), its filters, and the render helper.

Pages, error pages and PDF packs all render through `env`, so they share autoescaping and filters.
"""

from collections.abc import AsyncIterator, Mapping
from contextlib import suppress
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Depends
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from app.demo_notice import demo_notice
from app.forms import FormErrors
from app.settings import get_settings
from app.signoff.events import Decision
from app.uk_dates import date_uk, datetime_uk
from app.workflow.states import MouReviewState, MouVersionState, SefState

PROJECT_DIR = Path(__file__).resolve().parents[1]
TEMPLATES_DIR = PROJECT_DIR / "templates"
# Mounted at /static; build-assets.mjs writes the compiled front-end into its dist/ folder.
STATIC_DIR = Path(__file__).resolve().parent / "static"

SERVICE_NAME = "RIIA Cycle"


def short_hash(value: str | bytes | None) -> str:
    """The first 12 characters of a hex digest, enough to tell versions apart on a page."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.hex()
    return str(value)[:12]


# The CSRF token of the page being rendered. Macros imported without context (components/forms.html)
# cannot see the page's variables, only globals, so csrf_field() reads the token from here.
_csrf_token: ContextVar[str] = ContextVar("csrf_token", default="")


def current_csrf_token() -> str:
    """The CSRF token of the request whose page is being rendered ("" outside render())."""
    return _csrf_token.get()


def field_error(errors_by_field: Mapping[str, str] | None, name: str) -> dict[str, str] | bool:
    """A GOV.UK macro's errorMessage for one field: {"text": message}, or False when it has none."""
    message = (errors_by_field or {}).get(name)
    return {"text": message} if message else False


env = jinja2.Environment(
    loader=ChoiceLoader(
        [
            FileSystemLoader(str(TEMPLATES_DIR)),
            # The macros import each other as "govuk_frontend_jinja/components/...".
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    ),
    # Every template is HTML; the GOV.UK macros' `html` parameters are the only unescaped path.
    autoescape=True,
    # Not StrictUndefined: the GOV.UK macros test optional parameters by reading them.
    undefined=jinja2.ChainableUndefined,
    trim_blocks=False,
    lstrip_blocks=False,
)
env.filters["datetime_uk"] = datetime_uk
env.filters["date_uk"] = date_uk
env.filters["short_hash"] = short_hash
env.globals["service_name"] = SERVICE_NAME
env.globals["current_csrf_token"] = current_csrf_token
env.globals["govuk_field_error"] = field_error
# The Beta banner's feedback link (RIIA_FEEDBACK_URL), read at render so tests may change it.
env.globals["feedback_href"] = lambda: get_settings().feedback_href
# "Demonstration: invented text about real councils" when serving the demo (RIIA_DEMO), else "".
env.globals["demo_notice"] = demo_notice
# The workflow's states by name, so a template compares `sef.state == SefState.SIGNED` rather
# than restating the string (they are StrEnums: the page renders the same).
env.globals.update(
    MouVersionState=MouVersionState,
    MouReviewState=MouReviewState,
    SefState=SefState,
    Decision=Decision,
)

templates = Jinja2Templates(env=env)


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a page with what every layout needs: the user, CSRF token, CSP nonce and flash."""
    state = request.state
    page: dict[str, Any] = {
        "current_user": getattr(state, "user", None),
        "csrf_token": getattr(state, "csrf_token", ""),
        "csp_nonce": getattr(state, "csp_nonce", ""),
        "service_name": SERVICE_NAME,
        "flash": getattr(state, "flash", None),
    }
    page.update(context or {})
    # Starlette renders the template inside TemplateResponse(), so the token is set just for that.
    reset = _csrf_token.set(str(page["csrf_token"] or ""))
    try:
        response = templates.TemplateResponse(request, name, page, status_code=status_code)
    finally:
        _csrf_token.reset(reset)
    assert isinstance(response, HTMLResponse)
    return response


def render_form(
    request: Request,
    name: str,
    errors: FormErrors,
    context: dict[str, Any],
    status_code: int | None = None,
) -> HTMLResponse:
    """A page carrying a form: its errors beside the context, answered with the status the errors
    carry (200 when there are none, 422 or the service's refusal's own) unless told otherwise."""
    status = errors.status_code if status_code is None else status_code
    return render(request, name, {**context, "errors": errors}, status_code=status)


async def _close_form_after(request: Request) -> AsyncIterator[None]:
    """Close the upload's spooled temporary file however the request ends, even when refused."""
    try:
        yield
    finally:
        with suppress(Exception):  # no form was read: nothing to close
            await (await request.form()).close()


# On an upload route: its spooled file is closed whether the route stores it, refuses it or fails.
CloseForm = Depends(_close_form_after)


def as_download(
    body: bytes | str,
    filename: str,
    media_type: str = "application/pdf",
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A file to save rather than show: its type, and the name the browser saves it under."""
    disposition = {"content-disposition": f'attachment; filename="{filename}"'}
    return Response(body, media_type=media_type, headers={**disposition, **(headers or {})})


def flash(request: Request, message: str) -> None:
    """A message shown once, on the next page this browser session renders."""
    record = getattr(request.state, "web_session", None)
    if record is not None:
        record.flash = message


def see_other(request: Request, message: str, url: str) -> RedirectResponse:
    """The POST pattern's end: say what was done, once, on the page the browser is sent to."""
    flash(request, message)
    return RedirectResponse(url, status_code=303)
