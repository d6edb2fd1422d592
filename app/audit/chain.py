"""The append-only audit log: every change is an entry chained to the one before by hash."""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

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
) -> AuditEvent:
    """Append one entry in the caller's transaction; the head row's lock orders writers."""
    entry = Entry(
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
    return record_many(session, [entry])[0]


_SUMMARY_MAX = 500  # AuditEvent.summary is String(500)


def _one_line(summary: str) -> str:
    """The summary as the column holds it: a long one (a return's reason, London's triads) keeps
    its start; the payload keeps everything whole."""
    return summary if len(summary) <= _SUMMARY_MAX else summary[: _SUMMARY_MAX - 1] + "…"


def record_many(session: Session, entries: Sequence[Entry]) -> list[AuditEvent]:
    """Append entries in order, in the caller's transaction, locking the head row once.

    A national import writes 150-odd entries: one lock, one INSERT and one head update keep
    that cheap, and the chain is exactly what as many record() calls would have made.
    """
    if not entries:
        return []
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    # Microseconds survive both databases, so the hash recomputes exactly after a round trip.
    now = utcnow()
    sequence, prev_hash = head.sequence, head.hash
    rows: list[dict[str, Any]] = []
    for entry in entries:
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


def events_for_cycle(session: Session, cycle_id: int) -> list[AuditEvent]:
    return list(
        session.execute(
            select(AuditEvent)
            .where(AuditEvent.cycle_id == cycle_id)
            .order_by(AuditEvent.sequence.desc())
        ).scalars()
    )


def payload_of(event: AuditEvent) -> dict[str, object]:
    value = json.loads(event.payload)
    assert isinstance(value, dict)
    return value
