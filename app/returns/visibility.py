"""Who may see which LA's quarterly values, and when (the MoU's data terms).

Values are visible to the submitting LA and the region's coordinator at once; to the other LAs
of the region (and the regional leads) once the quarter's return closes; to the region's RISL
only after the release period in the region's data terms. The same rule serves pages, API,
exports and packs.
"""

from datetime import date

from app.auth.principal import Principal
from app.auth.roles import Role
from app.reference import get_reference
from app.returns.windows import WindowState

_AT_ONCE = frozenset({Role.SERVICE_ADMIN, Role.REGIONAL_COORDINATOR})


def _region_of(organisation_code: str) -> str:
    return get_reference().region_of(organisation_code).id


def visible_from(principal: Principal, la_code: str, window: WindowState | None) -> date | None:
    """The first day this person may see this LA's values for the window's quarter.

    date.min: at once; None: never (another region, or no window to release them).
    """
    region_id = _region_of(la_code)
    first: date | None = None
    for a in principal.assignments:
        if a.role is Role.SERVICE_ADMIN:
            return date.min
        if a.organisation_code == la_code:
            return date.min  # the LA's own people see their own return at once
        in_region = a.region_id == region_id or (
            a.organisation_code is not None and _region_of(a.organisation_code) == region_id
        )
        if not in_region:
            continue
        if a.role in _AT_ONCE:
            return date.min
        if window is None:
            continue
        day = window.risl_release_on if a.role is Role.RISL else window.region_release_on
        first = day if first is None else min(first, day)
    return first


def can_see_la(principal: Principal, la_code: str, window: WindowState | None, today: date) -> bool:
    """May this person see this LA's values for the window's quarter today?"""
    first = visible_from(principal, la_code, window)
    return first is not None and today >= first


def can_see_region(
    principal: Principal, region_id: str, window: WindowState | None, today: date
) -> bool:
    """May this person see every LA of the region for this quarter (and so its aggregates)?"""
    region = get_reference().regions[region_id]
    return all(can_see_la(principal, la.code, window, today) for la in region.local_authorities)


def visible_las(
    principal: Principal, region_id: str, window: WindowState | None, today: date
) -> set[str]:
    """The region's LAs whose values this person may see for the quarter."""
    region = get_reference().regions[region_id]
    return {
        la.code for la in region.local_authorities if can_see_la(principal, la.code, window, today)
    }
