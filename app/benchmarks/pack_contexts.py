"""The dashboard's and LA profile's contexts: plain data that pages and packs both read."""

from dataclasses import dataclass

from app.benchmarks.charts import Chart
from app.benchmarks.figures import Figure
from app.benchmarks.flag_order import FirstFlags
from app.benchmarks.flags import Flag


@dataclass(frozen=True)
class Column:
    indicator_id: str
    name: str
    polarity_text: str
    definition: str
    median_text: str | None
    england_text: str | None
    # The numbers behind the texts, for the data pack's charts.
    polarity: str = ""
    polarity_note: str = ""
    unit: str = ""
    decimals: int = 0
    median: float | None = None
    england: float | None = None
    england_period: str | None = None


@dataclass(frozen=True)
class Row(FirstFlags):
    la_code: str
    la_name: str
    figures: tuple[Figure, ...]
    flags: tuple[Flag, ...]


@dataclass(frozen=True)
class Dashboard:
    region_id: str
    region_name: str
    riia: str
    period: str
    slug: str
    period_label: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    aggregates_visible: bool
    notice: str | None
    periods: tuple[tuple[str, str], ...]  # (slug, label): quarters, then published years
    sort: str
    order: str
    source: str = "provisional"  # or "published": a reporting year of DfE's annual figures


@dataclass(frozen=True)
class IndicatorProfile:
    indicator_id: str
    name: str
    definition: str
    polarity_text: str
    polarity_note: str
    figure: Figure
    region_median_text: str | None
    # The region's quarter in words, never a rank (the MoU forbids league tables).
    quartile_text: str | None
    england_text: str | None
    neighbours_text: str | None
    chart: Chart
    # Where the LA sits in the region's spread, for the profile's spine chart: None when the
    # reader may not see the region yet.
    spread: tuple[float, float, float, float, float] | None = None  # min, q1, median, q3, max
    england: float | None = None
    polarity: str = ""
    omitted: tuple[str, ...] = ()  # quarters left out of the chart: nothing to show for them


@dataclass(frozen=True)
class Profile(FirstFlags):
    region_id: str
    region_name: str
    riia: str
    la_code: str
    la_name: str
    period: str
    slug: str
    period_label: str
    strengths: tuple[tuple[str, str], ...]  # (indicator name, why it is a strength)
    flags: tuple[Flag, ...]
    indicators: tuple[IndicatorProfile, ...]
    aggregates_visible: bool
    notice: str | None
