"""The plans stage's lines of the cycle overview: a plan to write, a plan to sign, challenges to
answer, and a triad partner's plan to challenge."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.models import Cycle, LaPlan
from app.plans import access, comments, index
from app.plans.service import local_authority
from app.plans.workflow import PlanState
from app.stage import Task


def plan_tasks(session: Session, principal: Principal, cycle: Cycle) -> list[Task]:
    """For each LA whose DCS the person is: write its plan; for each signatory: sign it."""
    base = f"/regions/{cycle.region_id}/cycles/{cycle.year}/plans"
    tasks = _challenge_tasks(session, principal, cycle, base)
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


def _challenge_tasks(session: Session, principal: Principal, cycle: Cycle, base: str) -> list[Task]:
    """For the LA's DCS: challenges to answer; for a triad partner: a submitted plan to
    challenge."""
    tasks = []
    plans = session.scalars(
        select(LaPlan)
        .where(LaPlan.cycle_id == cycle.id, LaPlan.state.in_(access.SHARED_STATES))
        .order_by(LaPlan.la_code)
    )
    for plan in plans:
        name = local_authority(cycle, plan.la_code).name
        href = f"{base}/{plan.la_code}"
        if access.can_respond(principal, cycle, plan.la_code):
            if waiting := comments.unanswered(session, plan):
                words = "challenge" if waiting == 1 else "challenges"
                tasks.append(
                    Task(
                        f"Answer {waiting} {words} to {name}'s plan",
                        href,
                        "not_started",
                        "From your triad partners",
                    )
                )
        elif plan.state == PlanState.AWAITING_SIGN_OFF and access.is_partner(
            session, principal, cycle, plan.la_code
        ):
            tasks.append(
                Task(
                    f"Challenge {name}'s plan",
                    href,
                    "not_started",
                    "Comment on its priorities; a challenge is a question it must answer",
                )
            )
    return tasks
