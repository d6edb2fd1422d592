"""Who is acting: a signed-in person and the roles they hold now."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.models import RoleAssignment, User


@dataclass(frozen=True)
class Assignment:
    role: Role
    region_id: str | None = None
    organisation_code: str | None = None


@dataclass(frozen=True)
class Principal:
    user_id: int
    display_name: str
    email: str
    assignments: tuple[Assignment, ...]

    def holds(self, role: Role) -> bool:
        return any(a.role == role for a in self.assignments)


def load_principal(session: Session, user: User) -> Principal:
    """The user with the role assignments in force now (ended ones give no access)."""
    rows = session.execute(
        select(RoleAssignment)
        .where(RoleAssignment.user_id == user.id, RoleAssignment.ended_at.is_(None))
        .order_by(RoleAssignment.id)
    ).scalars()
    assignments = tuple(Assignment(Role(r.role), r.region_id, r.organisation_code) for r in rows)
    return Principal(user.id, user.display_name, user.email, assignments)
