"""Each LA's values against its region, England and its statistical neighbours.

A quarter is benchmarked on the LAs' provisional returns; a reporting year (issue 9) on DfE's
published annual figures, through the same statements with the published values as their source.

Aggregates are computed in SQL (the statements are in queries.py); Python only puts
each row's numbers together and reads the direction of travel through the indicator's polarity.
Nothing here applies visibility: callers decide who may see which rows (see export.py).
"""

import functools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import CompoundSelect, bindparam, func, literal_column, select, true, union_all
from sqlalchemy.orm import Session

from app.benchmarks.charts import format_value
from app.benchmarks.figures_version import remembered
from app.benchmarks.published import published_series
from app.benchmarks.queries import (
    england_values,
    latest_values,
    neighbour_codes,
    neighbour_means,
    published_years_statement,
    quartiles,
    region_statement,
)
from app.reference import Indicator, Polarity, get_reference
from app.reference.models import LocalAuthority
from app.returns.periods import Period, Quarter, ReportingYear, trailing

P = TypeVar("P", bound=Period)
SOURCE_NAMES = {"returns": "provisional", "published": "published"}

__all__ = [
    "Benchmark",
    "published_years",
    "TrendPoint",
    "direction_of_travel",
    "published_series",
    "region_benchmark_runs",
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
    # No ordinal rank: the MoU rules out league tables (regions/templates/mou-standard.yaml:44,
    # "The alliance does not publish league tables or rank members against one another").
    quartile: int | None  # 1 = best quarter of the region; None for contextual and two-sided
    england_value: float | None  # latest published annual England value
    england_period: str | None
    statistical_neighbour_mean: float | None  # neighbours with a value for the same quarter
    statistical_neighbour_count: int
    direction: str  # improving | worsening | no_change | increasing | decreasing | not_known
    previous_value: float | None  # the value in the period before
    # Where `value` and the region's aggregates come from: "provisional" quarterly returns or
    # DfE's "published" annual figures. They are never mixed in one row.
    source: str = "provisional"
    # The neighbours' mean of DfE's published figures for the latest year up to this period's
    # reporting year (for a reporting year, that year itself), with the year it describes.
    published_neighbour_mean: float | None = None
    published_neighbour_count: int = 0
    published_neighbour_period: str | None = None
    published_neighbours_text: str | None = None  # "Neighbours 2024-25 (published): 62.1%"


def _published_neighbours_text(
    near: tuple[float, int, str] | None, indicator: Indicator
) -> str | None:
    """The neighbours' published mean labelled with its year and source, worked out once per run."""
    if near is None:
        return None
    # Without "per 10,000 children": the label sits beside a value that names its unit.
    mean = format_value(near[0], indicator.unit, indicator.decimals, with_unit=False)
    return f"Neighbours {near[2]} (published): {mean}"


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


def _latest_published_neighbours(
    session: Session, years: Iterable[str], codes: Sequence[str]
) -> dict[str, dict[tuple[str, str], tuple[float, int, str]]]:
    """For each year: (LA, indicator) -> the neighbours' latest published mean up to that year.

    A quarter's neighbours are mostly in other regions and send no returns, so their published
    annual mean is shown beside the (usually empty) quarterly one, labelled with its year.
    """
    wanted = sorted(set(years))
    if not wanted:
        return {}
    published = [str(y) for y in published_years(session) if str(y) <= wanted[-1]]
    means = neighbour_means(session, published, codes, "published")
    by_year: dict[str, dict[tuple[str, str], tuple[float, int, str]]] = {}
    for year in wanted:
        found: dict[tuple[str, str], tuple[float, int, str]] = {}
        # Oldest first, so a later year with a mean replaces an earlier one.
        for (period, code, indicator_id), (mean, count) in sorted(means.items()):
            if period <= year and mean is not None and count:
                found[(code, indicator_id)] = (mean, count, period)
        by_year[year] = found
    return by_year


def published_years(session: Session) -> list[ReportingYear]:
    """The reporting years for which DfE published values are loaded, newest first."""
    found = remembered(
        session,
        ("published-years",),
        lambda: tuple(ReportingYear.parse(p) for p in session.scalars(published_years_statement())),
    )
    return list(found)


def region_benchmarks(
    session: Session, region_id: str, period: Period, *, las: Collection[str] | None = None
) -> list[Benchmark]:
    """One row per LA x indicator; aggregates over every LA of the region with a value.

    A quarter is benchmarked on the provisional returns, a reporting year on DfE's published
    annual figures.
    """
    return region_benchmark_runs(session, region_id, [period], las=las)[period]


def region_benchmark_runs(
    session: Session,
    region_id: str,
    periods: Sequence[P],
    *,
    las: Collection[str] | None = None,
) -> dict[P, list[Benchmark]]:
    """region_benchmarks for several periods of one kind at once, remembered until the figures
    change."""
    key = (
        "region",
        region_id,
        tuple(sorted({(type(p).__name__, str(p)) for p in periods})),
        None if las is None else frozenset(las),
    )
    runs = remembered(session, key, lambda: _region_runs(session, region_id, periods, las))
    return {p: list(runs[p]) for p in periods}


def _region_runs(
    session: Session,
    region_id: str,
    periods: Sequence[P],
    las: Collection[str] | None,
) -> dict[P, list[Benchmark]]:
    """region_benchmarks for several periods at once, in four statements whatever their number.

    The dashboard needs the quarter shown and the quarters a worsening run looks back over; one
    statement returns all their values with the region's aggregates, one the neighbours' means,
    one their latest published means and one England's published values. A reporting year runs
    the same statements over the published figures.
    """
    reference = get_reference()
    region = reference.regions[region_id]
    region_codes = sorted(la.code for la in region.local_authorities)
    wanted = sorted(
        (la for la in region.local_authorities if las is None or la.code in las),
        key=lambda x: x.name,
    )
    wanted_codes = [la.code for la in wanted]
    indicators = list(reference.indicators.values())
    kinds = {type(p) for p in periods}
    if len(kinds) > 1:
        raise ValueError("Quarters and reporting years are benchmarked apart.")
    source = "published" if kinds == {ReportingYear} else "returns"
    asked = sorted({str(p) for p in periods})
    # The period before each one is read too: direction of travel compares against it.
    read = sorted(set(asked) | {str(p.previous()) for p in periods})
    values: dict[tuple[str, str, str], Any] = {}
    stats: dict[tuple[str, str], Any] = {}
    for r in session.execute(
        region_statement(source), {"periods": read, "region_codes": region_codes}
    ):
        values[(r.period, r.la_code, r.indicator_id)] = r
        if r.n is not None:
            stats[(r.period, r.indicator_id)] = r
    neighbours = neighbour_means(session, asked, wanted_codes, source)
    years = {p.year for p in periods}
    # For a reporting year the neighbours' mean is already the published one, of that year.
    published_near = (
        _latest_published_neighbours(session, years, wanted_codes) if source == "returns" else {}
    )
    england = england_values(session, years)

    result: dict[P, list[Benchmark]] = {}
    for p in periods:
        period, before = str(p), str(p.previous())
        year_england = england.get(p.year, {})
        year_near = published_near.get(p.year, {})
        rows = []
        for la in wanted:
            for indicator in indicators:
                row = values.get((period, la.code, indicator.id))
                stat = stats.get((period, indicator.id))
                prior_row = values.get((before, la.code, indicator.id))
                prior = prior_row.value if prior_row else None
                neighbour = neighbours.get((period, la.code, indicator.id), (None, 0))
                near = year_near.get((la.code, indicator.id))
                if source == "published" and neighbour[0] is not None:
                    near = (neighbour[0], int(neighbour[1]), period)
                eng = year_england.get(indicator.id)
                rows.append(
                    _benchmark(
                        period, la, indicator, row, stat, prior, neighbour, near, eng, source
                    )
                )
        result[p] = rows
    return result


def _benchmark(
    period: str,
    la: LocalAuthority,
    indicator: Indicator,
    row: Any,
    stat: Any,
    prior: float | None,
    neighbour: tuple[float | None, int],
    near: tuple[float, int, str] | None,
    eng: tuple[float, str] | None,
    source: str,
) -> Benchmark:
    """One LA's figure for one indicator in one period, beside its region, neighbours and England."""
    value = row.value if row else None
    median = stat.q2 if stat else None
    sn_mean, sn_count = neighbour
    return Benchmark(
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
        quartile=int(row.quartile) if row and row.quartile is not None else None,
        england_value=eng[0] if eng else None,
        england_period=eng[1] if eng else None,
        statistical_neighbour_mean=sn_mean,
        statistical_neighbour_count=int(sn_count),
        direction=direction_of_travel(indicator.polarity, prior, value, indicator.decimals, median),
        previous_value=prior,
        source=SOURCE_NAMES[source],
        published_neighbour_mean=near[0] if near else None,
        published_neighbour_count=near[1] if near else 0,
        published_neighbour_period=near[2] if near else None,
        published_neighbours_text=_published_neighbours_text(near, indicator),
    )


def trend(
    session: Session,
    la_code: str,
    quarter: Quarter,
    indicator_id: str | None = None,
    count: int = 8,
) -> dict[str, list[TrendPoint]]:
    """The LA's value, region median and neighbours' mean for `count` quarters, oldest first."""
    key = ("trend", la_code, str(quarter), indicator_id, count)
    found = remembered(session, key, lambda: _trend(session, la_code, quarter, indicator_id, count))
    return {i: list(points) for i, points in found.items()}


def _trend(
    session: Session, la_code: str, quarter: Quarter, indicator_id: str | None, count: int
) -> dict[str, list[TrendPoint]]:
    reference = get_reference()
    periods = [str(q) for q in trailing(quarter, count)]
    found: dict[tuple[str, str, str], float | None] = {
        (kind, p, i): v
        for kind, p, i, v in session.execute(
            _trend_statement(la_code, indicator_id), {"periods": periods}
        )
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


@functools.cache
def _trend_statement(la_code: str, indicator_id: str | None) -> CompoundSelect:
    """trend()'s statement for one LA, built once per worker; the periods are bound per call."""
    reference = get_reference()
    region_codes = [la.code for la in reference.region_of(la_code).local_authorities]
    near_codes = neighbour_codes([la_code])
    vals = latest_values(bindparam("periods", expanding=True), set(region_codes) | near_codes)
    scope = vals.c.indicator_id == indicator_id if indicator_id else true()
    own = select(
        literal_column("'la'").label("kind"), vals.c.period, vals.c.indicator_id, vals.c.value
    ).where(vals.c.la_code == la_code, scope)
    in_region = select(vals).where(vals.c.la_code.in_(region_codes), scope).subquery("in_region")
    stats = quartiles(in_region, ["period", "indicator_id"]).subquery("stats")
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
        .where(vals.c.la_code.in_(sorted(near_codes)), vals.c.value.is_not(None), scope)
        .group_by(vals.c.period, vals.c.indicator_id)
    )
    return union_all(own, median, near)
