"""When each quarter's return opens and closes, from the cycle and the region's data terms."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from app.models import Cycle, ReturnWindow
from app.reference import get_reference
from app.returns.periods import Quarter, quarters_of


def create_windows(session: Session, cycle: Cycle) -> list[ReturnWindow]:
    """The four quarters' windows: open the day after a quarter ends, due N days later."""
    terms = get_reference().regions[cycle.region_id].data_terms
    windows = []
    for quarter in quarters_of(cycle.year):
        window = ReturnWindow(
            cycle_id=cycle.id,
            period=str(quarter),
            opens_on=quarter.ends_on + timedelta(days=1),
            closes_on=quarter.ends_on + timedelta(days=terms.returns_due_days),
        )
        session.add(window)
        windows.append(window)
    session.flush()
    return windows


@dataclass(frozen=True)
class WindowState:
    """Where a quarter's return stands on a given day, for one region."""

    region_id: str
    quarter: Quarter
    opens_on: date
    closes_on: date
    region_release_on: date  # other LAs of the region see values from this day
    risl_release_on: date  # the DfE RISL sees values from this day

    def is_open(self, today: date) -> bool:
        return self.opens_on <= today <= self.closes_on

    def is_late(self, today: date) -> bool:
        return today > self.closes_on


def _state(region_id: str, quarter: Quarter, row: ReturnWindow) -> WindowState:
    terms = get_reference().regions[region_id].data_terms
    return WindowState(
        region_id=region_id,
        quarter=quarter,
        opens_on=row.opens_on,
        closes_on=row.closes_on,
        region_release_on=row.closes_on + timedelta(days=1),
        risl_release_on=row.closes_on + timedelta(days=1 + terms.risl_release_days),
    )


def window_state(session: Session, region_id: str, quarter: Quarter) -> WindowState | None:
    """The window for a region's quarter, or None when no cycle covers that year yet.

    Remembered for the rest of the transaction (a profile asks for the same eight quarters
    several times), and forgotten as soon as a window is changed.
    """
    known = session.info.setdefault(_KNOWN, {})
    if (region_id, str(quarter)) not in known:
        read_windows(session, region_id, [quarter])
    return known[(region_id, str(quarter))]  # type: ignore[no-any-return]


def read_windows(session: Session, region_id: str, quarters: Collection[Quarter]) -> None:
    """Read the windows of several quarters of a region in one query, for window_state."""
    known = session.info.setdefault(_KNOWN, {})
    by_period = {str(q): q for q in quarters}
    rows = session.execute(
        select(ReturnWindow)
        .join(Cycle, Cycle.id == ReturnWindow.cycle_id)
        .where(Cycle.region_id == region_id, ReturnWindow.period.in_(list(by_period)))
    ).scalars()
    found = {row.period: row for row in rows}
    for period, quarter in by_period.items():
        row = found.get(period)
        known[(region_id, period)] = None if row is None else _state(region_id, quarter, row)


_KNOWN = "riia_window_states"  # Session.info: (region, period) -> WindowState | None


@event.listens_for(Session, "before_flush")
def _windows_changing(session: Session, _context: Any, _instances: Any) -> None:
    if any(isinstance(o, ReturnWindow) for o in (*session.new, *session.dirty, *session.deleted)):
        session.info.pop(_KNOWN, None)


@event.listens_for(Session, "after_transaction_end")
def _transaction_over(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_KNOWN, None)


def window_states(
    session: Session, region_ids: Collection[str], quarter: Quarter
) -> dict[str, tuple[WindowState, Cycle]]:
    """Each region's window for the quarter and its cycle, in one query (regions without a
    cycle for that year are left out)."""
    rows = session.execute(
        select(ReturnWindow, Cycle)
        .join(Cycle, Cycle.id == ReturnWindow.cycle_id)
        .where(Cycle.region_id.in_(region_ids), ReturnWindow.period == str(quarter))
    ).all()
    return {cycle.region_id: (_state(cycle.region_id, quarter, row), cycle) for row, cycle in rows}
