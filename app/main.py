"""create_app(): routers, static files, error handlers, reference data checked at start."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.auth import pages as auth_pages
from app.benchmarks import api as api_benchmarks
from app.benchmarks import pages as pages_insight
from app.benchmarks.flag_rules import check_flag_rules
from app.cycles import api as cycles_api
from app.cycles import pages as cycles_pages
from app.db import fill_pool
from app.error_responses import ERROR_RESPONSES, domain_error, http_error, invalid_request
from app.errors import DomainError
from app.middleware import RequestGuard
from app.mou import api as mou_api
from app.mou import pages as mou_pages
from app.mou import pages_drafting as mou_drafting_pages
from app.mou import pages_review as mou_review_pages
from app.pack import worker as pack_worker
from app.reference import get_reference
from app.returns import api as api_returns
from app.returns import pages as pages_returns
from app.self_evaluation import api as sef_api
from app.self_evaluation import pages_pack as sef_pack
from app.self_evaluation.documents import api as sef_api_documents
from app.self_evaluation.documents import pages as sef_pages_documents
from app.self_evaluation.documents import pages_import as sef_pages_import
from app.self_evaluation.drafting import pages as sef_pages_drafting
from app.self_evaluation.drafting import pages_start as sef_pages_start
from app.self_evaluation.drafting import pages_versions as sef_pages_versions
from app.self_evaluation.scrutiny import pages as sef_pages_scrutiny
from app.self_evaluation.signoff import pages as sef_pages_signoff
from app.settings import get_settings
from app.triads import api as triads_api
from app.triads import pages as triads_pages
from app.web import STATIC_DIR


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # Every route that touches the database runs in this thread pool; the connection pool has
    # one connection per thread (app.db.make_engine), so neither queues behind the other.
    anyio.to_thread.current_default_thread_limiter().total_tokens = get_settings().worker_threads
    if get_settings().fill_pool_at_start:
        await anyio.to_thread.run_sync(fill_pool)
    with pack_worker.in_process():  # SQLite only: packs warmed with nothing else running
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
        mou_drafting_pages.router,
        mou_review_pages.router,
        cycles_api.router,
        mou_api.router,
        sef_api.router,
        sef_api_documents.router,
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
        sef_pages_start.router,
        # Last: /self-evaluations/{la_code} would catch fixed paths such as .../tracker.
        sef_pages_versions.router,
        sef_pages_documents.router,
        sef_pages_import.router,
        sef_pages_drafting.router,
    ):
        app.include_router(router, responses=ERROR_RESPONSES)
    return app
