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
from app.triads.proposal import Proposal, group_notes, summary

router = APIRouter(prefix="/api/v1/regions/{region_id}/cycles/{year}/triads", tags=["triads"])


class LocalAuthorityOut(BaseModel):
    code: str
    name: str


class TriadOut(BaseModel):
    number: int = Field(description="1, 2, 3 ... in the order the coordinator numbered them")
    local_authorities: list[LocalAuthorityOut] = Field(description="Sorted by name")
    notes: list[str] = Field(
        default_factory=list,
        description=(
            "In a proposal, what this group could not avoid, in plain words: each pair that met "
            'in a triad in the last three cycles ("Derby and Nottingham met in 2025-26.") and '
            "each pair the region keeps apart that no grouping could keep apart, with the reason; "
            "or a sentence saying it avoided both. Empty for formed triads."
        ),
    )


class TriadsOut(BaseModel):
    triads: list[TriadOut]
    proposed: bool = Field(
        description=(
            "True when no triads have been formed yet and `triads` is the proposal for this "
            "cycle; false when they are the formed ones. The proposal never groups authorities "
            "the region file's `triad_conflicts` keeps apart unless no grouping can avoid it (then "
            "it places the fewest such pairs), and then repeats as few pairs as possible that met "
            "in a triad in the region's last three cycles; the same data gives the same proposal"
        )
    )
    summary: str = Field(
        default="",
        description="In a proposal, one sentence on what it avoided overall; empty once formed",
    )


def _out(cycle: Cycle, groups: list[list[str]], proposal: Proposal | None = None) -> TriadsOut:
    region = cycles.region_or_404(cycle.region_id)
    names = {la.code: la.name for la in region.local_authorities}
    notes = [group_notes(proposal, g, names) for g in proposal.groups] if proposal else []
    return TriadsOut(
        triads=[
            TriadOut(
                number=number,
                local_authorities=[LocalAuthorityOut(code=c, name=names[c]) for c in group],
                notes=notes[number - 1] if notes else [],
            )
            for number, group in enumerate(groups, start=1)
        ],
        proposed=proposal is not None,
        summary=summary(proposal) if proposal else "",
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
        return _out(cycle, formed)
    proposal = service.proposal(session, cycle)
    return _out(cycle, proposal.codes(), proposal)


@router.put("", response_model=TriadsOut)
def put_triads(
    region_id: str,
    year: str,
    data: TriadsInput,
    principal: Annotated[Principal, permission(Action.FORM_TRIADS)],
    session: WriteSession,
) -> TriadsOut:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    return _out(cycle, service.form_triads(session, principal, cycle, data))
