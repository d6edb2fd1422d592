"""Each LA's own sign-off date for its self-evaluation.

The region's self-evaluation window closes on one day for every LA; that stays the default. An LA
may need its own date, for example before its Ofsted annual engagement meeting, at which its
self-evaluation is discussed (docs/domain.md). The region's coordinator, who keeps the calendar
(Action.EDIT_CALENDAR), sets it with a reason; the history keeps every change. The tracker, the
overdue flags, the API and the LA's pages all read it through signoff's status.
"""

from datetime import date

from sqlalchemy.orm import Session

from app.auth.permissions import Action, Scope, require
from app.auth.principal import Principal
from app.errors import InvalidInput
from app.models import Cycle, SelfEvaluation
from app.self_evaluation.drafting import service
from app.self_evaluation.events import SefEvent
from app.self_evaluation.schemas import DueDateInput
from app.self_evaluation.signoff import service as signoff


def set_due_date(
    session: Session, principal: Principal, cycle: Cycle, la_code: str, data: DueDateInput
) -> SelfEvaluation:
    """The coordinator sets the LA's own due date, or returns it to the region's window."""
    require(principal, Action.EDIT_CALENDAR, Scope(cycle.region_id))
    sef = service.get_sef(session, principal, cycle, la_code, lock=True)
    start = int(cycle.year[:4])
    first, last = date(start, 4, 1), date(start + 1, 3, 31)
    if data.due_on is not None and not first <= data.due_on <= last:
        raise InvalidInput(
            f"The due date must fall within the cycle year ({first:%-d %B %Y} to {last:%-d %B %Y})",
            field="due_on",
        )
    name = service.local_authority(cycle, la_code).name
    if sef.due_on == data.due_on and (data.due_on is None or sef.due_reason == data.reason):
        return sef  # nothing changes: a double submit records nothing twice
    before = sef.due_on
    sef.due_on = data.due_on
    sef.due_reason = data.reason if data.due_on else None
    session.flush()
    window = signoff.due_date(session, cycle)
    if data.due_on is None:
        summary = f"{name}'s self-evaluation is due with the region's again"
        if window:
            summary += f", on {window:%-d %B %Y}"
    else:
        summary = f"{name}'s self-evaluation is due on {data.due_on:%-d %B %Y}"
    service.audit(
        session,
        principal,
        cycle,
        sef,
        SefEvent.DUE_DATE_SET,
        f"{summary}: {data.reason}",
        {
            "due_on": data.due_on.isoformat() if data.due_on else None,
            "was": before.isoformat() if before else None,
            "region_due_on": window.isoformat() if window else None,
            "reason": data.reason,
        },
    )
    return sef
