"""The record's lines of the cycle overview: a conversation to record, a record to agree."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.challenge import access
from app.challenge import record as records
from app.challenge.actions import ChallengeAction
from app.challenge.record_workflow import RecordState
from app.models import Cycle, Triad
from app.signoff.events import Decision
from app.stage import Task


def record_tasks(session: Session, principal: Principal, cycle: Cycle) -> list[Task]:
    """For each triad the person belongs to: its record to write, then their LA's agreement."""
    tasks = []
    base = f"/regions/{cycle.region_id}/cycles/{cycle.year}/conversations"
    for triad in session.scalars(
        select(Triad).where(Triad.cycle_id == cycle.id).order_by(Triad.number)
    ):
        if not access.in_triad(session, principal, cycle, triad):
            continue
        record = records.record_of(session, triad)
        version = records.current_version(session, record)
        href = f"{base}/{triad.number}/record"
        members = records.members_of(session, cycle, triad)
        acting = access.member_las_of(
            principal, ChallengeAction.AGREE_RECORD, [la.code for la in members]
        )
        if record is not None and record.state == RecordState.AGREED:
            tasks.append(Task(f"Triad {triad.number}'s record", href, "completed", "Agreed"))
            continue
        pairs, _ = records.agreement_status(members, records.events_of(session, record), version)
        for pair in pairs:
            if pair.organisation_code in acting and version is not None:
                name = next(la.name for la in members if la.code == pair.organisation_code)
                done = pair.state == Decision.SIGNED
                tasks.append(
                    Task(
                        f"Agree triad {triad.number}'s record for {name}",
                        href,
                        "completed" if done else "not_started",
                        f"You agreed version {version.number}"
                        if done
                        else f"Version {version.number} is ready to read and agree",
                    )
                )
        if not acting or version is None:
            hint = f"Version {version.number} in draft" if version else "Nothing recorded yet"
            tasks.append(
                Task(
                    f"Record triad {triad.number}'s conversation",
                    href,
                    "in_progress" if version else "not_started",
                    hint,
                )
            )
    return tasks
