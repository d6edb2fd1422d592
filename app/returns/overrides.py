"""The coordinator's overrides, and the rule they lift: returns need the LA's MoU in force."""

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.entries import record_in_cycle
from app.auth import accounts
from app.auth.permissions import Action, Scope, require
from app.auth.principal import Assignment, Principal
from app.auth.roles import Role
from app.cycles.service import region_or_404
from app.db import add_once
from app.errors import AlreadyDone, Conflict, InvalidInput
from app.models import Cycle, ReturnOverride, User
from app.mou.binding import LAPSED, Binding, bindings, describe
from app.reference.models import LocalAuthority
from app.returns.queries import la_or_404

SYSTEM_EMAIL = "command-line@riia-cycle.invalid"


def refuse_without_mou(
    session: Session,
    by_cycle: Sequence[tuple[Cycle, Sequence[LocalAuthority]]],
    today: date | None = None,
) -> None:
    """Returns only from organisations whose MoU binds them today (app.mou.binding), unless the
    coordinator overrode. During a revised version's changeover an organisation that has not
    signed it is still bound by the one it signed, so its returns are accepted.

    Three queries for any number of regions and LAs (a national file has 153): the versions,
    their signatures, and the overrides of every cycle.
    """
    cycles = [cycle for cycle, _ in by_cycle]
    bound = bindings(session, cycles, today=today)
    overridden = set(
        session.execute(
            select(ReturnOverride.cycle_id, ReturnOverride.organisation_code).where(
                ReturnOverride.cycle_id.in_([cycle.id for cycle in cycles])
            )
        )
    )
    for cycle, las in by_cycle:
        blocked: list[tuple[LocalAuthority, Binding]] = [
            (la, bound[(cycle.id, la.code)])
            for la in las
            if not bound[(cycle.id, la.code)].in_force and (cycle.id, la.code) not in overridden
        ]
        if blocked:
            raise Conflict(_refusal(cycle, blocked))


def _names(names: Sequence[str]) -> str:
    return " and ".join(names) if len(names) < 3 else ", ".join(names)


def _refusal(cycle: Cycle, blocked: Sequence[tuple[LocalAuthority, Binding]]) -> str:
    """Why, in the words of the binding rule: never signed, or lapsed after a changeover."""
    page = f"/regions/{cycle.region_id}/cycles/{cycle.year}/returns/overrides"
    lapsed = [(la, b) for la, b in blocked if b.state == LAPSED]
    if lapsed:
        la, binding = lapsed[0]
        current = binding.current
        return (
            f"The Memorandum of Understanding has lapsed for {_names([la.name for la, _ in lapsed])}: "
            f"{describe(binding)[len('Lapsed: ') :]}, so the return cannot be accepted. It is "
            f"accepted again once every signatory has signed version "
            f"{current.number if current else ''}, or sooner if the regional coordinator records "
            f"an override on the page {page}."
        )
    return (
        f"The Memorandum of Understanding is not yet in force for "
        f"{_names([la.name for la, _ in blocked])}, so the return cannot be accepted. It is "
        "accepted once every signatory has signed, or sooner if the regional coordinator "
        f"records an override on the page {page}."
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
    record_in_cycle(
        session,
        principal,
        cycle,
        ("return_override", override.id),
        "returns.override_recorded",
        f"Returns from {la.name} accepted for {cycle.year} before its MoU is in force",
        {"reason": reason},
        la_code,
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
