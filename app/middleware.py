"""Request-wide guards: body size, security headers, CSP nonce, and the session cookie."""

import contextlib
import re
import secrets

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.error_responses import too_large
from app.settings import get_settings

# The only routes whose body may pass max_request_bytes: a supporting document or a DOCX to import
# (10 MB each, app/self_evaluation/documents/files.py), plus room for the multipart envelope and the form's fields.
DOCUMENT_UPLOAD = re.compile(
    r"^(/api/v1)?/regions/[^/]+/cycles/[^/]+/self-evaluations/[^/]+/(documents|import)$"
)
DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_ENVELOPE_BYTES = 64 * 1024


def body_limit(method: str, path: str, default: int) -> tuple[int, int]:
    """The most a request's body may hold, and the limit a refusal names: the setting, raised
    only for document uploads (whose refusal names the 10 MB a file may be)."""
    if method == "POST" and DOCUMENT_UPLOAD.match(path) and default < DOCUMENT_BYTES:
        return DOCUMENT_BYTES + DOCUMENT_ENVELOPE_BYTES, DOCUMENT_BYTES
    return default, default


class RequestGuard:
    """Pure ASGI middleware, so it can count body bytes as they arrive and refuse early."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = get_settings()
        limit, named = body_limit(scope["method"], scope["path"], settings.max_request_bytes)
        headers = dict(scope["headers"])
        state = scope.setdefault("state", {})
        state["csp_nonce"] = secrets.token_urlsafe(16)
        state["session_token"] = _read_cookie(
            headers.get(b"cookie", b"").decode("latin-1"), settings.session_cookie_name
        )
        received = 0
        # A chunked body declares no length: its bytes are counted as they arrive. Past the
        # limit, reading raises; whatever the app answers then (FastAPI turns an error while
        # reading a body into a 400) is dropped for the same 413 a declared size gets.
        over_limit = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, over_limit
            if over_limit:
                raise BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over_limit = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                out = MutableHeaders(scope=message)
                _security_headers(out, state["csp_nonce"], scope["path"])
                new_token = state.get("new_session_token")
                if new_token:
                    out.append(
                        "set-cookie", _session_cookie(settings.session_cookie_name, new_token)
                    )
            await send(message)

        async def app_send(message: Message) -> None:
            if not over_limit or started:
                await guarded_send(message)

        declared = headers.get(b"content-length")
        if declared is None or (declared.isdigit() and int(declared) <= limit):
            with contextlib.suppress(BodyTooLarge):
                await self.app(scope, counted_receive, app_send)
            if not over_limit or started:
                return
        await too_large(scope, named)(scope, receive, guarded_send)


class BodyTooLarge(Exception):
    pass


def _read_cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def _session_cookie(name: str, token: str) -> str:
    settings = get_settings()
    secure = "; Secure" if settings.cookie_secure else ""
    return f"{name}={token}; Path=/; HttpOnly; SameSite=Lax{secure}"


def _security_headers(headers: MutableHeaders, nonce: str, path: str) -> None:
    headers["content-security-policy"] = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    headers["strict-transport-security"] = "max-age=31536000; includeSubDomains"
    headers["x-content-type-options"] = "nosniff"
    headers["referrer-policy"] = "same-origin"
    headers["x-frame-options"] = "DENY"
    headers["cross-origin-opener-policy"] = "same-origin"
    headers["permissions-policy"] = "camera=(), microphone=(), geolocation=()"
    if not path.startswith("/static/"):
        headers["cache-control"] = "no-store"
