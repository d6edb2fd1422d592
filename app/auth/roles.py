"""The roles people hold in the cycle, and the kind of scope each role is held in."""

from enum import StrEnum


class Role(StrEnum):
    SERVICE_ADMIN = "service_admin"
    REGIONAL_COORDINATOR = "regional_coordinator"
    DCS = "dcs"
    LEAD_MEMBER = "lead_member"
    CHIEF_EXECUTIVE = "chief_executive"
    DATA_LEAD = "data_lead"
    # Someone in the LA (a head of service, say) who drafts the self-evaluation chapters the DCS
    # assigns them.
    CONTRIBUTOR = "contributor"
    TRIAD_REVIEWER = "triad_reviewer"
    LEAD_DCS = "lead_dcs"
    LEAD_LEAD_MEMBER = "lead_lead_member"
    LEAD_CHIEF_EXECUTIVE = "lead_chief_executive"
    RISL = "risl"
    # A quality-assurance or performance volunteer who scrutinises signed self-evaluations in a
    # region whose file says `scrutiny: moderation` (the Eastern model).
    MODERATOR = "moderator"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


class ScopeKind(StrEnum):
    SERVICE = "service"
    REGION = "region"
    ORGANISATION = "organisation"


ROLE_LABELS: dict[Role, str] = {
    Role.SERVICE_ADMIN: "Service administrator",
    Role.REGIONAL_COORDINATOR: "Regional coordinator",
    Role.DCS: "Director of Children's Services",
    Role.LEAD_MEMBER: "Lead Member",
    Role.CHIEF_EXECUTIVE: "Chief Executive",
    Role.DATA_LEAD: "Data lead",
    Role.CONTRIBUTOR: "Self-evaluation contributor",
    Role.TRIAD_REVIEWER: "Triad reviewer",
    Role.LEAD_DCS: "Lead Director of Children's Services",
    Role.LEAD_LEAD_MEMBER: "Lead Lead Member",
    Role.LEAD_CHIEF_EXECUTIVE: "Lead Chief Executive",
    Role.RISL: "DfE Regional Improvement and Support Lead",
    Role.MODERATOR: "Moderator",
}

# Which kind of scope each role is held in: an organisation role names an LA or Trust,
# a region role names a region, the service administrator is national.
ROLE_SCOPE: dict[Role, ScopeKind] = {
    Role.SERVICE_ADMIN: ScopeKind.SERVICE,
    Role.REGIONAL_COORDINATOR: ScopeKind.REGION,
    Role.DCS: ScopeKind.ORGANISATION,
    Role.LEAD_MEMBER: ScopeKind.ORGANISATION,
    Role.CHIEF_EXECUTIVE: ScopeKind.ORGANISATION,
    Role.DATA_LEAD: ScopeKind.ORGANISATION,
    Role.CONTRIBUTOR: ScopeKind.ORGANISATION,
    Role.TRIAD_REVIEWER: ScopeKind.REGION,
    Role.LEAD_DCS: ScopeKind.REGION,
    Role.LEAD_LEAD_MEMBER: ScopeKind.REGION,
    Role.LEAD_CHIEF_EXECUTIVE: ScopeKind.REGION,
    Role.RISL: ScopeKind.REGION,
    Role.MODERATOR: ScopeKind.REGION,
}

# The three people who sign an organisation's MoU, SEF and plan.
SIGNATORY_ROLES: tuple[Role, ...] = (Role.DCS, Role.LEAD_MEMBER, Role.CHIEF_EXECUTIVE)

# The two role sets most permission rows name: everyone with a role, and the coordinator alone.
EVERY_ROLE = frozenset(Role)
COORDINATOR = frozenset({Role.REGIONAL_COORDINATOR})
