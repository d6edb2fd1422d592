"""Shared set-up for the tests of arranging triad challenge conversations: the East Midlands
triads of the key lines of enquiry tests, and the people who walk through each rule."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.auth.roles import Role
from app.challenge import meetings, reviewers
from app.challenge.meeting_schemas import MeetingInput, Mode, ReviewerInput
from app.models import AuditEvent, Cycle
from app.self_evaluation.schemas import TriadsInput
from app.triads import service as triads
from tests import factories as f

DERBY = "E06000015"
DERBYSHIRE = "E10000007"
WEST_NORTHANTS = "E06000062"
LEICESTER = "E06000016"
GROUPS = [
    [DERBY, DERBYSHIRE, WEST_NORTHANTS],
    [LEICESTER, "E10000018", "E10000019"],
    ["E06000061", "E06000018", "E10000024", "E06000017"],
]
PAGE = "/regions/east-midlands/cycles/2026-27/conversations"
API = "/api/v1/regions/east-midlands/cycles/2026-27/conversations"
# Inside the East Midlands calendar's triad challenge window (5 January to 27 February 2027).
FIRST = date(2027, 1, 20)
SECOND = date(2027, 2, 3)


def form_triads(session: Session, cycle: Cycle) -> None:
    groups = {code: n for n, group in enumerate(GROUPS, start=1) for code in group}
    triads.form_triads(session, f.coordinator(session), cycle, TriadsInput(groups=groups))


def person(session: Session, role: Role | None, org: str | None = None) -> Principal:
    region = None if org or role is None else "east-midlands"
    return f.principal(session, f.make_user(session, role, organisation=org, region=region))


def named_reviewer(session: Session, cycle: Cycle, number: int = 1) -> Principal:
    """A triad reviewer of the region, named by the coordinator to triad `number`."""
    reviewer = person(session, Role.TRIAD_REVIEWER)
    reviewers.name(
        session, f.coordinator(session), cycle, number, ReviewerInput(user_id=reviewer.user_id)
    )
    return reviewer


def meeting(
    day: date = FIRST, *, lead_members: bool = False, facilitator: bool = False
) -> MeetingInput:
    return MeetingInput(
        meets_on=day,
        mode=Mode.VIRTUAL,
        facilitator_name="Sam Adviser" if facilitator else "",
        facilitator_organisation="LGA Children's Improvement Adviser" if facilitator else "",
        lead_members_session=lead_members,
    )


def arrange(session: Session, cycle: Cycle, day: date = FIRST, **options: bool) -> None:
    meetings.set_meeting(session, f.coordinator(session), cycle, 1, meeting(day, **options))


def entries(session: Session, prefix: str = "conversation.") -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action.startswith(prefix))
    return list(session.scalars(query.order_by(AuditEvent.sequence)))


# Every role, for walking each rule: (role, organisation or None for a region's role).
ROLES = {
    "the coordinator": (Role.REGIONAL_COORDINATOR, None),
    "Derby's DCS (in triad 1)": (Role.DCS, DERBY),
    "Leicester's DCS (triad 2)": (Role.DCS, LEICESTER),
    "a triad reviewer named to triad 1": (Role.TRIAD_REVIEWER, "named"),
    "a triad reviewer not named": (Role.TRIAD_REVIEWER, None),
    "the RISL": (Role.RISL, None),
    "Derby's lead member": (Role.LEAD_MEMBER, DERBY),
    "Derby's chief executive": (Role.CHIEF_EXECUTIVE, DERBY),
    "a stranger": (None, None),
}


def who(session: Session, cycle: Cycle, name: str) -> Principal:
    role, org = ROLES[name]
    if org == "named":
        return named_reviewer(session, cycle)
    return person(session, role, org)
