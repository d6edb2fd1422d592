"""The append-only audit log: every change is an entry chained to the one before by hash."""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event as orm_events
from sqlalchemy import insert, select
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.util import find_tables

from app.audit.signing import sign_closed_day
from app.db import require_write_phase
from app.models import AuditEvent, AuditHead
from app.models.types import utcnow
from app.structured_text import canonical_json

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    name: str


_HASHED = (
    "sequence",
    "prev_hash",
    "occurred_at",
    "actor_id",
    "actor_name",
    "action",
    "summary",
    "subject_type",
    "subject_id",
    "region_id",
    "cycle_id",
    "organisation_code",
    "payload",
)


def _hash_of(fields: dict[str, Any]) -> str:
    body = canonical_json(
        {
            name: fields[name].isoformat() if name == "occurred_at" else fields[name]
            for name in _HASHED
        }
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _entry_hash(event: AuditEvent) -> str:
    return _hash_of({name: getattr(event, name) for name in _HASHED})


@dataclass(frozen=True)
class Entry:
    """One entry to append, for record_many: the same fields record() takes."""

    actor: Actor
    action: str
    summary: str
    subject_type: str
    subject_id: str | int
    region_id: str | None = None
    cycle_id: int | None = None
    organisation_code: str | None = None
    payload: dict[str, object] | None = None


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    summary: str,
    subject_type: str,
    subject_id: str | int,
    region_id: str | None = None,
    cycle_id: int | None = None,
    organisation_code: str | None = None,
    payload: dict[str, object] | None = None,
) -> None:
    """Append one entry in the caller's transaction (written just before it commits)."""
    record_many(
        session,
        [
            Entry(
                actor,
                action,
                summary,
                subject_type,
                subject_id,
                region_id,
                cycle_id,
                organisation_code,
                payload,
            )
        ],
    )


_SUMMARY_MAX = 500  # AuditEvent.summary is String(500)
_PENDING = "riia_audit_pending"  # Session.info key: entries waiting for the commit


def _one_line(summary: str) -> str:
    """The summary as the column holds it: a long one (a return's reason, London's triads) keeps
    its start; the payload keeps everything whole."""
    return summary if len(summary) <= _SUMMARY_MAX else summary[: _SUMMARY_MAX - 1] + "…"


def record_many(session: Session, entries: Sequence[Entry]) -> None:
    """Append entries in order, in the caller's transaction.

    The entries wait in the session and are chained just before it commits (or before anything
    reads the log), so the head row, which every writer in the service must lock in turn, is
    held for the milliseconds of one INSERT and the commit, not for the rest of the request.
    Each entry remembers the transaction it was recorded in: if a savepoint rolls back, its
    entries go with it.
    """
    if entries:
        if session.get_transaction() is None:
            session.connection()  # begin, so the entries belong to a transaction
        pending = session.info.setdefault(_PENDING, [])
        transaction = session.get_transaction()
        pending.extend((transaction, entry) for entry in entries)


def write_pending(session: Session) -> list[AuditEvent]:
    """Chain the entries waiting in the session onto the log, locking the head row once.

    A national import writes 150-odd entries: one lock, one INSERT and one head update keep
    that cheap, and the chain is exactly what as many single appends would have made.
    """
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return []
    require_write_phase(session)
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    # Microseconds survive both databases, so the hash recomputes exactly after a round trip.
    now = utcnow()
    sign_closed_day(session, head, now)
    sequence, prev_hash = head.sequence, head.hash
    rows: list[dict[str, Any]] = []
    for _transaction, entry in pending:
        sequence += 1
        row: dict[str, Any] = {
            "sequence": sequence,
            "prev_hash": prev_hash,
            "occurred_at": now,
            "actor_id": entry.actor.user_id,
            "actor_name": entry.actor.name,
            "action": entry.action,
            "summary": _one_line(entry.summary),
            "subject_type": entry.subject_type,
            "subject_id": str(entry.subject_id),
            "region_id": entry.region_id,
            "cycle_id": entry.cycle_id,
            "organisation_code": entry.organisation_code,
            "payload": canonical_json(entry.payload or {}),
        }
        row["hash"] = prev_hash = _hash_of(row)
        rows.append(row)
    # One INSERT for every entry; RETURNING hands back the stored events without building each
    # through the unit of work.
    events = session.scalars(insert(AuditEvent).returning(AuditEvent), rows).all()
    head.sequence = sequence
    head.hash = prev_hash
    session.flush()
    return sorted(events, key=lambda event: event.sequence)


@orm_events.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    # A savepoint's release also fires this: its entries wait for the outer commit.
    if not session.in_nested_transaction():
        write_pending(session)


@orm_events.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous: SessionTransaction) -> None:
    """Entries recorded in a transaction that rolled back, or in one inside it, never happened."""
    pending = session.info.get(_PENDING)
    if not pending:
        return
    kept = [(t, e) for t, e in pending if not _within(t, previous)]
    if kept:
        session.info[_PENDING] = kept
    else:
        session.info.pop(_PENDING, None)


@orm_events.listens_for(Session, "after_transaction_end")
def _after_end(session: Session, transaction: SessionTransaction) -> None:
    # The outermost transaction is over: committed (its entries written) or rolled back or
    # closed (its entries gone with it). Nothing may wait for the next one.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def _within(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


@orm_events.listens_for(Session, "do_orm_execute")
def _before_reading_the_log(state: ORMExecuteState) -> None:
    # Like autoflush: whoever reads the log or its head sees the entries already recorded.
    statement = state.statement
    if (
        state.session.info.get(_PENDING)
        and isinstance(statement, ClauseElement)
        and _AUDIT_TABLES & set(find_tables(statement))
    ):
        write_pending(state.session)


_AUDIT_TABLES = {AuditEvent.__table__, AuditHead.__table__}


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    head_sequence: int
    head_hash: str
    problem: str | None = None
    first_bad_sequence: int | None = None


def verify(session: Session) -> Verification:
    """Recompute the whole chain; name the first entry that was altered, removed or reordered."""
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
    expected_prev = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    rows = session.execute(select(AuditEvent).order_by(AuditEvent.sequence)).scalars()
    for event in rows:
        if event.sequence != expected_sequence:
            return Verification(
                False,
                checked,
                head.sequence,
                head.hash,
                f"entry {expected_sequence} is missing (the next entry found is {event.sequence})",
                expected_sequence,
            )
        if event.prev_hash != expected_prev:
            return Verification(
                False,
                checked,
                head.sequence,
                head.hash,
                f"entry {event.sequence} does not follow the entry before it",
                event.sequence,
            )
        if _entry_hash(event) != event.hash:
            return Verification(
                False,
                checked,
                head.sequence,
                head.hash,
                f"entry {event.sequence} ({event.action}) was altered after it was written",
                event.sequence,
            )
        expected_prev = event.hash
        expected_sequence += 1
        checked += 1
    if head.sequence != checked or head.hash != expected_prev:
        return Verification(
            False,
            checked,
            head.sequence,
            head.hash,
            f"entries after {checked} are missing (the chain head names entry {head.sequence})",
            checked + 1,
        )
    return Verification(True, checked, head.sequence, head.hash)


def head(session: Session) -> tuple[int, str]:
    row = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
    return row.sequence, row.hash


def payload_of(event: AuditEvent) -> dict[str, object]:
    value = json.loads(event.payload)
    assert isinstance(value, dict)
    return value
