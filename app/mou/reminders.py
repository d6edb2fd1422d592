"""Reminders to the signatories of the MoU who have not signed the current version."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.permissions import Action, Scope, require
from app.auth.principal import Principal
from app.auth.roles import Role
from app.errors import Conflict
from app.models import Cycle, OutboxMessage, RoleAssignment, User
from app.mou.events import MouEvent
from app.mou.service import published_of, record_version_event
from app.mou.status import build_status
from app.reference import get_reference
from app.settings import get_settings


def send_reminders(session: Session, principal: Principal, cycle: Cycle) -> int:
    """Queue a reminder to every person holding an outstanding signatory role; returns how many."""
    require(principal, Action.SEND_MOU_REMINDERS, Scope(cycle.region_id))
    current = published_of(session, cycle)
    if current is None:
        raise Conflict(
            "The Memorandum has not been published, so there is nothing to remind people about."
        )
    mou_status = build_status(session, cycle, current)
    pending = [s for o in mou_status.organisations for s in o.signatories if s.state != "signed"]
    if not pending:
        raise Conflict("Everyone has signed: there is nobody to remind.")
    region = get_reference().regions[cycle.region_id]
    holders = session.execute(
        select(RoleAssignment.organisation_code, RoleAssignment.role, User.email, User.display_name)
        .join(User, User.id == RoleAssignment.user_id)
        .where(
            RoleAssignment.ended_at.is_(None),
            User.is_active.is_(True),
            RoleAssignment.organisation_code.in_({s.organisation_code for s in pending}),
        )
    ).all()
    wanted = {(s.organisation_code, s.role.value) for s in pending}
    base = get_settings().base_url.rstrip("/")
    sign_url = f"{base}/regions/{cycle.region_id}/cycles/{cycle.year}/mou/sign"
    sent = 0
    for org_code, role, email, name in holders:
        if (org_code, role) not in wanted:
            continue
        organisation = region.organisation(str(org_code))
        session.add(
            OutboxMessage(
                to_email=email,
                kind="mou_reminder",
                subject=f"Please sign the {region.riia} Memorandum of Understanding {cycle.year}",
                body=(
                    f"Dear {name},\n\nThe {region.riia} Memorandum of Understanding for {cycle.year} "
                    f"(version {current.number}) is waiting for your signature as {Role(role).label} "
                    f"of {organisation.name}.\n\nSign it at: {sign_url}"
                    "\n\nThe alliance can only share data with "
                    f"{organisation.name} once every signatory has signed."
                ),
            )
        )
        sent += 1
    session.flush()
    record_version_event(
        session,
        principal,
        cycle,
        current,
        MouEvent.REMINDERS_SENT,
        f"Reminders queued for {sent} people ({len(pending)} signatures outstanding)",
        payload={"queued": sent, "outstanding": len(pending)},
    )
    return sent
