"""Plausible quarterly indicator values for the demonstration, drawn from published DfE figures.

Each LA's quarters wander a little around its own latest published annual value (England's where
the LA has none), deterministically, so the demo reads like a real region. Two patterns are put
in on purpose so the early-warning signals have something to find: Nottingham's agency social
worker rate climbs quarter on quarter, and Rutland's small numbers are suppressed (DfE code c).
Every return made from these values is marked as demonstration data.
"""

import random
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import PublishedValue
from app.reference import get_reference
from app.returns.periods import Quarter

NOTTINGHAM = "E06000018"
RUTLAND = "E06000017"
_CLIMBING = {
    (NOTTINGHAM, "sw_agency_rate_fte_pct"): 6.0,
    (NOTTINGHAM, "sw_average_caseload_fte"): 1.2,
}
_SUPPRESSED = {(RUTLAND, "cpp_2yrs_plus_pct"), (RUTLAND, "cla_3plus_social_workers_pct")}


def _latest_published(session: Session, codes: Iterable[str]) -> dict[tuple[str, str], float]:
    """(LA code, indicator id) -> the latest published annual value, in one query."""
    rows = session.execute(
        select(
            PublishedValue.code,
            PublishedValue.indicator_id,
            PublishedValue.period,
            PublishedValue.value,
        )
        .where(PublishedValue.code.in_(list(codes)), PublishedValue.value.is_not(None))
        .order_by(PublishedValue.period)
    ).all()
    return {
        (code, indicator): float(value) for code, indicator, _, value in rows if value is not None
    }


def demo_values(
    session: Session, region_id: str, quarters: list[Quarter]
) -> dict[str, dict[str, dict[str, float | str]]]:
    """period -> LA code -> indicator id -> a value, or a DfE missing code."""
    reference = get_reference()
    region = reference.regions[region_id]
    published = _latest_published(session, [la.code for la in region.local_authorities])
    result: dict[str, dict[str, dict[str, float | str]]] = {}
    for step, quarter in enumerate(quarters):
        by_la: dict[str, dict[str, float | str]] = {}
        for la in region.local_authorities:
            values: dict[str, float | str] = {}
            for indicator in reference.indicators.values():
                if (la.code, indicator.id) in _SUPPRESSED:
                    values[indicator.id] = "c"
                    continue
                england = indicator.england[max(indicator.england)] if indicator.england else None
                base = published.get((la.code, indicator.id), england)
                if base is None:
                    base = (indicator.valid_min + indicator.valid_max) / 20
                rng = random.Random(f"{la.code}:{indicator.id}:{quarter}")  # noqa: S311  (demo data)
                wobble = 1 + rng.uniform(-0.06, 0.06)
                climb = _CLIMBING.get((la.code, indicator.id), 0.0) * step
                value = min(max(base * wobble + climb, indicator.valid_min), indicator.valid_max)
                values[indicator.id] = round(value, indicator.decimals)
            by_la[la.code] = values
        result[str(quarter)] = by_la
    return result


def as_long_csv(
    values: dict[str, dict[str, float | str]], commentary: dict[tuple[str, str], str] | None = None
) -> bytes:
    """The plain long CSV (la_code,indicator_id,value,commentary) a data team would upload."""
    lines = ["la_code,indicator_id,value,commentary"]
    for la_code, by_indicator in values.items():
        for indicator_id, value in by_indicator.items():
            note = (commentary or {}).get((la_code, indicator_id), "").replace('"', '""')
            lines.append(
                f'{la_code},{indicator_id},{value},"{note}"'
                if note
                else f"{la_code},{indicator_id},{value},"
            )
    return ("\n".join(lines) + "\n").encode("utf-8")
