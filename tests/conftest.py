"""Test set-up: every database test runs on SQLite and on real PostgreSQL.

The schema is migrated once per backend per run; each test runs inside a transaction that is
rolled back, with the request's commit turned into a savepoint release.
"""

import os
import tempfile
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

os.environ["RIIA_ENVIRONMENT"] = "test"
os.environ["RIIA_WARM_PACKS"] = "false"
os.environ["RIIA_FILL_POOL_AT_START"] = "false"  # the app's own engine is never used here
os.environ.setdefault("RIIA_DATABASE_URL", "sqlite:////nonexistent/riia-tests-must-not-touch.db")
# Supporting documents land in a throwaway folder, never the working tree's var/.
os.environ.setdefault("RIIA_DATA_DIR", tempfile.mkdtemp(prefix="riia-test-data-"))

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app import clock
from app.db import PHASED, forget_uncommitted_session_cookie, get_session, make_engine
from app.schema import upgrade

PG_URL = os.environ.get("TEST_DATABASE_URL")
# The suite reads one fixed day, so no test depends on when it runs (RIIA_TEST_TODAY to vary it).
TEST_TODAY = date.fromisoformat(os.environ.get("RIIA_TEST_TODAY", "2026-11-23"))
if os.environ.get("CI") == "true" and not PG_URL:
    raise RuntimeError("CI must run the PostgreSQL tests: TEST_DATABASE_URL is not set")

BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def fresh_postgres_database(purpose: str) -> str:
    """A new, empty database of its own: named per process, so parallel runs never collide."""
    assert PG_URL is not None
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"riia_{purpose}_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def fresh_database_url(backend: str, tmp_path: Path, purpose: str) -> str:
    """An empty database outside the per-test transaction, for tests that need real commits."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / (purpose + '.db')}"
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    return fresh_postgres_database(purpose)


def drop_postgres_database(url: str) -> None:
    assert PG_URL is not None
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> date:
    monkeypatch.setattr(clock, "today", lambda: TEST_TODAY)
    return TEST_TODAY


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    url = fresh_postgres_database("test")
    yield url
    drop_postgres_database(url)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    connection = engine.connect()
    outer = connection.begin()
    db = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield db
    finally:
        db.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def app(session: Session) -> FastAPI:
    from app.main import create_app

    application = create_app()

    def request_session(request: Request) -> Iterator[Session]:
        # The test's own set-up is committed first (its audit entries chained); then the
        # request reads, then writes, in transactions of its own as in production (app.db),
        # each commit here a savepoint release inside the test's transaction.
        session.commit()
        session.info[PHASED] = True
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            forget_uncommitted_session_cookie(request)
            raise
        finally:
            session.info.pop(PHASED, None)

    application.dependency_overrides[get_session] = request_session
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    # https, so the Secure __Host- session cookie is sent back as a browser would.
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as test_client:
        yield test_client


class PageChecker(HTMLParser):
    """Parses a page: its title, unique ids, and the CSRF token of its forms."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.title = ""
        self._in_title = False
        self.csrf_tokens: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if "id" in attributes and attributes["id"]:
            self.ids.append(attributes["id"])
        if tag == "title":
            self._in_title = True
        if tag == "input" and attributes.get("name") == "csrf_token":
            self.csrf_tokens.append(attributes.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def check_page(html: str) -> PageChecker:
    """Every page: a title, no duplicate ids."""
    checker = PageChecker()
    checker.feed(html)
    assert checker.title.strip(), "page has no title"
    duplicates = {i for i in checker.ids if checker.ids.count(i) > 1}
    assert not duplicates, f"duplicate ids: {duplicates}"
    return checker
