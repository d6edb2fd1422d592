"""JSON API for regions and cycles, under /api/v1."""

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.audit.chain import events_for_cycle
from app.auth.permissions import Action
from app.auth.principal import Principal
from app.auth.web import DbSession, WriteSession, permission, signed_in
from app.cycles import service
from app.cycles.schemas import CalendarInput, OpenCycleInput
from app.models import Cycle

router = APIRouter(prefix="/api/v1", tags=["cycles"])
CYCLE = "/regions/{region_id}/cycles/{year}"


class OrganisationOut(BaseModel):
    code: str
    name: str
    kind: str
    signing_roles: list[str]


class RegionOut(BaseModel):
    id: str
    name: str
    riia: str
    organisations: list[OrganisationOut]


class StageOut(BaseModel):
    stage: str
    label: str
    opens_on: date
    closes_on: date


class CycleOut(BaseModel):
    region_id: str
    year: str
    opened_at: datetime
    calendar: list[StageOut]


class EventOut(BaseModel):
    sequence: int
    occurred_at: datetime
    actor: str
    action: str
    summary: str
    organisation_code: str | None
    hash: str


class MeOut(BaseModel):
    display_name: str
    email: str
    roles: list[dict[str, str | None]]


def cycle_out(session: Session, cycle: Cycle) -> CycleOut:
    return CycleOut(
        region_id=cycle.region_id,
        year=cycle.year,
        opened_at=cycle.opened_at,
        calendar=[
            StageOut(stage=s.stage, label=s.label, opens_on=s.opens_on, closes_on=s.closes_on)
            for s in service.stage_states(session, cycle)
        ],
    )


@router.get("/me", response_model=MeOut)
def me(principal: Annotated[Principal, signed_in()]) -> MeOut:
    return MeOut(
        display_name=principal.display_name,
        email=principal.email,
        roles=[
            {
                "role": a.role.value,
                "region_id": a.region_id,
                "organisation_code": a.organisation_code,
            }
            for a in principal.assignments
        ],
    )


@router.get("/regions", response_model=list[RegionOut])
def regions(principal: Annotated[Principal, signed_in()]) -> list[RegionOut]:
    return [
        RegionOut(
            id=r.id,
            name=r.name,
            riia=r.riia,
            organisations=[
                OrganisationOut(
                    code=o.code,
                    name=o.name,
                    kind=o.kind,
                    signing_roles=[x.value for x in o.signing_roles],
                )
                for o in r.organisations
            ],
        )
        for r in service.visible_regions(principal)
    ]


@router.get("/regions/{region_id}/cycles", response_model=list[CycleOut])
def list_cycles(
    region_id: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_CYCLE)],
) -> list[CycleOut]:
    return [cycle_out(session, c) for c in service.cycles_in_region(session, principal, region_id)]


@router.post("/regions/{region_id}/cycles", response_model=CycleOut, status_code=201)
def open_cycle(
    region_id: str,
    data: OpenCycleInput,
    session: WriteSession,
    principal: Annotated[Principal, permission(Action.OPEN_CYCLE)],
) -> CycleOut:
    return cycle_out(session, service.open_cycle(session, principal, region_id, data))


@router.get(CYCLE, response_model=CycleOut)
def get_cycle(
    region_id: str,
    year: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_CYCLE)],
) -> CycleOut:
    return cycle_out(session, service.get_cycle(session, principal, region_id, year))


@router.put(CYCLE + "/calendar", response_model=CycleOut)
def put_calendar(
    region_id: str,
    year: str,
    data: CalendarInput,
    session: WriteSession,
    principal: Annotated[Principal, permission(Action.EDIT_CALENDAR)],
) -> CycleOut:
    cycle = service.get_cycle(session, principal, region_id, year)
    service.update_calendar(session, principal, cycle, data)
    return cycle_out(session, cycle)


@router.get(CYCLE + "/history", response_model=list[EventOut])
def history(
    region_id: str,
    year: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_HISTORY)],
) -> list[EventOut]:
    cycle = service.get_cycle(session, principal, region_id, year)
    return [
        EventOut(
            sequence=e.sequence,
            occurred_at=e.occurred_at,
            actor=e.actor_name,
            action=e.action,
            summary=e.summary,
            organisation_code=e.organisation_code,
            hash=e.hash,
        )
        for e in events_for_cycle(session, cycle.id)
    ]
