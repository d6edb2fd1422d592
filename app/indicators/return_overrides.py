"""The coordinator's overrides, and the rule they lift: returns need the LA's MoU in force."""

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.chain import record
from app.auth import accounts
from app.auth.permissions import Action, Scope, require
from app.auth.principal import Assignment, Principal
from app.auth.roles import Role
from app.cycles.service import actor_of, region_or_404
from app.db import add_once
from app.errors import AlreadyDone, Conflict, InvalidInput
from app.indicators.returns_queries import la_or_404
from app.models import Cycle, ReturnOverride, User
from app.mou.status import organisations_in_force
from app.reference.models import LocalAuthority

SYSTEM_EMAIL = "command-line@riia-cycle.invalid"


def refuse_without_mou(
    session: Session, by_cycle: Sequence[tuple[Cycle, Sequence[LocalAuthority]]]
) -> None:
    """Returns only from organisations whose MoU is in force, unless the coordinator overrode.

    Two queries for any number of regions and LAs (a national file has 153): the signatures
    of every region's published version, and the overrides of every cycle.
    """
    cycles = [cycle for cycle, _ in by_cycle]
    in_force = organisations_in_force(session, cycles)
    overridden = set(
        session.execute(
            select(ReturnOverride.cycle_id, ReturnOverride.organisation_code).where(
                ReturnOverride.cycle_id.in_([cycle.id for cycle in cycles])
            )
        )
    )
    for cycle, las in by_cycle:
        blocked = [
            la.name
            for la in las
            if la.code not in in_force and (cycle.id, la.code) not in overridden
        ]
        if blocked:
            names = " and ".join(blocked) if len(blocked) < 3 else ", ".join(blocked)
            raise Conflict(
                f"The Memorandum of Understanding for {cycle.year} is not yet in force for "
                f"{names}, so the return cannot be accepted. It is accepted once every signatory "
                "has signed, or sooner if the regional coordinator records an override on the "
                f"page /regions/{cycle.region_id}/cycles/{cycle.year}/returns/overrides."
            )


def record_override(
    session: Session, principal: Principal, cycle: Cycle, la_code: str, reason: str
) -> ReturnOverride:
    """Only the coordinator accepts an LA's returns before its MoU is in force, saying why."""
    require(principal, Action.OVERRIDE_RETURNS, Scope(cycle.region_id))
    region = region_or_404(cycle.region_id)
    la = la_or_404(region, la_code)
    reason = reason.strip()
    if not reason:
        raise InvalidInput(
            "Enter why returns should be accepted before the MoU is in force", field="reason"
        )
    exists = session.execute(
        select(func.count())
        .select_from(ReturnOverride)
        .where(ReturnOverride.cycle_id == cycle.id, ReturnOverride.organisation_code == la_code)
    ).scalar_one()
    if exists:
        raise AlreadyDone(f"Returns from {la.name} are already accepted for {cycle.year}")
    override = ReturnOverride(
        cycle_id=cycle.id, organisation_code=la_code, reason=reason, created_by_id=principal.user_id
    )
    add_once(
        session,
        override,
        AlreadyDone(f"Returns from {la.name} are already accepted for {cycle.year}"),
    )
    record(
        session,
        actor=actor_of(principal),
        action="returns.override_recorded",
        summary=f"Returns from {la.name} accepted for {cycle.year} before its MoU is in force",
        subject_type="return_override",
        subject_id=override.id,
        region_id=cycle.region_id,
        cycle_id=cycle.id,
        organisation_code=la_code,
        payload={"reason": reason},
    )
    return override


def overrides(
    session: Session, principal: Principal, cycle: Cycle
) -> list[tuple[ReturnOverride, str]]:
    """The cycle's overrides with who recorded each, for the coordinator."""
    require(principal, Action.OVERRIDE_RETURNS, Scope(cycle.region_id))
    rows = session.execute(
        select(ReturnOverride, User.display_name)
        .join(User, User.id == ReturnOverride.created_by_id)
        .where(ReturnOverride.cycle_id == cycle.id)
        .order_by(ReturnOverride.id)
    ).all()
    return [(o, name) for o, name in rows]


def command_line_principal(session: Session, region_ids: Iterable[str]) -> Principal:
    """The command line acts as the coordinator of the file's region, as one recorded account."""
    user = session.execute(select(User).where(User.email == SYSTEM_EMAIL)).scalar_one_or_none()
    if user is None:
        user = accounts.create_user(
            session, email=SYSTEM_EMAIL, display_name=accounts.SYSTEM.name, password=None
        )
    assignments = tuple(Assignment(Role.REGIONAL_COORDINATOR, region) for region in region_ids)
    return Principal(user.id, user.display_name, user.email, assignments)
