"""Builders for LA development plan test data, through the same services users go through."""

from typing import Any

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.models import Cycle, LaPlanVersion
from app.plans import writing
from app.plans.schemas import PriorityInput, SubmitPlanInput

DERBY = "E06000015"


def action(**changes: Any) -> dict[str, Any]:
    """One action complete enough for sign-off, its measure on a core indicator."""
    found: dict[str, Any] = {
        "text": "Weekly performance clinic on assessment timeliness",
        "owner_name": "Sam Patel",
        "owner_role": "Head of Assessment",
        "starts_on": "2027-04-01",
        "due_on": "2027-09-30",
        "measures": [
            {
                "kind": "indicator",
                "indicator_id": "assessments_within_45wd_pct",
                "baseline": 78.0,
                "target": 88.0,
            }
        ],
        "support": {
            "improvement_area": "Front door and assessment",
            "days": 10,
            "provider": "within_region",
        },
    }
    return found | changes


def priority(base: int | None, title: str = "Timely assessments", **changes: Any) -> PriorityInput:
    data: dict[str, Any] = {"base_version": base, "title": title, "actions": [action()]}
    return PriorityInput.model_validate(data | changes)


def written_plan(
    session: Session, cycle: Cycle, dcs: Principal, la_code: str = DERBY
) -> LaPlanVersion:
    """A plan with one complete priority."""
    return writing.save_priority(session, dcs, cycle, la_code, 1, priority(None))


def submitted_plan(
    session: Session, cycle: Cycle, dcs: Principal, la_code: str = DERBY
) -> LaPlanVersion:
    saved = written_plan(session, cycle, dcs, la_code)
    return writing.submit(
        session, dcs, cycle, la_code, SubmitPlanInput(content_hash=saved.content_hash)
    )
