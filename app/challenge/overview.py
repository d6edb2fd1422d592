"""The challenge stage's lines of the cycle overview: the DCS's questions to set, then the record
of the triad's conversation (app.challenge.record_overview)."""

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.challenge import access, kloes
from app.challenge.record_overview import record_tasks
from app.models import Cycle
from app.stage import Task


def challenge_tasks(session: Session, principal: Principal, cycle: Cycle) -> list[Task]:
    """For each LA whose DCS the person is and whose triad is formed: set its questions."""
    base = f"/regions/{cycle.region_id}/cycles/{cycle.year}/kloes"
    tasks = []
    for row in kloes.status(session, principal, cycle):
        if not (row.readable and access.can_set(principal, row.la.code)):
            continue
        done = row.count > 0
        tasks.append(
            Task(
                f"Set {row.la.name}'s key lines of enquiry",
                f"{base}/{row.la.code}",
                "completed" if done else "not_started",
                f"{row.count} questions set" if done else "3 to 6 questions for your triad to test",
            )
        )
    return tasks + record_tasks(session, principal, cycle)
