"""The one permission table, and can(principal, action, scope).

Routes declare the action they need; services assert it again, with the object's real scope,
before they write anything.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

from app.auth import acting
from app.auth.principal import Assignment, Principal
from app.auth.roles import COORDINATOR, EVERY_ROLE, ROLE_SCOPE, Role, ScopeKind
from app.errors import NotPermitted
from app.reference import get_reference
from app.stage import Permission


# The names of the cycle's actions and of the stages built before the registry; their rows (who,
# and the refusal's words) live in each stage's stage.py. A new stage names its actions in a
# StrEnum of its own, in its folder: every function here takes any StrEnum.
class Action(StrEnum):
    VIEW_CYCLE = "cycle.view"
    OPEN_CYCLE = "cycle.open"
    EDIT_CALENDAR = "cycle.edit_calendar"
    VIEW_HISTORY = "cycle.view_history"
    EDIT_MOU = "mou.edit"
    PUBLISH_MOU = "mou.publish"
    REVIEW_MOU = "mou.review"
    SIGN_MOU = "mou.sign"
    VIEW_MOU = "mou.view"
    SEND_MOU_REMINDERS = "mou.send_reminders"
    DOWNLOAD_MOU_PACK = "mou.download_pack"
    MANAGE_OWN_TOKENS = "account.manage_tokens"
    SUBMIT_RETURN = "returns.submit"
    IMPORT_NATIONAL_RETURNS = "returns.import_national"
    VIEW_RETURNS = "returns.view"
    OVERRIDE_RETURNS = "returns.override"
    VIEW_BENCHMARKS = "benchmarks.view"
    VIEW_SEF = "sef.view"
    EDIT_SEF = "sef.edit"
    ASSIGN_SEF_CHAPTERS = "sef.assign_chapters"
    SUBMIT_SEF = "sef.submit"
    SIGN_SEF = "sef.sign"
    TRACK_SEF = "sef.track"
    FORM_TRIADS = "triads.form"
    COMMENT_SEF = "sef.comment"
    RESPOND_SEF = "sef.respond"
    CLOSE_SEF_SCRUTINY = "sef.close_scrutiny"
    DOWNLOAD_SEF_PACK = "sef.download_pack"


# The cycle's own rows; each stage declares its rows in its stage.py (app.stages lists them).
_CYCLE_ROWS: tuple[Permission, ...] = (
    Permission(Action.VIEW_CYCLE, EVERY_ROLE, "see this region's cycle"),
    Permission(Action.OPEN_CYCLE, COORDINATOR, "open a cycle for this region"),
    Permission(Action.EDIT_CALENDAR, COORDINATOR, "change this cycle's calendar"),
    # Which entries a person sees is further limited, entry by entry, by the rule of the object
    # each describes (app.history.visibility).
    Permission(Action.VIEW_HISTORY, EVERY_ROLE, "see this cycle's history"),
    Permission(Action.MANAGE_OWN_TOKENS, EVERY_ROLE, "manage API tokens"),
)
_built: tuple[tuple[object, ...], dict[StrEnum, Permission]] | None = None


def _rows() -> dict[StrEnum, Permission]:
    """The table: the cycle's rows and every registered stage's, built once per registry."""
    global _built
    from app import stages  # here, not above: a stage's declarations name this module's Action

    if _built is None or _built[0] is not stages.STAGES:
        rows: dict[StrEnum, Permission] = {}
        for row in _CYCLE_ROWS + tuple(p for s in stages.STAGES for p in s.permissions):
            if row.action in rows:
                raise ValueError(f"Two stages declare the permission {row.action}")
            rows[row.action] = row
        _built = (stages.STAGES, rows)
    return _built[1]


class _PermissionTable(Mapping[StrEnum, frozenset[Role]]):
    """Action -> the roles allowed it, read from the rows above and the registry's."""

    def __getitem__(self, action: StrEnum) -> frozenset[Role]:
        return _rows()[action].roles

    def __iter__(self) -> Iterator[StrEnum]:
        return iter(_rows())

    def __len__(self) -> int:
        return len(_rows())


PERMISSIONS: Mapping[StrEnum, frozenset[Role]] = _PermissionTable()


@dataclass(frozen=True)
class Scope:
    """Where an action happens: nowhere in particular, a region, or one organisation in it."""

    region_id: str | None = None
    organisation_code: str | None = None


def _covers(assignment: Assignment, scope: Scope) -> bool:
    kind = ROLE_SCOPE[assignment.role]
    if kind is ScopeKind.SERVICE or (scope.region_id is None and scope.organisation_code is None):
        return True
    if kind is ScopeKind.REGION:
        region = scope.region_id or get_reference().region_of(str(scope.organisation_code)).id
        return assignment.region_id == region
    if scope.organisation_code is not None:
        return assignment.organisation_code == scope.organisation_code
    own_region = get_reference().region_of(str(assignment.organisation_code)).id
    return own_region == scope.region_id


def matching_assignments(
    principal: Principal, action: StrEnum, scope: Scope
) -> tuple[Assignment, ...]:
    """The principal's assignments that allow `action` in `scope`, with the roles the region
    file makes them act in: any co-lead as the lead, a Trust's signatories for the LAs it serves.
    """
    row = _rows()[action]
    allowed = row.roles
    held = principal.assignments + acting.lead_assignments(principal)
    activity = row.trust_activity
    if activity is not None:
        held += acting.trust_assignments(principal, activity)
    return tuple(a for a in held if a.role in allowed and _covers(a, scope))


def can(
    principal: Principal | None,
    action: StrEnum,
    scope: Scope = Scope(),
    *,
    as_role: Role | None = None,
) -> bool:
    """True when one of the principal's roles allows the action in that scope."""
    if principal is None:
        return False
    found = matching_assignments(principal, action, scope)
    return any(a.role == as_role for a in found) if as_role else bool(found)


def require(
    principal: Principal | None,
    action: StrEnum,
    scope: Scope = Scope(),
    *,
    as_role: Role | None = None,
) -> None:
    """Raise NotPermitted, in plain words, unless can() allows it."""
    if can(principal, action, scope, as_role=as_role):
        return
    what = _rows()[action].words
    if as_role is not None:
        raise NotPermitted(
            f"You cannot {what}: you are not recorded as its {as_role.label}. "
            "Ask your regional coordinator to check your role."
        )
    raise NotPermitted(
        f"You cannot {what}: none of your roles allows it. "
        "Ask your regional coordinator if you think you should."
    )
