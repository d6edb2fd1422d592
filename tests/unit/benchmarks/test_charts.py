"""Trend charts: exact SVG structure, gaps for missing values, escaped text, text alternative."""

import xml.etree.ElementTree as ET
from dataclasses import replace

from app.benchmarks.charts import (
    EnglandReference,
    format_value,
    nice_ticks,
    trend_chart,
)
from app.benchmarks.figures import figure, strength
from app.benchmarks.service import Benchmark, TrendPoint
from app.reference import get_reference

SVG = "{http://www.w3.org/2000/svg}"
POINTS = [
    TrendPoint("2025-26 Q3", 20.0, 18.0, 17.0),
    TrendPoint("2025-26 Q4", None, 18.5, None),
    TrendPoint("2026-27 Q1", 31.2, 19.0, 17.5),
    TrendPoint("2026-27 Q2", 30.0, 19.5, 18.0),
]


def _chart(**kwargs: object):  # type: ignore[no-untyped-def]
    options = {"title": "Agency social worker rate (FTE)", "unit": "percent", "decimals": 1}
    options.update(kwargs)
    return trend_chart(POINTS, **options)  # type: ignore[arg-type]


def _series(root: ET.Element, key: str) -> ET.Element:
    found = root.find(f".//{SVG}g[@data-series='{key}']")
    assert found is not None
    return found


def test_the_svg_is_an_accessible_image_with_three_series_and_a_legend() -> None:
    chart = _chart(chart_id="agency")
    root = ET.fromstring(str(chart.svg))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "agency-title"
    assert root.find(f"{SVG}title").text == "Agency social worker rate (FTE)"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == chart.text_alternative  # type: ignore[union-attr]
    keys = [g.get("data-series") for g in root.iter(f"{SVG}g") if g.get("data-series")]
    assert keys == ["la", "region_median", "statistical_neighbours"]
    legend = root.find(f".//{SVG}g[@class='app-chart__legend']")
    assert [t.text for t in legend.iter(f"{SVG}text")] == [  # type: ignore[union-attr]
        "This LA",
        "Region median",
        "Statistical neighbour mean",
    ]
    periods = root.find(f".//{SVG}g[@class='app-chart__periods']")
    labels = ["".join(t.itertext()) for t in periods.findall(f"{SVG}text")]  # type: ignore[union-attr]
    assert labels == ["Q32025-26", "Q42025-26", "Q12026-27", "Q22026-27"]


def test_lines_differ_by_dash_pattern_not_colour_alone() -> None:
    root = ET.fromstring(str(_chart().svg))
    dashes = [
        _series(root, k).find(f"{SVG}path").get("stroke-dasharray")
        for k in ("la", "region_median", "statistical_neighbours")
    ]  # type: ignore[union-attr]
    assert dashes == [None, "8 4", "2 3"]


def test_a_missing_value_makes_a_gap_and_has_no_marker() -> None:
    root = ET.fromstring(str(_chart().svg))
    la = _series(root, "la")
    path = la.find(f"{SVG}path").get("d")  # type: ignore[union-attr]
    # Two segments: the lone first point, then a line from Q1 to Q2.
    assert path.count("M") == 2 and path.count("L") == 1  # type: ignore[union-attr]
    assert len(la.findall(f"{SVG}circle")) == 3
    median = _series(root, "region_median").find(f"{SVG}path").get("d")  # type: ignore[union-attr]
    assert median.count("M") == 1 and median.count("L") == 3  # type: ignore[union-attr]
    neighbours = _series(root, "statistical_neighbours")
    assert len(neighbours.findall(f"{SVG}polygon")) == 3


def test_text_is_escaped() -> None:
    chart = trend_chart(
        [TrendPoint("<Q1>", 1.0, None, None)],
        title='<script>alert("x")</script> & co',
        unit="count",
        decimals=0,
        chart_id='a"b',
    )
    assert "<script>" not in chart.svg and "&lt;script&gt;" in chart.svg
    assert "&amp; co" in chart.svg and "&lt;Q1&gt;" in chart.svg
    assert 'id="a&#34;b-title"' in chart.svg
    ET.fromstring(str(chart.svg))  # still well-formed


def test_text_alternative_and_table() -> None:
    chart = _chart(
        direction="worsening", england=EnglandReference("England, published 2024-25", 16.0)
    )
    assert chart.text_alternative == (
        "Agency social worker rate (FTE): 30.0% in 2026-27 Q2, compared with 31.2% in "
        "2026-27 Q1 (worsening). In 2026-27 Q2: region median 19.5% and statistical neighbour "
        "mean 18.0%. England, published 2024-25: 16.0%."
    )
    assert chart.table.headers == (
        "Quarter",
        "This LA",
        "Region median",
        "Statistical neighbour mean",
    )
    assert chart.table.rows[1] == ("2025-26 Q4", "No value", "18.5%", "No value")
    assert len(chart.table.rows) == 4
    assert 'class="app-chart__england"' in chart.svg


def test_no_values_at_all() -> None:
    chart = trend_chart(
        [TrendPoint("2026-27 Q1", None, None, None)], title="Caseload", unit="ratio", decimals=1
    )
    assert chart.text_alternative == "Caseload: no values for the periods shown."
    ET.fromstring(str(chart.svg))


def test_formatting_and_ticks() -> None:
    assert format_value(31.24, "percent", 1) == "31.2%"
    assert format_value(512.0, "rate_per_10k", 1) == "512.0 per 10,000 children"
    assert format_value(17.44, "ratio", 1) == "17.4"
    assert format_value(None, "ratio", 1) == "No value"
    assert nice_ticks(0, 31.2) == [0, 10, 20, 30, 40]
    assert nice_ticks(61, 88) == [60, 70, 80, 90]


def _benchmark(indicator_id: str, direction: str) -> Benchmark:
    return Benchmark(
        period="2026-27 Q1", la_code="E06000015", la_name="Derby", indicator_id=indicator_id,
        value=31.0, missing_code=None, commentary=None, region_median=22.0, region_q1=None,
        region_q3=None, region_count=10, quartile=None, england_value=None,
        england_period=None, statistical_neighbour_mean=None, statistical_neighbour_count=0,
        direction=direction, previous_value=27.0,
    )  # fmt: skip


def test_a_two_sided_direction_is_read_against_the_region_median() -> None:
    indicators = get_reference().indicators
    two_sided = indicators["rereferrals_within_12m_pct"]
    away = figure(_benchmark(two_sided.id, "worsening"), two_sided, False)
    back = figure(_benchmark(two_sided.id, "improving"), two_sided, False)
    assert away.direction_text == "Further from the region median"
    assert back.direction_text == "Closer to the region median"
    lower = indicators["sw_agency_rate_fte_pct"]
    assert figure(_benchmark(lower.id, "worsening"), lower, False).direction_text == "Worsening"


def test_a_two_sided_strength_is_closer_to_the_median_not_improving() -> None:
    two_sided = get_reference().indicators["rereferrals_within_12m_pct"]
    closer = replace(_benchmark(two_sided.id, "improving"), value=23.0, previous_value=27.0)
    assert strength(closer, two_sided, aggregates=False) == (
        "Closer to the region median, from 27.0% to 23.0%"
    )
