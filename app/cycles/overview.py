"""The cycle overview as a task list: what each person can do next, and where things stand."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from app.auth.permissions import Action, Scope, can
from app.auth.principal import Principal
from app.auth.roles import Role
from app.indicators.returns_queries import tracker as returns_tracker
from app.models import Cycle
from app.mou import service as mou
from app.mou.status import signing_options


@dataclass(frozen=True)
class Task:
    title: str
    href: str | None
    status: str  # a key of the status_tag macro
    hint: str


def overview_tasks(session: Session, principal: Principal, cycle: Cycle) -> list[Task]:
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
    if status.current is None:
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


def indicator_tasks(
    session: Session, principal: Principal, cycle: Cycle, today: date | None = None
) -> list[Task]:
    """A data lead's quarters for their LA, and the region's tracker for everyone else."""
    tracker = returns_tracker(session, principal, cycle.region_id, cycle.year, today=today)
    tasks: list[Task] = []
    own = {a.organisation_code for a in principal.assignments if a.role is Role.DATA_LEAD}
    for row in tracker.rows:
        if row.la.code not in own:
            continue
        for cell in row.cells:
            if cell.state == "not_open":
                tasks.append(
                    Task(
                        f"{row.la.name}: {cell.quarter} return",
                        None,
                        "not_open",
                        f"Opens on {tracker.windows[cell.quarter][0]:%-d %B %Y}",
                    )
                )
                continue
            done = cell.state in ("submitted", "late") and cell.version is not None
            tasks.append(
                Task(
                    f"{row.la.name}: {cell.quarter} return",
                    f"/regions/{cycle.region_id}/returns/{cell.quarter.slug}/{row.la.code}"
                    + ("" if done else "/edit"),
                    "awaiting_return" if cell.state == "awaiting" else cell.state,
                    f"Version {cell.version} submitted"
                    if done
                    else f"Due by {tracker.windows[cell.quarter][1]:%-d %B %Y}",
                )
            )
    tasks.append(
        Task(
            "Quarterly returns tracker",
            f"/regions/{cycle.region_id}/returns?year={cycle.year}",
            "in_progress",
            "Which returns are in, late or missing, quarter by quarter",
        )
    )
    return tasks
