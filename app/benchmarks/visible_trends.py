"""Trends over the last quarters, with each quarter's figures only where the reader may see them."""

from dataclasses import replace
from datetime import date

from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.benchmarks.service import TrendPoint, trend
from app.reference import get_reference
from app.returns.periods import Quarter, trailing
from app.returns.visibility import can_see_la, can_see_region
from app.returns.windows import read_windows, window_state

TREND_QUARTERS = 8


def visible_trend(
    session: Session, principal: Principal, la_code: str, quarter: Quarter, on: date
) -> dict[str, list[TrendPoint]]:
    """One LA's trend; the region's medians and neighbour means only where the region is seen."""
    region_id = get_reference().region_of(la_code).id
    quarters = trailing(quarter, TREND_QUARTERS)
    read_windows(session, region_id, quarters)
    shown = {
        str(q): can_see_region(principal, region_id, window_state(session, region_id, q), on)
        for q in quarters
    }
    return {
        indicator_id: [
            p
            if shown.get(p.period, False)
            else replace(p, region_median=None, statistical_neighbour_mean=None)
            for p in points
        ]
        for indicator_id, points in trend(session, la_code, quarter).items()
    }


def region_trend_values(
    session: Session,
    principal: Principal,
    region_id: str,
    la_codes: list[str],
    quarter: Quarter,
    on: date,
) -> tuple[tuple[str, ...], dict[str, dict[str, tuple[float | None, ...]]]]:
    """The quarters shown, and each LA's values per indicator over them, where the reader may see them."""
    quarters = trailing(quarter, TREND_QUARTERS)
    read_windows(session, region_id, quarters)
    windows = {str(q): window_state(session, region_id, q) for q in quarters}
    values: dict[str, dict[str, tuple[float | None, ...]]] = {}
    for code in la_codes:
        seen = {p: can_see_la(principal, code, w, on) for p, w in windows.items()}
        values[code] = {
            indicator_id: tuple(p.value if seen.get(p.period) else None for p in points)
            for indicator_id, points in trend(session, code, quarter).items()
        }
    return tuple(str(q) for q in quarters), values
