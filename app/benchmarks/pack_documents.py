"""The data pack and LA profile laid out as documents: plain data the PDF templates print.

The dashboard and profile contexts hold the figures; this module decides what a reader meets
on each page. A data pack opens with the region at a glance (every LA against every indicator),
then strengths, then signatures of risk, then a page per indicator and a page on what the
indicators mean. An LA profile opens with its spine chart, then two indicators a page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.benchmarks.charts import NO_VALUE, Chart, format_value
from app.benchmarks.compare_charts import BarChart, BarRow, bar_chart
from app.benchmarks.figures import FLAG_SYMBOL, QUARTILE_SYMBOLS, QUARTILE_WORDS, Figure
from app.benchmarks.pack_contexts import Column, Dashboard, IndicatorProfile, Profile, Row

POLARITY_SHORT = {
    "higher_better": "Higher is better",
    "lower_better": "Lower is better",
    "two_sided": "Both ends ask a question",
    "contextual": "Demand, not performance",
}
PER_10K = " per 10,000 children"
ENGAGEMENT_WORDS = {"late_return": "Late", "missing_return": "Not received"}


@dataclass(frozen=True)
class GlanceCell:
    text: str  # the value, without its unit (the row says it)
    quartile: int | None
    quartile_symbol: str
    symbol: str  # direction of travel
    flag: str  # FLAG_SYMBOL when a signature of risk names this LA and indicator


@dataclass(frozen=True)
class GlanceRow:
    name: str
    polarity: str
    cells: tuple[GlanceCell, ...]


@dataclass(frozen=True)
class Strengths:
    la_name: str
    best: tuple[str, ...]  # indicators in the region's best quarter
    improving: tuple[str, ...]  # "name (before to now)"


@dataclass(frozen=True)
class IndicatorRow:
    la_name: str
    figure: Figure
    value_text: str  # without the unit: the caption gives it once
    previous_text: str
    neighbours_text: str


@dataclass(frozen=True)
class IndicatorPage:
    column: Column
    chart: BarChart
    rows: tuple[IndicatorRow, ...]


@dataclass(frozen=True)
class DataPackDocument:
    pack: Dashboard
    la_names: tuple[str, ...]  # alphabetical: the order of every table and chart
    glance: tuple[GlanceRow, ...]
    engagement: tuple[str, ...]  # per LA: "", "Late ⚑" or "Not received ⚑"
    strengths: tuple[Strengths, ...]
    # Each flagged LA's row: its most important signatures of risk first (row.top_flags), the
    # rest in the pack's full list, which "and N more" links to.
    risks: tuple[Row, ...]
    pages: tuple[IndicatorPage, ...]
    trend_periods: tuple[str, ...]


def _short(figure: Figure, column: Column) -> str:
    if figure.value is None:
        return figure.text if figure.text != NO_VALUE else "–"
    return format_value(figure.value, column.unit, column.decimals, with_unit=False)


def _improving(figure: Figure, column: Column) -> str | None:
    if figure.direction != "improving" or figure.previous_text is None:
        return None
    if column.polarity == "two_sided":
        return (
            f"{column.name} (closer to the region median, {figure.previous_text} to {figure.text})"
        )
    return f"{column.name} ({figure.previous_text} to {figure.text})"


def _engagement(row: Row) -> str:
    """The return's state in a word: a flag once the window has closed, else whether it is in."""
    for flag in row.flags:
        if flag.rule in ENGAGEMENT_WORDS:
            return f"{ENGAGEMENT_WORDS[flag.rule]} {FLAG_SYMBOL}"
    returned = any(f.value is not None or f.missing_text for f in row.figures)
    return "Received" if returned else "Not yet received"


def data_pack_document(
    pack: Dashboard,
    trend_periods: Sequence[str],
    trends: dict[str, dict[str, tuple[float | None, ...]]],
) -> DataPackDocument:
    """The data pack's pages from the dashboard and each LA's recent values."""
    rows = sorted(pack.rows, key=lambda r: r.la_name)
    glance = tuple(
        GlanceRow(
            name=column.name,
            polarity=POLARITY_SHORT.get(column.polarity, ""),
            cells=tuple(
                GlanceCell(
                    text=_short(f, column),
                    quartile=f.quartile if pack.aggregates_visible else None,
                    quartile_symbol=QUARTILE_SYMBOLS.get(f.quartile or 0, "")
                    if pack.aggregates_visible
                    else "",
                    symbol=f.symbol,
                    flag=FLAG_SYMBOL if f.flagged else "",
                )
                for f in (row.figures[index] for row in rows)
            ),
        )
        for index, column in enumerate(pack.columns)
    )
    engagement = tuple(_engagement(row) for row in rows)
    strengths = []
    for row in rows:
        pairs = list(zip(pack.columns, row.figures, strict=True))
        best = tuple(c.name for c, f in pairs if f.quartile == 1 and pack.aggregates_visible)
        improving = tuple(t for c, f in pairs if (t := _improving(f, c)))
        if best or improving:
            strengths.append(Strengths(row.la_name, best, improving))
    pages = [
        _indicator_page(pack, rows, index, column, trend_periods, trends)
        for index, column in enumerate(pack.columns)
    ]
    return DataPackDocument(
        pack=pack,
        la_names=tuple(r.la_name for r in rows),
        glance=glance,
        engagement=engagement,
        strengths=tuple(strengths),
        risks=tuple(r for r in rows if r.flags),
        pages=tuple(pages),
        trend_periods=tuple(trend_periods),
    )


def _indicator_page(
    pack: Dashboard,
    rows: Sequence[Row],
    index: int,
    column: Column,
    trend_periods: Sequence[str],
    trends: dict[str, dict[str, tuple[float | None, ...]]],
) -> IndicatorPage:
    """One indicator's page of the data pack: every LA's bar, with its trend, and the table."""
    figures = [(row, row.figures[index]) for row in rows]
    chart = bar_chart(
        [
            BarRow(
                la_name=row.la_name,
                value=f.value,
                text=_short(f, column),
                neighbour_mean=f.neighbour_mean if pack.aggregates_visible else None,
                trend=trends.get(row.la_code, {}).get(column.indicator_id, ()),
            )
            for row, f in figures
        ],
        title=column.name,
        period=pack.period,
        unit=column.unit,
        decimals=column.decimals,
        median=column.median,
        england=column.england,
        england_label=f"England {column.england_period}" if column.england_period else None,
        trend_periods=trend_periods,
        chart_id=f"bars-{column.indicator_id}",
    )
    return IndicatorPage(
        column=column,
        chart=chart,
        rows=tuple(
            IndicatorRow(
                la_name=row.la_name,
                figure=f,
                value_text=_short(f, column),
                previous_text=(f.previous_text or "–").removesuffix(PER_10K),
                neighbours_text=format_value(
                    f.neighbour_mean, column.unit, column.decimals, with_unit=False
                )
                if f.neighbour_mean is not None and pack.aggregates_visible
                else "–",
            )
            for row, f in figures
        ),
    )


@dataclass(frozen=True)
class Spine:
    """Positions along the spine, in per cent of its width; better is always to the right."""

    low: float
    width: float
    q1: float
    middle: float
    median: float
    value: float | None
    england: float | None


@dataclass(frozen=True)
class SpineRow:
    name: str
    polarity: str
    value_text: str
    median_text: str
    england_text: str
    quartile_symbol: str
    quartile_words: str
    symbol: str
    flag: str
    spine: Spine | None


@dataclass(frozen=True)
class ProfileItem:
    item: IndicatorProfile
    chart: Chart
    # The chart's table turned on its side: a row per series, a column per quarter.
    quarters: tuple[str, ...]
    series: tuple[tuple[str, tuple[str, ...]], ...]
    omitted: tuple[str, ...]  # quarters left out for this indicator beyond those left out for all


@dataclass(frozen=True)
class ProfileDocument:
    pack: Profile
    spine: tuple[SpineRow, ...]
    pages: tuple[tuple[ProfileItem, ...], ...]  # two indicators a page
    omitted_everywhere: tuple[str, ...]


def _spine(item: IndicatorProfile) -> Spine | None:
    if item.spread is None:
        return None
    low, q1, median, q3, high = item.spread
    marks = [v for v in (low, high, item.figure.value, item.england) if v is not None]
    lo, hi = min(marks), max(marks)
    span = (hi - lo) or 1.0
    flip = item.polarity == "lower_better"

    def at(v: float) -> float:
        share = (v - lo) / span * 100
        return round(100 - share if flip else share, 1)

    left, right = sorted((at(low), at(high)))
    q_left, q_right = sorted((at(q1), at(q3)))
    return Spine(
        low=left,
        width=round(right - left, 1),
        q1=q_left,
        middle=round(q_right - q_left, 1),
        median=at(median),
        value=None if item.figure.value is None else at(item.figure.value),
        england=None if item.england is None else at(item.england),
    )


def _dash(cell: str) -> str:
    return "–" if cell == NO_VALUE else cell


def profile_document(pack: Profile) -> ProfileDocument:
    """The LA profile's pages from its context."""
    everywhere = (
        set.intersection(*(set(i.omitted) for i in pack.indicators)) if pack.indicators else set()
    )
    spine = tuple(
        SpineRow(
            name=i.name,
            polarity=POLARITY_SHORT.get(i.polarity, ""),
            value_text=i.figure.text,
            median_text=i.region_median_text or "–",
            england_text=(i.england_text or "–").split(" (published")[0],
            quartile_symbol=QUARTILE_SYMBOLS.get(i.figure.quartile or 0, "")
            if pack.aggregates_visible
            else "",
            quartile_words=QUARTILE_WORDS.get(i.figure.quartile or 0, "")
            if pack.aggregates_visible
            else "",
            symbol=i.figure.symbol,
            flag=FLAG_SYMBOL if i.figure.flagged else "",
            spine=_spine(i),
        )
        for i in pack.indicators
    )
    items = [
        ProfileItem(
            item=i,
            chart=i.chart,
            quarters=tuple(row[0] for row in i.chart.table.rows),
            series=tuple(
                (header, tuple(_dash(row[n]) for row in i.chart.table.rows))
                for n, header in enumerate(i.chart.table.headers)
                if n > 0 and any(row[n] != NO_VALUE for row in i.chart.table.rows)
            ),
            omitted=tuple(p for p in i.omitted if p not in everywhere),
        )
        for i in pack.indicators
    ]
    return ProfileDocument(
        pack=pack,
        spine=spine,
        pages=tuple(tuple(items[n : n + 2]) for n in range(0, len(items), 2)),
        omitted_everywhere=tuple(sorted(everywhere)),
    )
