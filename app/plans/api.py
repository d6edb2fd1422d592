"""JSON API for LA development plans, under /api/v1: the same rules as the pages."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.auth.web import DbSession, WriteSession, permission
from app.cycles import service as cycles
from app.cycles.routes import CurrentCycle
from app.identifiers import Identifier
from app.models import Cycle
from app.plans import index, service, signoff, writing
from app.plans.actions import PlanAction
from app.plans.schemas import (
    ActionInput,
    AdoptInput,
    DropInput,
    PriorityInput,
    ReturnPlanInput,
    SignPlanInput,
    StartInput,
    SubmitPlanInput,
    TheoryOfChange,
)
from app.signoff.events import Decision

router = APIRouter(
    prefix="/api/v1/regions/{region_id}/cycles/{year}/plans", tags=["LA development plans"]
)


class RowOut(BaseModel):
    la_code: str
    la_name: str
    state: str = Field(description="not_started, draft, awaiting_sign_off or signed")
    versions: int
    signed: int = Field(description="Signatures on the version under sign-off")


class IndexOut(BaseModel):
    authorities: list[RowOut] = Field(
        description="Every LA of the region for its coordinator; else your own LAs"
    )


class PlanSourceOut(BaseModel):
    key: str
    label: str = Field(description="Where the priority came from, in words")


class PriorityOut(BaseModel):
    position: int
    title: str
    source: PlanSourceOut | None
    theory_of_change: TheoryOfChange | None
    actions: list[ActionInput]


class AdoptedOut(BaseModel):
    title: str
    document: str


class PlanSignatoryOut(BaseModel):
    role: str
    state: str = Field(description="outstanding, signed or declined")
    name: str | None
    statement: str | None
    at: datetime | None


class PlanSignatureOut(BaseModel):
    role: str
    name: str
    version: int
    decision: str
    reason: str | None
    at: datetime


class PlanSuggestionOut(BaseModel):
    key: str = Field(description="Send back in `keep` to keep it as a priority")
    label: str
    title: str


class PlanOut(BaseModel):
    la_code: str
    la_name: str
    state: str
    version: int | None = Field(description="Send back as `base_version` when you save")
    content_hash: str | None = Field(description="Send back to submit, sign or return")
    submitted_version: int | None
    adopted: AdoptedOut | None
    priorities: list[PriorityOut]
    signatories: list[PlanSignatoryOut]
    void: list[PlanSignatureOut] = Field(description="Signatures an edit or a return voided")
    returns: list[PlanSignatureOut]
    suggestions: list[PlanSuggestionOut] = Field(
        description="The signed self-evaluation's areas for development: for the DCS only"
    )


def _out(session: Session, principal: Principal, cycle: Cycle, la_code: str) -> PlanOut:
    found = service.read(session, principal, cycle, la_code)
    status = signoff.build_status(session, cycle, found.plan) if found.plan else None
    content = found.content

    def signature(event: signoff.LaPlanSignOffEvent, number: int) -> PlanSignatureOut:
        return PlanSignatureOut(
            role=event.role,
            name=event.signatory_name,
            version=number,
            decision=event.decision,
            reason=event.reason,
            at=event.occurred_at,
        )

    return PlanOut(
        la_code=found.la.code,
        la_name=found.la.name,
        state=found.state,
        version=found.number,
        content_hash=found.latest.content_hash if found.latest else None,
        submitted_version=found.plan.submitted_number if found.plan else None,
        adopted=AdoptedOut(**content["adopted"]) if content["adopted"] else None,
        priorities=[
            PriorityOut(position=n, **p) for n, p in enumerate(content["priorities"], start=1)
        ],
        signatories=[
            PlanSignatoryOut(
                role=p.role.value,
                state=p.state,
                name=p.event.signatory_name if p.event else None,
                statement=p.event.statement if p.event and p.state == Decision.SIGNED else None,
                at=p.event.occurred_at if p.event else None,
            )
            for p in (status.signatories if status else ())
        ],
        void=[signature(e, n) for e, n in (status.void if status else ())],
        returns=[signature(e, n) for e, n in (status.returns if status else ())],
        suggestions=[
            PlanSuggestionOut(key=s.key, label=s.label, title=s.title)
            for s in service.suggestions(session, principal, cycle, la_code)
        ],
    )


@router.get("", response_model=IndexOut)
def get_plans(
    session: DbSession,
    principal: Annotated[Principal, permission(PlanAction.VIEW_PLANS)],
    cycle: CurrentCycle,
) -> IndexOut:
    return IndexOut(
        authorities=[
            RowOut(
                la_code=row.la.code,
                la_name=row.la.name,
                state=row.state,
                versions=row.versions,
                signed=row.status.signed_count if row.status else 0,
            )
            for row in index.rows(session, principal, cycle)
        ]
    )


@router.get("/{la_code}", response_model=PlanOut)
def get_plan(
    la_code: str,
    session: DbSession,
    principal: Annotated[Principal, permission(PlanAction.READ_PLAN)],
    cycle: CurrentCycle,
) -> PlanOut:
    return _out(session, principal, cycle, la_code)


# Each write checks its body first (a 422 before "no such cycle"), so the cycle is read inside.


@router.post("/{la_code}/start", response_model=PlanOut)
def start_plan(
    region_id: str,
    year: str,
    la_code: str,
    data: StartInput,
    principal: Annotated[Principal, permission(PlanAction.WRITE_PLAN)],
    session: WriteSession,
) -> PlanOut:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    writing.start(session, principal, cycle, la_code, data)
    return _out(session, principal, cycle, la_code)


@router.put("/{la_code}/priorities/{position}", response_model=PlanOut)
def put_priority(
    region_id: str,
    year: str,
    la_code: str,
    position: Identifier,
    data: PriorityInput,
    principal: Annotated[Principal, permission(PlanAction.WRITE_PLAN)],
    session: WriteSession,
) -> PlanOut:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    writing.save_priority(session, principal, cycle, la_code, position, data)
    return _out(session, principal, cycle, la_code)


@router.post("/{la_code}/priorities/{position}/drop", response_model=PlanOut)
def drop_priority(
    region_id: str,
    year: str,
    la_code: str,
    position: Identifier,
    data: DropInput,
    principal: Annotated[Principal, permission(PlanAction.WRITE_PLAN)],
    session: WriteSession,
) -> PlanOut:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    writing.drop_priority(session, principal, cycle, la_code, position, data)
    return _out(session, principal, cycle, la_code)


@router.put("/{la_code}/adopted", response_model=PlanOut)
def put_adopted(
    region_id: str,
    year: str,
    la_code: str,
    data: AdoptInput,
    principal: Annotated[Principal, permission(PlanAction.WRITE_PLAN)],
    session: WriteSession,
) -> PlanOut:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    writing.adopt(session, principal, cycle, la_code, data)
    return _out(session, principal, cycle, la_code)


@router.post("/{la_code}/submit", response_model=PlanOut)
def submit_plan(
    region_id: str,
    year: str,
    la_code: str,
    data: SubmitPlanInput,
    principal: Annotated[Principal, permission(PlanAction.SUBMIT_PLAN)],
    session: WriteSession,
) -> PlanOut:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    writing.submit(session, principal, cycle, la_code, data)
    return _out(session, principal, cycle, la_code)


@router.post("/{la_code}/sign", response_model=PlanOut)
def sign_plan(
    region_id: str,
    year: str,
    la_code: str,
    data: SignPlanInput,
    principal: Annotated[Principal, permission(PlanAction.SIGN_PLAN)],
    session: WriteSession,
) -> PlanOut:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    signoff.sign(session, principal, cycle, la_code, data)
    return _out(session, principal, cycle, la_code)


@router.post("/{la_code}/return", response_model=PlanOut)
def return_plan(
    region_id: str,
    year: str,
    la_code: str,
    data: ReturnPlanInput,
    principal: Annotated[Principal, permission(PlanAction.SIGN_PLAN)],
    session: WriteSession,
) -> PlanOut:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    signoff.return_for_changes(session, principal, cycle, la_code, data)
    return _out(session, principal, cycle, la_code)
