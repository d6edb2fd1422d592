"""How a request becomes a principal, and the dependencies every route declares.

Each route names exactly one of: `permission(action)`, `signed_in()` or `public()`; unsafe HTML
routes add `csrf_protect`. A route that changes anything takes `WriteSession` rather than
`DbSession`, so its write transaction starts only once identity, the CSRF check and the form are
settled. A test walks every route and fails when one breaks these rules.
"""

import secrets
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.auth.accounts import principal_for_token
from app.auth.permissions import Scope, require
from app.auth.principal import Principal, load_principal
from app.auth.sessions import csrf_matches, find_session, open_session
from app.db import begin_write, end_read, get_session, own_write
from app.errors import CsrfRejected, NotSignedIn
from app.models import User, WebSession
from app.models.types import utcnow

DbSession = Annotated[Session, Depends(get_session, scope="function")]
API_PREFIX = "/api/"


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def web_session(request: Request, session: DbSession) -> WebSession | None:
    """The browser's server-side session, opened on first visit; None for API calls.

    It is read without a write lock; the little it may need to write (a new session, a
    last-seen time, a timed-out session revoked, a flash message shown) is committed in a
    transaction of its own, before the route's.
    """
    if _is_api(request):
        return None
    cached = getattr(request.state, "web_session", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    found = find_session(session, getattr(request.state, "session_token", None))
    record = None if found.expired else found.record
    show_flash = record is not None and record.flash is not None and request.method == "GET"
    if found.expired or found.touch or record is None or show_flash:
        with own_write(session):
            now = utcnow()
            if found.expired and found.record is not None:
                found.record.revoked_at = now
            if record is None:
                opened = open_session(session, None)
                record = opened.record
                request.state.new_session_token = opened.token
            elif found.touch:
                record.last_seen_at = now
            if show_flash:
                request.state.flash, record.flash = record.flash, None
    # Between this thread and the route's, the request holds no pooled connection: with every
    # thread waiting for a connection and every connection waiting for a thread, a worker
    # would stop answering (issue 8).
    end_read(session)
    request.state.web_session = record
    request.state.csrf_token = record.csrf_token
    request.state.csp_nonce = getattr(request.state, "csp_nonce", secrets.token_urlsafe(16))
    return record


WebSessionDep = Annotated[WebSession | None, Depends(web_session)]


def current_principal(
    request: Request, session: DbSession, record: WebSessionDep
) -> Principal | None:
    """Bearer token for /api, the session cookie for pages; None when nobody is signed in."""
    try:
        principal = _principal_of(request, session, record)
    finally:
        end_read(session)  # as in web_session: no connection held between threads
    request.state.user = principal
    return principal


def _principal_of(
    request: Request, session: Session, record: WebSession | None
) -> Principal | None:
    if _is_api(request):
        header = request.headers.get("authorization", "")
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret:
            return None
        return principal_for_token(session, secret.strip())
    if record is None or record.user_id is None:
        return None
    user = session.get(User, record.user_id)
    if user is None or not user.is_active:
        return None
    return load_principal(session, user)


PrincipalDep = Annotated[Principal | None, Depends(current_principal)]


def permission(action: StrEnum) -> Any:
    """Route dependency: signed in, and allowed `action` in the region named by the path."""

    def check(request: Request, principal: PrincipalDep) -> Principal:
        if principal is None:
            raise NotSignedIn("Sign in to continue.")
        require(principal, action, Scope(region_id=request.path_params.get("region_id")))
        return principal

    check.riia_permission = action  # type: ignore[attr-defined]
    return Depends(check)


def signed_in() -> Any:
    """Route dependency for pages any signed-in person may use (their own account)."""

    def check(principal: PrincipalDep) -> Principal:
        if principal is None:
            raise NotSignedIn("Sign in to continue.")
        return principal

    check.riia_permission = "signed_in"  # type: ignore[attr-defined]
    return Depends(check)


def public() -> Any:
    """Route dependency for pages anyone may see, such as sign-in and the accessibility statement."""

    def check(request: Request, record: WebSessionDep, principal: PrincipalDep) -> None:
        return None

    check.riia_permission = "public"  # type: ignore[attr-defined]
    return Depends(check)


async def posted_form(request: Request) -> FormData:
    """The form, read in full before any database work, so no lock waits on a slow upload."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted_form)]


def csrf_protect(request: Request, form: PostedForm, record: WebSessionDep) -> None:
    """Refuse a form post without this session's token, or sent from another site."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        raise CsrfRejected("This form was sent from another website, so it was not accepted.")
    origin = request.headers.get("origin")
    if origin is not None and origin != "null":
        sent_from = urlsplit(origin)
        if (sent_from.scheme, sent_from.netloc) != (request.url.scheme, request.url.netloc):
            raise CsrfRejected("This form was sent from another website, so it was not accepted.")
    submitted = form.get("csrf_token")
    if not csrf_matches(record, submitted if isinstance(submitted, str) else None):
        raise CsrfRejected(
            "The form had expired or was missing its security token, so nothing was saved. "
            "Go back, reload the page and try again."
        )


csrf_protect.riia_csrf = True  # type: ignore[attr-defined]
CsrfProtected = Depends(csrf_protect)


def write_session(session: DbSession, _identity: PrincipalDep) -> Session:
    """The request's session, whose next transaction writes (SQLite: `BEGIN IMMEDIATE` at the
    route's first statement, in the route's own thread).

    It depends on the principal so that identity is settled, in its own short transactions,
    first; route-level dependencies (CSRF, reading the form) come first too.
    """
    begin_write(session)
    return session


write_session.riia_writes = True  # type: ignore[attr-defined]
WriteSession = Annotated[Session, Depends(write_session)]


def route_markers(dependant: Any) -> set[Any]:
    """Every permission and CSRF marker among a route's dependencies, however deep."""
    found: set[Any] = set()
    stack = list(dependant.dependencies)
    while stack:
        dep = stack.pop()
        call: Callable[..., Any] | None = dep.call
        for attribute in ("riia_permission", "riia_csrf"):
            if call is not None and hasattr(call, attribute):
                found.add((attribute, getattr(call, attribute)))
        stack.extend(dep.dependencies)
    return found
