"""What every route under a cycle's path needs: the path itself, and its region and cycle.

`CurrentCycle` is the cycle named by the path's region_id and year, for a person allowed to see
the region's cycles; `CurrentRegion` the region named by region_id. Declare either after the
route's permission (so a refusal is still answered first) and before `WriteSession` (so the
cycle is read before the write transaction is taken).
"""

from typing import Annotated

from fastapi import Depends

from app.auth.web import DbSession, PrincipalDep
from app.cycles import service
from app.db import end_read
from app.models import Cycle
from app.reference.models import Region

CYCLE = "/regions/{region_id}/cycles/{year}"


def current_region(region_id: str) -> Region:
    """The region named by the path, or 404."""
    return service.region_or_404(region_id)


def current_cycle(region_id: str, year: str, session: DbSession, principal: PrincipalDep) -> Cycle:
    """The cycle named by the path, if the principal may see this region's cycles, or 404."""
    try:
        return service.get_cycle(session, principal, region_id, year)
    finally:
        # As every dependency does (app.auth.web): no pooled connection is held while the
        # request waits for the route's thread. The cycle stays loaded (expire_on_commit=False).
        end_read(session)


def in_cycle(cycle: Cycle) -> dict[str, object]:
    """What every page under a cycle's path shows in its heading: the region, and the cycle."""
    return {"region": service.region_or_404(cycle.region_id), "cycle": cycle}


CurrentRegion = Annotated[Region, Depends(current_region)]
CurrentCycle = Annotated[Cycle, Depends(current_cycle)]
