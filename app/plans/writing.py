"""The DCS's acts on the plan: start it from the signed self-evaluation, save or drop a priority,
record an adopted plan, submit it for sign-off. Each goes through app.plans.service.save, so each
is one new version (or none, for the same save twice) with its history entry.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.entries import cycle_entry
from app.auth.principal import Principal
from app.auth.roles import Role
from app.errors import Conflict, InvalidInput, NotFound, StaleVersion
from app.models import Cycle, LaPlanSignOffEvent, LaPlanVersion
from app.models.types import utcnow
from app.plans import content as plan_content
from app.plans.schemas import AdoptInput, DropInput, PriorityInput, StartInput, SubmitPlanInput
from app.plans.service import save, subject, suggestions, writable
from app.plans.workflow import LA_PLAN, PlanStep
from app.reference import get_reference
from app.workflow import fire
from app.workflow.transition import transition


def start(
    session: Session, principal: Principal, cycle: Cycle, la_code: str, data: StartInput
) -> LaPlanVersion:
    """The DCS starts the plan, keeping the areas for development they choose as priorities."""
    found = writable(session, principal, cycle, la_code)
    offered = {s.key: s for s in suggestions(session, principal, cycle, la_code)}
    unknown = [key for key in data.keep if key not in offered]
    if unknown:
        raise InvalidInput(
            "Your self-evaluation no longer names one of the areas you chose: reload the page.",
            field="keep",
        )
    kept = [plan_content.priority_from_suggestion(offered[key]) for key in data.keep]
    updated = {**plan_content.empty(), "priorities": kept}
    if found.latest is not None and found.content != updated:
        raise Conflict(
            f"{found.la.name}'s development plan is already started: add or drop priorities "
            "on it instead.",
            field="keep",
        )
    return save(
        session,
        principal,
        cycle,
        found,
        updated,
        None,
        lambda saved: (
            "plans.started",
            f"Development plan started with {len(kept)} priorities from the self-evaluation "
            f"(version {saved.number})",
        ),
    )


def save_priority(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    la_code: str,
    position: int,
    data: PriorityInput,
) -> LaPlanVersion:
    """The DCS saves one priority whole (a new one at the next position)."""
    found = writable(session, principal, cycle, la_code)
    priorities = list(found.content["priorities"])
    if not 1 <= position <= len(priorities) + 1:
        raise NotFound(f"There is no priority {position} in this development plan.")
    plan_content.check_priority(data, dict(get_reference().indicators))
    source = priorities[position - 1]["source"] if position <= len(priorities) else None
    written = plan_content.priority_from(data, source)
    if position <= len(priorities):
        priorities[position - 1] = written
    else:
        priorities.append(written)
    updated = {**found.content, "priorities": priorities}
    return save(
        session,
        principal,
        cycle,
        found,
        updated,
        data.base_version,
        lambda saved: (
            "plans.priority_saved",
            f"{principal.display_name} saved priority {position} ('{data.title}') as version "
            f"{saved.number}",
        ),
    )


def drop_priority(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    la_code: str,
    position: int,
    data: DropInput,
) -> LaPlanVersion:
    """The DCS drops a priority (one kept from the self-evaluation, or their own)."""
    found = writable(session, principal, cycle, la_code)
    priorities = list(found.content["priorities"])
    if data.base_version != found.number:
        raise StaleVersion(
            f"Someone else saved {found.la.name}'s development plan (version {found.number}) "
            "since you opened it. Nothing was dropped: reload to see their change first.",
            field="base_version",
        )
    if not 1 <= position <= len(priorities):
        raise NotFound(f"There is no priority {position} in this development plan.")
    title = priorities.pop(position - 1)["title"]
    return save(
        session,
        principal,
        cycle,
        found,
        {**found.content, "priorities": priorities},
        data.base_version,
        lambda saved: (
            "plans.priority_dropped",
            f"{principal.display_name} dropped priority {position} ('{title}') in version "
            f"{saved.number}",
        ),
    )


def adopt(
    session: Session, principal: Principal, cycle: Cycle, la_code: str, data: AdoptInput
) -> LaPlanVersion:
    """The LA adopts its existing improvement plan (its title and supporting document), or stops."""
    found = writable(session, principal, cycle, la_code)
    if data.title and not data.document:
        raise InvalidInput(
            "Enter the name of the supporting document that holds the plan you adopt.",
            field="document",
        )
    adopted = {"title": data.title, "document": data.document} if data.title else None
    words = (
        f"Adopts its existing plan '{data.title}' ({data.document})"
        if adopted
        else "No longer adopts an existing plan"
    )
    return save(
        session,
        principal,
        cycle,
        found,
        {**found.content, "adopted": adopted},
        data.base_version,
        lambda saved: ("plans.adopted", f"{words}: version {saved.number}"),
    )


def submit(
    session: Session, principal: Principal, cycle: Cycle, la_code: str, data: SubmitPlanInput
) -> LaPlanVersion:
    """The DCS submits the exact version they reviewed for sign-off."""
    found = writable(session, principal, cycle, la_code)
    if found.plan is None or found.latest is None:
        raise Conflict("Nothing has been written yet. Write the plan, then submit it.")
    plan, latest = found.plan, found.latest
    if plan.submitted_number == latest.number and latest.content_hash == data.content_hash:
        return latest  # already submitted, this exact version: a double submit changes nothing
    fire(LA_PLAN, plan.state, PlanStep.SUBMIT)
    if latest.content_hash != data.content_hash:
        raise StaleVersion(
            f"The plan changed after you reviewed it (it is now version {latest.number}). "
            "Review the latest version, then submit."
        )
    returned = session.scalars(
        select(LaPlanSignOffEvent)
        .where(
            LaPlanSignOffEvent.plan_version_id == latest.id,
            LaPlanSignOffEvent.decision == "returned",
        )
        .order_by(LaPlanSignOffEvent.id.desc())
    ).first()
    if returned is not None:
        # Submitting the same version again would revive the signatures its return voided.
        raise Conflict(
            f"Version {latest.number} was returned by the {Role(returned.role).label} "
            f"({returned.signatory_name}): change it, then submit the new version."
        )
    missing = plan_content.missing_for_sign_off(found.content)
    if missing:
        raise InvalidInput(
            "Before sign-off the plan needs " + "; ".join(missing) + ".", field="content_hash"
        )
    audit = cycle_entry(
        principal,
        cycle,
        subject(plan),
        "plans.submitted",
        f"Version {latest.number} submitted for sign-off",
        {"number": latest.number, "content_hash": latest.content_hash},
        plan.la_code,
    )
    transition(
        session,
        LA_PLAN,
        plan,
        PlanStep.SUBMIT,
        audit=audit,
        submitted_number=latest.number,
        submitted_at=utcnow(),
    )
    return latest
