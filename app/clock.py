"""Today's date in England: the one clock every deadline and release date is read against.

Call `clock.today()` (not `date.today()`, which is the server's time zone) so that tests can set
the day in one place and no rule quietly depends on when the suite happens to run. Every stored
moment comes from `clock.now()` (through `app.models.types.utcnow`), so the demonstration can play
each act at its own simulated moment (`simulated`) and its history never reads the wall clock.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

ENGLAND = ZoneInfo("Europe/London")

_simulated: ContextVar[datetime | None] = ContextVar("riia_simulated_now", default=None)


def now() -> datetime:
    """This moment in UTC: what stored moments, throttles and expiring links are measured
    against. The wall clock, or the moment a demonstration is playing."""
    moment = _simulated.get()
    return moment if moment is not None else datetime.now(UTC)


def today() -> date:
    return now().astimezone(ENGLAND).date()


def wall_today() -> date:
    """The real date in England, whatever moment a demonstration is playing."""
    return datetime.now(ENGLAND).date()


@contextmanager
def simulated(moment: datetime) -> Iterator[None]:
    """Run the block as if it were `moment` (aware); only the demonstration uses this."""
    if moment.tzinfo is None:
        raise ValueError("a simulated moment must be timezone-aware")
    token = _simulated.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _simulated.reset(token)


def day_of(moment: datetime) -> date:
    """The date in England of a stored moment (stored in UTC)."""
    return moment.astimezone(ENGLAND).date()
