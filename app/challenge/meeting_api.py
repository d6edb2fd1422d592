"""JSON API for arranging triad challenge conversations, under /api/v1: the pages' rules."""

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.auth.principal import Principal
from app.auth.web import DbSession, WriteSession, permission
from app.challenge import attendance, meetings, reviewers
from app.challenge.actions import ChallengeAction
from app.challenge.meeting_schemas import (
    AttendeesInput,
    MeetingInput,
    ReviewerInput,
    WithdrawalInput,
)
from app.cycles import service as cycles
from app.cycles.routes import CurrentCycle
from app.models import Cycle

router = APIRouter(
    prefix="/api/v1/regions/{region_id}/cycles/{year}/conversations",
    tags=["triad challenge conversations"],
)


class MemberOut(BaseModel):
    la_code: str
    la_name: str


class MeetingOut(BaseModel):
    meets_on: date
    mode: str = Field(description="in_person or virtual")
    facilitator_name: str | None
    facilitator_organisation: str | None
    lead_members_session: bool


class ReviewerOut(BaseModel):
    user_id: int
    name: str


class AttendeeOut(BaseModel):
    name: str
    role: str = Field(description="dcs, assistant_director, tier_two_officer or lead_member")


class AttendeesOut(BaseModel):
    la_code: str
    la_name: str
    version: str = Field(description="Send back as `version` when you save ('' while none named)")
    attendees: list[AttendeeOut]


class WithdrawalOut(BaseModel):
    la_code: str
    la_name: str
    meets_on: date = Field(description="The meeting date the authority withdrew from")
    reason: str
    recorded_at: datetime
    replacement: date | None = Field(description="The date set since, if any")
    sentence: str


class ArrangementsOut(BaseModel):
    meeting: MeetingOut | None = Field(description="Null until the meeting is arranged")
    reviewers: list[ReviewerOut]
    attendees: list[AttendeesOut]
    withdrawals: list[WithdrawalOut]


class ConversationOut(BaseModel):
    number: int
    members: list[MemberOut]
    arrangements: ArrangementsOut | None = Field(
        description="Null unless you are a member of the triad (its DCSs and named reviewers) "
        "or the region's coordinator"
    )


class ConversationsOut(BaseModel):
    triads: list[ConversationOut]
    reviewer_candidates: list[ReviewerOut] = Field(
        description="Who holds the triad reviewer role in the region: for the coordinator only"
    )


def _arrangements(view: meetings.TriadView) -> ArrangementsOut | None:
    found = view.arrangements
    if found is None:
        return None
    meeting = found.meeting
    names = {la.code: la.name for la in view.members}
    return ArrangementsOut(
        meeting=MeetingOut(
            meets_on=meeting.meets_on,
            mode=meeting.mode,
            facilitator_name=meeting.facilitator_name,
            facilitator_organisation=meeting.facilitator_organisation,
            lead_members_session=meeting.lead_members_session,
        )
        if meeting
        else None,
        reviewers=[ReviewerOut(user_id=r.user_id, name=r.name) for r in found.reviewers],
        attendees=[
            AttendeesOut(
                la_code=code,
                la_name=names[code],
                version=attendance.version_of([(p.name, p.role) for p in people]),
                attendees=[AttendeeOut(name=p.name, role=p.role) for p in people],
            )
            for code, people in found.attendees.items()
        ],
        withdrawals=[
            WithdrawalOut(
                la_code=w.la.code,
                la_name=w.la.name,
                meets_on=w.meets_on,
                reason=w.reason,
                recorded_at=w.recorded_at,
                replacement=w.replacement,
                sentence=w.sentence(),
            )
            for w in found.withdrawals
        ],
    )


def _out(view: meetings.TriadView) -> ConversationOut:
    return ConversationOut(
        number=view.triad.number,
        members=[MemberOut(la_code=la.code, la_name=la.name) for la in view.members],
        arrangements=_arrangements(view),
    )


def _one(session: DbSession, principal: Principal, cycle: Cycle, number: str) -> ConversationOut:
    return _out(meetings.conversation(session, principal, cycle, number))


@router.get("", response_model=ConversationsOut)
def get_conversations(
    session: DbSession,
    principal: Annotated[Principal, permission(ChallengeAction.VIEW_CONVERSATIONS)],
    cycle: CurrentCycle,
) -> ConversationsOut:
    naming = reviewers.may_name(principal, cycle.region_id)
    return ConversationsOut(
        triads=[_out(view) for view in meetings.conversations(session, principal, cycle)],
        reviewer_candidates=[
            ReviewerOut(user_id=r.user_id, name=r.name)
            for r in reviewers.candidates(session, cycle)
        ]
        if naming
        else [],
    )


@router.get("/{number}", response_model=ConversationOut)
def get_conversation(
    number: str,
    session: DbSession,
    principal: Annotated[Principal, permission(ChallengeAction.VIEW_CONVERSATIONS)],
    cycle: CurrentCycle,
) -> ConversationOut:
    return _one(session, principal, cycle, number)


@router.put("/{number}/meeting", response_model=ConversationOut)
def put_meeting(
    region_id: str,
    year: str,
    number: str,
    data: MeetingInput,
    principal: Annotated[Principal, permission(ChallengeAction.ARRANGE_MEETING)],
    session: WriteSession,
) -> ConversationOut:
    # The body is checked first (a 422 before "no such cycle"), so the cycle is read here.
    cycle = cycles.get_cycle(session, principal, region_id, year)
    meetings.set_meeting(session, principal, cycle, number, data)
    return _one(session, principal, cycle, number)


@router.post("/{number}/reviewers", response_model=ConversationOut)
def post_reviewer(
    region_id: str,
    year: str,
    number: str,
    data: ReviewerInput,
    principal: Annotated[Principal, permission(ChallengeAction.NAME_REVIEWERS)],
    session: WriteSession,
) -> ConversationOut:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    reviewers.name(session, principal, cycle, number, data)
    return _one(session, principal, cycle, number)


@router.delete("/{number}/reviewers/{user_id}", response_model=ConversationOut)
def delete_reviewer(
    number: str,
    user_id: str,
    principal: Annotated[Principal, permission(ChallengeAction.NAME_REVIEWERS)],
    cycle: CurrentCycle,
    session: WriteSession,
) -> ConversationOut:
    reviewers.remove(session, principal, cycle, number, user_id)
    return _one(session, principal, cycle, number)


@router.put("/{number}/attendees/{la_code}", response_model=AttendeesOut)
def put_attendees(
    region_id: str,
    year: str,
    number: str,
    la_code: str,
    data: AttendeesInput,
    principal: Annotated[Principal, permission(ChallengeAction.NAME_ATTENDEES)],
    session: WriteSession,
) -> AttendeesOut:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    saved = attendance.save_attendees(session, principal, cycle, number, la_code, data)
    return AttendeesOut(
        la_code=saved.la.code,
        la_name=saved.la.name,
        version=saved.version,
        attendees=[AttendeeOut(name=p.name, role=p.role) for p in saved.people],
    )


@router.post("/{number}/withdrawals/{la_code}", response_model=ConversationOut, status_code=201)
def post_withdrawal(
    region_id: str,
    year: str,
    number: str,
    la_code: str,
    data: WithdrawalInput,
    principal: Annotated[Principal, permission(ChallengeAction.WITHDRAW)],
    session: WriteSession,
) -> ConversationOut:
    cycle = cycles.get_cycle(session, principal, region_id, year)
    attendance.withdraw(session, principal, cycle, number, la_code, data)
    return _one(session, principal, cycle, number)
