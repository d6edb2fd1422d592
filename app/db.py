"""Engine, sessions and the shape of a request's transactions.

The request owns its transactions; services only flush. A request runs in two phases:

- **reading**: who is asking (the session cookie or API token) and everything a page shows is
  read in a transaction that takes no write lock (SQLite: a deferred transaction in WAL mode);
- **writing**: a route that changes anything asks for `WriteSession`, which starts the
  transaction that writes (SQLite: `BEGIN IMMEDIATE`) only after identity, the CSRF check and
  the form have been dealt with, so the write lock is held for the route's own work and the
  commit, never while a body arrives, a password is checked or a PDF is drawn.

Sessions made outside a request (command line, demo, background renders) take the write lock
up front, as a batch writer should.
"""

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from functools import cache
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, SessionTransaction, sessionmaker
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

# An execution option read when a SQLite transaction begins: "immediate" takes the write lock at
# BEGIN (the default), "deferred" only when the transaction first writes.
SQLITE_BEGIN = "riia_sqlite_begin"
READS_ONLY = {SQLITE_BEGIN: "deferred"}  # for a session that will not write
# Session.info keys: the session reads first and writes later (a request's); its open
# transaction is the one that writes.
PHASED = "riia_phased"
_WRITING = "riia_writing"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the pragmas, timeouts and pool the service relies on for its database."""
    settings = get_settings()
    pool = {"pool_size": settings.db_pool_size, "max_overflow": 0, "pool_timeout": 30}
    if url.startswith("sqlite"):
        if ":memory:" in url or url in ("sqlite://", "sqlite:///"):
            pool = {}
        engine = create_engine(url, connect_args={"check_same_thread": False}, **{**pool, **kwargs})
        _configure_sqlite(engine, settings.db_busy_timeout_ms)
        return engine
    # Nothing waits forever: a statement or a lock wait past its limit fails with an error the
    # request rolls back, instead of a worker that never answers again.
    options = (
        f"-c statement_timeout={settings.db_statement_timeout_ms} "
        f"-c lock_timeout={settings.db_lock_timeout_ms} "
        f"-c idle_in_transaction_session_timeout={settings.db_idle_in_transaction_timeout_ms}"
    )
    return create_engine(
        url, pool_pre_ping=True, connect_args={"options": options}, **{**pool, **kwargs}
    )


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, issue BEGIN, so that the BEGIN below takes effect.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL: readers never wait for the writer, and the writer never waits for readers.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A deferred transaction that has read and then writes fails at once with "database is
        # locked" when another writer committed after its first read (the busy timeout does
        # not apply). So a transaction that may write takes the lock at BEGIN and waits its
        # turn; one that only reads asks for "deferred" and takes no lock at all.
        mode = connection.get_execution_options().get(SQLITE_BEGIN, "immediate")
        connection.exec_driver_sql("BEGIN" if mode == "deferred" else "BEGIN IMMEDIATE")


@cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


@cache
def get_sessionmaker() -> sessionmaker[Session]:
    """Sessions for work outside a request: each transaction may write, so it locks at BEGIN."""
    return sessionmaker(bind=get_engine(), expire_on_commit=False, autoflush=True)


def fill_pool() -> None:
    """Open the pool's connections now, at start-up, not all at once in the first burst of
    requests (fifty PostgreSQL backends forked together took a second)."""
    engine = get_engine()
    with ExitStack() as opened:
        for _ in range(get_settings().db_pool_size):
            opened.enter_context(engine.connect())


def reading_session() -> Session:
    """A session whose transactions read until `begin_write` says otherwise."""
    session = get_sessionmaker()(execution_options=READS_ONLY)
    session.info[PHASED] = True
    return session


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: commit if the route returned, roll back if it raised."""
    session = reading_session()
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


def end_read(session: Session) -> None:
    """Close the reading transaction before slow work (a password check, drawing a PDF), so
    that work holds no snapshot, no lock and no pooled connection; and at the end of each
    dependency, so the request holds no connection while it waits for its next thread.

    Only a request's session has phases: a command-line or demo session is one transaction
    throughout, and this leaves it alone.
    """
    if session.info.get(PHASED) and session.in_transaction() and not session.info.get(_WRITING):
        session.commit()


def begin_write(session: Session) -> None:
    """Make the session's next transaction the one that writes (SQLite: `BEGIN IMMEDIATE`).

    Nothing is locked here: the transaction begins at the first statement of the work that
    follows, in the thread doing it. So a request never holds a pooled connection, let alone
    the write lock, while it waits for a thread (with every thread waiting for a connection,
    that was a wedge). Whatever the request read so far is kept (objects are not expired); the
    decisions the write depends on are read again inside the write by the service making them.
    """
    if not session.info.get(PHASED) or session.info.get(_WRITING):
        return
    end_read(session)
    session.info[_WRITING] = True
    session.execution_options = session.execution_options.union({SQLITE_BEGIN: "immediate"})


def _read_again(session: Session) -> None:
    """After the writing transaction: the session's next transactions only read."""
    if session.info.pop(_WRITING, None):
        session.execution_options = session.execution_options.union(READS_ONLY)


@contextmanager
def own_write(session: Session) -> Iterator[None]:
    """A small write that is not the route's business (a browser session opened or seen again,
    a token's last use), committed in a short transaction of its own before the route runs.
    A session without phases keeps it in its one transaction."""
    begin_write(session)
    yield
    if session.info.get(PHASED):
        session.commit()
        _read_again(session)
    else:
        session.flush()


def is_writing(session: Session) -> bool:
    """Writes are allowed: the open (or next) transaction is the one that writes."""
    return bool(session.info.get(_WRITING))


class WriteOutsideWritePhase(RuntimeError):
    """A programming error: a request wrote without `begin_write` (or `WriteSession`).

    On SQLite such a write would upgrade a reading transaction, which fails at once with
    "database is locked" whenever another request has committed since it began; refusing
    every time, here, makes the mistake show in the tests instead of under load.
    """


def require_write_phase(session: Session) -> None:
    if session.info.get(PHASED) and not is_writing(session):
        raise WriteOutsideWritePhase(
            "This request writes in its reading transaction: take WriteSession in the route or "
            "call app.db.begin_write before the first change."
        )


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.new or session.deleted or any(session.is_modified(o) for o in session.dirty):
        require_write_phase(session)


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        _read_again(session)


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
