"""When each quarter's return opens and closes, from the cycle and the region's data terms."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.indicators.periods import Quarter, quarters_of
from app.models import Cycle, ReturnWindow
from app.reference import get_reference


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
    """The window for a region's quarter, or None when no cycle covers that year yet."""
    row = session.execute(
        select(ReturnWindow)
        .join(Cycle, Cycle.id == ReturnWindow.cycle_id)
        .where(Cycle.region_id == region_id, ReturnWindow.period == str(quarter))
    ).scalar_one_or_none()
    if row is None:
        return None
    return _state(region_id, quarter, row)


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
