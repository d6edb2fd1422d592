"""The rules that read the figures: thresholds, a two-sided indicator's sensible range, the
region's worst quartile and a worsening run. Each needs a real change, larger than the
indicator's tolerance in core_indicators.yaml, so a wobble such as 5.4% to 5.8% turnover raises
nothing (issue 10: warn early, rarely cry wolf).
"""

from collections.abc import Iterable, Sequence

from app.benchmarks.figures import quartile_words
from app.benchmarks.flag_rules import FlagRules
from app.benchmarks.flag_types import Flag, figure_text, limit_text
from app.benchmarks.service import Benchmark
from app.reference import Indicator, Polarity, get_reference

_POLARITY_WORDS = {"higher_better": "higher is better", "lower_better": "lower is better"}


def worse_by(indicator: Indicator, value: float, reference: float) -> float:
    """How far `value` is on the worse side of `reference` (negative when better)."""
    if indicator.polarity == Polarity.HIGHER_BETTER:
        return reference - value
    return value - reference


def outside_by(indicator: Indicator, value: float) -> float:
    """How far a two-sided value lies outside its sensible range (0 inside it)."""
    band = indicator.sensible_range
    if band is None:
        return 0.0
    return max(band.low - value, value - band.high, 0.0)


def threshold_flags(rules: FlagRules, benchmarks: Iterable[Benchmark]) -> list[Flag]:
    """A value strictly beyond one of the region's thresholds."""
    indicators = get_reference().indicators
    flags = []
    for b in benchmarks:
        if b.value is None:
            continue
        indicator = indicators[b.indicator_id]
        for threshold in rules.thresholds_for(b.indicator_id):
            if not threshold.breached_by(b.value):
                continue
            limit = limit_text(indicator, threshold.limit)
            flags.append(
                Flag(
                    la_code=b.la_code,
                    indicator_id=b.indicator_id,
                    rule="threshold",
                    title=f"{indicator.name} {threshold.side} the region's threshold",
                    explanation=(
                        f"{indicator.name} was {figure_text(indicator, b.value)} in {b.period}, "
                        f"{threshold.side} the region's threshold of {limit}. {threshold.why}"
                    ),
                    numbers={"value": b.value, threshold.side: threshold.limit},
                    severity=abs(b.value - threshold.limit) / indicator.tolerance,
                )
            )
    return flags


def range_flags(rules: FlagRules, benchmarks: Iterable[Benchmark]) -> list[Flag]:
    """A two-sided value outside its sensible range, on either side: both ends ask a question."""
    if not rules.outside_range.enabled:
        return []
    indicators = get_reference().indicators
    flags = []
    for b in benchmarks:
        indicator = indicators[b.indicator_id]
        band = indicator.sensible_range
        if b.value is None or band is None or not outside_by(indicator, b.value):
            continue
        side = "below" if b.value < band.low else "above"
        low, high = limit_text(indicator, band.low), limit_text(indicator, band.high)
        flags.append(
            Flag(
                la_code=b.la_code,
                indicator_id=b.indicator_id,
                rule="outside_range",
                title=f"{indicator.name} {side} its usual range",
                explanation=(
                    f"{indicator.name} was {figure_text(indicator, b.value)} in {b.period}, "
                    f"{side} its usual range of {low} to {high}. A very high and a very low "
                    "figure both deserve a question."
                ),
                numbers={"value": b.value, "low": band.low, "high": band.high},
                severity=outside_by(indicator, b.value) / indicator.tolerance,
            )
        )
    return flags


def worst_quartile_flags(rules: FlagRules, benchmarks: Iterable[Benchmark]) -> list[Flag]:
    """In the region's worst quarter and clearly worse than the middle: beyond both the region
    median and England's published figure by `min_tolerances` of the indicator's tolerances, so
    the lowest few of a region that does well are not flagged by construction."""
    if not rules.worst_quartile.enabled:
        return []
    indicators = get_reference().indicators
    flags = []
    for b in benchmarks:
        if (
            b.quartile != 4
            or b.value is None
            or b.region_median is None
            or b.region_count < rules.worst_quartile.min_region_count
        ):
            continue
        indicator = indicators[b.indicator_id]
        gap = worse_by(indicator, b.value, b.region_median)
        england = b.england_value
        least = rules.worst_quartile.min_tolerances * indicator.tolerance
        if gap <= least or (england is not None and worse_by(indicator, b.value, england) <= least):
            continue
        median = figure_text(indicator, b.region_median)
        england_text = (
            f"; England {figure_text(indicator, england)} in {b.england_period}"
            if england is not None
            else ""
        )
        flags.append(
            Flag(
                la_code=b.la_code,
                indicator_id=b.indicator_id,
                rule="worst_quartile",
                title=f"{indicator.name} in the region's worst quartile",
                explanation=(
                    # A band, never a rank: the MoU forbids league tables
                    # (regions/templates/mou-standard.yaml:44).
                    f"{indicator.name} was {figure_text(indicator, b.value)} in {b.period}, "
                    f"{quartile_words(b.quartile, indicator.polarity)} "
                    f"(region median {median}{england_text})."
                ),
                numbers={
                    "value": b.value,
                    "region_median": b.region_median,
                    "quartile": b.quartile,
                    "region_count": b.region_count,
                },
                severity=gap / indicator.tolerance,
            )
        )
    return flags


def _run_words(indicator: Indicator, periods: int, path: str, latest: Benchmark) -> tuple[str, str]:
    """The title and explanation of a run, in words that fit the indicator's polarity."""
    running = f"{periods} quarters running"
    band = indicator.sensible_range
    if band is not None:
        # Neither end is better for a two-sided indicator: it has moved further outside the
        # range where it raises no question, which is a question to ask, not a decline.
        low, high = limit_text(indicator, band.low), limit_text(indicator, band.high)
        return (
            f"{indicator.name} further outside its usual range for {running}",
            f"{indicator.name} has moved further outside its usual range of {low} to {high} "
            f"for {running}: {path}, by {latest.period}.",
        )
    polarity = _POLARITY_WORDS.get(indicator.polarity)
    because = f" ({polarity})" if polarity else ""
    return (
        f"{indicator.name} worsening for {running}",
        f"{indicator.name} has worsened for {running}{because}: {path}, by {latest.period}.",
    )


def _steps_worsen(indicator: Indicator, values: Sequence[float]) -> float | None:
    """The run's whole move the worse way, if every step moved that way; else None."""
    if indicator.polarity == Polarity.TWO_SIDED:
        distances = [outside_by(indicator, v) for v in values]
    elif indicator.polarity in (Polarity.HIGHER_BETTER, Polarity.LOWER_BETTER):
        distances = [worse_by(indicator, v, values[0]) for v in values]
    else:
        return None  # contextual: no worse direction
    half_unit = 0.5 * 10**-indicator.decimals  # smaller differences are rounding, not change
    if any(
        after - before < half_unit for before, after in zip(distances, distances[1:], strict=False)
    ):
        return None
    return distances[-1] - distances[0]


def worsening_run_flags(rules: FlagRules, runs: Sequence[Sequence[Benchmark]]) -> list[Flag]:
    """Worse every quarter for N quarters running, and by more than the tolerance over the run;
    `runs` holds the quarters oldest first."""
    run = rules.worsening_run
    if not run.enabled or len(runs) < run.periods:
        return []
    indicators = get_reference().indicators
    recent = runs[-run.periods :]
    by_key = [{(b.la_code, b.indicator_id): b for b in quarter} for quarter in recent]
    flags = []
    for key, latest in by_key[-1].items():
        chain = [quarter.get(key) for quarter in by_key]
        steps = [b for b in chain if b is not None and b.value is not None]
        if len(steps) < len(chain) or steps[0].previous_value is None:
            continue
        indicator = indicators[latest.indicator_id]
        values = [steps[0].previous_value, *(b.value for b in steps if b.value is not None)]
        moved = _steps_worsen(indicator, values)
        if moved is None or moved <= indicator.tolerance:
            continue
        path = ", then ".join(figure_text(indicator, v) for v in values)
        title, explanation = _run_words(indicator, run.periods, path, latest)
        flags.append(
            Flag(
                la_code=latest.la_code,
                indicator_id=latest.indicator_id,
                rule="worsening_run",
                title=title,
                explanation=explanation,
                numbers={"periods": run.periods, **{b.period: b.value for b in steps}},
                severity=moved / indicator.tolerance,
            )
        )
    return flags
