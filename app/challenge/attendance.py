"""Who each member LA brings to its triad's conversation, and an LA withdrawing from it.

An LA's DCS names who it brings: its DCS, named delegates (Assistant Directors, Tier-2 officers)
and, when the Lead Members' peer session is on, its Lead Member. The set is saved whole, bound to
the set it started from, like key lines of enquiry. An LA that withdraws from the meeting's date
gives its reason: an engagement flag the coordinator sees (../shared/docs/domain.md, "Levers, not
teeth"); a later date set for the triad is the replacement.
"""

import hashlib
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.audit.chain import record
from app.auth.permissions import Scope, can
from app.auth.principal import Principal
from app.auth.roles import Role
from app.challenge import access
from app.challenge.actions import ChallengeAction
from app.challenge.meeting_schemas import (
    ATTENDEE_LABELS,
    AttendeeRole,
    AttendeesInput,
    WithdrawalInput,
)
from app.challenge.meetings import meeting_of, triad_by_number
from app.cycles.service import actor_of
from app.errors import AlreadyDone, Conflict, InvalidInput, NotFound, NotPermitted
from app.models import ChallengeAttendee, ChallengeMeeting, ChallengeWithdrawal, Cycle, Triad
from app.reference.models import LocalAuthority
from app.self_evaluation.drafting import service as sefs
from app.structured_text import canonical_json
from app.uk_dates import date_uk

FIELD = "attendees"


@dataclass(frozen=True)
class AttendeeSet:
    la: LocalAuthority
    people: tuple[ChallengeAttendee, ...]
    # The SHA-256 of the names and roles; "" while nobody is named.
    version: str


def may_name(principal: Principal | None, la_code: str) -> bool:
    return can(
        principal,
        ChallengeAction.NAME_ATTENDEES,
        Scope(organisation_code=la_code),
        as_role=Role.DCS,
    )


def may_withdraw(principal: Principal | None, la_code: str) -> bool:
    return can(
        principal, ChallengeAction.WITHDRAW, Scope(organisation_code=la_code), as_role=Role.DCS
    )


def version_of(pairs: list[tuple[str, str]]) -> str:
    if not pairs:
        return ""
    return hashlib.sha256(canonical_json([list(p) for p in pairs]).encode()).hexdigest()


def _member(
    session: Session, cycle: Cycle, number: int | str, la_code: str
) -> tuple[Triad, LocalAuthority]:
    triad = triad_by_number(session, cycle, number)
    number = triad.number
    la = sefs.local_authority(cycle, la_code)
    if la.code not in access.member_codes(session, triad):
        raise NotFound(f"{la.name} is not in triad {number}.")
    return triad, la


def _set_of(session: Session, meeting: ChallengeMeeting | None, la: LocalAuthority) -> AttendeeSet:
    if meeting is None:
        return AttendeeSet(la, (), "")
    rows = tuple(
        session.scalars(
            select(ChallengeAttendee)
            .where(
                ChallengeAttendee.meeting_id == meeting.id,
                ChallengeAttendee.organisation_code == la.code,
            )
            .order_by(ChallengeAttendee.id)
        )
    )
    return AttendeeSet(la, rows, version_of([(r.name, r.role) for r in rows]))


def attendees(session: Session, cycle: Cycle, number: int | str, la_code: str) -> AttendeeSet:
    """Who the LA brings (for a page or API that has already checked the reader)."""
    triad, la = _member(session, cycle, number, la_code)
    number = triad.number
    return _set_of(session, meeting_of(session, triad), la)


def _check_roles(
    number: int | str, la: LocalAuthority, meeting: ChallengeMeeting, data: AttendeesInput
) -> None:
    roles = [person.role for person in data.attendees]
    for once in (AttendeeRole.DCS, AttendeeRole.LEAD_MEMBER):
        if roles.count(once) > 1:
            raise InvalidInput(
                f"Name one {ATTENDEE_LABELS[once]} for {la.name}: the others attend as delegates",
                field=FIELD,
            )
    if AttendeeRole.LEAD_MEMBER in roles and not meeting.lead_members_session:
        raise InvalidInput(
            f"Triad {number}'s conversation has no Lead Members' peer session: take the Lead "
            "Member off, or ask for the session to be added to the meeting",
            field=FIELD,
        )


def save_attendees(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    number: int | str,
    la_code: str,
    data: AttendeesInput,
) -> AttendeeSet:
    """The LA's DCS replaces who it brings; the history keeps each set named."""
    triad, la = _member(session, cycle, number, la_code)
    number = triad.number
    if not may_name(principal, la.code):
        raise NotPermitted(
            f"Only {la.name}'s Director of Children's Services can name who it brings to its "
            "challenge conversation."
        )
    meeting = meeting_of(session, triad)
    if meeting is None:
        raise Conflict(
            f"Triad {number}'s challenge conversation has no date yet: name who {la.name} "
            "brings once it is arranged.",
            field=FIELD,
        )
    _check_roles(number, la, meeting, data)
    wanted = [(person.name, person.role.value) for person in data.attendees]
    current = _set_of(session, meeting, la)
    if version_of(wanted) == current.version:
        return current  # the same set again: a double submit changes nothing
    if data.version != current.version:
        raise Conflict(
            f"Someone else changed who {la.name} brings since you opened the page. Reload to "
            "see them before you save.",
            field=FIELD,
        )
    session.execute(
        delete(ChallengeAttendee).where(
            ChallengeAttendee.meeting_id == meeting.id,
            ChallengeAttendee.organisation_code == la.code,
        )
    )
    session.add_all(
        ChallengeAttendee(
            cycle_id=cycle.id,
            meeting_id=meeting.id,
            organisation_code=la.code,
            name=name,
            role=role,
            added_by_id=principal.user_id,
        )
        for name, role in wanted
    )
    session.flush()
    saved = _set_of(session, meeting, la)
    people = "person" if len(wanted) == 1 else "people"
    record(
        session,
        actor=actor_of(principal),
        action="conversation.attendees_set",
        summary=f"{la.name} brings {len(wanted)} {people} to triad {number}'s challenge "
        "conversation",
        subject_type="triad",
        subject_id=triad.id,
        region_id=cycle.region_id,
        cycle_id=cycle.id,
        organisation_code=la.code,
        payload={
            "triad": number,
            "attendees": [{"name": n, "role": r} for n, r in wanted],
            "version": saved.version,
        },
    )
    return saved


def withdraw(
    session: Session,
    principal: Principal,
    cycle: Cycle,
    number: int | str,
    la_code: str,
    data: WithdrawalInput,
) -> ChallengeWithdrawal:
    """The LA's DCS withdraws it from the meeting's current date, saying why."""
    triad, la = _member(session, cycle, number, la_code)
    number = triad.number
    if not may_withdraw(principal, la.code):
        raise NotPermitted(
            f"Only {la.name}'s Director of Children's Services can withdraw it from its "
            "challenge conversation."
        )
    meeting = meeting_of(session, triad)
    if meeting is None:
        raise Conflict(
            f"Triad {number}'s challenge conversation has no date yet: there is no meeting to "
            "withdraw from.",
            field="reason",
        )
    if data.meets_on != meeting.meets_on:
        raise Conflict(
            f"Triad {number}'s challenge conversation moved to {date_uk(meeting.meets_on)} since "
            "you opened the page. Check the new date before you withdraw.",
            field="reason",
        )
    already = session.scalar(
        select(ChallengeWithdrawal.id).where(
            ChallengeWithdrawal.meeting_id == meeting.id,
            ChallengeWithdrawal.la_code == la.code,
            ChallengeWithdrawal.meets_on == meeting.meets_on,
        )
    )
    if already is not None:
        raise AlreadyDone(
            f"{la.name} has already withdrawn from the meeting on {date_uk(meeting.meets_on)}.",
            field="reason",
        )
    row = ChallengeWithdrawal(
        cycle_id=cycle.id,
        meeting_id=meeting.id,
        la_code=la.code,
        meets_on=meeting.meets_on,
        reason=data.reason,
        recorded_by_id=principal.user_id,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor_of(principal),
        action="conversation.withdrew",
        summary=f"{la.name} withdrew from triad {number}'s challenge conversation on "
        f"{date_uk(meeting.meets_on)}",
        subject_type="triad",
        subject_id=triad.id,
        region_id=cycle.region_id,
        cycle_id=cycle.id,
        organisation_code=la.code,
        payload={"triad": number, "meets_on": meeting.meets_on.isoformat(), "reason": data.reason},
    )
    return row
