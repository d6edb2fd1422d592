"""The plans stage's lines of the cycle overview: a plan to write, a plan to sign."""

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.models import Cycle
from app.plans import access, index
from app.plans.workflow import PlanState
from app.stage import Task


def plan_tasks(session: Session, principal: Principal, cycle: Cycle) -> list[Task]:
    """For each LA whose DCS the person is: write its plan; for each signatory: sign it."""
    base = f"/regions/{cycle.region_id}/cycles/{cycle.year}/plans"
    tasks = []
    for row in index.rows(session, principal, cycle):
        href = f"{base}/{row.la.code}"
        if access.can_write(principal, cycle, row.la.code):
            done = row.state in {PlanState.AWAITING_SIGN_OFF, PlanState.SIGNED}
            started = row.state == PlanState.DRAFT
            tasks.append(
                Task(
                    f"Write {row.la.name}'s development plan",
                    href,
                    "completed" if done else "in_progress" if started else "not_started",
                    "Submitted for sign-off" if done else "Priorities, actions and measures",
                )
            )
        if row.state != PlanState.AWAITING_SIGN_OFF or row.status is None:
            continue
        for role in access.signing_roles(principal, cycle, row.la.code):
            if row.status.signatories and any(
                p.role == role and p.state == "signed" for p in row.status.signatories
            ):
                continue
            tasks.append(
                Task(
                    f"Sign {row.la.name}'s development plan",
                    href,
                    "not_started",
                    f"As {role.label}",
                )
            )
    return tasks
