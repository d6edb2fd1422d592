"""Triad reviewers: the coordinator names people who hold the triad reviewer role in the region
to a triad, and may take them off it.

A reviewer named to a triad reads its members' key lines of enquiry (app.challenge.access) and
writes the record of its conversation; they see nothing of any other triad. Naming and removing
are each kept in the history.
"""

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.audit.chain import record
from app.auth.permissions import Scope, can
from app.auth.principal import Principal
from app.auth.roles import Role
from app.challenge.actions import ChallengeAction
from app.challenge.meeting_schemas import ReviewerInput
from app.challenge.meetings import Reviewer, reviewers_of, triad_by_number
from app.cycles.service import actor_of
from app.errors import InvalidInput, NotPermitted
from app.models import Cycle, RoleAssignment, Triad, TriadReviewer, User
from app.reference import get_reference

FIELD = "user_id"


def may_name(principal: Principal | None, region_id: str) -> bool:
    return can(principal, ChallengeAction.NAME_REVIEWERS, Scope(region_id))


def candidates(session: Session, cycle: Cycle) -> list[Reviewer]:
    """Everyone holding the triad reviewer role in the cycle's region now, by name."""
    rows = session.execute(
        select(User.id, User.display_name)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(
            RoleAssignment.role == Role.TRIAD_REVIEWER.value,
            RoleAssignment.region_id == cycle.region_id,
            RoleAssignment.ended_at.is_(None),
            User.is_active.is_(True),
        )
        .distinct()
        .order_by(User.display_name, User.id)
    ).all()
    return [Reviewer(user_id, name) for user_id, name in rows]


def _refuse_unless_coordinator(principal: Principal, cycle: Cycle) -> None:
    if not may_name(principal, cycle.region_id):
        raise NotPermitted("Only the regional coordinator can name triad reviewers to a triad.")


def _entry(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    triad: Triad,
    action: str,
    summary: str,
    person: Reviewer,
) -> None:
    record(
        session,
        actor=actor_of(principal),
        action=action,
        summary=summary,
        subject_type="triad",
        subject_id=triad.id,
        region_id=cycle.region_id,
        cycle_id=cycle.id,
        organisation_code=None,
        payload={"triad": triad.number, "user_id": person.user_id, "name": person.name},
    )


def name(
    session: Session, principal: Principal, cycle: Cycle, number: int | str, data: ReviewerInput
) -> tuple[Reviewer, ...]:
    """Name a triad reviewer of the region to the triad; naming them again changes nothing."""
    _refuse_unless_coordinator(principal, cycle)
    triad = triad_by_number(session, cycle, number)
    number = triad.number
    person = next((c for c in candidates(session, cycle) if c.user_id == data.user_id), None)
    if person is None:
        region = get_reference().regions[cycle.region_id]
        raise InvalidInput(
            f"Choose someone who holds the triad reviewer role in the {region.riia}",
            field=FIELD,
        )
    named = reviewers_of(session, triad)
    if person in named:
        return named
    session.add(
        TriadReviewer(
            cycle_id=cycle.id,
            triad_id=triad.id,
            user_id=person.user_id,
            named_by_id=principal.user_id,
        )
    )
    session.flush()
    summary = f"{person.name} named as a triad reviewer to triad {number}"
    _entry(session, principal, cycle, triad, "conversation.reviewer_named", summary, person)
    return reviewers_of(session, triad)


def remove(
    session: Session, principal: Principal, cycle: Cycle, number: int | str, user_id: int | str
) -> tuple[Reviewer, ...]:
    """Take a reviewer off the triad; someone not named to it (a second click) changes nothing."""
    _refuse_unless_coordinator(principal, cycle)
    triad = triad_by_number(session, cycle, number)
    number = triad.number
    named = reviewers_of(session, triad)
    text = str(user_id)
    person = next((r for r in named if text.isdigit() and r.user_id == int(text)), None)
    if person is None:
        return named
    session.execute(
        delete(TriadReviewer).where(
            TriadReviewer.triad_id == triad.id, TriadReviewer.user_id == person.user_id
        )
    )
    session.flush()
    summary = f"{person.name} is no longer a triad reviewer of triad {number}"
    _entry(session, principal, cycle, triad, "conversation.reviewer_removed", summary, person)
    return reviewers_of(session, triad)
