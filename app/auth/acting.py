"""Roles a person acts in because the region file says so, not because they were assigned them.

Two kinds, both read from regions/*.yaml so the file stays the one place that says who leads
and who takes part:

- A regional lead. The DCS, Lead Member or Chief Executive of an organisation the region names
  under `leads` acts as that lead; with co-leads, each of them does (seed 002:2272).
- A Trust taking part for the LAs it serves. A Trust's signatory acts "or equivalent" for each LA
  it serves in the activities its `takes_part_in` lists (seed 002:2208): signing the LA's
  self-evaluation, sitting in the LA's triad.
"""

from app.auth.principal import Assignment, Principal
from app.auth.roles import ROLE_SCOPE, Role, ScopeKind
from app.reference import get_reference
from app.reference.parties import LEAD_FROM, TrustActivity


def lead_assignments(principal: Principal) -> tuple[Assignment, ...]:
    """The regional lead roles the principal acts in through their own organisation."""
    reference = get_reference()
    found: list[Assignment] = []
    for a in principal.assignments:
        if a.organisation_code is None or ROLE_SCOPE[a.role] is not ScopeKind.ORGANISATION:
            continue
        region = reference.region_of(a.organisation_code)
        for lead in region.lead_roles_of(a.organisation_code):
            if LEAD_FROM[lead] is a.role:
                found.append(Assignment(lead, region_id=region.id))
    return tuple(found)


def trust_assignments(principal: Principal, activity: TrustActivity) -> tuple[Assignment, ...]:
    """The principal's Trust roles, as acted for each LA the Trust serves in this activity.

    For the self-evaluation only the Trust's signing roles act (the region's
    `signing_roles.trust`); in the triad, whoever holds a role in the Trust.
    """
    reference = get_reference()
    found: list[Assignment] = []
    for a in principal.assignments:
        code = a.organisation_code
        if code is None or ROLE_SCOPE[a.role] is not ScopeKind.ORGANISATION:
            continue
        region = reference.region_of(code)
        trust = next((t for t in region.trusts if t.code == code), None)
        if trust is None or activity not in trust.takes_part_in:
            continue
        if activity is TrustActivity.SELF_EVALUATION and a.role not in region.signing_roles.trust:
            continue
        found.extend(Assignment(a.role, region.id, la_code) for la_code in trust.serves)
    return tuple(found)


def trust_acting_for(
    principal: Principal | None, la_code: str, activity: TrustActivity, role: Role | None = None
) -> str | None:
    """The code of the Trust through which the principal acts for this LA, if any."""
    if principal is None:
        return None
    served = {a for a in trust_assignments(principal, activity) if a.organisation_code == la_code}
    if role is not None:
        served = {a for a in served if a.role is role}
    if not served:
        return None
    region = get_reference().region_of(la_code)
    for trust in region.trusts_serving(la_code, activity):
        if any(
            a.organisation_code == trust.code and (role is None or a.role is role)
            for a in principal.assignments
        ):
            return trust.code
    return None


def signing_trust_name(principal: Principal, la_code: str, role: Role) -> str | None:
    """The Trust's name when the principal signs the LA's self-evaluation for it, not the LA."""
    if any(a.organisation_code == la_code and a.role is role for a in principal.assignments):
        return None
    code = trust_acting_for(principal, la_code, TrustActivity.SELF_EVALUATION, role)
    return None if code is None else get_reference().organisation(code).name
