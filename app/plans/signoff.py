"""Signing off an LA's development plan: its signatories, bound to one exact version.

The signatories are the region's `la_plan_signatories` (by default the DCS, Lead Member and Chief
Executive). Each signs the submitted version with a statement of intent and its SHA-256; an edit
makes a new version and voids earlier signatures (VersionPolicy.VOID: they stay in the history,
marked void); any signatory may return it with a reason. The kernel (app.signoff) records each act.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.permissions import Scope, require
from app.auth.principal import Principal
from app.auth.roles import Role
from app.errors import AlreadyDone, NotPermitted
from app.models import Cycle, LaPlan, LaPlanSignOffEvent, LaPlanVersion
from app.models.types import utcnow
from app.plans import access, service
from app.plans.actions import PlanAction
from app.plans.schemas import MESSAGES, ReturnPlanInput, SignPlanInput
from app.plans.workflow import LA_PLAN, PlanStep
from app.signoff import acts
from app.signoff.events import Decision
from app.signoff.policies import VersionPolicy
from app.signoff.status import PairState, derive
from app.workflow import fire
from app.workflow.transition import transition


def statement_for(la_name: str, role: Role, number: int) -> str:
    """The words a signatory signs, naming the authority, the role and the version."""
    return (
        f"As {role.label} of {la_name}, I sign off version {number} of this development plan "
        "as our authority's plan for improvement, and commit to delivering it."
    )


@dataclass(frozen=True)
class SignOffStatus:
    state: str
    submitted: LaPlanVersion | None
    signatories: tuple[PairState[LaPlanSignOffEvent], ...]
    # Signatures that no longer count (an edit or a return after them), with the version number.
    void: tuple[tuple[LaPlanSignOffEvent, int], ...]
    returns: tuple[tuple[LaPlanSignOffEvent, int], ...]

    @property
    def signed_count(self) -> int:
        return sum(1 for s in self.signatories if s.state == Decision.SIGNED)

    @property
    def complete(self) -> bool:
        return all(s.state == Decision.SIGNED for s in self.signatories)

    @property
    def current_return(self) -> tuple[LaPlanSignOffEvent, int] | None:
        """The return that sent the plan back to writing, while it is still being revised."""
        if self.state != "draft" or not self.returns:
            return None
        returned = self.returns[-1]
        later = self.void and self.void[-1][0].id > returned[0].id
        return None if later else returned


def _events(
    session: Session, plan_ids: list[int]
) -> dict[int, list[tuple[LaPlanSignOffEvent, int]]]:
    found: dict[int, list[tuple[LaPlanSignOffEvent, int]]] = {i: [] for i in plan_ids}
    for event, number in session.execute(
        select(LaPlanSignOffEvent, LaPlanVersion.number)
        .join(LaPlanVersion, LaPlanVersion.id == LaPlanSignOffEvent.plan_version_id)
        .where(LaPlanSignOffEvent.plan_id.in_(plan_ids))
        .order_by(LaPlanSignOffEvent.id)
    ).all():
        found[event.plan_id].append((event, number))
    return found


def _status(
    plan: LaPlan,
    submitted: LaPlanVersion | None,
    events: list[tuple[LaPlanSignOffEvent, int]],
    roles: tuple[Role, ...],
) -> SignOffStatus:
    found = derive(
        [(plan.la_code, role) for role in roles],
        [e for e, _ in events],
        submitted.id if submitted is not None else None,
        lambda event: event.plan_version_id,
        VersionPolicy.VOID,
    )
    numbers = {e.id: n for e, n in events}
    void = tuple((e, numbers[e.id]) for e in found.void)
    returns = tuple((e, n) for e, n in events if e.decision == Decision.RETURNED)
    return SignOffStatus(plan.state, submitted, found.pairs, void, returns)


def build_status(session: Session, cycle: Cycle, plan: LaPlan) -> SignOffStatus:
    """Who has signed the submitted version, and whose signatures are void."""
    return _status(
        plan,
        service.submitted_version(session, plan),
        _events(session, [plan.id])[plan.id],
        access.signatory_roles(cycle.region_id),
    )


def statuses(session: Session, cycle: Cycle, plans: list[LaPlan]) -> dict[int, SignOffStatus]:
    """build_status for many plans of one cycle, for the region's list."""
    events = _events(session, [p.id for p in plans])
    roles = access.signatory_roles(cycle.region_id)
    return {
        p.id: _status(p, service.submitted_version(session, p), events[p.id], roles) for p in plans
    }


def _signable(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    la_code: str,
    role: Role,
    content_hash: str,
    step: PlanStep,
) -> tuple[LaPlan, LaPlanVersion, "acts.OnVersion[LaPlanSignOffEvent]"]:
    """Checks shared by sign and return: who, which authority, which state, which version."""
    require(principal, PlanAction.SIGN_PLAN, Scope(cycle.region_id, la_code), as_role=role)
    la = service.local_authority(cycle, la_code)
    if role not in access.signatory_roles(cycle.region_id):
        raise NotPermitted(
            f"In this region the {role.label} does not sign development plans, so you cannot "
            f"sign or return {la.name}'s."
        )
    plan = service.plan_row(session, cycle, la_code, lock=True)
    if plan is None:
        raise NotPermitted(f"{la.name} has not written its development plan yet.")
    fire(LA_PLAN, plan.state, step)
    submitted = service.submitted_version(session, plan)
    acts.require_version(
        submitted.content_hash if submitted else None,
        content_hash,
        "The development plan was changed after you opened it, so nothing was recorded. "
        "Read the version now submitted, then decide.",
    )
    assert submitted is not None  # require_version refused a missing one
    keys = {"plan_id": plan.id, "plan_version_id": submitted.id}
    on = acts.OnVersion(
        LaPlanSignOffEvent, keys, submitted.content_hash, cycle, ("la_plan", plan.id)
    )
    return plan, submitted, on


def _signed_off(
    session: Session,
    principal: Principal,
    on: "acts.OnVersion[LaPlanSignOffEvent]",
    plan: LaPlan,
    number: int,
) -> None:
    summary = f"Version {number} signed off by all its signatories"
    payload = {"number": number, "content_hash": on.content_hash}
    audit = on.entry(principal, "plans.signed_off", summary, payload, plan.la_code)
    transition(session, LA_PLAN, plan, PlanStep.COMPLETE_SIGN_OFF, audit=audit, signed_at=utcnow())


def sign(
    session: Session, principal: Principal, cycle: Cycle, la_code: str, data: SignPlanInput
) -> LaPlanSignOffEvent:
    """A signatory signs the exact submitted version with a statement of intent."""
    acts.require_confirmed(data.confirm, MESSAGES["confirm"])
    plan, submitted, on = _signable(
        session, principal, cycle, la_code, data.role, data.content_hash, PlanStep.SIGN
    )
    number, label = submitted.number, data.role.label
    already = build_status(session, cycle, plan)
    if already.signatories and any(
        s.role == data.role and s.state == Decision.SIGNED for s in already.signatories
    ):
        raise AlreadyDone(f"You have already signed version {number} as {label}.")
    words = statement_for(service.local_authority(cycle, la_code).name, data.role, number)
    event = on.event(principal, Decision.SIGNED, plan.la_code, data.role, statement=words)
    summary = f"{principal.display_name} signed version {number} as {label}"
    return acts.sign(
        session,
        event,
        refusal=AlreadyDone(f"Version {number} has already been signed by the {label}."),
        audit=on.entry(principal, "plans.signed", summary, acts.signed_payload(event), la_code),
        complete=lambda: build_status(session, cycle, plan).complete,
        on_complete=lambda: _signed_off(session, principal, on, plan, number),
    )


def return_for_changes(
    session: Session, principal: Principal, cycle: Cycle, la_code: str, data: ReturnPlanInput
) -> LaPlanSignOffEvent:
    """A signatory returns the submitted version to the DCS, saying why; signatures on it lapse."""
    plan, submitted, on = _signable(
        session, principal, cycle, la_code, data.role, data.content_hash, PlanStep.RETURN
    )
    event = on.event(principal, Decision.RETURNED, plan.la_code, data.role, reason=data.reason)
    summary = (
        f"{principal.display_name} returned version {submitted.number} as "
        f"{data.role.label}: {data.reason}"
    )
    audit = on.entry(principal, "plans.returned", summary, acts.reason_payload(event), la_code)
    acts.decide(session, event, audit=audit, reason_required=MESSAGES["reason"])
    service.void_signatures(session, principal, cycle, plan, f"returned by the {data.role.label}")
    transition(session, LA_PLAN, plan, PlanStep.RETURN)
    return event
