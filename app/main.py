"""create_app(): routers, static files, error handlers, reference data checked at start."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import stages
from app.auth import pages as auth_pages
from app.benchmarks.flag_rules import check_flag_rules
from app.cycles import api as cycles_api
from app.cycles import pages as cycles_pages
from app.db import fill_pool
from app.error_responses import ERROR_RESPONSES, domain_error, http_error, invalid_request
from app.errors import DomainError
from app.middleware import RequestGuard
from app.pack import worker as pack_worker
from app.reference import get_reference
from app.settings import get_settings
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
    # The cycle's own pages and API, then each registered stage's routers in the registry's order.
    routers = [auth_pages.router, cycles_pages.router, cycles_api.router]
    for stage in stages.STAGES:
        routers += stage.load_routers()
    for router in routers:
        app.include_router(router, responses=ERROR_RESPONSES)
    return app
