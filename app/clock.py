"""Today's date in England: the one clock every deadline and release date is read against.

Call `clock.today()` (not `date.today()`, which is the server's time zone) so that tests can set
the day in one place and no rule quietly depends on when the suite happens to run.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

_ENGLAND = ZoneInfo("Europe/London")


def today() -> date:
    return datetime.now(_ENGLAND).date()


def now() -> datetime:
    """This moment, in UTC: what throttles and expiring links are measured against."""
    return datetime.now(UTC)


def day_of(moment: datetime) -> date:
    """The date in England of a stored moment (stored in UTC)."""
    return moment.astimezone(_ENGLAND).date()
