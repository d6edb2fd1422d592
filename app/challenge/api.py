"""JSON API for key lines of enquiry, under /api/v1: the same rules as the pages."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.auth.principal import Principal
from app.auth.web import DbSession, WriteSession, permission
from app.challenge import kloes
from app.challenge.actions import ChallengeAction
from app.challenge.schemas import KloesInput
from app.cycles import service as cycles
from app.cycles.routes import CurrentCycle

router = APIRouter(
    prefix="/api/v1/regions/{region_id}/cycles/{year}/kloes", tags=["key lines of enquiry"]
)


class StatusRowOut(BaseModel):
    la_code: str
    la_name: str
    questions: int = Field(description="How many questions are set (0: none yet)")
    set_at: datetime | None
    readable: bool = Field(description="Whether you may read the questions themselves")


class StatusOut(BaseModel):
    authorities: list[StatusRowOut] = Field(
        description="The whole region for its coordinator (counts only); else your triads"
    )


class SourceOut(BaseModel):
    key: str = Field(description="Send back as `questions[].source` to keep the link")
    label: str = Field(description="Where the question started, in words")


class QuestionOut(BaseModel):
    position: int
    text: str
    source: SourceOut | None


class SuggestionOut(BaseModel):
    text: str
    source: SourceOut


class KloesOut(BaseModel):
    la_code: str
    la_name: str
    version: str = Field(description="Send back as `version` when you save ('' while none set)")
    set_at: datetime | None
    set_by: str | None
    questions: list[QuestionOut]
    suggestions: list[SuggestionOut] = Field(
        description="The draft from the signed self-evaluation and its scrutiny: for the "
        "authority's DCS only, empty for everyone else"
    )


def _out(found: kloes.KloeSet, drafts: list[kloes.DraftKloe]) -> KloesOut:
    return KloesOut(
        la_code=found.la.code,
        la_name=found.la.name,
        version=found.version,
        set_at=found.set_at,
        set_by=found.set_by,
        questions=[
            QuestionOut(
                position=row.position,
                text=row.text,
                source=SourceOut(key=key, label=row.source_label or "")
                if (key := kloes.source_key(row))
                else None,
            )
            for row in found.questions
        ],
        suggestions=[
            SuggestionOut(text=d.text, source=SourceOut(key=d.source.key, label=d.source.label))
            for d in drafts
        ],
    )


@router.get("", response_model=StatusOut)
def get_status(
    session: DbSession,
    principal: Annotated[Principal, permission(ChallengeAction.VIEW_KLOES)],
    cycle: CurrentCycle,
) -> StatusOut:
    return StatusOut(
        authorities=[
            StatusRowOut(
                la_code=row.la.code,
                la_name=row.la.name,
                questions=row.count,
                set_at=row.set_at,
                readable=row.readable,
            )
            for row in kloes.status(session, principal, cycle)
        ]
    )


@router.get("/{la_code}", response_model=KloesOut)
def get_kloes(
    la_code: str,
    session: DbSession,
    principal: Annotated[Principal, permission(ChallengeAction.VIEW_KLOES)],
    cycle: CurrentCycle,
) -> KloesOut:
    found = kloes.read(session, principal, cycle, la_code)
    return _out(found, kloes.suggestions(session, principal, cycle, la_code))


@router.put("/{la_code}", response_model=KloesOut)
def put_kloes(
    region_id: str,
    year: str,
    la_code: str,
    data: KloesInput,
    principal: Annotated[Principal, permission(ChallengeAction.SET_KLOES)],
    session: WriteSession,
) -> KloesOut:
    # The body is checked first (a 422 before "no such cycle"), so the cycle is read here.
    cycle = cycles.get_cycle(session, principal, region_id, year)
    saved = kloes.save(session, principal, cycle, la_code, data)
    return _out(saved, kloes.suggestions(session, principal, cycle, la_code))
