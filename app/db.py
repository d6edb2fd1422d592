"""Engine and the session per request: the request commits once, services only flush."""

from collections.abc import Iterator
from functools import cache
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from starlette.requests import Request

from app.errors import DomainError
from app.settings import get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the SQLite pragmas the service relies on when the URL is SQLite."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, issue BEGIN, so that BEGIN IMMEDIATE below takes effect.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A deferred transaction that reads and then writes can fail at once with "database is
        # locked" when another writer got there first; taking the write lock up front makes
        # concurrent requests wait their turn (busy_timeout) instead.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


@cache
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False, autoflush=True)


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: commit if the route returned, roll back if it raised."""
    session = get_sessionmaker()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        forget_uncommitted_session_cookie(request)
        raise
    finally:
        session.close()


def forget_uncommitted_session_cookie(request: Request) -> None:
    """A browser session opened in a rolled-back request does not exist: send no cookie for it."""
    request.state.new_session_token = None


def add_once(session: Session, row: object, refusal: DomainError) -> None:
    """Insert a row a unique index may refuse (a double submit, a race); raise `refusal` if so.

    The row is added inside the savepoint because begin_nested() flushes whatever is pending
    before it starts: a duplicate added earlier would fail outside it and spoil the transaction.
    """
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise refusal from None
