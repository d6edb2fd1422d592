"""Trend charts as SVG written by our own code: one code path for pages and PDF packs.

Each chart comes with a text alternative and the rows of a data table, because a chart alone
is neither accessible nor easy to quote. Series differ by dash pattern and marker shape, not
colour alone. Every piece of text is escaped with markupsafe.
"""

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 20, 16, 96  # the bottom margin holds the axis labels and legend
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
NO_VALUE = "No value"

_UNIT_AXIS = {
    "percent": "Per cent",
    "rate_per_10k": "Per 10,000 children",
    "ratio": "Ratio",
    "count": "Number",
}


class TrendPointLike(Protocol):
    """What a chart needs of each period (app.benchmarks.service.TrendPoint fits)."""

    @property
    def period(self) -> str: ...
    @property
    def value(self) -> float | None: ...
    @property
    def region_median(self) -> float | None: ...
    @property
    def statistical_neighbour_mean(self) -> float | None: ...


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    dash: str  # stroke-dasharray: the pattern tells the lines apart without colour
    colour: str
    marker: str  # circle, square or diamond
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class EnglandReference:
    """England's published annual figure, drawn as a labelled level line, not as a quarter."""

    label: str  # e.g. "England, published 2024-25"
    value: float


@dataclass(frozen=True)
class ChartTable:
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    svg: Markup
    text_alternative: str
    table: ChartTable


def format_value(value: float | None, unit: str, decimals: int, *, with_unit: bool = True) -> str:
    """A figure as people read it: 31.2%, 512.0 per 10,000 children, 17.4."""
    if value is None:
        return NO_VALUE
    text = f"{value:,.{decimals}f}"
    if unit == "percent":
        return text + "%"
    if unit == "rate_per_10k" and with_unit:
        return text + " per 10,000 children"
    return text


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2 or 5 times a power of ten) covering low to high."""
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks = []
    tick = first
    while tick < high + step * 0.999:
        ticks.append(round(tick, 10))
        tick += step
    return ticks


def _series(points: Sequence[TrendPointLike]) -> tuple[Series, ...]:
    return (
        Series("la", "This LA", "none", "#1d70b8", "circle", tuple(p.value for p in points)),
        Series(
            "region_median",
            "Region median",
            "8 4",
            "#505a5f",
            "square",
            tuple(p.region_median for p in points),
        ),
        Series(
            "statistical_neighbours",
            "Statistical neighbour mean",
            "2 3",
            "#6f72af",
            "diamond",
            tuple(p.statistical_neighbour_mean for p in points),
        ),
    )


def _fmt(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def _path(xs: Sequence[float], ys: Sequence[float | None]) -> str:
    """Line segments that break at a missing value, so a gap is drawn as a gap."""
    parts: list[str] = []
    pen_down = False
    for x, y in zip(xs, ys, strict=True):
        if y is None:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{_fmt(x)} {_fmt(y)}")
        pen_down = True
    return " ".join(parts)


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "circle":
        return f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="4" fill="{colour}"/>'
    if shape == "square":
        return (
            f'<rect x="{_fmt(x - 3.5)}" y="{_fmt(y - 3.5)}" width="7" height="7" fill="{colour}"/>'
        )
    points = f"{_fmt(x)},{_fmt(y - 5)} {_fmt(x + 5)},{_fmt(y)} {_fmt(x)},{_fmt(y + 5)} {_fmt(x - 5)},{_fmt(y)}"
    return f'<polygon points="{points}" fill="{colour}"/>'


def _line_attrs(series: Series) -> str:
    dash = "" if series.dash == "none" else f' stroke-dasharray="{series.dash}"'
    width = 3 if series.key == "la" else 2
    return f'fill="none" stroke="{series.colour}" stroke-width="{width}"{dash}'


def _text_alternative(
    title: str,
    points: Sequence[TrendPointLike],
    unit: str,
    decimals: int,
    direction: str | None,
    england: "EnglandReference | None",
) -> str:
    known = [p for p in points if p.value is not None]
    if not known:
        return f"{title}: no values for the periods shown."
    latest = known[-1]
    sentence = f"{title}: {format_value(latest.value, unit, decimals)} in {latest.period}"
    if len(known) > 1:
        before = known[-2]
        sentence += (
            f", compared with {format_value(before.value, unit, decimals)} in {before.period}"
        )
    if direction:
        sentence += f" ({direction})"
    comparisons = []
    if latest.region_median is not None:
        comparisons.append(f"region median {format_value(latest.region_median, unit, decimals)}")
    if latest.statistical_neighbour_mean is not None:
        comparisons.append(
            "statistical neighbour mean "
            + format_value(latest.statistical_neighbour_mean, unit, decimals)
        )
    text = sentence + "."
    if comparisons:
        text += f" In {latest.period}: " + " and ".join(comparisons) + "."
    if england is not None:
        text += f" {england.label}: {format_value(england.value, unit, decimals)}."
    return text


def _table(
    title: str, points: Sequence[TrendPointLike], series: Sequence[Series], unit: str, decimals: int
) -> ChartTable:
    rows = tuple(
        (point.period, *(format_value(s.values[i], unit, decimals) for s in series))
        for i, point in enumerate(points)
    )
    return ChartTable(
        caption=f"{title}: values by quarter",
        headers=("Quarter", *(s.label for s in series)),
        rows=rows,
    )


def trend_chart(
    points: Sequence[TrendPointLike],
    *,
    title: str,
    unit: str,
    decimals: int,
    direction: str | None = None,
    england: EnglandReference | None = None,
    chart_id: str = "chart",
) -> Chart:
    """An LA's trend against the region median and its statistical neighbours, as SVG.

    Equal inputs draw equal charts, so a worker remembers the last few thousand: an LA profile
    draws twenty, and its figures change once a quarter.
    """
    args = (tuple(points), title, unit, decimals, direction, england, chart_id)
    try:
        return _remembered_chart(*args)
    except TypeError:  # points that cannot be hashed: draw them afresh
        return _trend_chart(*args)


def _legend(series: Sequence[Series], england: EnglandReference | None) -> list[str]:
    """The chart's key: a sample of each line, and England's dashed line when drawn."""
    out = ['<g class="app-chart__legend">']
    legend_y = HEIGHT - 40
    for i, s in enumerate(series):
        x = 20 + i * 190
        out.append(
            f'<line x1="{x}" x2="{x + 32}" y1="{legend_y}" y2="{legend_y}" {_line_attrs(s)}/>'
            + _marker(s.marker, x + 16, legend_y, s.colour)
            + f'<text x="{x + 40}" y="{legend_y + 4}" fill="#0b0c0c">{escape(s.label)}</text>'
        )
    if england is not None:
        x, y2 = 20, legend_y + 20
        out.append(
            f'<line x1="{x}" x2="{x + 32}" y1="{y2}" y2="{y2}" stroke="#0b0c0c" '
            f'stroke-width="1.5" stroke-dasharray="12 3 2 3"/>'
            f'<text x="{x + 40}" y="{y2 + 4}" fill="#0b0c0c">{escape(england.label)}</text>'
        )
    return out


def _period_labels(xs: Sequence[float], points: Sequence[TrendPointLike]) -> list[str]:
    """Each period under its point: the quarter, with its year beneath."""
    out = ['<g class="app-chart__periods">']
    for x, point in zip(xs, points, strict=True):
        year, _, quarter = point.period.rpartition(" ")
        out.append(
            f'<text x="{_fmt(x)}" y="{TOP + PLOT_H + 18}" text-anchor="middle" fill="#0b0c0c">'
            f'<tspan x="{_fmt(x)}">{escape(quarter or point.period)}</tspan>'
            f'<tspan x="{_fmt(x)}" dy="14">{escape(year)}</tspan></text>'
        )
    out.append("</g>")
    return out


def _trend_chart(
    points: Sequence[TrendPointLike],
    title: str,
    unit: str,
    decimals: int,
    direction: str | None,
    england: EnglandReference | None,
    chart_id: str,
) -> Chart:
    series = _series(points)
    text_alternative = _text_alternative(title, points, unit, decimals, direction, england)
    table = _table(title, points, series, unit, decimals)
    values = [v for s in series for v in s.values if v is not None]
    if england is not None:
        values.append(england.value)
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    # A zero baseline where the data sits near it; otherwise zoom in so a change can be seen.
    if low >= 0 and low < (high - low):
        low = 0.0
    ticks = nice_ticks(low, high)
    y_low, y_high = ticks[0], ticks[-1]
    count = max(len(points), 1)
    step = PLOT_W / count
    xs = [LEFT + step * (i + 0.5) for i in range(len(points))]

    def y_of(value: float) -> float:
        return TOP + PLOT_H - (value - y_low) / (y_high - y_low) * PLOT_H

    cid = escape(chart_id)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-labelledby="{cid}-title" aria-describedby="{cid}-desc" '
        f'font-family="arial, sans-serif" font-size="12">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(text_alternative)}</desc>',
        f'<text x="12" y="{TOP + PLOT_H / 2:.0f}" transform="rotate(-90 12 {TOP + PLOT_H / 2:.0f})" '
        f'text-anchor="middle" fill="#0b0c0c">{escape(_UNIT_AXIS.get(unit, ""))}</text>',
        '<g class="app-chart__grid">',
    ]
    for tick in ticks:
        y = y_of(tick)
        label = format_value(tick, unit, 0 if tick == int(tick) else 1, with_unit=False)
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_fmt(y)}" y2="{_fmt(y)}" stroke="#d9dadb"/>'
            f'<text x="{LEFT - 6}" y="{_fmt(y + 4)}" text-anchor="end" fill="#0b0c0c">'
            f"{escape(label)}</text>"
        )
    out.append("</g>")
    out.extend(_period_labels(xs, points))
    if england is not None:
        level = _fmt(y_of(england.value))
        out.append(
            f'<g class="app-chart__england"><line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{level}" '
            f'y2="{level}" stroke="#0b0c0c" stroke-width="1.5" stroke-dasharray="12 3 2 3"/></g>'
        )
    for s in series:
        ys = [None if v is None else y_of(v) for v in s.values]
        out.append(f'<g class="app-chart__series" data-series="{s.key}">')
        out.append(f'<path d="{_path(xs, ys)}" {_line_attrs(s)}/>')
        for x, maybe_y in zip(xs, ys, strict=True):
            if maybe_y is not None:
                out.append(_marker(s.marker, x, maybe_y, s.colour))
        out.append("</g>")
    out.extend(_legend(series, england))
    out.append("</g></svg>")
    # Every piece of text above went through escape(); the rest is markup we wrote.
    return Chart(
        svg=Markup("".join(out)),  # noqa: S704
        text_alternative=text_alternative,
        table=table,
    )


_remembered_chart = functools.lru_cache(maxsize=2048)(lambda *args: _trend_chart(*args))
