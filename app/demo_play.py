"""The demonstration's simulated clock: every act is played at its own moment, in order, up to
the day the demo runs for.

Stages schedule their acts on dates taken from the cycle calendar; `Play.run` sorts them and plays
only those on or before today, each inside `clock.simulated`, so every row and audit event it
writes carries the moment of that act and nothing is dated after today. Acts after today simply
have not happened yet: that is how the current cycle stops where its calendar has reached.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy.orm import Session

from app import clock
from app.audit.chain import write_pending

# The hour acts happen at when the schedule gives none; the working day's last is 17:00.
_WORKING_HOURS = (9, 17)


def cycle_year(day: date) -> str:
    """The cycle year (April to March) a day falls in, like 2026-27."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def previous_year(year: str) -> str:
    start = int(year[:4]) - 1
    return f"{start}-{(start + 1) % 100:02d}"


def start_year(year: str) -> int:
    return int(year[:4])


@dataclass
class _Act:
    at: datetime
    order: int
    do: Callable[[], object]


@dataclass
class Play:
    """A session, the day the demo runs for, and the acts scheduled so far."""

    session: Session
    today: date
    _acts: list[_Act] = field(default_factory=list)

    def moment(self, day: date, hour: int = 10, minute: int = 0) -> datetime:
        """The UTC moment of an act on `day` (capped at today's last moment when played)."""
        return datetime.combine(day, time(hour, minute), tzinfo=clock.ENGLAND).astimezone(UTC)

    @property
    def latest(self) -> datetime:
        """The last moment the demo may write: the end of today's working day, or now if the
        demo is played for the real today and the day is not over yet."""
        end = datetime.combine(
            self.today, time(_WORKING_HOURS[1]), tzinfo=clock.ENGLAND
        ).astimezone(UTC)
        if self.today == clock.wall_today():
            return min(end, datetime.now(UTC))
        return end

    def reached(self, day: date) -> bool:
        return day <= self.today

    def add(self, day: date, do: Callable[[], object], hour: int = 10, minute: int = 0) -> None:
        """Schedule an act; one dated after today is left out (it has not happened yet)."""
        if self.reached(day):
            self._acts.append(_Act(self.moment(day, hour, minute), len(self._acts), do))

    def run(self) -> None:
        """Play the scheduled acts in time order (ties in the order they were scheduled)."""
        acts, self._acts = sorted(self._acts, key=lambda a: (a.at, a.order)), []
        latest = self.latest
        for act in acts:
            # Today's acts keep their order if the day is not that far on yet.
            with self.at(min(act.at, latest)):
                act.do()

    @contextmanager
    def at(self, moment: datetime) -> Iterator[None]:
        """Act at `moment`: rows take it as their time, and the audit entries are chained with
        it before the clock moves on (the chain otherwise dates them at the commit)."""
        with clock.simulated(moment):
            yield
            write_pending(self.session)

    @contextmanager
    def now(self) -> Iterator[None]:
        """Today's last moment, when the demo writes its packs."""
        with self.at(self.latest):
            yield
