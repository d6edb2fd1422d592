"""The data pack's compare-areas chart: a bar per LA, in a fixed order, with its trend beside it.

The LAs stay in alphabetical order whatever their values: the MoU rules out league tables, so
the chart shows where each LA sits against the region median, England and its statistical
neighbours without ranking them. Marks differ by shape and dash, not colour alone, and every
piece of text is escaped with markupsafe.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from app.benchmarks.charts import format_value, nice_ticks

WIDTH = 680
LABEL_W, BAR_X0, BAR_X1 = 150, 160, 452  # LA names, then the bars
VALUE_X, SPARK_X0, SPARK_X1 = 460, 560, 672  # the value as text, then the trend line
TOP, ROW_H, BOTTOM = 24, 22, 50
INK, BAR, MUTED = "#0b0c0c", "#1d70b8", "#505a5f"


@dataclass(frozen=True)
class BarRow:
    la_name: str
    value: float | None
    text: str  # the value as printed, or its missing code
    neighbour_mean: float | None
    trend: tuple[float | None, ...]  # the last quarters, oldest first, ending with this one


@dataclass(frozen=True)
class BarChart:
    svg: Markup
    text_alternative: str


def _n(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def _scale(rows: Sequence[BarRow], marks: Sequence[float | None]) -> list[float]:
    values = [r.value for r in rows] + [r.neighbour_mean for r in rows] + list(marks)
    known = [v for v in values if v is not None]
    low, high = (min(known), max(known)) if known else (0.0, 1.0)
    return nice_ticks(min(low, 0.0), high)


def _spark(trend: Sequence[float | None], y0: float, low: float, high: float) -> str:
    if len(trend) < 2:
        return ""
    step = (SPARK_X1 - SPARK_X0) / (len(trend) - 1)
    span = (high - low) or 1.0
    parts, pen, last = [], False, None
    for i, value in enumerate(trend):
        if value is None:
            pen = False
            continue
        x, y = SPARK_X0 + i * step, y0 + 18 - (value - low) / span * 16
        parts.append(f"{'L' if pen else 'M'}{_n(x)} {_n(y)}")
        pen, last = True, (x, y)
    if not parts:
        return ""
    dot = f'<circle cx="{_n(last[0])}" cy="{_n(last[1])}" r="2.5" fill="{INK}"/>' if last else ""
    return f'<path d="{" ".join(parts)}" fill="none" stroke="{INK}" stroke-width="1.3"/>{dot}'


def _legend(y: float, england_label: str | None) -> list[str]:
    out = [
        f'<rect x="0" y="{y - 9}" width="22" height="10" fill="{BAR}"/>'
        f'<text x="28" y="{y}" fill="{INK}">This quarter</text>',
        f'<line x1="120" x2="120" y1="{y - 11}" y2="{y + 3}" stroke="{INK}" stroke-width="2.5"/>'
        f'<text x="128" y="{y}" fill="{INK}">Region median</text>',
        f'<polygon points="260,{y - 9} 265,{y - 4} 260,{y + 1} 255,{y - 4}" fill="#ffffff" '
        f'stroke="{INK}" stroke-width="1.5"/>'
        f'<text x="272" y="{y}" fill="{INK}">Statistical neighbour mean</text>',
    ]
    if england_label:
        out.append(
            f'<line x1="452" x2="452" y1="{y - 11}" y2="{y + 3}" stroke="{INK}" '
            f'stroke-width="1.5" stroke-dasharray="4 2"/>'
            f'<text x="460" y="{y}" fill="{INK}">{escape(england_label)}</text>'
        )
    return out


def bar_chart(
    rows: Sequence[BarRow],
    *,
    title: str,
    period: str,
    unit: str,
    decimals: int,
    median: float | None,
    england: float | None,
    england_label: str | None,
    trend_periods: Sequence[str],
    chart_id: str,
) -> BarChart:
    """One bar per LA in the order given, with the region median, England and neighbour marks."""
    ticks = _scale(rows, [median, england])
    low, high = ticks[0], ticks[-1]
    height = TOP + ROW_H * len(rows) + BOTTOM
    plot_bottom = TOP + ROW_H * len(rows)

    def x_of(value: float) -> float:
        return BAR_X0 + (value - low) / ((high - low) or 1.0) * (BAR_X1 - BAR_X0)

    known = [v for r in rows for v in r.trend if v is not None]
    t_low, t_high = (min(known), max(known)) if known else (0.0, 1.0)
    text_alternative = _alternative(rows, title, period, unit, decimals, median, england,
                                    england_label, trend_periods)  # fmt: skip
    cid = escape(chart_id)
    first, last = (trend_periods[0], trend_periods[-1]) if trend_periods else ("", "")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart app-bar-chart" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{cid}-title" aria-describedby="{cid}-desc" '
        f'font-family="arial, sans-serif" font-size="12">',
        f'<title id="{cid}-title">{escape(title)}, {escape(period)}</title>',
        f'<desc id="{cid}-desc">{escape(text_alternative)}</desc>',
        f'<text x="{WIDTH - 2}" y="14" text-anchor="end" fill="{MUTED}" font-size="11">'
        f"{escape(first)} to {escape(last)}</text>",
    ]
    for tick in ticks:
        x = _n(x_of(tick))
        label = format_value(tick, unit, 0 if tick == int(tick) else 1, with_unit=False)
        out.append(
            f'<line x1="{x}" x2="{x}" y1="{TOP - 4}" y2="{plot_bottom}" stroke="#d9dadb"/>'
            f'<text x="{x}" y="{plot_bottom + 14}" text-anchor="middle" fill="{INK}">'
            f"{escape(label)}</text>"
        )
    for i, row in enumerate(rows):
        out.extend(_bar_row(row, TOP + i * ROW_H, x_of, low, (t_low, t_high)))
    if median is not None:
        mx = _n(x_of(median))
        out.append(
            f'<line x1="{mx}" x2="{mx}" y1="{TOP - 4}" y2="{plot_bottom}" stroke="{INK}" '
            f'stroke-width="2.5"/>'
        )
    if england is not None:
        ex = _n(x_of(england))
        out.append(
            f'<line x1="{ex}" x2="{ex}" y1="{TOP - 4}" y2="{plot_bottom}" stroke="{INK}" '
            f'stroke-width="1.5" stroke-dasharray="4 2"/>'
        )
    out.extend(_legend(plot_bottom + 38, england_label if england is not None else None))
    out.append("</svg>")
    # Every piece of text above went through escape(); the rest is markup we wrote.
    return BarChart(svg=Markup("".join(out)), text_alternative=text_alternative)  # noqa: S704


def _bar_row(
    row: BarRow,
    y: float,
    x_of: Callable[[float], float],
    low: float,
    trend_range: tuple[float, float],
) -> list[str]:
    """One LA's line: its name, bar, value, neighbours' mark and trend."""
    out = [
        f'<text x="{LABEL_W}" y="{y + 15}" text-anchor="end" fill="{INK}">'
        f"{escape(row.la_name)}</text>"
    ]
    if row.value is not None:
        x0, x1 = x_of(max(low, 0.0)), x_of(row.value)
        out.append(
            f'<rect x="{_n(min(x0, x1))}" y="{y + 5}" width="{_n(abs(x1 - x0))}" '
            f'height="12" fill="{BAR}"/>'
        )
    out.append(f'<text x="{VALUE_X}" y="{y + 15}" fill="{INK}">{escape(row.text)}</text>')
    if row.neighbour_mean is not None:
        nx, ny = x_of(row.neighbour_mean), y + 11
        out.append(
            f'<polygon points="{_n(nx)},{_n(ny - 6)} {_n(nx + 5)},{_n(ny)} {_n(nx)},{_n(ny + 6)} '
            f'{_n(nx - 5)},{_n(ny)}" fill="#ffffff" stroke="{INK}" stroke-width="1.5"/>'
        )
    out.append(_spark(row.trend, y + 2, *trend_range))
    return out


def _alternative(
    rows: Sequence[BarRow],
    title: str,
    period: str,
    unit: str,
    decimals: int,
    median: float | None,
    england: float | None,
    england_label: str | None,
    trend_periods: Sequence[str],
) -> str:
    known = [r.value for r in rows if r.value is not None]
    text = (
        f"{title}, {period}: a bar for each of {len(rows)} local authorities, in alphabetical order"
    )
    if known:
        low = format_value(min(known), unit, decimals)
        high = format_value(max(known), unit, decimals)
        text += f"; values run from {low} to {high}"
    marks = []
    if median is not None:
        marks.append(f"region median {format_value(median, unit, decimals)}")
    if england is not None and england_label:
        marks.append(f"{england_label} {format_value(england, unit, decimals)}")
    if marks:
        text += "; " + " and ".join(marks)
    text += ". Each row marks the LA's statistical neighbour mean"
    if len(trend_periods) > 1:
        text += f" and draws its trend from {trend_periods[0]} to {trend_periods[-1]}"
    return text + ". The table below gives every figure."
