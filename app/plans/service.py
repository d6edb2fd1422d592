"""An LA's development plan: reading it, its versions, and the one way a version is saved.

Rules (issue 12, "LA development plans"): the LA's DCS writes the plan; its priorities start from
the areas for development of the LA's signed self-evaluation (each keeps a link to its source)
and the DCS keeps or drops each. Every save is an immutable version with its SHA-256; a save over
someone else's newer version is refused (409), the same save sent twice makes no new version, and
an edit after submission voids the signatures gathered (app.plans.signoff).
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.entries import cycle_entry, record_in_cycle
from app.auth.principal import Principal
from app.db import add_once
from app.errors import NotFound, NotPermitted, StaleVersion
from app.models import Cycle, LaPlan, LaPlanSignOffEvent, LaPlanVersion, SelfEvaluation
from app.models.types import utcnow
from app.plans import access
from app.plans import content as plan_content
from app.plans.content import Content, Suggestion
from app.plans.workflow import LA_PLAN, PlanState, PlanStep
from app.reference.models import LocalAuthority
from app.self_evaluation import access as sef_access
from app.self_evaluation.drafting import service as sefs
from app.self_evaluation.drafting.service import local_authority
from app.signoff import acts
from app.workflow import fire
from app.workflow.transition import transition

SAVED_AT_ONCE = (
    "Someone else saved this development plan at the same moment. Nothing was saved: reload to "
    "see their change, then try again."
)


@dataclass(frozen=True)
class PlanView:
    la: LocalAuthority
    plan: LaPlan | None
    latest: LaPlanVersion | None
    content: Content

    @property
    def state(self) -> str:
        return self.plan.state if self.plan else "not_started"

    @property
    def number(self) -> int | None:
        return self.latest.number if self.latest else None


def subject(plan: LaPlan) -> tuple[str, int]:
    return ("la_plan", plan.id)


def plan_row(session: Session, cycle: Cycle, la_code: str, *, lock: bool = False) -> LaPlan | None:
    query = select(LaPlan).where(LaPlan.cycle_id == cycle.id, LaPlan.la_code == la_code)
    if lock:
        # Changes to one plan queue behind each other (PostgreSQL row lock; SQLite serialises).
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.execute(query).scalar_one_or_none()


def latest_version(session: Session, plan: LaPlan | None) -> LaPlanVersion | None:
    if plan is None:
        return None
    return session.scalars(
        select(LaPlanVersion)
        .where(LaPlanVersion.plan_id == plan.id)
        .order_by(LaPlanVersion.number.desc())
        .limit(1)
    ).first()


def version(session: Session, plan: LaPlan, number: int) -> LaPlanVersion:
    found = session.scalars(
        select(LaPlanVersion).where(
            LaPlanVersion.plan_id == plan.id, LaPlanVersion.number == number
        )
    ).first()
    if found is None:
        raise NotFound(f"There is no version {number} of this development plan.")
    return found


def submitted_version(session: Session, plan: LaPlan | None) -> LaPlanVersion | None:
    if plan is None or plan.submitted_number is None:
        return None
    return version(session, plan, plan.submitted_number)


def _view(session: Session, cycle: Cycle, la: LocalAuthority, *, lock: bool = False) -> PlanView:
    plan = plan_row(session, cycle, la.code, lock=lock)
    latest = latest_version(session, plan)
    found = plan_content.loads(latest.content) if latest else plan_content.empty()
    return PlanView(la, plan, latest, found)


def refusal(cycle: Cycle, la: LocalAuthority) -> str:
    return (
        f"{la.name}'s development plan is seen only by {la.name}'s own people and the regional "
        "coordinator, and by its triad partners once it is submitted for sign-off."
    )


def read(session: Session, principal: Principal | None, cycle: Cycle, la_code: str) -> PlanView:
    """The LA's plan as it stands, for its own people and the coordinator, and for its triad
    partners once submitted or signed (app.plans.access.may_read)."""
    la = local_authority(cycle, la_code)
    found = _view(session, cycle, la)
    if not access.may_read(session, principal, cycle, la_code, found.state):
        raise NotPermitted(refusal(cycle, la))
    return found


def suggestions(
    session: Session, principal: Principal | None, cycle: Cycle, la_code: str
) -> list[Suggestion]:
    """The areas for development of the LA's signed self-evaluation, for its DCS; [] for anyone
    else, and while the self-evaluation is unsigned."""
    if not access.can_write(principal, cycle, la_code):
        return []
    sef = session.scalar(
        select(SelfEvaluation).where(
            SelfEvaluation.cycle_id == cycle.id, SelfEvaluation.la_code == la_code
        )
    )
    if sef is None or sef.state not in sef_access.SHARED_STATES:
        return []
    signed = sefs.signed_version(session, sef)
    return plan_content.suggestions(sefs.template_of(sef), sefs.content_of(sef, signed))


def writable(session: Session, principal: Principal, cycle: Cycle, la_code: str) -> PlanView:
    la = local_authority(cycle, la_code)
    if not access.can_write(principal, cycle, la_code):
        raise NotPermitted(f"Only {la.name}'s Director of Children's Services can write its plan.")
    return _view(session, cycle, la, lock=True)


def _plan_of(session: Session, cycle: Cycle, found: PlanView) -> LaPlan:
    """The plan's row, made on the first save."""
    if found.plan is not None:
        return found.plan
    plan = LaPlan(cycle_id=cycle.id, la_code=found.la.code, state=PlanState.DRAFT)
    add_once(session, plan, StaleVersion(SAVED_AT_ONCE))
    return plan


def void_signatures(
    session: Session, principal: Principal, cycle: Cycle, plan: LaPlan, why: str
) -> list[str]:
    """Signatures on the submitted version stop counting; the history says whose and why."""
    submitted = submitted_version(session, plan)
    if submitted is None:
        return []
    on_version = LaPlanSignOffEvent.plan_version_id == submitted.id
    voided = acts.voided_by_new_version(session, LaPlanSignOffEvent, on_version)
    number = submitted.number
    if voided:
        summary = f"Signatures on version {number} are void ({why}): {', '.join(voided)}"
        action, payload = "plans.signatures_voided", {"signatures": voided}
    else:
        summary = f"Version {number} is no longer submitted for sign-off: {why}"
        action, payload = "plans.submission_withdrawn", {}
    record_in_cycle(
        session,
        principal,
        cycle,
        subject(plan),
        action,
        summary,
        {"number": number, "content_hash": submitted.content_hash, **payload},
        plan.la_code,
    )
    plan.submitted_number, plan.submitted_at = None, None
    return voided


def save(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    found: PlanView,
    updated: Content,
    base_version: int | None,
    history: Callable[[LaPlanVersion], tuple[str, str]],
) -> LaPlanVersion:
    """Save `updated` as the next version; `history(saved)` gives the entry's action and words."""
    if found.plan is not None:
        fire(LA_PLAN, found.plan.state, PlanStep.EDIT)  # refused once signed
    if found.latest is not None and found.content == updated:
        return found.latest  # nothing changed: a double submit makes no new version
    if base_version != found.number:
        raise StaleVersion(
            f"Someone else saved {found.la.name}'s development plan (version {found.number}) "
            "since you opened it. Nothing was saved: reload to see their change, then try again.",
            field="base_version",
        )
    plan = _plan_of(session, cycle, found)
    saved = LaPlanVersion(
        plan_id=plan.id,
        number=(found.number or 0) + 1,
        content=plan_content.dumps(updated),
        content_hash=plan_content.content_hash(updated),
        based_on_number=base_version,
        created_by_id=principal.user_id,
        created_by_name=principal.display_name,
        created_at=utcnow(),
    )
    add_once(session, saved, StaleVersion(SAVED_AT_ONCE))
    void_signatures(session, principal, cycle, plan, f"{principal.display_name} edited the plan")
    action, summary = history(saved)
    payload = {"number": saved.number, "content_hash": saved.content_hash}
    audit = cycle_entry(principal, cycle, subject(plan), action, summary, payload, plan.la_code)
    transition(session, LA_PLAN, plan, PlanStep.EDIT, audit=audit)
    return saved
