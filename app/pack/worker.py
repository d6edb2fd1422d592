"""Workers render queued packs (app/pack/jobs.py), in any process on any machine.

A worker claims a job with a compare-and-set update (only one worker's update finds it still
queued; on PostgreSQL the candidate row is also read with SKIP LOCKED), renders with the stage's
warm function (which reads, renders and stores in short transactions of its own), and deletes
the job. A failed job is tried again later, up to MAX_ATTEMPTS times. A job whose worker died
(claimed longer ago than RECLAIM_AFTER) is claimed again. Two jobs for the same document never
run at once.

`riia worker` runs `serve` until stopped; on SQLite the web app also runs one in a thread
(`in_process`), so packs are warmed with nothing else running.
"""

import json
import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, sessionmaker

from app.db import READS_ONLY, get_sessionmaker
from app.models.pack_job import FAILED, QUEUED, RUNNING, PackJob
from app.models.types import utcnow
from app.pack import jobs
from app.settings import get_settings

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RECLAIM_AFTER = timedelta(minutes=10)  # far longer than any render takes
POLL_SECONDS = 2.0

Maker = Callable[[], sessionmaker[Session]]


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    args: tuple[int | str, ...]
    attempts: int


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"[:120]


def _claimable(stale: datetime) -> ColumnElement[bool]:
    """Queued and due, or running under a worker presumed dead; never beside a live run of the
    same document."""
    live = aliased(PackJob)
    running_beside = exists().where(
        live.kind == PackJob.kind,
        live.subject == PackJob.subject,
        live.id != PackJob.id,
        live.state == RUNNING,
        live.claimed_at >= stale,
    )
    return and_(
        or_(
            and_(PackJob.state == QUEUED, PackJob.run_after <= utcnow()),
            and_(PackJob.state == RUNNING, PackJob.claimed_at < stale),
        ),
        PackJob.attempts < MAX_ATTEMPTS,
        ~running_beside,
    )


def give_up_on_the_abandoned(maker: sessionmaker[Session]) -> None:
    """A job whose workers died under it MAX_ATTEMPTS times is marked failed, not tried again."""
    abandoned = and_(
        PackJob.state == RUNNING,
        PackJob.claimed_at < utcnow() - RECLAIM_AFTER,
        PackJob.attempts >= MAX_ATTEMPTS,
    )
    with maker(execution_options=READS_ONLY) as session:
        found = session.scalar(select(PackJob.id).where(abandoned).limit(1))
        session.rollback()
    if found is not None:
        with maker.begin() as session:
            session.execute(
                update(PackJob)
                .where(abandoned)
                .values(
                    state=FAILED, last_error="Its worker stopped while rendering it, each time."
                )
            )


def claim(maker: sessionmaker[Session], name: str) -> Claimed | None:
    """Take the oldest job due, or None when there is none (or another worker took it first)."""
    stale = utcnow() - RECLAIM_AFTER
    # A look that takes no lock first: an idle worker's polling never queues for SQLite's lock.
    with maker(execution_options=READS_ONLY) as session:
        found = session.scalar(select(PackJob.id).where(_claimable(stale)).limit(1))
        session.rollback()
    if found is None:
        return None
    with maker.begin() as session:
        row = session.execute(
            select(PackJob.id, PackJob.state, PackJob.claimed_at)
            .where(_claimable(stale))
            .order_by(PackJob.id)
            .limit(1)
            .with_for_update(skip_locked=True, of=PackJob)
        ).first()
        if row is None:
            return None
        was_claimed = (
            PackJob.claimed_at.is_(None)
            if row.claimed_at is None
            else PackJob.claimed_at == row.claimed_at
        )
        taken = session.execute(
            update(PackJob)
            .where(PackJob.id == row.id, PackJob.state == row.state, was_claimed)
            .values(
                state=RUNNING,
                claimed_by=name,
                claimed_at=utcnow(),
                attempts=PackJob.attempts + 1,
            )
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return None
        job = session.get(PackJob, row.id)
        assert job is not None
        return Claimed(job.id, job.kind, tuple(json.loads(job.args)), job.attempts)


def _finished(maker: sessionmaker[Session], job: Claimed, name: str) -> None:
    with maker.begin() as session:
        session.execute(delete(PackJob).where(PackJob.id == job.id, PackJob.claimed_by == name))


def _failed(maker: sessionmaker[Session], job: Claimed, name: str, error: str) -> None:
    """Try again later (sooner for a first failure), or give up after MAX_ATTEMPTS."""
    with maker.begin() as session:
        mine = and_(PackJob.id == job.id, PackJob.claimed_by == name)
        if job.attempts >= MAX_ATTEMPTS:
            session.execute(update(PackJob).where(mine).values(state=FAILED, last_error=error))
            return
        later = utcnow() + timedelta(seconds=30 * 2 ** (job.attempts - 1))
        try:
            with session.begin_nested():
                session.execute(
                    update(PackJob)
                    .where(mine)
                    .values(state=QUEUED, run_after=later, claimed_by=None, last_error=error)
                )
        except IntegrityError:
            # A newer job for the same document is already waiting: it will render it.
            session.execute(delete(PackJob).where(mine))


def run_one(maker: sessionmaker[Session], name: str) -> bool:
    """Claim and run one job; False when none was due."""
    job = claim(maker, name)
    if job is None:
        return False
    warmer = jobs.WARMERS.get(job.kind)
    try:
        if warmer is None:
            raise LookupError(f"No pack is registered as {job.kind!r}")
        warmer(*job.args)
    except Exception as exc:  # a job that fails is retried, never the worker stopped
        log.exception("Pack job %s (%s %s) failed", job.id, job.kind, job.args)
        _failed(maker, job, name, f"{type(exc).__name__}: {exc}"[:2000])
    else:
        _finished(maker, job, name)
    return True


def run_pending(maker: sessionmaker[Session] | None = None, name: str | None = None) -> int:
    """Run every job due now, one after another; how many ran. Tests call this to drain the queue."""
    maker = maker or get_sessionmaker()
    name = name or worker_name()
    give_up_on_the_abandoned(maker)
    ran = 0
    while run_one(maker, name):
        ran += 1
    return ran


def serve(stop: threading.Event, maker: Maker = get_sessionmaker) -> None:
    """Run jobs until `stop` is set: at once after a commit in this process queued one, else
    every POLL_SECONDS (jobs queued by other processes)."""
    name = worker_name()
    while not stop.is_set():
        try:
            run_pending(maker(), name)
        except Exception:  # the database away for a moment: try again at the next poll
            log.exception("The pack worker could not reach its queue")
        jobs.wake.wait(POLL_SECONDS)
        jobs.wake.clear()


@contextmanager
def in_process() -> Iterator[None]:
    """On SQLite, a worker thread beside the web app for as long as it runs (none on PostgreSQL,
    where `riia worker` runs them, nor when packs are not warmed)."""
    settings = get_settings()
    if not (settings.warm_packs and settings.database_url.startswith("sqlite")):
        yield
        return
    stop = threading.Event()
    thread = threading.Thread(target=serve, args=(stop,), name="pack-worker", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        jobs.wake.set()
        thread.join(timeout=settings.shutdown_grace_seconds)
