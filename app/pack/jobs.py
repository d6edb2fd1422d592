"""Packs re-rendered after a change commits, from one place.

A service that changes what a pack prints calls `schedule(session, kind, *args)` beside the
change. Nothing renders then: the session only notes the pack. When the transaction commits, the
note becomes a row in `pack_job`, written in that same transaction, so a job exists exactly when
the change does (a rollback drops both, and a crash after the commit loses neither). Jobs for
the same document collapse into one waiting row. Workers (app/pack/worker.py) render them later,
outside any request.
"""

import json
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql.dml import Insert

from app.db import require_write_phase
from app.models.pack_job import QUEUED, PackJob
from app.models.types import utcnow
from app.settings import get_settings

Arg = int | str
Warmer = Callable[..., None]

# Session.info key: the packs this transaction's changes may have altered.
_PENDING = "riia_pack_jobs"
_ENQUEUED = "riia_pack_jobs_enqueued"

# kind -> the stage's warm function, registered by the stage's pack module.
WARMERS: dict[str, Warmer] = {}

# Set after a commit that queued a job, so a worker in this process starts at once.
wake = threading.Event()


def register(kind: str) -> Callable[[Warmer], Warmer]:
    """Name a stage's warm function, so a job of this kind renders with it."""

    def registered(warmer: Warmer) -> Warmer:
        WARMERS[kind] = warmer
        return warmer

    return registered


def subject_of(args: tuple[Arg, ...]) -> str:
    return ":".join(str(a) for a in args)


def schedule(session: Session, kind: str, *args: Arg) -> None:
    """Note that this pack's inputs may have changed; it is queued if and when the change commits."""
    if not get_settings().warm_packs:
        return
    require_write_phase(session)
    session.info.setdefault(_PENDING, {})[(kind, subject_of(args))] = args


def _insert_once(session: Session, kind: str, args: tuple[Arg, ...]) -> None:
    """Queue the job unless one for the same document is already waiting."""
    now = utcnow()
    values: dict[str, Any] = {
        "kind": kind,
        "subject": subject_of(args),
        "args": json.dumps(list(args)),
        "state": QUEUED,
        "attempts": 0,
        "created_at": now,
        "run_after": now,
    }
    waiting = PackJob.state == QUEUED
    statement: Insert
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement = (
            postgresql.insert(PackJob)
            .values(values)
            .on_conflict_do_nothing(index_elements=["kind", "subject"], index_where=waiting)
        )
    elif dialect == "sqlite":
        statement = (
            sqlite.insert(PackJob)
            .values(values)
            .on_conflict_do_nothing(index_elements=["kind", "subject"], index_where=waiting)
        )
    else:  # pragma: no cover - the service runs on PostgreSQL and SQLite only
        statement = insert(PackJob).values(values)
    session.execute(statement)


def enqueue_pending(session: Session) -> None:
    """Write the noted jobs into the transaction about to commit."""
    pending: dict[tuple[str, str], tuple[Arg, ...]] = session.info.pop(_PENDING, {})
    for (kind, _subject), args in sorted(pending.items()):
        _insert_once(session, kind, args)
    if pending:
        session.info[_ENQUEUED] = True


def _before_commit(session: Session) -> None:
    # Also called as a savepoint is released (add_once): the jobs wait for the real commit.
    if not session.in_nested_transaction():
        enqueue_pending(session)


def _after_commit(session: Session) -> None:
    if session.info.pop(_ENQUEUED, None):
        wake.set()


def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    # A rolled-back change queues nothing: its notes go with it.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_ENQUEUED, None)


def _listen() -> None:
    from sqlalchemy import event

    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_transaction_end", _transaction_ended)


_listen()
