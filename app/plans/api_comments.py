"""JSON API for peer challenge of a plan, under /api/v1: the same rules as the pages."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.auth.web import DbSession, WriteSession, permission
from app.cycles import service as cycles
from app.cycles.routes import CurrentCycle
from app.identifiers import Identifier
from app.models import Cycle, LaPlanVersion
from app.plans import access, comments, service
from app.plans.actions import PlanAction
from app.plans.schemas import PlanCommentInput, PlanResponseInput

router = APIRouter(
    prefix="/api/v1/regions/{region_id}/cycles/{year}/plans", tags=["LA development plans"]
)


class PlanResponseOut(BaseModel):
    author_name: str
    text: str
    created_at: datetime


class PlanCommentOut(BaseModel):
    id: int
    position: int = Field(description="The priority commented on, from 1")
    version: int = Field(description="The plan version the comment was made on")
    author_name: str
    author_la_code: str | None = Field(description="The partner LA; none for a triad reviewer")
    text: str
    is_challenge: bool
    created_at: datetime
    response: PlanResponseOut | None


class CountsOut(BaseModel):
    comments: int
    challenges: int
    answered: int


class CommentsOut(BaseModel):
    la_code: str
    state: str
    counts: CountsOut
    comments: list[PlanCommentOut] | None = Field(
        description="For the LA's own people and its triad partners; none for the coordinator, "
        "who sees only the counts"
    )


def _out(session: Session, principal: Principal, cycle: Cycle, la_code: str) -> CommentsOut:
    found = service.read(session, principal, cycle, la_code)
    rows = session.execute(
        select(LaPlanVersion.id, LaPlanVersion.number).where(
            LaPlanVersion.plan_id == (found.plan.id if found.plan else 0)
        )
    )
    numbers = {version_id: number for version_id, number in rows}
    seen = access.sees_comments(session, principal, cycle, la_code)
    listed = [
        PlanCommentOut(
            id=t.comment.id,
            position=t.comment.position,
            version=numbers[t.comment.plan_version_id],
            author_name=t.comment.author_name,
            author_la_code=t.comment.author_la_code,
            text=t.comment.text,
            is_challenge=t.comment.is_challenge,
            created_at=t.comment.created_at,
            response=PlanResponseOut(
                author_name=t.response.author_name,
                text=t.response.text,
                created_at=t.response.created_at,
            )
            if t.response
            else None,
        )
        for threads in comments.threads(session, principal, cycle, found).values()
        for t in threads
    ]
    c = comments.counts(session, found.plan)
    return CommentsOut(
        la_code=la_code,
        state=found.state,
        counts=CountsOut(comments=c.comments, challenges=c.challenges, answered=c.answered),
        comments=sorted(listed, key=lambda o: o.id) if seen else None,
    )


@router.get("/{la_code}/comments", response_model=CommentsOut)
def get_comments(
    la_code: str,
    session: DbSession,
    principal: Annotated[Principal, permission(PlanAction.READ_PLAN)],
    cycle: CurrentCycle,
) -> CommentsOut:
    return _out(session, principal, cycle, la_code)


@router.post("/{la_code}/priorities/{position}/comments", response_model=CommentsOut)
def post_comment(
    region_id: str,
    year: str,
    la_code: str,
    position: Identifier,
    data: PlanCommentInput,
    principal: Annotated[Principal, permission(PlanAction.COMMENT_PLAN)],
    session: WriteSession,
) -> CommentsOut:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    comments.comment(session, principal, cycle, la_code, position, data)
    return _out(session, principal, cycle, la_code)


@router.post("/{la_code}/comments/{comment_id}/response", response_model=CommentsOut)
def post_response(
    region_id: str,
    year: str,
    la_code: str,
    comment_id: Identifier,
    data: PlanResponseInput,
    principal: Annotated[Principal, permission(PlanAction.RESPOND_PLAN)],
    session: WriteSession,
) -> CommentsOut:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    comments.respond(session, principal, cycle, la_code, comment_id, data)
    return _out(session, principal, cycle, la_code)
