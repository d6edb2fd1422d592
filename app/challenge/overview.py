"""The challenge stage's lines of the cycle overview: the DCS's questions to set and who it
brings; the coordinator's triads to arrange and withdrawals to follow up; then the record of
each triad's conversation (app.challenge.record_overview)."""

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.challenge import access, attendance, kloes, meetings
from app.challenge.record_overview import record_tasks
from app.models import Cycle
from app.stage import Task
from app.uk_dates import date_uk


def challenge_tasks(session: Session, principal: Principal, cycle: Cycle) -> list[Task]:
    """For each LA whose DCS the person is and whose triad is formed: set its questions."""
    base = f"/regions/{cycle.region_id}/cycles/{cycle.year}/kloes"
    tasks = []
    for row in kloes.status(session, principal, cycle):
        if not (row.readable and access.can_set(principal, row.la.code)):
            continue
        done = row.count > 0
        tasks.append(
            Task(
                f"Set {row.la.name}'s key lines of enquiry",
                f"{base}/{row.la.code}",
                "completed" if done else "not_started",
                f"{row.count} questions set" if done else "3 to 6 questions for your triad to test",
            )
        )
    return (
        tasks
        + conversation_tasks(session, principal, cycle)
        + record_tasks(session, principal, cycle)
    )


def conversation_tasks(session: Session, principal: Principal, cycle: Cycle) -> list[Task]:
    """The coordinator: each triad still without a meeting or a reviewer, and each withdrawal.
    A member LA's DCS: name who it brings once its triad's meeting is set."""
    base = f"/regions/{cycle.region_id}/cycles/{cycle.year}/conversations"
    tracking = meetings.coordinates(principal, cycle.region_id)
    tasks = []
    for view in meetings.conversations(session, principal, cycle):
        found = view.arrangements
        if found is None:
            continue
        here = f"{base}/{view.triad.number}"
        if tracking:
            tasks += _coordinator_tasks(view.triad.number, here, found)
        if found.meeting is None:
            continue
        for la in view.members:
            if not attendance.may_name(principal, la.code):
                continue
            named = len(found.attendees.get(la.code, ()))
            tasks.append(
                Task(
                    f"Name who {la.name} brings to triad {view.triad.number}'s conversation",
                    f"{here}/attendees/{la.code}",
                    "completed" if named else "not_started",
                    f"{named} named" if named else f"Meeting on {date_uk(found.meeting.meets_on)}",
                )
            )
    return tasks


def _coordinator_tasks(number: int, here: str, found: meetings.Arrangements) -> list[Task]:
    missing = []
    if found.meeting is None:
        missing.append("no meeting set")
    if not found.reviewers:
        missing.append("no triad reviewer named")
    tasks = [
        Task(
            f"Arrange triad {number}'s challenge conversation",
            here,
            "completed" if not missing else "not_started",
            " and ".join(missing).capitalize()
            if missing
            else f"Meeting on {date_uk(found.meeting.meets_on) if found.meeting else ''}",
        )
    ]
    tasks += [
        Task(
            f"Follow up {w.la.name}'s withdrawal from triad {number}",
            here,
            "withdrawn",
            w.sentence(),
        )
        for w in found.withdrawals
    ]
    return tasks
