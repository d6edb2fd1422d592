"""create_app(): routers, static files, error handlers, reference data checked at start."""

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import asdict

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.auth import pages as auth_pages
from app.auth.web import API_PREFIX
from app.cycles import api as cycles_api
from app.cycles import pages as cycles_pages
from app.db import fill_pool
from app.error_links import back_link
from app.errors import DomainError, FileRejected, NotSignedIn
from app.indicators import api_benchmarks, api_returns, pages_insight, pages_returns
from app.indicators.flag_rules import check_flag_rules
from app.indicators.schemas import MESSAGES as INDICATOR_MESSAGES
from app.middleware import RequestGuard
from app.mou import api as mou_api
from app.mou import pages as mou_pages
from app.mou.schemas import MESSAGES as MOU_MESSAGES
from app.reference import get_reference
from app.sef import api as sef_api
from app.sef import pages_drafting as sef_pages_drafting
from app.sef import pages_pack as sef_pack
from app.sef import pages_scrutiny as sef_pages_scrutiny
from app.sef import pages_signoff as sef_pages_signoff
from app.sef import pages_versions as sef_pages_versions
from app.sef.schemas import MESSAGES as SEF_MESSAGES
from app.settings import get_settings
from app.triads import api as triads_api
from app.triads import pages as triads_pages
from app.web import STATIC_DIR, render


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


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
    if _wants_json(request):
        body: dict[str, dict[str, object]] = {
            "error": {
                "type": type(exc).__name__,
                "title": exc.title,
                "message": exc.message,
                "field": exc.field,
            }
        }
        if isinstance(exc, FileRejected):
            body["error"]["problems"] = [asdict(p) for p in exc.problems]
        headers = {"www-authenticate": "Bearer"} if isinstance(exc, NotSignedIn) else None
        return JSONResponse(body, status_code=exc.status_code, headers=headers)
    if isinstance(exc, NotSignedIn):
        return RedirectResponse(f"/sign-in?next={request.url.path}", status_code=303)
    return _error_page(request, exc.title, exc.message, exc.status_code)


# Each feature's plain-English messages, found by a segment of the request's path.
_MESSAGES_BY_PATH: tuple[tuple[str, Mapping[str, str]], ...] = (
    ("/self-evaluations", SEF_MESSAGES),
    ("/triads", SEF_MESSAGES),
    ("/returns", INDICATOR_MESSAGES),
    ("/mou", MOU_MESSAGES),
)


def _messages_for(path: str) -> Mapping[str, str]:
    return next((m for segment, m in _MESSAGES_BY_PATH if segment in path), MOU_MESSAGES)


async def invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    messages = _messages_for(request.url.path)
    problems = []
    for item in exc.errors():
        loc = [str(p) for p in item.get("loc", ()) if p != "body"]
        name = loc[0] if loc else "body"
        problems.append(
            {
                "field": ".".join(loc) or "body",
                "message": messages.get(name)
                or str(item.get("msg", "")).removeprefix("Value error, "),
            }
        )
    if _wants_json(request):
        return JSONResponse(
            {
                "error": {
                    "type": "InvalidInput",
                    "title": "There is a problem",
                    "message": problems[0]["message"] if problems else "Invalid request",
                    "problems": problems,
                }
            },
            status_code=422,
        )
    return _error_page(
        request, "There is a problem", problems[0]["message"] if problems else "", 422
    )


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if _wants_json(request):
        return JSONResponse(
            {"error": {"type": "HTTPError", "message": exc.detail}}, status_code=exc.status_code
        )
    if exc.status_code == 404:
        return _error_page(
            request, "Page not found", "If you typed the web address, check it is correct.", 404
        )
    if exc.status_code == 405:
        return _error_page(
            request, "That cannot be done here", "Go back and use the page's buttons.", 405
        )
    return _error_page(request, "Sorry, there is a problem", str(exc.detail), exc.status_code)


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # Every route that touches the database runs in this thread pool; the connection pool has
    # one connection per thread (app.db.make_engine), so neither queues behind the other.
    anyio.to_thread.current_default_thread_limiter().total_tokens = get_settings().worker_threads
    if get_settings().fill_pool_at_start:
        await anyio.to_thread.run_sync(fill_pool)
    yield


def create_app() -> FastAPI:
    get_reference()  # a broken reference file stops start-up here, naming the file
    check_flag_rules()  # so does a broken signatures-of-risk rules file
    app = FastAPI(
        title="RIIA Cycle",
        version="0.1.0",
        description=(
            "Runs the ADCS sector-led improvement cycle of a Regional Improvement and Innovation "
            "Alliance. Authenticate with a personal API token: `Authorization: Bearer riia_...`."
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.add_middleware(RequestGuard)
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")
    for router in (
        auth_pages.router,
        cycles_pages.router,
        mou_pages.router,
        cycles_api.router,
        mou_api.router,
        sef_api.router,
        pages_returns.router,
        api_returns.router,
        api_benchmarks.router,
        api_benchmarks.api_router,
        pages_insight.router,
        pages_insight.api_router,
        triads_pages.router,
        triads_api.router,
        sef_pack.router,
        sef_pack.api_router,
        # Before the drafting pages: their /self-evaluations/{la_code} would catch .../tracker.
        sef_pages_signoff.router,
        sef_pages_scrutiny.router,
        # Last: /self-evaluations/{la_code} would catch fixed paths such as .../tracker.
        sef_pages_versions.router,
        sef_pages_drafting.router,
    ):
        app.include_router(router)
    return app
