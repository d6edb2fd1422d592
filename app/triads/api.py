"""JSON API for a cycle's triads, under /api/v1."""

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.auth.permissions import Action
from app.auth.principal import Principal
from app.auth.web import DbSession, WriteSession, permission
from app.cycles import service as cycles
from app.cycles.routes import CurrentCycle
from app.models import Cycle
from app.self_evaluation.schemas import TriadsInput
from app.triads import service

router = APIRouter(prefix="/api/v1/regions/{region_id}/cycles/{year}/triads", tags=["triads"])


class LocalAuthorityOut(BaseModel):
    code: str
    name: str


class TriadOut(BaseModel):
    number: int = Field(description="1, 2, 3 ... in the order the coordinator numbered them")
    local_authorities: list[LocalAuthorityOut] = Field(description="Sorted by name")


class TriadsOut(BaseModel):
    triads: list[TriadOut]
    proposed: bool = Field(
        description=(
            "True when no triads have been formed yet and `triads` is the proposal for this "
            "cycle (the region's LAs by name, rotated by year); false when they are the formed ones"
        )
    )


def _out(cycle: Cycle, groups: list[list[str]], proposed: bool) -> TriadsOut:
    region = cycles.region_or_404(cycle.region_id)
    names = {la.code: la.name for la in region.local_authorities}
    return TriadsOut(
        triads=[
            TriadOut(
                number=number,
                local_authorities=[LocalAuthorityOut(code=c, name=names[c]) for c in group],
            )
            for number, group in enumerate(groups, start=1)
        ],
        proposed=proposed,
    )


@router.get("", response_model=TriadsOut)
def get_triads(
    region_id: str,
    year: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_CYCLE)],
    cycle: CurrentCycle,
) -> TriadsOut:
    formed = service.triads(session, cycle)
    if formed:
        return _out(cycle, formed, proposed=False)
    region = cycles.region_or_404(region_id)
    return _out(cycle, service.proposed_groups(region, cycle.year), proposed=True)


@router.put("", response_model=TriadsOut)
def put_triads(
    region_id: str,
    year: str,
    data: TriadsInput,
    principal: Annotated[Principal, permission(Action.FORM_TRIADS)],
    session: WriteSession,
) -> TriadsOut:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    return _out(cycle, service.form_triads(session, principal, cycle, data), proposed=False)
