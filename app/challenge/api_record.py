"""JSON API for the record of a triad's challenge conversation, under /api/v1: the same rules as
the pages, and the same view of the record (app.challenge.record_access)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.auth.principal import Principal
from app.auth.web import DbSession, WriteSession, permission
from app.challenge import record as records
from app.challenge import record_acts
from app.challenge.actions import ChallengeAction
from app.challenge.record_schemas import (
    AccuracyCommentInput,
    AgreeRecordInput,
    RecordPartInput,
    ReturnRecordInput,
    ShareInput,
    StoredPart,
    SupportAsk,
    SupportOffer,
)
from app.cycles import service as cycles
from app.cycles.routes import CurrentCycle

router = APIRouter(
    prefix="/api/v1/regions/{region_id}/cycles/{year}/conversations/{number}/record",
    tags=["triad challenge records"],
)


class AgreementOut(BaseModel):
    la_code: str
    state: str = Field(description="outstanding or signed (agreed)")
    agreed_by: str | None
    agreed_at: datetime | None


class RecordCommentOut(BaseModel):
    la_code: str
    author: str
    text: str
    version: int = Field(description="The version number commented on")
    made_at: datetime


class RecordReturnOut(BaseModel):
    la_code: str
    returned_by: str
    reason: str | None
    returned_at: datetime


class AreaCountOut(BaseModel):
    area: str
    actions: int


class AskOut(SupportAsk):
    la_code: str


class OfferOut(SupportOffer):
    by_la: str


class RecordOut(BaseModel):
    triad: int
    members: list[str]
    visibility: str = Field(
        description="What you may see: full (the triad's members), summary (the agreed summary), "
        "status (whether it is agreed: the coordinator before agreement) or none (only the parts "
        "an authority shared with you)"
    )
    state: str | None = Field(description="draft or agreed; null before anything is recorded")
    agreed_at: datetime | None
    version: int | None = Field(description="The current version's number (full view only)")
    content_hash: str = Field(description="Send back to comment on, agree or return this version")
    parts: dict[str, StoredPart] = Field(description="Each LA's part you may read, by LA code")
    agreements: list[AgreementOut]
    returns: list[RecordReturnOut]
    comments: list[RecordCommentOut]
    actions_by_area: list[AreaCountOut]
    support_asked: list[AskOut]
    support_offered: list[OfferOut]
    shared_with_risl: list[str]


class RecordVersionOut(BaseModel):
    number: int
    content_hash: str


class ActOut(BaseModel):
    detail: str


def _out(seen: records.RecordView) -> RecordOut:
    record = seen.record
    return RecordOut(
        triad=seen.triad.number,
        members=[la.code for la in seen.members],
        visibility=seen.level.value,
        state=record.state if record and seen.level != "none" else None,
        agreed_at=record.agreed_at if record and seen.level != "none" else None,
        version=seen.version.number if seen.version else None,
        content_hash=seen.content_hash,
        parts=seen.parts,
        agreements=[
            AgreementOut(
                la_code=p.organisation_code,
                state=p.state,
                agreed_by=p.event.signatory_name if p.event and p.state == "signed" else None,
                agreed_at=p.event.occurred_at if p.event and p.state == "signed" else None,
            )
            for p in seen.agreements
        ],
        returns=[
            RecordReturnOut(
                la_code=e.organisation_code,
                returned_by=e.signatory_name,
                reason=e.reason,
                returned_at=e.occurred_at,
            )
            for e in seen.returns
        ],
        comments=[
            RecordCommentOut(
                la_code=c.la_code,
                author=c.author_name,
                text=c.text,
                version=seen.version_numbers.get(c.record_version_id, 0),
                made_at=c.made_at,
            )
            for c in seen.comments
        ],
        actions_by_area=[
            AreaCountOut(area=a.area, actions=a.actions) for a in seen.actions_by_area
        ],
        support_asked=[AskOut(la_code=code, **a.model_dump()) for code, a in seen.asked],
        support_offered=[OfferOut(by_la=code, **o.model_dump()) for code, o in seen.offered],
        shared_with_risl=sorted(seen.shared) if seen.level == "full" else [],
    )


@router.get("", response_model=RecordOut)
def read_record(
    region_id: str,
    year: str,
    number: str,
    session: DbSession,
    principal: Annotated[Principal, permission(ChallengeAction.VIEW_CONVERSATIONS)],
    cycle: CurrentCycle,
) -> RecordOut:
    """The triad's record as the MoU lets you see it."""
    return _out(records.view(session, principal, cycle, records.triad_number(number)))


@router.put("/parts/{la_code}", response_model=RecordVersionOut)
def save_part(
    region_id: str,
    year: str,
    number: str,
    la_code: str,
    body: RecordPartInput,
    principal: Annotated[Principal, permission(ChallengeAction.WRITE_RECORD)],
    session: WriteSession,
) -> RecordVersionOut:
    """Save one LA's part of the private draft as a new version (a reviewer or member DCS)."""
    cycle = cycles.get_cycle(session, principal, region_id, year)
    saved = record_acts.save_part(
        session, principal, cycle, records.triad_number(number), la_code, body
    )
    return RecordVersionOut(number=saved.number, content_hash=saved.content_hash)


@router.post("/comments", response_model=ActOut, status_code=201)
def comment(
    region_id: str,
    year: str,
    number: str,
    body: AccuracyCommentInput,
    principal: Annotated[Principal, permission(ChallengeAction.AGREE_RECORD)],
    session: WriteSession,
) -> ActOut:
    """Comment on the factual accuracy of the version you read, for your authority."""
    cycle = cycles.get_cycle(session, principal, region_id, year)
    record_acts.comment(session, principal, cycle, records.triad_number(number), body)
    return ActOut(detail="Comment saved.")


@router.post("/agreements", response_model=ActOut, status_code=201)
def agree(
    region_id: str,
    year: str,
    number: str,
    body: AgreeRecordInput,
    principal: Annotated[Principal, permission(ChallengeAction.AGREE_RECORD)],
    session: WriteSession,
) -> ActOut:
    """Agree the exact version, for your authority; the last agreement makes the record agreed."""
    cycle = cycles.get_cycle(session, principal, region_id, year)
    record_acts.agree(session, principal, cycle, records.triad_number(number), body)
    return ActOut(detail="Agreed.")


@router.post("/returns", response_model=ActOut, status_code=201)
def return_record(
    region_id: str,
    year: str,
    number: str,
    body: ReturnRecordInput,
    principal: Annotated[Principal, permission(ChallengeAction.AGREE_RECORD)],
    session: WriteSession,
) -> ActOut:
    """Return the version with a reason: it must change before anyone agrees it."""
    cycle = cycles.get_cycle(session, principal, region_id, year)
    record_acts.return_record(session, principal, cycle, records.triad_number(number), body)
    return ActOut(detail="Returned.")


@router.put("/shares", response_model=ActOut)
def share(
    region_id: str,
    year: str,
    number: str,
    body: ShareInput,
    principal: Annotated[Principal, permission(ChallengeAction.SHARE_RECORD)],
    session: WriteSession,
) -> ActOut:
    """Share your authority's own part of the agreed record with the RISL, or stop sharing it."""
    cycle = cycles.get_cycle(session, principal, region_id, year)
    changed = record_acts.share(session, principal, cycle, records.triad_number(number), body)
    state = "shared" if body.shared else "not shared"
    return ActOut(detail=f"Now {state}." if changed else f"Already {state}.")
