"""JSON API for the MoU, under /api/v1: everything the pages offer."""

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app import structured_text
from app.auth.permissions import Action
from app.auth.principal import Principal
from app.auth.web import DbSession, WriteSession, permission
from app.cycles import service as cycles
from app.cycles.routes import CurrentCycle
from app.errors import NotFound
from app.models import Cycle, MouSignatureEvent, MouVersion
from app.mou import pack, review, service
from app.mou.reminders import send_reminders
from app.mou.schemas import DeclineInput, DraftInput, PublishInput, ReviewInput, SignInput
from app.signoff.events import Decision

router = APIRouter(prefix="/api/v1/regions/{region_id}/cycles/{year}/mou", tags=["mou"])


class BlockOut(BaseModel):
    kind: str
    text: str | None = None
    items: list[str] | None = None


class VersionOut(BaseModel):
    number: int
    state: str
    title: str
    content_hash: str
    revision: int
    published_at: datetime | None
    superseded_at: datetime | None
    changeover_on: date | None
    blocks: list[BlockOut]
    source: str


class SignatoryOut(BaseModel):
    organisation_code: str
    organisation_name: str
    role: str
    state: str
    signatory_name: str | None
    at: datetime | None
    statement: str | None
    reason: str | None
    content_hash: str | None


class BindingOut(BaseModel):
    """Which version binds an organisation today (app.mou.binding)."""

    organisation_code: str
    state: str  # in_force, changeover, lapsed or not_signed
    version_number: int | None
    since: datetime | None
    changeover_on: date | None
    text: str


class ReviewOut(BaseModel):
    """This cycle's review: due, reviewed_no_change or revised."""

    state: str
    version_number: int | None
    by: str | None
    at: datetime | None
    text: str


class StatusOut(BaseModel):
    in_force: bool
    in_force_since: datetime | None
    signed: int
    required: int
    current: VersionOut | None
    signatories: list[SignatoryOut]
    organisations: list[BindingOut]
    review: ReviewOut


class SignatureOut(BaseModel):
    decision: str
    organisation_code: str
    role: str
    content_hash: str
    statement: str
    occurred_at: datetime


class RemindersOut(BaseModel):
    queued: int


def version_out(version: MouVersion) -> VersionOut:
    blocks = service.blocks_of(version)
    return VersionOut(
        number=version.number,
        state=version.state,
        title=version.title,
        content_hash=version.content_hash,
        revision=version.revision,
        published_at=version.published_at,
        superseded_at=version.superseded_at,
        changeover_on=version.changeover_on,
        blocks=[BlockOut(**b.as_dict()) for b in blocks],  # type: ignore[arg-type]
        source=structured_text.to_source(blocks),
    )


def signature_out(event: MouSignatureEvent) -> SignatureOut:
    return SignatureOut(
        decision=event.decision,
        organisation_code=event.organisation_code,
        role=event.role,
        content_hash=event.content_hash,
        statement=event.statement,
        occurred_at=event.occurred_at,
    )


def status_out(session: Session, principal: Principal, cycle: Cycle) -> StatusOut:
    status = service.status(session, principal, cycle)
    return StatusOut(
        in_force=status.in_force,
        in_force_since=status.in_force_since,
        signed=status.signed_count,
        required=status.required_count,
        current=version_out(status.current) if status.current else None,
        signatories=[
            SignatoryOut(
                organisation_code=o.organisation.code,
                organisation_name=o.organisation.name,
                role=s.role.value,
                state=s.state,
                signatory_name=s.event.signatory_name if s.event else None,
                at=s.event.occurred_at if s.event else None,
                statement=s.event.statement
                if s.event and s.event.decision == Decision.SIGNED
                else None,
                reason=s.event.reason if s.event else None,
                content_hash=s.event.content_hash if s.event else None,
            )
            for o in status.organisations
            for s in o.signatories
        ],
        organisations=[
            BindingOut(
                organisation_code=code,
                state=b.state,
                version_number=b.version.number if b.version else None,
                since=b.since,
                changeover_on=b.changeover_on,
                text=b.text,
            )
            for code, b in status.bindings.items()
        ],
        review=review_out(session, cycle),
    )


def review_out(session: Session, cycle: Cycle) -> ReviewOut:
    state = review.review_state(session, cycle)
    return ReviewOut(
        state=state.state,
        version_number=state.version.number if state.version else None,
        by=state.by,
        at=state.at,
        text=state.text,
    )


@router.get("", response_model=StatusOut)
def get_status(
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_MOU)],
    cycle: CurrentCycle,
) -> StatusOut:
    return status_out(session, principal, cycle)


@router.get("/versions", response_model=list[VersionOut])
def list_versions(
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_MOU)],
    cycle: CurrentCycle,
) -> list[VersionOut]:
    return [version_out(v) for v in service.published_versions(session, principal, cycle)]


@router.get("/draft", response_model=VersionOut)
def get_draft(
    session: DbSession,
    principal: Annotated[Principal, permission(Action.EDIT_MOU)],
    cycle: CurrentCycle,
) -> VersionOut:
    draft = service.draft_of(session, cycle)
    if draft is None:
        raise NotFound("There is no draft. Save one with PUT to start from the region's template.")
    return version_out(draft)


@router.put("/draft", response_model=VersionOut)
def put_draft(
    region_id: str,
    year: str,
    data: DraftInput,
    principal: Annotated[Principal, permission(Action.EDIT_MOU)],
    session: WriteSession,
) -> VersionOut:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    return version_out(service.save_draft(session, principal, cycle, data))


@router.post("/publish", response_model=VersionOut)
def publish(
    region_id: str,
    year: str,
    data: PublishInput,
    principal: Annotated[Principal, permission(Action.PUBLISH_MOU)],
    session: WriteSession,
) -> VersionOut:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    version = service.publish(session, principal, cycle, data)
    return version_out(version)


@router.post("/signatures", response_model=SignatureOut, status_code=201)
def sign(
    region_id: str,
    year: str,
    data: SignInput,
    principal: Annotated[Principal, permission(Action.SIGN_MOU)],
    session: WriteSession,
) -> SignatureOut:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    event = service.sign(session, principal, cycle, data)
    return signature_out(event)


@router.post("/declines", response_model=SignatureOut, status_code=201)
def decline(
    region_id: str,
    year: str,
    data: DeclineInput,
    principal: Annotated[Principal, permission(Action.SIGN_MOU)],
    session: WriteSession,
) -> SignatureOut:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    event = service.decline(session, principal, cycle, data)
    return signature_out(event)


@router.post("/review", response_model=ReviewOut, status_code=201)
def record_review(
    region_id: str,
    year: str,
    data: ReviewInput,
    principal: Annotated[Principal, permission(Action.REVIEW_MOU)],
    session: WriteSession,
) -> ReviewOut:
    """The leads reviewed the version in force and agreed no change: nobody signs again."""
    cycle = cycles.get_cycle(session, principal, region_id, year)
    review.record_no_change(session, principal, cycle, data)
    return review_out(session, cycle)


@router.post("/reminders", response_model=RemindersOut)
def reminders(
    principal: Annotated[Principal, permission(Action.SEND_MOU_REMINDERS)],
    cycle: CurrentCycle,
    session: WriteSession,
) -> RemindersOut:
    return RemindersOut(queued=send_reminders(session, principal, cycle))


@router.get(
    "/pack.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The MoU pack"}},
)
def pack_pdf(
    session: DbSession,
    principal: Annotated[Principal, permission(Action.DOWNLOAD_MOU_PACK)],
    cycle: CurrentCycle,
) -> Response:
    return Response(pack.pdf_for(session, principal, cycle), media_type="application/pdf")
