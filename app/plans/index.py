"""Where each LA's plan stands: the whole region for its coordinator, else the reader's own LAs."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.models import Cycle, LaPlan, LaPlanVersion
from app.plans import access, signoff
from app.reference import get_reference
from app.reference.models import LocalAuthority


@dataclass(frozen=True)
class Row:
    la: LocalAuthority
    state: str  # not_started, or the plan's state
    versions: int
    status: "signoff.SignOffStatus | None"


def rows(session: Session, principal: Principal, cycle: Cycle) -> list[Row]:
    region = get_reference().regions[cycle.region_id]
    plans = {
        p.la_code: p for p in session.scalars(select(LaPlan).where(LaPlan.cycle_id == cycle.id))
    }
    counts = dict(
        session.execute(
            select(LaPlanVersion.plan_id, func.count())
            .join(LaPlan, LaPlan.id == LaPlanVersion.plan_id)
            .where(LaPlan.cycle_id == cycle.id)
            .group_by(LaPlanVersion.plan_id)
        ).all()
    )
    readable = [
        la
        for la in sorted(region.local_authorities, key=lambda la: la.name)
        if access.can_read(principal, cycle, la.code)
    ]
    found = signoff.statuses(
        session, cycle, [plans[la.code] for la in readable if la.code in plans]
    )
    result = []
    for la in readable:
        plan = plans.get(la.code)
        if plan is None:
            result.append(Row(la, "not_started", 0, None))
        else:
            result.append(Row(la, plan.state, counts.get(plan.id, 0), found[plan.id]))
    return result
