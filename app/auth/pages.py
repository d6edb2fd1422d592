"""Sign in, sign out, personal API tokens, and the public pages."""

from collections.abc import Iterator
from typing import Annotated
from urllib.parse import urlsplit

import httpx
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import text

from app import forms
from app.auth import accounts, entra, pages_reset, password_sign_in, throttle
from app.auth.principal import Principal
from app.auth.sessions import open_session, revoke, sign_in_as
from app.auth.throttle import Throttled
from app.auth.web import CsrfProtected, DbSession, PostedForm, WriteSession, public, signed_in
from app.errors import DomainError, NotSignedIn
from app.identifiers import Identifier
from app.models import User
from app.settings import get_settings
from app.web import render

router = APIRouter(include_in_schema=False)
router.include_router(pages_reset.router)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never an open redirect."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or urlsplit(target).netloc
    ):
        return "/"
    return target


@router.get("/sign-in", response_class=HTMLResponse, dependencies=[public()])
def sign_in_page(request: Request, next: str = "/") -> Response:
    return render(
        request,
        "auth/sign_in.html",
        {
            "errors": forms.FormErrors(),
            "email": "",
            "next": _safe_next(next),
            "entra": bool(get_settings().oidc_client_id),
        },
    )


@router.post("/sign-in", response_class=HTMLResponse, dependencies=[public(), CsrfProtected])
def sign_in(request: Request, session: DbSession, form: PostedForm) -> Response:
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "/")))
    errors = forms.FormErrors()
    status, headers = 422, {}
    if not email.strip():
        errors.add("email", "Enter your email address")
    if not password:
        errors.add("password", "Enter your password")
    if not errors:
        try:
            opened = password_sign_in.sign_in_with_password(
                session,
                request.state.web_session,
                email,
                password,
                throttle.client_key(request.client.host if request.client else None),
            )
        except Throttled as exc:
            errors = forms.errors_from(exc, "email")
            status, headers = 429, {"Retry-After": str(exc.retry_after)}
        except DomainError as exc:
            errors = forms.errors_from(exc, "email")
        else:
            request.state.new_session_token = opened.token
            return RedirectResponse(target, status_code=303)
    response = render(
        request,
        "auth/sign_in.html",
        {
            "errors": errors,
            "email": email,
            "next": target,
            "entra": bool(get_settings().oidc_client_id),
        },
        status_code=status,
    )
    response.headers.update(headers)
    return response


def entra_http() -> Iterator[httpx.Client]:
    """The HTTP client that talks to Microsoft; tests replace it with a local identity provider."""
    with httpx.Client() as client:
        yield client


@router.get("/sign-in/entra", dependencies=[public()])
def entra_begin(request: Request, session: WriteSession) -> Response:
    return RedirectResponse(entra.begin(request.state.web_session, get_settings()), status_code=303)


@router.get(entra.CALLBACK_PATH, response_class=HTMLResponse, dependencies=[public()])
def entra_callback(
    request: Request,
    session: DbSession,
    http: Annotated[httpx.Client, Depends(entra_http)],
    code: str = "",
    state: str = "",
    error_description: str = "",
) -> Response:
    if not code:
        raise NotSignedIn(error_description or "Microsoft did not complete the sign-in. Try again.")
    user = entra.complete(session, request.state.web_session, get_settings(), code, state, http)
    opened = sign_in_as(session, request.state.web_session, user.id)
    request.state.new_session_token = opened.token
    return RedirectResponse("/", status_code=303)


@router.post("/sign-out", dependencies=[CsrfProtected])
def sign_out(
    request: Request, session: WriteSession, principal: Annotated[Principal, signed_in()]
) -> Response:
    revoke(session, request.state.web_session)
    opened = open_session(session, None)
    opened.record.flash = "You have signed out."
    request.state.new_session_token = opened.token
    return RedirectResponse("/sign-in", status_code=303)


@router.get("/account/tokens", response_class=HTMLResponse)
def tokens_page(
    request: Request, session: DbSession, principal: Annotated[Principal, signed_in()]
) -> Response:
    return render(
        request,
        "auth/tokens.html",
        {
            "tokens": accounts.tokens_of(session, principal.user_id),
            "errors": forms.FormErrors(),
            "new_secret": None,
        },
    )


@router.post("/account/tokens", response_class=HTMLResponse, dependencies=[CsrfProtected])
def create_token(
    request: Request,
    session: WriteSession,
    form: PostedForm,
    principal: Annotated[Principal, signed_in()],
) -> Response:
    errors = forms.FormErrors()
    secret = None
    user = session.get(User, principal.user_id)
    assert user is not None
    try:
        _, secret = accounts.create_api_token(session, user, str(form.get("name", "")))
    except DomainError as exc:
        errors = forms.errors_from(exc, "name")
    return render(
        request,
        "auth/tokens.html",
        {
            "tokens": accounts.tokens_of(session, principal.user_id),
            "errors": errors,
            "new_secret": secret,
        },
        status_code=422 if errors else 201,
    )


@router.post("/account/tokens/{token_id}/revoke", dependencies=[CsrfProtected])
def revoke_token(
    request: Request,
    token_id: Identifier,
    session: WriteSession,
    principal: Annotated[Principal, signed_in()],
) -> Response:
    token = accounts.revoke_api_token(session, principal, token_id)
    request.state.web_session.flash = f"API token “{token.name}” revoked."
    return RedirectResponse("/account/tokens", status_code=303)


@router.get("/accessibility", response_class=HTMLResponse, dependencies=[public()])
def accessibility(request: Request) -> Response:
    return render(request, "accessibility.html")


@router.get("/healthz", dependencies=[public()])
def healthz(session: DbSession) -> Response:
    session.execute(text("SELECT 1"))
    return JSONResponse({"status": "ok"})
