"""Dates and times as people in England read them, the same on pages, in messages and in packs.

GOV.UK style: "23 November 2026", "23 November 2026 at 7:05pm", "midday" and "midnight" rather
than 12:00pm and 12:00am, always in Europe/London time. A naive datetime is UTC, which is how the
database stores moments.
"""

from datetime import UTC, date, datetime

from app.clock import ENGLAND

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def _uk(value: datetime | date) -> datetime | date:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(ENGLAND)
    return value


def date_uk(value: datetime | date | None) -> str:
    """23 November 2026 (a datetime is shown as its date in Europe/London)."""
    if value is None:
        return ""
    day = _uk(value)
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def datetime_uk(value: datetime | None) -> str:
    """23 November 2026 at 7:05pm, in Europe/London (GOV.UK style: 12-hour, lower-case am/pm)."""
    if value is None:
        return ""
    moment = _uk(value)
    assert isinstance(moment, datetime)
    hour = moment.hour % 12 or 12
    if moment.hour == 12 and moment.minute == 0:
        clock = "midday"
    elif moment.hour == 0 and moment.minute == 0:
        clock = "midnight"
    else:
        clock = f"{hour}:{moment.minute:02d}{'am' if moment.hour < 12 else 'pm'}"
    return f"{date_uk(moment)} at {clock}"
