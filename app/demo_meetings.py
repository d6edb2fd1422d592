"""Arrangements for the triads' challenge conversations in the demonstration.

Ten days before its triad meets (app/demo_triads.py: conversation_day), the DCS of its first
authority sets the meeting, and every member's DCS names who it brings: its DCS and one
delegate (the authority's contributor, as Assistant Director). The second triad's conversation is
led by an independent facilitator, an LGA Children's Improvement Adviser. In the third, an
authority withdraws from the date with its reason, and its DCS sets a replacement date a few days
later; the record follows the meeting as held (issue 12: meeting_day).
"""

from datetime import date, timedelta
from functools import partial

from app import clock
from app.auth.principal import Principal
from app.challenge import attendance, meetings
from app.challenge.meeting_schemas import (
    AttendeeInput,
    AttendeeRole,
    AttendeesInput,
    MeetingInput,
    Mode,
    WithdrawalInput,
)
from app.demo import REGION, _email, _principal, cycle_of
from app.demo_play import Play
from app.demo_triads import conversation_day
from app.reference import get_reference
from app.uk_dates import date_uk

ARRANGED_BEFORE = timedelta(days=10)
FACILITATED = 1  # the second triad (by index)
FACILITATOR = ("Robin Ashworth (demo adviser)", "LGA Children's Improvement Adviser")
WITHDRAWN = 2  # the third triad (by index): its second member withdraws from the first date
WITHDRAWN_BEFORE = timedelta(days=5)
REPLACED_BY = timedelta(days=3)  # the replacement date, after the first one
WITHDRAWAL_REASON = (
    "Our Ofsted focused visit falls that week and the DCS and both Assistant Directors must be "
    "on site. We can meet any day the following week."
)


def meeting_day(year: str, index: int) -> date:
    """The day the triad at `index` actually meets: its conversation day, or the replacement
    date set after an authority withdrew."""
    day = conversation_day(year, index)
    return day + REPLACED_BY if index == WITHDRAWN else day


def _meeting(day: date, index: int) -> MeetingInput:
    name, organisation = FACILITATOR if index == FACILITATED else ("", "")
    return MeetingInput(
        meets_on=day,
        mode=Mode.VIRTUAL if index == WITHDRAWN else Mode.IN_PERSON,
        facilitator_name=name,
        facilitator_organisation=organisation,
    )


def schedule_meetings(play: Play, year: str, groups: list[list[str]], log: list[str]) -> None:
    """Each triad's meeting arranged, its attendees named; one withdrawal and a new date."""
    session = play.session
    region = get_reference().regions[REGION]

    def person(slug: str, code: str) -> Principal:
        return _principal(session, _email(slug, region.local_authority(code).name))

    def arrange(number: int, index: int, group: list[str]) -> None:
        cycle = cycle_of(session, year)
        day = conversation_day(year, index)
        meetings.set_meeting(session, person("dcs", group[0]), cycle, number, _meeting(day, index))
        for code in group:
            dcs = person("dcs", code)
            delegate = person("contributor", code)
            people = [
                AttendeeInput(name=dcs.display_name, role=AttendeeRole.DCS),
                AttendeeInput(name=delegate.display_name, role=AttendeeRole.ASSISTANT_DIRECTOR),
            ]
            attendance.save_attendees(
                session, dcs, cycle, number, code, AttendeesInput(attendees=people)
            )
        led = f", led by an {FACILITATOR[1]}" if index == FACILITATED else ""
        log.append(
            f"{clock.today():%-d %B %Y}: triad {number}'s conversation arranged for "
            f"{date_uk(day)}{led}; each DCS brings one delegate"
        )

    def withdraw(number: int, index: int, group: list[str]) -> None:
        cycle = cycle_of(session, year)
        day = conversation_day(year, index)
        data = WithdrawalInput(meets_on=day, reason=WITHDRAWAL_REASON)
        attendance.withdraw(session, person("dcs", group[1]), cycle, number, group[1], data)
        later = meeting_day(year, index)
        meetings.set_meeting(
            session, person("dcs", group[1]), cycle, number, _meeting(later, index)
        )
        name = region.local_authority(group[1]).name
        log.append(
            f"{clock.today():%-d %B %Y}: {name} withdrew from triad {number}'s conversation on "
            f"{date_uk(day)}; replacement date {date_uk(later)}"
        )

    for index, group in enumerate(groups):
        day = conversation_day(year, index)
        play.add(day - ARRANGED_BEFORE, partial(arrange, index + 1, index, group), 10)
        if index == WITHDRAWN:
            play.add(day - WITHDRAWN_BEFORE, partial(withdraw, index + 1, index, group), 15)
