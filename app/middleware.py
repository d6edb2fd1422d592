"""Request-wide guards: body size, security headers, CSP nonce, and the session cookie."""

import secrets

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.settings import get_settings


class RequestGuard:
    """Pure ASGI middleware, so it can count body bytes as they arrive and refuse early."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = get_settings()
        limit = settings.max_request_bytes
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(send, limit)
            return

        state = scope.setdefault("state", {})
        state["csp_nonce"] = secrets.token_urlsafe(16)
        cookie = _read_cookie(
            headers.get(b"cookie", b"").decode("latin-1"), settings.session_cookie_name
        )
        state["session_token"] = cookie
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                _security_headers(out, state["csp_nonce"], scope["path"])
                new_token = state.get("new_session_token")
                if new_token:
                    out.append(
                        "set-cookie", _session_cookie(settings.session_cookie_name, new_token)
                    )
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except BodyTooLarge:
            await _too_large(send, limit)


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


async def _too_large(send: Send, limit: int) -> None:
    size = f"{limit / (1024 * 1024):g} MB" if limit >= 1024 * 1024 else f"{limit:,} bytes"
    body = f"The request is larger than the {size} limit.".encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
