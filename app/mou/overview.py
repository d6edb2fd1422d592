"""The MoU's tasks on the cycle overview: draft, review, sign, and the signatures so far."""

from sqlalchemy.orm import Session

from app.auth.permissions import Action, Scope, can
from app.auth.principal import Principal
from app.auth.roles import SIGNATORY_ROLES
from app.models import Cycle
from app.mou import service as mou
from app.mou.review import review_state
from app.mou.status import signing_options
from app.stage import Task


def _signs_anything(principal: Principal) -> bool:
    return any(a.role in SIGNATORY_ROLES for a in principal.assignments)


def mou_tasks(session: Session, principal: Principal, cycle: Cycle) -> list[Task]:
    base = f"/regions/{cycle.region_id}/cycles/{cycle.year}"
    scope = Scope(cycle.region_id)
    status = mou.status(session, principal, cycle)
    draft = mou.draft_of(session, cycle)
    tasks: list[Task] = []
    if can(principal, Action.EDIT_MOU, scope):
        if status.current is None:
            tasks.append(
                Task(
                    "Draft the Memorandum of Understanding",
                    f"{base}/mou/edit",
                    "in_progress" if draft else "not_started",
                    "Start from the region's template and publish it for signature",
                )
            )
        else:
            tasks.append(
                Task(
                    "Draft the Memorandum of Understanding",
                    f"{base}/mou/edit",
                    "in_progress" if draft else "completed",
                    f"Version {status.current.number} is published"
                    + ("; a new draft is in progress" if draft else ""),
                )
            )
    if status.current is not None and can(principal, Action.REVIEW_MOU, scope):
        # The yearly review: "no change" is a valid outcome (app.mou.review).
        reviewed = review_state(session, cycle)
        tasks.append(
            Task(
                "Review the Memorandum of Understanding",
                f"{base}/mou/review",
                "not_started" if reviewed.state == "due" else "completed",
                reviewed.text,
            )
        )
    if status.current is None:
        # Only for people who will sign: the rest would see a task that never starts for them.
        if _signs_anything(principal):
            tasks.append(
                Task(
                    "Sign the Memorandum of Understanding",
                    None,
                    "cannot_start",
                    "Signing opens when the coordinator publishes the Memorandum",
                )
            )
    else:
        mine = signing_options(principal, status)
        if mine:
            states = [option.state.state for option in mine]
            done = bool(states) and all(s == "signed" for s in states)
            tasks.append(
                Task(
                    "Sign the Memorandum of Understanding",
                    f"{base}/mou/sign",
                    "completed" if done else "not_started",
                    "You have signed the current version"
                    if done
                    else "Read the Memorandum and sign it",
                )
            )
        tasks.append(
            Task(
                "Memorandum signatures",
                f"{base}/mou/tracker",
                "in_force" if status.in_force else "awaiting",
                f"{status.signed_count} of {status.required_count} signatures on version {status.current.number}",
            )
        )
    return tasks
