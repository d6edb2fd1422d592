"""The one permission table, and can(principal, action, scope).

Routes declare the action they need; services assert it again, with the object's real scope,
before they write anything.
"""

from dataclasses import dataclass
from enum import StrEnum

from app.auth import acting
from app.auth.principal import Assignment, Principal
from app.auth.roles import ROLE_SCOPE, Role, ScopeKind
from app.errors import NotPermitted
from app.reference import get_reference
from app.reference.parties import TrustActivity


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


_EVERY_ROLE = frozenset(Role)

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.VIEW_CYCLE: _EVERY_ROLE,
    Action.OPEN_CYCLE: frozenset({Role.REGIONAL_COORDINATOR}),
    Action.EDIT_CALENDAR: frozenset({Role.REGIONAL_COORDINATOR}),
    # Which entries a person sees is further limited, entry by entry, by the rule of the object
    # each describes (app.history.visibility).
    Action.VIEW_HISTORY: _EVERY_ROLE,
    Action.EDIT_MOU: frozenset({Role.REGIONAL_COORDINATOR}),
    Action.PUBLISH_MOU: frozenset({Role.REGIONAL_COORDINATOR}),
    # "Each year the regional leads are given the task of reviewing the MoU" (issue 10; the MoU
    # is set up once, seeds 002:2302, 2318, 2404): the leads (every co-lead alike, through the
    # region file) record "reviewed, no change", and so may the coordinator who supports them
    # (002:2272). A revised version is drafted and published by the coordinator.
    Action.REVIEW_MOU: frozenset(
        {
            Role.REGIONAL_COORDINATOR,
            Role.LEAD_DCS,
            Role.LEAD_LEAD_MEMBER,
            Role.LEAD_CHIEF_EXECUTIVE,
        }
    ),
    Action.SIGN_MOU: frozenset({Role.DCS, Role.LEAD_MEMBER, Role.CHIEF_EXECUTIVE}),
    Action.VIEW_MOU: _EVERY_ROLE,
    Action.SEND_MOU_REMINDERS: frozenset({Role.REGIONAL_COORDINATOR}),
    Action.DOWNLOAD_MOU_PACK: _EVERY_ROLE,
    Action.MANAGE_OWN_TOKENS: _EVERY_ROLE,
    # A data lead submits for their own LA; the coordinator may upload for the whole region.
    Action.SUBMIT_RETURN: frozenset({Role.DATA_LEAD, Role.REGIONAL_COORDINATOR}),
    # One file for every region's LAs at once: the service administrator's, besides the command
    # line (which acts as each region's coordinator). Not a right to submit any one LA's form.
    Action.IMPORT_NATIONAL_RETURNS: frozenset({Role.SERVICE_ADMIN}),
    # Seeing returns is further limited, value by value, by app.returns.visibility.
    Action.VIEW_RETURNS: _EVERY_ROLE,
    Action.OVERRIDE_RETURNS: frozenset({Role.REGIONAL_COORDINATOR}),
    Action.VIEW_BENCHMARKS: _EVERY_ROLE,
    # Which self-evaluations a person sees is further limited, one by one, by app.self_evaluation.access.
    Action.VIEW_SEF: _EVERY_ROLE,
    # The DCS writes every chapter; a contributor or data lead only the chapters assigned to them.
    Action.EDIT_SEF: frozenset({Role.DCS, Role.CONTRIBUTOR, Role.DATA_LEAD}),
    Action.ASSIGN_SEF_CHAPTERS: frozenset({Role.DCS}),
    Action.SUBMIT_SEF: frozenset({Role.DCS}),
    # Signing and returning with a reason are the same three people's.
    Action.SIGN_SEF: frozenset({Role.DCS, Role.LEAD_MEMBER, Role.CHIEF_EXECUTIVE}),
    Action.TRACK_SEF: frozenset({Role.REGIONAL_COORDINATOR}),
    Action.FORM_TRIADS: frozenset({Role.REGIONAL_COORDINATOR}),
    # Only the self-evaluation's own scrutineers: peer DCSs of its triad, or the moderators.
    Action.COMMENT_SEF: frozenset({Role.DCS, Role.MODERATOR}),
    Action.RESPOND_SEF: frozenset({Role.DCS}),
    Action.CLOSE_SEF_SCRUTINY: frozenset({Role.REGIONAL_COORDINATOR}),
    Action.DOWNLOAD_SEF_PACK: _EVERY_ROLE,
}

# The actions a Trust takes part in for the LAs it serves, where its region file says so: its
# signatories sign the LA's self-evaluation "or equivalent" (seed 002:2208).
_TRUST_ACTIVITY: dict[Action, TrustActivity] = {Action.SIGN_SEF: TrustActivity.SELF_EVALUATION}

# What the person was trying to do, for refusals written in plain words.
_ACTION_WORDS: dict[Action, str] = {
    Action.VIEW_CYCLE: "see this region's cycle",
    Action.OPEN_CYCLE: "open a cycle for this region",
    Action.EDIT_CALENDAR: "change this cycle's calendar",
    Action.VIEW_HISTORY: "see this cycle's history",
    Action.EDIT_MOU: "edit this region's Memorandum of Understanding",
    Action.PUBLISH_MOU: "publish this region's Memorandum of Understanding",
    Action.REVIEW_MOU: "record the review of this region's Memorandum of Understanding",
    Action.SIGN_MOU: "sign the Memorandum of Understanding for this organisation",
    Action.VIEW_MOU: "see this region's Memorandum of Understanding",
    Action.SEND_MOU_REMINDERS: "send reminders about the Memorandum of Understanding",
    Action.DOWNLOAD_MOU_PACK: "download this region's Memorandum of Understanding pack",
    Action.MANAGE_OWN_TOKENS: "manage API tokens",
    Action.SUBMIT_RETURN: "submit quarterly indicators for this authority",
    Action.IMPORT_NATIONAL_RETURNS: "import a national file of quarterly returns",
    Action.VIEW_RETURNS: "see this region's quarterly returns",
    Action.OVERRIDE_RETURNS: "accept returns from an authority whose MoU is not in force",
    Action.VIEW_BENCHMARKS: "see this region's benchmarking",
    Action.VIEW_SEF: "see this self-evaluation",
    Action.EDIT_SEF: "write this authority's self-evaluation",
    Action.ASSIGN_SEF_CHAPTERS: "assign chapters of this authority's self-evaluation",
    Action.SUBMIT_SEF: "submit this authority's self-evaluation for sign-off",
    Action.SIGN_SEF: "sign this authority's self-evaluation",
    Action.TRACK_SEF: "track this region's self-evaluations",
    Action.FORM_TRIADS: "form this region's triads",
    Action.COMMENT_SEF: "comment on this self-evaluation as a scrutineer",
    Action.RESPOND_SEF: "respond to scrutiny of this authority's self-evaluation",
    Action.CLOSE_SEF_SCRUTINY: "close scrutiny of this self-evaluation",
    Action.DOWNLOAD_SEF_PACK: "download this self-evaluation pack",
}


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
    principal: Principal, action: Action, scope: Scope
) -> tuple[Assignment, ...]:
    """The principal's assignments that allow `action` in `scope`, with the roles the region
    file makes them act in: any co-lead as the lead, a Trust's signatories for the LAs it serves.
    """
    allowed = PERMISSIONS[action]
    held = principal.assignments + acting.lead_assignments(principal)
    activity = _TRUST_ACTIVITY.get(action)
    if activity is not None:
        held += acting.trust_assignments(principal, activity)
    return tuple(a for a in held if a.role in allowed and _covers(a, scope))


def can(
    principal: Principal | None,
    action: Action,
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
    action: Action,
    scope: Scope = Scope(),
    *,
    as_role: Role | None = None,
) -> None:
    """Raise NotPermitted, in plain words, unless can() allows it."""
    if can(principal, action, scope, as_role=as_role):
        return
    what = _ACTION_WORDS[action]
    if as_role is not None:
        raise NotPermitted(
            f"You cannot {what}: you are not recorded as its {as_role.label}. "
            "Ask your regional coordinator to check your role."
        )
    raise NotPermitted(
        f"You cannot {what}: none of your roles allows it. "
        "Ask your regional coordinator if you think you should."
    )
