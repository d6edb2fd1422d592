"""How a refusal is answered: a GOV.UK error page for pages, ErrorOut JSON under /api.

One handler per kind of exception (domain errors, invalid requests, Starlette's HTTP errors),
plus the 413 the request guard answers before the app has read the body. Every JSON body here
is ErrorOut (app.errors), and ERROR_RESPONSES documents it for every API operation.
"""

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from app import stages
from app.error_links import back_link
from app.errors import (
    DomainError,
    ErrorOut,
    InvalidInput,
    NotFound,
    NotSignedIn,
    PayloadTooLarge,
    error_body,
)
from app.identifiers import NOT_FOUND, NOT_FOUND_BY_PARAMETER
from app.mou.schemas import MESSAGES as MOU_MESSAGES
from app.web import render

API_PREFIX = "/api/"

# Documented on every operation; a route's own `responses` (a fuller 409 or 422) override these.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "The body could not be read (not UTF-8, say)"},
    401: {"model": ErrorOut, "description": "No valid bearer token"},
    403: {"model": ErrorOut, "description": "Your role or organisation may not do this"},
    404: {"model": ErrorOut, "description": "There is no such thing, or you may not see it"},
    409: {"model": ErrorOut, "description": "It cannot be done now; nothing was changed"},
    413: {"model": ErrorOut, "description": "The request is larger than the limit"},
    422: {"model": ErrorOut, "description": "A field is wrong; `field` names it"},
}

# Where FastAPI says a value came from; the field's own name is what a person can correct.
_SOURCES = {"body", "query", "path", "header", "cookie"}


def _wants_json(path: str) -> bool:
    return path.startswith(API_PREFIX)


def _error_page(request: Request, title: str, message: str, status_code: int) -> Response:
    return render(
        request,
        "errors/error.html",
        {
            "title": title,
            "message": message,
            "status_code": status_code,
            "back": back_link(request.url.path, getattr(request.state, "user", None)),
        },
        status_code=status_code,
    )


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if _wants_json(request.url.path):
        headers = {"www-authenticate": "Bearer"} if isinstance(exc, NotSignedIn) else None
        return JSONResponse(error_body(exc), status_code=exc.status_code, headers=headers)
    if isinstance(exc, NotSignedIn):
        return RedirectResponse(f"/sign-in?next={request.url.path}", status_code=303)
    return _error_page(request, exc.title, exc.message, exc.status_code)


def _messages_for(path: str) -> Mapping[str, str]:
    """The words of the stage that owns the path: the one whose segment comes first, so
    .../self-evaluations/{la}/returns is the self-evaluation's. Paths no stage claims (the
    cycle, benchmarking, accounts) have always used the MoU's."""
    found = [
        (path.find(segment), messages)
        for stage in stages.STAGES
        for segment, messages in (stage.messages or {}).items()
        if segment in path
    ]
    return min(found, key=lambda pair: pair[0])[1] if found else MOU_MESSAGES


async def invalid_request(request: Request, exc: Exception) -> Response:
    """422 naming each field; a path identifier that cannot name a row is a 404 instead."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    in_path = [str(item["loc"][1]) for item in errors if item.get("loc", ())[:1] == ("path",)]
    if in_path:
        message = NOT_FOUND_BY_PARAMETER.get(in_path[0], NOT_FOUND)
        return await domain_error(request, NotFound(message))
    messages = _messages_for(request.url.path)
    problems = []
    for item in errors:
        loc = [str(p) for p in item.get("loc", ())]
        if loc and loc[0] in _SOURCES:
            loc = loc[1:]
        name = loc[0] if loc else "body"
        problems.append(
            {
                "field": ".".join(loc) or "body",
                "message": messages.get(name)
                or str(item.get("msg", "")).removeprefix("Value error, "),
            }
        )
    first = problems[0] if problems else {"field": "body", "message": "The request is not valid"}
    if _wants_json(request.url.path):
        refused = InvalidInput(first["message"], field=first["field"])
        return JSONResponse(error_body(refused, problems), status_code=422)
    return _error_page(request, "There is a problem", first["message"], 422)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        title, message = "Page not found", "If you typed the web address, check it is correct."
    elif exc.status_code == 405:
        title, message = "That cannot be done here", "Go back and use the page's buttons."
    else:
        title, message = "Sorry, there is a problem", str(exc.detail)
    if _wants_json(request.url.path):
        body = {
            "error": {
                "type": "HTTPError",
                "title": title,
                "message": str(exc.detail),
                "field": None,
            }
        }
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)
    return _error_page(request, title, message, exc.status_code)


def size_in_words(limit: int) -> str:
    """2097152 -> '2 MB': how the limit is said on the page and in the API's message."""
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    if limit >= 1024:
        return f"{limit / 1024:g} KB"
    return f"{limit:,} bytes"


def too_large(scope: Scope, limit: int) -> Response:
    """The 413 for a body past settings.max_request_bytes, declared or counted as it streamed."""
    size = size_in_words(limit)
    request = Request(scope)
    if _wants_json(request.url.path):
        exc = PayloadTooLarge(
            f"The request is larger than the {size} limit ({limit:,} bytes), so nothing was saved."
        )
        return JSONResponse(error_body(exc), status_code=413)
    return _error_page(
        request,
        "The file is too large",
        f"What you sent is larger than {size}, the most this service accepts at once, so "
        f"nothing was saved. Go back and choose a file smaller than {size}.",
        413,
    )
