"""JSON API for regions and cycles, under /api/v1."""

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from app.auth.permissions import Action
from app.auth.principal import Principal
from app.auth.web import DbSession, WriteSession, permission, signed_in
from app.cycles import service
from app.cycles import service as cycles
from app.cycles.routes import CurrentCycle
from app.cycles.schemas import HISTORY_STAGES, CalendarInput, HistoryQuery, OpenCycleInput
from app.history.service import read_history
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
    stage: str = Field(description="The stage it belongs to: " + ", ".join(HISTORY_STAGES))
    summary: str
    organisation_code: str | None = Field(description="The LA or Trust it concerns, if one")
    organisation: str | None = Field(description="That organisation's name")
    hash: str


class PageLinks(BaseModel):
    self: str
    first: str
    last: str
    next: str | None = Field(description="The next page, with the same filters; null on the last")
    prev: str | None = Field(
        description="The page before, with the same filters; null on the first"
    )


class HistoryOut(BaseModel):
    entries: list[EventOut]
    page: int
    pages: int
    total: int = Field(description="Entries the caller may see that match the filters")
    links: PageLinks


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
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_CYCLE)],
    cycle: CurrentCycle,
) -> CycleOut:
    return cycle_out(session, cycle)


@router.put(CYCLE + "/calendar", response_model=CycleOut)
def put_calendar(
    region_id: str,
    year: str,
    data: CalendarInput,
    principal: Annotated[Principal, permission(Action.EDIT_CALENDAR)],
    session: WriteSession,
) -> CycleOut:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    service.update_calendar(session, principal, cycle, data)
    return cycle_out(session, cycle)


@router.get(CYCLE + "/history", response_model=HistoryOut)
def history(
    request: Request,
    region_id: str,
    year: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_HISTORY)],
    query: Annotated[HistoryQuery, Query()],
) -> HistoryOut:
    """The entries of the cycle's history the caller may see, newest first, 50 to a page.

    Each entry is shown only to those who may see the object it describes (the MoU's drafts,
    the data terms' release dates, a self-evaluation's drafts and scrutiny).
    """
    found = read_history(session, principal, region_id, year, query)
    path = request.url.path
    return HistoryOut(
        entries=[
            EventOut(
                sequence=entry.event.sequence,
                occurred_at=entry.event.occurred_at,
                actor=entry.event.actor_name,
                action=entry.event.action,
                stage=entry.stage,
                summary=entry.event.summary,
                organisation_code=entry.organisation_code,
                organisation=entry.organisation,
                hash=entry.event.hash,
            )
            for entry in found.entries
        ],
        page=found.page,
        pages=found.pages,
        total=found.total,
        links=PageLinks(
            self=path + found.query_string(found.page),
            first=path + found.query_string(1),
            last=path + found.query_string(found.pages),
            next=found.link(path, found.page + 1),
            prev=found.link(path, found.page - 1),
        ),
    )
