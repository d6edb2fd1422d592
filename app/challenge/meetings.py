"""A triad's challenge conversation as arranged: its meeting, who reviews it, who attends and who
withdrew; and who may see those arrangements.

Rules (issue 12): the coordinator or the DCS of a member LA sets the meeting (date, mode, an
optional independent facilitator, and whether a Lead Members' peer session is added); one meeting
a triad, a new date replacing the old, each change kept in the history with its old and new
values. The arrangements are seen by the triad's members (its DCSs and its named reviewers) and
the region's coordinator; everyone else who may see the conversations page sees the triads only.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.audit.chain import record
from app.auth.permissions import Scope, can
from app.auth.principal import Principal
from app.auth.roles import Role
from app.challenge import access
from app.challenge.actions import ChallengeAction
from app.challenge.meeting_schemas import MODE_LABELS, AttendeeRole, MeetingInput
from app.cycles import service as cycles
from app.cycles.service import actor_of
from app.errors import InvalidInput, NotFound, NotPermitted
from app.models import (
    ChallengeAttendee,
    ChallengeMeeting,
    ChallengeWithdrawal,
    Cycle,
    Triad,
    TriadReviewer,
    User,
)
from app.reference import get_reference
from app.reference.models import LocalAuthority
from app.uk_dates import date_uk


@dataclass(frozen=True)
class Reviewer:
    user_id: int
    name: str


@dataclass(frozen=True)
class Withdrawn:
    """An LA withdrew from the meeting on a date; a later date set since is its replacement."""

    la: LocalAuthority
    meets_on: date
    reason: str
    recorded_at: datetime
    replacement: date | None

    def sentence(self) -> str:
        then = (
            f"Replacement date: {date_uk(self.replacement)}."
            if self.replacement
            else "No replacement date is set yet."
        )
        reason = self.reason.rstrip(". ")
        return (
            f"{self.la.name} withdrew from the meeting on {date_uk(self.meets_on)}: "
            f"{reason}. {then}"
        )


@dataclass(frozen=True)
class Arrangements:
    meeting: ChallengeMeeting | None
    reviewers: tuple[Reviewer, ...]
    # Who each member LA brings, by LA code (an LA that has named nobody is absent).
    attendees: dict[str, tuple[ChallengeAttendee, ...]]
    withdrawals: tuple[Withdrawn, ...]


@dataclass(frozen=True)
class TriadView:
    """A triad as its reader may see it: its arrangements only for those the MoU lets see them."""

    triad: Triad
    members: tuple[LocalAuthority, ...]
    arrangements: Arrangements | None


def coordinates(principal: Principal | None, region_id: str) -> bool:
    """The region's coordinator, who sees every triad's arrangements."""
    return can(
        principal,
        ChallengeAction.VIEW_CONVERSATIONS,
        Scope(region_id),
        as_role=Role.REGIONAL_COORDINATOR,
    )


def sees_arrangements(
    session: Session, principal: Principal | None, cycle: Cycle, triad: Triad
) -> bool:
    """THE rule for a triad's meeting, attendees, reviewers and withdrawals, for page and API:
    its members (a member LA's DCS, a reviewer named to it) and the region's coordinator."""
    return coordinates(principal, cycle.region_id) or access.in_triad(
        session, principal, cycle, triad
    )


def may_arrange(session: Session, principal: Principal | None, cycle: Cycle, triad: Triad) -> bool:
    """The coordinator, or the DCS of an LA in the triad."""
    if can(
        principal,
        ChallengeAction.ARRANGE_MEETING,
        Scope(cycle.region_id),
        as_role=Role.REGIONAL_COORDINATOR,
    ):
        return True
    members = access.member_codes(session, triad)
    return bool(access.member_las_of(principal, ChallengeAction.ARRANGE_MEETING, members))


def triad_by_number(session: Session, cycle: Cycle, number: int | str) -> Triad:
    """The cycle's triad of that number (as typed in a path, or a number)."""
    text = str(number).strip()
    triad = (
        session.scalar(select(Triad).where(Triad.cycle_id == cycle.id, Triad.number == int(text)))
        if text.isdigit() and len(text) < 6
        else None
    )
    if triad is None:
        raise NotFound(f"There is no triad {number} in this cycle.")
    return triad


def meeting_of(session: Session, triad: Triad) -> ChallengeMeeting | None:
    return session.scalar(select(ChallengeMeeting).where(ChallengeMeeting.triad_id == triad.id))


def _las(cycle: Cycle) -> dict[str, LocalAuthority]:
    region = get_reference().regions[cycle.region_id]
    return {la.code: la for la in region.local_authorities}


def members_of(session: Session, cycle: Cycle, triad: Triad) -> tuple[LocalAuthority, ...]:
    las = _las(cycle)
    found = [las[code] for code in access.member_codes(session, triad)]
    return tuple(sorted(found, key=lambda la: la.name))


def reviewers_of(session: Session, triad: Triad) -> tuple[Reviewer, ...]:
    rows = session.execute(
        select(User.id, User.display_name)
        .join(TriadReviewer, TriadReviewer.user_id == User.id)
        .where(TriadReviewer.triad_id == triad.id)
        .order_by(User.display_name, User.id)
    ).all()
    return tuple(Reviewer(user_id, name) for user_id, name in rows)


def withdrawals_of(
    session: Session, cycle: Cycle, meeting: ChallengeMeeting
) -> tuple[Withdrawn, ...]:
    las = _las(cycle)
    rows = session.scalars(
        select(ChallengeWithdrawal)
        .where(ChallengeWithdrawal.meeting_id == meeting.id)
        .order_by(ChallengeWithdrawal.recorded_at, ChallengeWithdrawal.id)
    )
    return tuple(
        Withdrawn(
            la=las[row.la_code],
            meets_on=row.meets_on,
            reason=row.reason,
            recorded_at=row.recorded_at,
            replacement=meeting.meets_on if meeting.meets_on != row.meets_on else None,
        )
        for row in rows
    )


def attendees_of(
    session: Session, meeting: ChallengeMeeting
) -> dict[str, tuple[ChallengeAttendee, ...]]:
    rows = session.scalars(
        select(ChallengeAttendee)
        .where(ChallengeAttendee.meeting_id == meeting.id)
        .order_by(ChallengeAttendee.organisation_code, ChallengeAttendee.id)
    )
    found: dict[str, list[ChallengeAttendee]] = {}
    for row in rows:
        found.setdefault(row.organisation_code, []).append(row)
    return {code: tuple(people) for code, people in found.items()}


def arrangements_of(session: Session, cycle: Cycle, triad: Triad) -> Arrangements:
    meeting = meeting_of(session, triad)
    return Arrangements(
        meeting=meeting,
        reviewers=reviewers_of(session, triad),
        attendees=attendees_of(session, meeting) if meeting else {},
        withdrawals=withdrawals_of(session, cycle, meeting) if meeting else (),
    )


def _view(session: Session, principal: Principal | None, cycle: Cycle, triad: Triad) -> TriadView:
    seen = sees_arrangements(session, principal, cycle, triad)
    return TriadView(
        triad=triad,
        members=members_of(session, cycle, triad),
        arrangements=arrangements_of(session, cycle, triad) if seen else None,
    )


def conversations(session: Session, principal: Principal | None, cycle: Cycle) -> list[TriadView]:
    """Every triad of the cycle, with its arrangements where the reader may see them."""
    triads = session.scalars(select(Triad).where(Triad.cycle_id == cycle.id).order_by(Triad.number))
    return [_view(session, principal, cycle, triad) for triad in triads]


def conversation(
    session: Session, principal: Principal | None, cycle: Cycle, number: int | str
) -> TriadView:
    return _view(session, principal, cycle, triad_by_number(session, cycle, number))


def check_date(session: Session, cycle: Cycle, day: date) -> None:
    """Within the calendar's triad challenge window where the calendar has one, else within the
    cycle year."""
    window = cycles.calendar(session, cycle).get("triad_challenge")
    if window is not None:
        if not window.opens_on <= day <= window.closes_on:
            raise InvalidInput(
                f"Choose a date between {date_uk(window.opens_on)} and "
                f"{date_uk(window.closes_on)}: the cycle's calendar holds triad challenge "
                "conversations then",
                field="meets_on",
            )
        return
    start = int(cycle.year[:4])
    if not date(start, 4, 1) <= day <= date(start + 1, 3, 31):
        raise InvalidInput(
            f"Choose a date in the cycle year, between 1 April {start} and 31 March {start + 1}",
            field="meets_on",
        )


def _values(meeting: ChallengeMeeting | None) -> dict[str, object] | None:
    if meeting is None:
        return None
    return {
        "meets_on": meeting.meets_on.isoformat(),
        "mode": meeting.mode,
        "facilitator_name": meeting.facilitator_name,
        "facilitator_organisation": meeting.facilitator_organisation,
        "lead_members_session": meeting.lead_members_session,
    }


def _summary(number: int | str, old: ChallengeMeeting | None, data: MeetingInput) -> str:
    how = MODE_LABELS[data.mode].lower()
    if old is None:
        return f"Triad {number}'s challenge conversation set for {date_uk(data.meets_on)} ({how})"
    if old.meets_on != data.meets_on:
        return (
            f"Triad {number}'s challenge conversation moved from {date_uk(old.meets_on)} to "
            f"{date_uk(data.meets_on)} ({how})"
        )
    return f"Triad {number}'s challenge conversation on {date_uk(data.meets_on)} changed ({how})"


def set_meeting(
    session: Session, principal: Principal, cycle: Cycle, number: int | str, data: MeetingInput
) -> ChallengeMeeting:
    """Set or change the triad's meeting; the same details again change nothing."""
    triad = triad_by_number(session, cycle, number)
    number = triad.number
    if not may_arrange(session, principal, cycle, triad):
        raise NotPermitted(
            f"Only the regional coordinator or the DCS of an authority in triad {number} can "
            "arrange its challenge conversation."
        )
    check_date(session, cycle, data.meets_on)
    name, organisation = data.facilitator_name or None, data.facilitator_organisation or None
    if bool(name) != bool(organisation):
        raise InvalidInput(
            "Give the facilitator's name and their organisation, or neither",
            field="facilitator_name" if organisation else "facilitator_organisation",
        )
    meeting = meeting_of(session, triad)
    old = _values(meeting)
    wanted = {
        "meets_on": data.meets_on.isoformat(),
        "mode": data.mode.value,
        "facilitator_name": name,
        "facilitator_organisation": organisation,
        "lead_members_session": data.lead_members_session,
    }
    if meeting is not None and old == wanted:
        return meeting  # the same details again: a double submit changes nothing
    summary = _summary(number, meeting, data)
    if meeting is None:
        meeting = ChallengeMeeting(cycle_id=cycle.id, triad_id=triad.id, meets_on=data.meets_on)
        session.add(meeting)
    dropped = _drop_lead_members(session, meeting, data.lead_members_session)
    meeting.meets_on, meeting.mode = data.meets_on, data.mode.value
    meeting.facilitator_name, meeting.facilitator_organisation = name, organisation
    meeting.lead_members_session = data.lead_members_session
    meeting.arranged_by_id = principal.user_id
    session.flush()
    acting = access.member_las_of(
        principal, ChallengeAction.ARRANGE_MEETING, access.member_codes(session, triad)
    )
    record(
        session,
        actor=actor_of(principal),
        action="conversation.meeting_set" if old is None else "conversation.meeting_changed",
        summary=summary,
        subject_type="triad",
        subject_id=triad.id,
        region_id=cycle.region_id,
        cycle_id=cycle.id,
        organisation_code=None if coordinates(principal, cycle.region_id) else acting[0],
        payload={"triad": number, "old": old, "new": wanted, "lead_members_removed": dropped},
    )
    return meeting


def _drop_lead_members(session: Session, meeting: ChallengeMeeting, session_on: bool) -> list[str]:
    """Without a Lead Members' session, the Lead Members named for it no longer attend."""
    if session_on or meeting.id is None:
        return []
    gone = list(
        session.scalars(
            select(ChallengeAttendee.name).where(
                ChallengeAttendee.meeting_id == meeting.id,
                ChallengeAttendee.role == AttendeeRole.LEAD_MEMBER.value,
            )
        )
    )
    session.execute(
        delete(ChallengeAttendee).where(
            ChallengeAttendee.meeting_id == meeting.id,
            ChallengeAttendee.role == AttendeeRole.LEAD_MEMBER.value,
        )
    )
    return gone
