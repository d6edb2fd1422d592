"""The quarterly returns' tasks on the cycle overview: a data lead's quarters, and the tracker."""

from datetime import date

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.auth.roles import Role
from app.models import Cycle
from app.returns.queries import tracker as returns_tracker
from app.stage import Task


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
