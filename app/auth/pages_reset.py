"""Forgotten passwords: ask for a link, then choose a new password with it."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app import forms
from app.auth import reset, throttle
from app.auth.throttle import Throttled
from app.auth.web import CsrfProtected, DbSession, PostedForm, WriteSession, public
from app.errors import DomainError
from app.settings import get_settings
from app.web import render

router = APIRouter(include_in_schema=False)


def _client(request: Request) -> str:
    return throttle.client_key(request.client.host if request.client else None)


@router.get("/forgot-password", response_class=HTMLResponse, dependencies=[public()])
def forgot_password_page(request: Request) -> Response:
    return render(request, "auth/forgot_password.html", {"errors": forms.FormErrors(), "email": ""})


@router.post(
    "/forgot-password", response_class=HTMLResponse, dependencies=[public(), CsrfProtected]
)
def forgot_password(request: Request, session: WriteSession, form: PostedForm) -> Response:
    email = str(form.get("email", "")).strip()
    errors = forms.FormErrors()
    status, headers = 422, {}
    if not email:
        errors.add("email", "Enter your email address")
    elif "@" not in email:
        errors.add("email", "Enter an email address in the correct format, like name@example.org")
    else:
        try:
            reset.request_link(session, email, _client(request))
        except Throttled as exc:
            errors = forms.errors_from(exc, "email")
            status, headers = 429, {"Retry-After": str(exc.retry_after)}
        else:
            return RedirectResponse("/forgot-password/sent", status_code=303)
    response = render(
        request,
        "auth/forgot_password.html",
        {"errors": errors, "email": email},
        status_code=status,
    )
    response.headers.update(headers)
    return response


@router.get("/forgot-password/sent", response_class=HTMLResponse, dependencies=[public()])
def forgot_password_sent(request: Request) -> Response:
    return render(
        request,
        "auth/forgot_password_sent.html",
        {"minutes": get_settings().password_reset_link_minutes},
    )


def _link_not_valid(request: Request, exc: reset.LinkNotValid) -> Response:
    return render(
        request, "auth/reset_link_invalid.html", {"message": exc.message}, status_code=404
    )


@router.get(reset.LINK_PATH + "/{token}", response_class=HTMLResponse, dependencies=[public()])
def reset_password_page(request: Request, token: str, session: DbSession) -> Response:
    try:
        reset.live_link(session, token)
    except reset.LinkNotValid as exc:
        return _link_not_valid(request, exc)
    return render(request, "auth/reset_password.html", {"errors": forms.FormErrors()})


# Self-phased like sign-in: the new password is hashed (Argon2) between the read that checks the
# link and the short write that uses it, so it takes DbSession rather than WriteSession.
@router.post(
    reset.LINK_PATH + "/{token}",
    response_class=HTMLResponse,
    dependencies=[public(), CsrfProtected],
)
def reset_password(request: Request, token: str, session: DbSession, form: PostedForm) -> Response:
    try:
        reset.set_new_password(
            session, token, str(form.get("password", "")), str(form.get("confirm", ""))
        )
    except reset.LinkNotValid as exc:
        return _link_not_valid(request, exc)
    except DomainError as exc:
        return render(
            request,
            "auth/reset_password.html",
            {"errors": forms.errors_from(exc, "password")},
            status_code=422,
        )
    request.state.web_session.flash = (
        "Your password has been changed. Sign in with your new password."
    )
    return RedirectResponse("/sign-in", status_code=303)
