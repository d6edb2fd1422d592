"""Who is acting: a signed-in person and the roles they hold now."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.models import RoleAssignment, User
from app.reference import get_reference


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

    def describe(self) -> str:
        """'Director of Children's Services, Derby': who they act as, for the page header."""
        if not self.assignments:
            return ""
        first = self.assignments[0]
        reference = get_reference()
        if first.organisation_code:
            where = reference.organisation(first.organisation_code).name
        elif first.region_id and first.region_id in reference.regions:
            where = reference.regions[first.region_id].name
        else:
            where = ""
        words = f"{first.role.label}, {where}" if where else first.role.label
        others = len(self.assignments) - 1
        if others:
            words += f" (and {others} other role{'s' if others > 1 else ''})"
        return words


def load_principal(session: Session, user: User) -> Principal:
    """The user with the role assignments in force now (ended ones give no access)."""
    rows = session.execute(
        select(RoleAssignment)
        .where(RoleAssignment.user_id == user.id, RoleAssignment.ended_at.is_(None))
        .order_by(RoleAssignment.id)
    ).scalars()
    assignments = tuple(Assignment(Role(r.role), r.region_id, r.organisation_code) for r in rows)
    return Principal(user.id, user.display_name, user.email, assignments)
