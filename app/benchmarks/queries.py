"""The SQL behind service.py: latest values, quartiles and neighbours' means.

Everything is written in a form both SQLite and PostgreSQL run: SQLite has no percentile
functions, so quartiles are read off ROW_NUMBER positions with integer arithmetic and interpolated
linearly between the two neighbouring values (numpy's default).

The statements a dashboard request runs are built once per process and reused with bound
parameters: building and hashing these expression trees cost more than running them, so a fresh
tree per request was most of the time a page took (see bench/indicators.py (d)).
"""

import functools
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    CTE,
    BindParameter,
    Float,
    Select,
    and_,
    bindparam,
    case,
    cast,
    func,
    null,
    select,
)
from sqlalchemy.orm import Session

from app.benchmarks.published import ENGLAND
from app.models import IndicatorReturn, PublishedValue, ReturnValue
from app.reference import Indicator, Polarity, get_reference


def latest_values(
    periods: Sequence[str] | BindParameter[Any], codes: Iterable[str] | BindParameter[Any]
) -> CTE:
    """Each LA's values from the latest version of its return for each period."""
    code_list = codes if isinstance(codes, BindParameter) else sorted(set(codes))
    period_list = periods if isinstance(periods, BindParameter) else list(periods)
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
            IndicatorReturn.period.in_(period_list),
            IndicatorReturn.organisation_code.in_(code_list),
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


def published_values(
    periods: Sequence[str] | BindParameter[Any], codes: Iterable[str] | BindParameter[Any]
) -> CTE:
    """Each LA's DfE published annual values, in the same columns as latest_values.

    Published figures carry no commentary; a suppressed one keeps its typed missing code.
    """
    code_list = codes if isinstance(codes, BindParameter) else sorted(set(codes))
    period_list = periods if isinstance(periods, BindParameter) else list(periods)
    return (
        select(
            PublishedValue.code.label("la_code"),
            PublishedValue.period,
            PublishedValue.indicator_id,
            PublishedValue.value,
            PublishedValue.missing_code,
            null().label("commentary"),
        )
        .where(
            PublishedValue.level == "la",
            PublishedValue.period.in_(period_list),
            PublishedValue.code.in_(code_list),
        )
        .cte("vals")
    )


# Where the values come from: provisional quarterly returns, or DfE's published annual figures.
SOURCES = {"returns": latest_values, "published": published_values}


def quartiles(vals: Any, keys: Sequence[str]) -> Select[Any]:
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


def polarity_of(indicator_id: Any, indicators: Iterable[Indicator]) -> Any:
    # A CASE keeps the statement's shape fixed, so SQLAlchemy compiles it once and caches it.
    return case(
        {i.id: i.polarity.value for i in indicators}, value=indicator_id, else_="contextual"
    )


def neighbour_codes(codes: Iterable[str]) -> set[str]:
    reference = get_reference()
    return {n.code for c in codes for n in reference.local_authority(c).statistical_neighbours}


@functools.cache
def region_statement(source: str = "returns") -> Select[Any]:
    """Every region LA's values for `:periods`, with the region's quartiles and each LA's quartile.

    One statement serves the quarter shown, the quarter before (direction of travel) and the
    earlier quarters a worsening run looks at: aggregates are grouped by period. `source` says
    whether the values are the quarterly returns or the published annual figures; the
    aggregates are the same either way.
    """
    vals = SOURCES[source](
        bindparam("periods", expanding=True), bindparam("region_codes", expanding=True)
    )
    stats = quartiles(vals, ["period", "indicator_id"]).cte("stats")
    polarity = polarity_of(vals.c.indicator_id, get_reference().indicators.values())
    higher_better = polarity == Polarity.HIGHER_BETTER.value
    lower_better = polarity == Polarity.LOWER_BETTER.value
    value = vals.c.value
    quartile = case(
        (value.is_(None), None),
        (
            higher_better,
            case((value >= stats.c.q3, 1), (value >= stats.c.q2, 2), (value >= stats.c.q1, 3), else_=4),
        ),
        (
            lower_better,
            case((value <= stats.c.q1, 1), (value <= stats.c.q2, 2), (value <= stats.c.q3, 3), else_=4),
        ),
        else_=None,
    )  # fmt: skip
    return select(
        vals.c.period,
        vals.c.la_code,
        vals.c.indicator_id,
        value,
        vals.c.missing_code,
        vals.c.commentary,
        quartile.label("quartile"),
        stats.c.n,
        stats.c.q1,
        stats.c.q2,
        stats.c.q3,
    ).outerjoin(
        stats, and_(stats.c.period == vals.c.period, stats.c.indicator_id == vals.c.indicator_id)
    )


@functools.lru_cache(maxsize=256)
def neighbour_statement(codes: tuple[str, ...], source: str = "returns") -> Select[Any]:
    """Each of `codes`' neighbours' mean and count per period and indicator, in one grouped query.

    Columns m0, c0, m1, c1, ... follow `codes`. Cached per set of LAs and source, as the
    neighbour lists are fixed for the life of the process.
    """
    reference = get_reference()
    vals = SOURCES[source](bindparam("periods", expanding=True), neighbour_codes(codes))
    columns = []
    for index, code in enumerate(codes):
        near = [n.code for n in reference.local_authority(code).statistical_neighbours]
        # One AVG per LA over a CASE keeps it to one pass over the neighbours' values.
        hit = case((vals.c.la_code.in_(near), vals.c.value))
        columns += [func.avg(hit).label(f"m{index}"), func.count(hit).label(f"c{index}")]
    return (
        select(vals.c.period, vals.c.indicator_id, *columns)
        .where(vals.c.value.is_not(None))
        .group_by(vals.c.period, vals.c.indicator_id)
    )


@functools.cache
def england_statement() -> Select[str, str, float | None]:
    """Published England values up to `:year`, newest first per indicator."""
    return (
        select(PublishedValue.indicator_id, PublishedValue.period, PublishedValue.value)
        .where(
            PublishedValue.code == ENGLAND,
            PublishedValue.period <= bindparam("year"),
            PublishedValue.value.is_not(None),
        )
        .order_by(PublishedValue.indicator_id, PublishedValue.period.desc())
    )


@functools.cache
def published_years_statement() -> Select[str]:
    """The reporting years for which any LA has a published value, newest first."""
    return (
        select(PublishedValue.period)
        .where(PublishedValue.level == "la", PublishedValue.value.is_not(None))
        .distinct()
        .order_by(PublishedValue.period.desc())
    )


def england_values(
    session: Session, years: Iterable[str]
) -> dict[str, dict[str, tuple[float, str]]]:
    """For each year, the latest published England value of each indicator up to that year."""
    wanted = sorted(set(years))
    if not wanted:
        return {}
    rows = session.execute(england_statement(), {"year": wanted[-1]}).all()
    by_year: dict[str, dict[str, tuple[float, str]]] = {}
    catalogue = get_reference().indicators.values()
    for year in wanted:
        found: dict[str, tuple[float, str]] = {}
        # Rows come newest first per indicator, so the first one up to the year is the latest.
        for indicator_id, period, value in rows:
            if value is not None and period <= year and indicator_id not in found:
                found[indicator_id] = (value, period)
        # Before the published file is loaded, the catalogue's England figures stand in.
        for indicator in catalogue:
            if indicator.id not in found:
                years_in = [t for t in indicator.england if f"{t - 1}-{t % 100:02d}" <= year]
                if years_in:
                    t = max(years_in)
                    found[indicator.id] = (indicator.england[t], f"{t - 1}-{t % 100:02d}")
        by_year[year] = found
    return by_year


def neighbour_means(
    session: Session, periods: Sequence[str], codes: Sequence[str], source: str = "returns"
) -> dict[tuple[str, str, str], tuple[float | None, int]]:
    """(period, LA, indicator) -> the LA's neighbours' mean and count, in one grouped query."""
    if not codes or not periods:
        return {}
    found: dict[tuple[str, str, str], tuple[float | None, int]] = {}
    statement = neighbour_statement(tuple(codes), source)
    for row in session.execute(statement, {"periods": list(periods)}):
        for index, code in enumerate(codes):
            found[(row.period, code, row.indicator_id)] = (
                row[2 + 2 * index],
                int(row[3 + 2 * index]),
            )
    return found
