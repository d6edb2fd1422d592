"""The append-only audit log: every change is an entry chained to the one before by hash."""

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEvent, AuditHead
from app.models.types import utcnow
from app.structured_text import canonical_json

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    name: str


def _entry_hash(event: AuditEvent) -> str:
    body = canonical_json(
        {
            "sequence": event.sequence,
            "prev_hash": event.prev_hash,
            "occurred_at": event.occurred_at.isoformat(),
            "actor_id": event.actor_id,
            "actor_name": event.actor_name,
            "action": event.action,
            "summary": event.summary,
            "subject_type": event.subject_type,
            "subject_id": event.subject_id,
            "region_id": event.region_id,
            "cycle_id": event.cycle_id,
            "organisation_code": event.organisation_code,
            "payload": event.payload,
        }
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


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
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    # Microseconds survive both databases, so the hash recomputes exactly after a round trip.
    event = AuditEvent(
        sequence=head.sequence + 1,
        occurred_at=utcnow(),
        actor_id=actor.user_id,
        actor_name=actor.name,
        action=action,
        summary=summary,
        subject_type=subject_type,
        subject_id=str(subject_id),
        region_id=region_id,
        cycle_id=cycle_id,
        organisation_code=organisation_code,
        payload=canonical_json(payload or {}),
        prev_hash=head.hash,
    )
    event.hash = _entry_hash(event)
    session.add(event)
    head.sequence = event.sequence
    head.hash = event.hash
    session.flush()
    return event


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
