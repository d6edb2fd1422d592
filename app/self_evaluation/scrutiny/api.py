"""JSON API for self-evaluations' sign-off (tracker, signing, returning) and peer scrutiny.

The routes sit on app.self_evaluation.api's prefix: that router includes this one (which has no prefix of its
own), so include app.self_evaluation.api.router in the app, not this.
"""

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from app.auth.permissions import Action
from app.auth.principal import Principal
from app.auth.web import DbSession, WriteSession, permission
from app.cycles import service as cycles
from app.cycles.routes import CurrentCycle
from app.errors import NotPermitted
from app.identifiers import Identifier
from app.models import SefComment, SefResponse, SefSignOffEvent, SefVersion, SelfEvaluation
from app.self_evaluation.drafting import content, service
from app.self_evaluation.schemas import CommentInput, ResponseInput, ReturnSefInput, SignSefInput
from app.self_evaluation.scrutiny import service as scrutiny
from app.self_evaluation.signoff import service as signoff

router = APIRouter()


class SignatoryOut(BaseModel):
    role: str
    state: str = Field(description="outstanding or signed")
    signatory_name: str | None
    at: datetime | None
    statement: str | None
    content_hash: str | None = Field(description="The hash of the version signed")


class VoidSignatureOut(BaseModel):
    role: str
    signatory_name: str
    at: datetime
    version: int = Field(description="The version signed, whose signatures no longer count")


class ReturnOut(BaseModel):
    role: str
    signatory_name: str
    at: datetime
    reason: str | None
    version: int


class SignOffOut(BaseModel):
    due_on: date | None = Field(
        description="When sign-off is due: the LA's own date if the coordinator set one, else "
        "the close of the region's self-evaluation window"
    )
    due_reason: str | None = Field(
        default=None,
        description="Why the LA has its own due date; null on the region's date, and for "
        "readers outside the authority and its coordinator",
    )
    late: bool
    submitted_version: int | None
    signed: int = Field(description="How many of the three have signed the submitted version")
    signatories: list[SignatoryOut]
    void: list[VoidSignatureOut]
    returns: list[ReturnOut]


class TrackerRowOut(BaseModel):
    la_code: str
    la_name: str
    state: str
    versions: int
    submitted_version: int | None
    signatories: list[SignatoryOut]
    late: bool
    comments: int
    unanswered: int = Field(description="Scrutiny comments without a response")
    signed_at: datetime | None
    due_on: date | None = Field(default=None, description="This LA's due date")
    due_reason: str | None = Field(default=None, description="Why it has its own due date")


class TrackerOut(BaseModel):
    due_on: date | None
    rows: list[TrackerRowOut]


class SignatureOut(BaseModel):
    decision: str = Field(description="signed or returned")
    role: str
    signatory_name: str
    version: int = Field(description="The version signed or returned")
    content_hash: str = Field(description="SHA-256 of that version: what the decision is bound to")
    statement: str = Field(description="The statement of intent signed ('' for a return)")
    reason: str | None = Field(description="Why it was returned")
    occurred_at: datetime


class CommentOut(BaseModel):
    id: int
    chapter_id: str
    author_name: str
    author_affiliation: str = Field(description="The scrutineer's authority, or 'Moderator'")
    body: str
    challenged_grade: str | None = Field(
        description="A different view of the grade: the grade the scrutineer reads in the evidence"
    )
    challenged_grade_label: str | None
    created_at: datetime


class ResponseOut(BaseModel):
    id: int
    comment_id: int
    author_name: str
    body: str
    created_at: datetime


class ThreadOut(BaseModel):
    comment: CommentOut
    response: ResponseOut | None


class ScrutinyOut(BaseModel):
    la_code: str
    state: str
    scrutiny_closed_at: datetime | None
    threads: list[ThreadOut] = Field(description="Every comment with its response, oldest first")


def signatory_out(s: signoff.Signatory) -> SignatoryOut:
    return SignatoryOut(
        role=s.role.value,
        state=s.state,
        signatory_name=s.event.signatory_name if s.event else None,
        at=s.event.occurred_at if s.event else None,
        statement=s.event.statement if s.event else None,
        content_hash=s.event.content_hash if s.event else None,
    )


def sign_off_out(status: signoff.SignOffStatus) -> SignOffOut:
    return SignOffOut(
        due_on=status.due_on,
        due_reason=status.due_reason,
        late=status.late,
        submitted_version=status.submitted.number if status.submitted else None,
        signed=status.signed_count,
        signatories=[signatory_out(s) for s in status.signatories],
        void=[
            VoidSignatureOut(
                role=e.role, signatory_name=e.signatory_name, at=e.occurred_at, version=n
            )
            for e, n in status.void
        ],
        returns=[
            ReturnOut(
                role=e.role,
                signatory_name=e.signatory_name,
                at=e.occurred_at,
                reason=e.reason,
                version=n,
            )
            for e, n in status.returns
        ],
    )


def signature_out(session: Session, event: SefSignOffEvent) -> SignatureOut:
    decided_on = session.get(SefVersion, event.sef_version_id)
    assert decided_on is not None  # an event always names the version it was made on
    return SignatureOut(
        decision=event.decision,
        role=event.role,
        signatory_name=event.signatory_name,
        version=decided_on.number,
        content_hash=event.content_hash,
        statement=event.statement,
        reason=event.reason,
        occurred_at=event.occurred_at,
    )


def comment_out(row: SefComment) -> CommentOut:
    grade = row.challenged_grade
    return CommentOut(
        id=row.id,
        chapter_id=row.chapter_id,
        author_name=row.author_name,
        author_affiliation=row.author_affiliation,
        body=row.body,
        challenged_grade=grade,
        challenged_grade_label=content.grade_label(grade) if grade else None,
        created_at=row.created_at,
    )


def response_out(row: SefResponse) -> ResponseOut:
    return ResponseOut(
        id=row.id,
        comment_id=row.comment_id,
        author_name=row.author_name,
        body=row.body,
        created_at=row.created_at,
    )


def scrutiny_out(sef: SelfEvaluation, threads: list[scrutiny.Thread]) -> ScrutinyOut:
    return ScrutinyOut(
        la_code=sef.la_code,
        state=sef.state,
        scrutiny_closed_at=sef.scrutiny_closed_at,
        threads=[
            ThreadOut(
                comment=comment_out(t.comment),
                response=response_out(t.response) if t.response else None,
            )
            for t in threads
        ],
    )


@router.get("/tracker", response_model=TrackerOut)
def get_tracker(
    session: DbSession,
    principal: Annotated[Principal, permission(Action.TRACK_SEF)],
    cycle: CurrentCycle,
) -> TrackerOut:
    """The coordinator's view of every authority's sign-off, late ones marked."""
    due_on, rows = signoff.tracker(session, principal, cycle)
    return TrackerOut(
        due_on=due_on,
        rows=[
            TrackerRowOut(
                la_code=r.la_code,
                la_name=r.la_name,
                state=r.state,
                versions=r.versions,
                submitted_version=r.submitted_number,
                signatories=[signatory_out(s) for s in r.signatories],
                late=r.late,
                comments=r.comments,
                unanswered=r.unanswered,
                signed_at=r.signed_at,
                due_on=r.due_on,
                due_reason=r.due_reason,
            )
            for r in rows
        ],
    )


@router.post("/{la_code}/signatures", response_model=SignatureOut, status_code=201)
def sign(
    region_id: str,
    year: str,
    la_code: str,
    data: SignSefInput,
    principal: Annotated[Principal, permission(Action.SIGN_SEF)],
    session: WriteSession,
) -> SignatureOut:
    """Sign the submitted version (by its hash) as one of your own roles, with the statement.

    Signing twice is 409; the third signature signs the self-evaluation off and shares it with
    its scrutineers.
    """
    cycle = cycles.get_cycle(session, principal, region_id, year)
    signature = signoff.sign(session, principal, cycle, la_code, data)
    return signature_out(session, signature)


@router.post("/{la_code}/returns", response_model=SignatureOut, status_code=201)
def return_for_changes(
    region_id: str,
    year: str,
    la_code: str,
    data: ReturnSefInput,
    principal: Annotated[Principal, permission(Action.SIGN_SEF)],
    session: WriteSession,
) -> SignatureOut:
    """Return the submitted version to the DCS with a reason; signatures on it become void."""
    cycle = cycles.get_cycle(session, principal, region_id, year)
    event = signoff.return_for_changes(session, principal, cycle, la_code, data)
    return signature_out(session, event)


@router.get("/{la_code}/scrutiny", response_model=ScrutinyOut)
def get_scrutiny(
    region_id: str,
    year: str,
    la_code: str,
    session: DbSession,
    principal: Annotated[Principal, permission(Action.VIEW_SEF)],
    cycle: CurrentCycle,
) -> ScrutinyOut:
    """The comments and responses: seen by the authority, its scrutineers and the coordinator."""
    sef = service.get_sef(session, principal, cycle, la_code)
    threads = scrutiny.visible_threads(session, principal, cycle, sef)
    if threads is None:
        name = service.local_authority(cycle, la_code).name
        raise NotPermitted(
            f"Scrutiny of {name}'s self-evaluation is seen only by {name}, its scrutineers and "
            "the regional coordinator."
        )
    return scrutiny_out(sef, threads)


@router.post("/{la_code}/scrutiny/comments", response_model=CommentOut, status_code=201)
def post_comment(
    region_id: str,
    year: str,
    la_code: str,
    data: CommentInput,
    principal: Annotated[Principal, permission(Action.COMMENT_SEF)],
    session: WriteSession,
) -> CommentOut:
    """A scrutineer comments on a chapter of the signed version, perhaps offering a different view of its grade."""
    cycle = cycles.get_cycle(session, principal, region_id, year)
    made = scrutiny.comment(session, principal, cycle, la_code, data)
    return comment_out(made)


@router.post(
    "/{la_code}/scrutiny/comments/{comment_id}/response",
    response_model=ResponseOut,
    status_code=201,
)
def post_response(
    region_id: str,
    year: str,
    la_code: str,
    comment_id: Identifier,
    data: ResponseInput,
    principal: Annotated[Principal, permission(Action.RESPOND_SEF)],
    session: WriteSession,
) -> ResponseOut:
    """The authority's DCS responds, once, to a comment (a second response is 409)."""
    cycle = cycles.get_cycle(session, principal, region_id, year)
    response = scrutiny.respond(session, principal, cycle, la_code, comment_id, data)
    return response_out(response)


@router.post("/{la_code}/scrutiny/close", response_model=ScrutinyOut)
def close_scrutiny(
    region_id: str,
    year: str,
    la_code: str,
    principal: Annotated[Principal, permission(Action.CLOSE_SEF_SCRUTINY)],
    cycle: CurrentCycle,
    session: WriteSession,
) -> ScrutinyOut:
    """The coordinator closes scrutiny; unanswered comments stay, counted in the history."""
    sef = scrutiny.close(session, principal, cycle, la_code)
    return scrutiny_out(sef, scrutiny.threads(session, sef))
