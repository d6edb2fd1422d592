"""Each LA's quarterly values against its region, England and its statistical neighbours.

Aggregates are computed in SQL with window functions, in a form both SQLite and PostgreSQL run:
SQLite has no percentile functions, so quartiles are read off ROW_NUMBER positions with integer
arithmetic and interpolated linearly between the two neighbouring values (numpy's default).
Nothing here applies visibility: callers decide who may see which rows (see export.py).
"""

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    CTE,
    Float,
    Select,
    case,
    cast,
    func,
    literal_column,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session

from app.indicators.periods import Quarter, trailing
from app.indicators.published import ENGLAND, published_series
from app.models import IndicatorReturn, PublishedValue, ReturnValue
from app.reference import Indicator, Polarity, get_reference

__all__ = [
    "Benchmark",
    "TrendPoint",
    "direction_of_travel",
    "published_series",
    "region_benchmarks",
    "trend",
]


@dataclass(frozen=True)
class Benchmark:
    period: str
    la_code: str
    la_name: str
    indicator_id: str
    value: float | None
    missing_code: str | None
    commentary: str | None
    region_median: float | None
    region_q1: float | None
    region_q3: float | None
    region_count: int  # LAs of the region with a value this period
    region_rank: int | None  # 1 = best by polarity; contextual and two-sided: by value ascending
    quartile: int | None  # 1 = best quarter of the region; None for contextual and two-sided
    england_value: float | None  # latest published annual England value
    england_period: str | None
    statistical_neighbour_mean: float | None  # neighbours with a value for the same quarter
    statistical_neighbour_count: int
    direction: str  # improving | worsening | no_change | increasing | decreasing | not_known
    previous_value: float | None  # the value in the quarter before


@dataclass(frozen=True)
class TrendPoint:
    period: str
    value: float | None
    region_median: float | None
    statistical_neighbour_mean: float | None


def direction_of_travel(
    polarity: Polarity | str,
    previous: float | None,
    current: float | None,
    decimals: int,
    region_median: float | None = None,
) -> str:
    """Which way the value moved since the quarter before, read through the indicator's polarity."""
    if previous is None or current is None:
        return "not_known"
    # Values are returned to `decimals` places: a smaller difference is float noise, not change.
    half_unit = 0.5 * 10**-decimals
    if abs(current - previous) < half_unit:
        return "no_change"
    up = current > previous
    if polarity == Polarity.HIGHER_BETTER:
        return "improving" if up else "worsening"
    if polarity == Polarity.LOWER_BETTER:
        return "worsening" if up else "improving"
    if polarity == Polarity.TWO_SIDED and region_median is not None:
        before, now = abs(previous - region_median), abs(current - region_median)
        if abs(before - now) < half_unit:
            return "no_change"
        return "improving" if now < before else "worsening"
    # Contextual, or two-sided with no region median to move towards: say only which way.
    return "increasing" if up else "decreasing"


def _current(periods: Sequence[str], codes: Iterable[str]) -> CTE:
    """Each LA's values from the latest version of its return for each period."""
    latest = (
        select(
            IndicatorReturn.id,
            IndicatorReturn.organisation_code,
            IndicatorReturn.period,
            func.row_number()
            .over(
                partition_by=[IndicatorReturn.organisation_code, IndicatorReturn.period],
                order_by=IndicatorReturn.version.desc(),
            )
            .label("rn"),
        )
        .where(
            IndicatorReturn.period.in_(list(periods)),
            IndicatorReturn.organisation_code.in_(sorted(set(codes))),
        )
        .subquery("latest")
    )
    return (
        select(
            latest.c.organisation_code.label("la_code"),
            latest.c.period,
            ReturnValue.indicator_id,
            ReturnValue.value,
            ReturnValue.missing_code,
            ReturnValue.commentary,
        )
        .join(ReturnValue, ReturnValue.return_id == latest.c.id)
        .where(latest.c.rn == 1)
        .cte("vals")
    )


def _quartiles(vals: Any, keys: Sequence[str]) -> Select[Any]:
    """n, Q1, median and Q3 of `vals.value` grouped by `keys`, by linear interpolation."""
    parts = [vals.c[k] for k in keys]
    ranked = (
        select(
            *parts,
            vals.c.value,
            func.row_number().over(partition_by=parts, order_by=vals.c.value).label("rn"),
            func.count().over(partition_by=parts).label("n"),
        )
        .where(vals.c.value.is_not(None))
        .subquery("ranked")
    )
    n, rn = ranked.c.n, ranked.c.rn
    stats = []
    for k in (1, 2, 3):
        # Position (n-1)*k/4: integer division gives the lower index on both databases.
        lower = (n - 1) * k // 4
        fraction = func.max(cast((n - 1) * k % 4, Float) / 4.0)
        low = func.max(case((rn - 1 == lower, ranked.c.value)))
        high = func.coalesce(func.max(case((rn - 1 == lower + 1, ranked.c.value))), low)
        stats.append((low + fraction * (high - low)).label(f"q{k}"))
    return select(*[ranked.c[k] for k in keys], func.max(n).label("n"), *stats).group_by(
        *[ranked.c[k] for k in keys]
    )


def _polarity_of(indicator_id: Any, indicators: Iterable[Indicator]) -> Any:
    # A CASE keeps the statement's shape fixed, so SQLAlchemy compiles it once and caches it.
    return case(
        {i.id: i.polarity.value for i in indicators}, value=indicator_id, else_="contextual"
    )


def _england(session: Session, year: str) -> dict[str, tuple[float, str]]:
    """The latest published England value of each indicator up to `year`."""
    ranked = (
        select(
            PublishedValue.indicator_id,
            PublishedValue.period,
            PublishedValue.value,
            func.row_number()
            .over(partition_by=PublishedValue.indicator_id, order_by=PublishedValue.period.desc())
            .label("rn"),
        )
        .where(
            PublishedValue.code == ENGLAND,
            PublishedValue.period <= year,
            PublishedValue.value.is_not(None),
        )
        .subquery()
    )
    found = {
        i: (v, p)
        for i, p, v in session.execute(
            select(ranked.c.indicator_id, ranked.c.period, ranked.c.value).where(ranked.c.rn == 1)
        )
    }
    # Before the published file is loaded, the catalogue's England figures stand in.
    for indicator in get_reference().indicators.values():
        if indicator.id not in found:
            years = [t for t in indicator.england if f"{t - 1}-{t % 100:02d}" <= year]
            if years:
                t = max(years)
                found[indicator.id] = (indicator.england[t], f"{t - 1}-{t % 100:02d}")
    return found


def _neighbour_means(
    session: Session, vals: CTE, period: str, codes: Sequence[str]
) -> dict[tuple[str, str], tuple[float | None, int]]:
    """Each LA's neighbours' mean and count per indicator, in one grouped query."""
    reference = get_reference()
    columns = []
    for index, code in enumerate(codes):
        near = [n.code for n in reference.local_authority(code).statistical_neighbours]
        # One AVG per LA over a CASE keeps the statement's shape fixed, so it is compiled once.
        hit = case((vals.c.la_code.in_(near), vals.c.value))
        columns += [func.avg(hit).label(f"m{index}"), func.count(hit).label(f"c{index}")]
    if not columns:
        return {}
    found: dict[tuple[str, str], tuple[float | None, int]] = {}
    for row in session.execute(
        select(vals.c.indicator_id, *columns)
        .where(vals.c.period == period, vals.c.value.is_not(None))
        .group_by(vals.c.indicator_id)
    ):
        for index, code in enumerate(codes):
            found[(code, row.indicator_id)] = (row[1 + 2 * index], int(row[2 + 2 * index]))
    return found


def _neighbour_codes(codes: Iterable[str]) -> set[str]:
    reference = get_reference()
    return {n.code for c in codes for n in reference.local_authority(c).statistical_neighbours}


def region_benchmarks(
    session: Session, region_id: str, quarter: Quarter, *, las: Collection[str] | None = None
) -> list[Benchmark]:
    """One row per LA x indicator; aggregates over every LA of the region with a value."""
    reference = get_reference()
    region = reference.regions[region_id]
    region_codes = [la.code for la in region.local_authorities]
    wanted = [la for la in region.local_authorities if las is None or la.code in las]
    wanted_codes = [la.code for la in wanted]
    indicators = list(reference.indicators.values())
    period, before = str(quarter), str(quarter.previous())
    vals = _current([period, before], set(region_codes) | _neighbour_codes(wanted_codes))

    this = select(vals).where(vals.c.period == period, vals.c.la_code.in_(region_codes)).cte("cur")
    stats = _quartiles(this, ["indicator_id"]).cte("stats")
    aggregates = {r.indicator_id: r for r in session.execute(select(stats))}

    polarity = _polarity_of(this.c.indicator_id, indicators)
    # Rank best first: higher-better descending, everything else ascending. NULLs get their own
    # partition because SQLite and PostgreSQL sort them at opposite ends.
    direction = case((polarity == Polarity.HIGHER_BETTER.value, -1), else_=1)
    ranked_quartile = case(
        (this.c.value.is_(None), None),
        (
            polarity == Polarity.HIGHER_BETTER.value,
            case(
                (this.c.value >= stats.c.q3, 1),
                (this.c.value >= stats.c.q2, 2),
                (this.c.value >= stats.c.q1, 3),
                else_=4,
            ),
        ),
        (
            polarity == Polarity.LOWER_BETTER.value,
            case(
                (this.c.value <= stats.c.q1, 1),
                (this.c.value <= stats.c.q2, 2),
                (this.c.value <= stats.c.q3, 3),
                else_=4,
            ),
        ),
        else_=None,
    )
    rows = session.execute(
        select(
            this.c.la_code,
            this.c.indicator_id,
            this.c.value,
            this.c.missing_code,
            this.c.commentary,
            case(
                (
                    this.c.value.is_not(None),
                    func.rank().over(
                        partition_by=[this.c.indicator_id, this.c.value.is_(None)],
                        order_by=this.c.value * direction,
                    ),
                )
            ).label("rank"),
            ranked_quartile.label("quartile"),
        )
        .outerjoin(stats, stats.c.indicator_id == this.c.indicator_id)
        .where(this.c.la_code.in_(wanted_codes))
    )
    current = {(r.la_code, r.indicator_id): r for r in rows}

    previous = {
        (r.la_code, r.indicator_id): r.value
        for r in session.execute(
            select(vals.c.la_code, vals.c.indicator_id, vals.c.value).where(
                vals.c.period == before, vals.c.la_code.in_(wanted_codes)
            )
        )
    }
    neighbours = _neighbour_means(session, vals, period, wanted_codes)
    england = _england(session, quarter.year)

    result = []
    for la in sorted(wanted, key=lambda x: x.name):
        for indicator in indicators:
            row = current.get((la.code, indicator.id))
            stat = aggregates.get(indicator.id)
            value = row.value if row else None
            median = stat.q2 if stat else None
            prior = previous.get((la.code, indicator.id))
            sn_mean, sn_count = neighbours.get((la.code, indicator.id), (None, 0))
            eng = england.get(indicator.id)
            result.append(
                Benchmark(
                    period=period,
                    la_code=la.code,
                    la_name=la.name,
                    indicator_id=indicator.id,
                    value=value,
                    missing_code=row.missing_code if row else None,
                    commentary=row.commentary if row else None,
                    region_median=median,
                    region_q1=stat.q1 if stat else None,
                    region_q3=stat.q3 if stat else None,
                    region_count=int(stat.n) if stat else 0,
                    region_rank=int(row.rank) if row and row.rank is not None else None,
                    quartile=int(row.quartile) if row and row.quartile is not None else None,
                    england_value=eng[0] if eng else None,
                    england_period=eng[1] if eng else None,
                    statistical_neighbour_mean=sn_mean,
                    statistical_neighbour_count=int(sn_count),
                    direction=direction_of_travel(
                        indicator.polarity, prior, value, indicator.decimals, median
                    ),
                    previous_value=prior,
                )
            )
    return result


def trend(
    session: Session,
    la_code: str,
    quarter: Quarter,
    indicator_id: str | None = None,
    count: int = 8,
) -> dict[str, list[TrendPoint]]:
    """The LA's value, region median and neighbours' mean for `count` quarters, oldest first."""
    reference = get_reference()
    region_codes = [la.code for la in reference.region_of(la_code).local_authorities]
    neighbour_codes = _neighbour_codes([la_code])
    periods = [str(q) for q in trailing(quarter, count)]
    vals = _current(periods, set(region_codes) | neighbour_codes)
    scope = vals.c.indicator_id == indicator_id if indicator_id else true()
    own = select(
        literal_column("'la'").label("kind"), vals.c.period, vals.c.indicator_id, vals.c.value
    ).where(vals.c.la_code == la_code, scope)
    in_region = select(vals).where(vals.c.la_code.in_(region_codes), scope).subquery("in_region")
    stats = _quartiles(in_region, ["period", "indicator_id"]).subquery("stats")
    median = select(
        literal_column("'median'").label("kind"), stats.c.period, stats.c.indicator_id, stats.c.q2
    )
    near = (
        select(
            literal_column("'sn'").label("kind"),
            vals.c.period,
            vals.c.indicator_id,
            func.avg(vals.c.value),
        )
        .where(vals.c.la_code.in_(sorted(neighbour_codes)), vals.c.value.is_not(None), scope)
        .group_by(vals.c.period, vals.c.indicator_id)
    )
    found: dict[tuple[str, str, str], float | None] = {
        (kind, p, i): v for kind, p, i, v in session.execute(union_all(own, median, near))
    }
    ids = [indicator_id] if indicator_id else list(reference.indicators)
    return {
        i: [
            TrendPoint(
                period=p,
                value=found.get(("la", p, i)),
                region_median=found.get(("median", p, i)),
                statistical_neighbour_mean=found.get(("sn", p, i)),
            )
            for p in periods
        ]
        for i in ids
    }
