"""Who drafts which chapter: the DCS names people in the LA to write the chapters assigned to them.

Ending an assignment keeps it in the history; what the person wrote stays in the versions.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.permissions import PERMISSIONS, Action
from app.auth.principal import Principal
from app.auth.roles import ROLE_SCOPE, ScopeKind
from app.db import add_once
from app.errors import AlreadyDone, Conflict, InvalidInput, NotFound
from app.models import Cycle, RoleAssignment, SefContributor, SelfEvaluation, User
from app.models.types import utcnow
from app.self_evaluation.access import SHARED_STATES
from app.self_evaluation.drafting.service import audit, chapter_of, get_sef, require_dcs
from app.self_evaluation.events import SefEvent
from app.self_evaluation.schemas import AssignInput


@dataclass(frozen=True)
class Contributor:
    id: int
    chapter_id: str
    user_id: int
    name: str
    email: str
    assigned_at: datetime


def current(session: Session, sef: SelfEvaluation) -> list[Contributor]:
    """The people assigned chapters now, by chapter then name."""
    rows = session.execute(
        select(SefContributor, User)
        .join(User, User.id == SefContributor.user_id)
        .where(SefContributor.self_evaluation_id == sef.id, SefContributor.ended_at.is_(None))
        .order_by(SefContributor.chapter_id, User.display_name)
    ).all()
    return [
        Contributor(c.id, c.chapter_id, u.id, u.display_name, u.email, c.assigned_at)
        for c, u in rows
    ]


def eligible(session: Session, la_code: str) -> list[User]:
    """Active people of the LA whose role lets them write: those the DCS may assign chapters to."""
    # Only roles that may edit at all: a chapter assigned to a Lead Member could never be saved.
    org_roles = [
        r.value for r in PERMISSIONS[Action.EDIT_SEF] if ROLE_SCOPE[r] is ScopeKind.ORGANISATION
    ]
    return list(
        session.scalars(
            select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(
                RoleAssignment.organisation_code == la_code,
                RoleAssignment.role.in_(org_roles),
                RoleAssignment.ended_at.is_(None),
                User.is_active.is_(True),
            )
            .distinct()
            .order_by(User.display_name)
        )
    )


def _still_drafting(sef: SelfEvaluation) -> None:
    if sef.state in SHARED_STATES:
        raise Conflict(
            "This self-evaluation has been signed, so nobody drafts its chapters any more: "
            "assignments can no longer change."
        )


def assign(
    session: Session, principal: Principal, cycle: Cycle, la_code: str, data: AssignInput
) -> Contributor:
    """The DCS names a person in the LA to draft a chapter."""
    require_dcs(principal, cycle, la_code, Action.ASSIGN_SEF_CHAPTERS)
    sef = get_sef(session, principal, cycle, la_code, lock=True)
    _still_drafting(sef)
    chapter = chapter_of(sef, data.chapter_id)
    person = next((u for u in eligible(session, la_code) if u.id == data.user_id), None)
    if person is None:
        raise InvalidInput(
            "Choose someone in your authority who may draft chapters; ask your regional "
            "coordinator to add them if they are missing.",
            field="user_id",
        )
    row = SefContributor(
        self_evaluation_id=sef.id,
        chapter_id=chapter.id,
        user_id=person.id,
        assigned_by_id=principal.user_id,
        assigned_at=utcnow(),
    )
    add_once(
        session,
        row,
        AlreadyDone(f"{person.display_name} is already drafting '{chapter.title}'."),
    )
    audit(
        session,
        principal,
        cycle,
        sef,
        SefEvent.CONTRIBUTOR_ASSIGNED,
        f"{person.display_name} assigned to draft '{chapter.title}'",
        {"chapter_id": chapter.id, "user_id": person.id},
    )
    return Contributor(
        row.id, chapter.id, person.id, person.display_name, person.email, row.assigned_at
    )


def unassign(
    session: Session, principal: Principal, cycle: Cycle, la_code: str, contributor_id: int
) -> None:
    """The DCS ends an assignment; what the person wrote stays in the versions."""
    require_dcs(principal, cycle, la_code, Action.ASSIGN_SEF_CHAPTERS)
    sef = get_sef(session, principal, cycle, la_code, lock=True)
    _still_drafting(sef)
    row = session.get(SefContributor, contributor_id)
    if row is None or row.self_evaluation_id != sef.id or row.ended_at is not None:
        raise NotFound("That person is not assigned to a chapter of this self-evaluation.")
    row.ended_at = utcnow()
    person = session.get(User, row.user_id)
    chapter = chapter_of(sef, row.chapter_id)
    session.flush()
    audit(
        session,
        principal,
        cycle,
        sef,
        SefEvent.CONTRIBUTOR_UNASSIGNED,
        f"{person.display_name if person else 'A contributor'} no longer drafts '{chapter.title}'",
        {"chapter_id": chapter.id, "user_id": row.user_id},
    )
