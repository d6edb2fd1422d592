"""One LA's figure for one indicator as people read it: value, direction, quartile and symbols.

The symbols let a printed page read in greyscale and aloud: shade or colour only ever repeats
what a symbol and its legend already say.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.benchmarks.charts import format_value
from app.reference import Indicator

if TYPE_CHECKING:
    from app.benchmarks.service import Benchmark

MISSING_WORDS = {
    "c": "c: not shown, to protect confidentiality (small numbers)",
    "x": "x: not available",
    "z": "z: does not apply",
    "u": "u: low reliability",
    "low": "low: fewer than 0.5",
}
DIRECTION_WORDS = {
    "improving": "Improving",
    "worsening": "Worsening",
    "no_change": "No change",
    "increasing": "Increasing",
    "decreasing": "Decreasing",
    "not_known": "Not known",
}
# A two-sided indicator is better near the region median, not higher or lower: its direction is
# read as distance from the median, and "worsening" would wrongly say which end is bad.
TWO_SIDED_DIRECTION_WORDS = {
    "improving": "Closer to the region median",
    "worsening": "Further from the region median",
}
POLARITY_WORDS = {
    "higher_better": "Higher is better",
    "lower_better": "Lower is better",
    "two_sided": "Both very high and very low deserve a question",
    "contextual": "A measure of demand: neither high nor low is better in itself",
}


# The region's quarters with the polarity applied: 1 is the best quarter of the region's LAs.
QUARTILE_SYMBOLS = {1: "++", 2: "+", 3: "−", 4: "−−"}
QUARTILE_WORDS = {
    1: "best quarter of the region",
    2: "second quarter",
    3: "third quarter",
    4: "worst quarter of the region",
}
FLAG_SYMBOL = "⚑"


@dataclass(frozen=True)
class Figure:
    """One LA's value for one indicator, ready to show."""

    indicator_id: str
    value: float | None
    text: str
    missing_text: str | None
    arrow: str  # which way the value moved; the words carry the meaning
    direction: str
    direction_text: str
    commentary: str | None
    flagged: bool
    published_neighbours_text: str | None = None  # "Neighbours 2024-25 (published): 62.1%"
    quartile: int | None = None  # None for contextual and two-sided indicators
    previous_text: str | None = None  # the value the quarter before, if there was one
    neighbour_mean: float | None = None
    symbol: str = ""  # the direction of travel as one symbol (see direction_symbol)


def _arrow(b: "Benchmark") -> str:
    if b.value is None or b.previous_value is None or b.direction in ("no_change", "not_known"):
        return "–" if b.direction == "no_change" else ""
    return "▲" if b.value > b.previous_value else "▼"


def direction_words(direction: str, polarity: str) -> str:
    """The direction of travel in words, read through the indicator's polarity."""
    if polarity == "two_sided" and direction in TWO_SIDED_DIRECTION_WORDS:
        return TWO_SIDED_DIRECTION_WORDS[direction]
    return DIRECTION_WORDS.get(direction, direction)


def direction_symbol(b: "Benchmark") -> str:
    """One symbol for the direction of travel, its shape independent of colour.

    A filled triangle is a move for the better (or closer to the region median), an outlined one
    a move for the worse (or further from it); either points the way the value moved. A plain
    arrow is a move in a measure of demand, where neither way is better; "=" is no change.
    """
    if b.direction == "no_change":
        return "="
    if b.value is None or b.previous_value is None or b.direction == "not_known":
        return ""
    up = b.value > b.previous_value
    if b.direction == "improving":
        return "▲" if up else "▼"
    if b.direction == "worsening":
        return "△" if up else "▽"
    return "↑" if up else "↓"


def figure(b: "Benchmark", indicator: Indicator, flagged: bool) -> Figure:
    """A benchmark row as people read it: the value or its missing code explained."""
    missing = MISSING_WORDS.get(b.missing_code or "", b.missing_code) if b.value is None else None
    return Figure(
        indicator_id=b.indicator_id,
        value=b.value,
        text=b.missing_code
        if b.value is None and b.missing_code
        else format_value(b.value, indicator.unit, indicator.decimals),
        missing_text=missing,
        arrow=_arrow(b),
        direction=b.direction,
        direction_text=direction_words(b.direction, indicator.polarity),
        commentary=b.commentary,
        flagged=flagged,
        published_neighbours_text=b.published_neighbours_text,
        quartile=b.quartile,
        previous_text=None
        if b.previous_value is None
        else format_value(b.previous_value, indicator.unit, indicator.decimals),
        neighbour_mean=b.statistical_neighbour_mean,
        symbol=direction_symbol(b),
    )


# The region's quarter (1 = best by polarity) in words that say which end is better. A band, not
# a rank: the MoU rules out ranking members against one another
# (regions/templates/mou-standard.yaml:44, "The alliance does not publish league tables or rank
# members against one another"), so no page, export or pack says "ranked n of m".
_BANDS = {
    "higher_better": {1: "highest", 2: "second-highest", 3: "second-lowest", 4: "lowest"},
    "lower_better": {1: "lowest", 2: "second-lowest", 3: "second-highest", 4: "highest"},
}
_BETTER = {"higher_better": "higher is better", "lower_better": "lower is better"}


def quartile_words(quartile: int | None, polarity: str) -> str | None:
    """E.g. "in the region's lowest quarter, where lower is better"; None without a quartile."""
    band = _BANDS.get(polarity, {}).get(quartile or 0)
    if band is None:
        return None
    return f"in the region's {band} quarter, where {_BETTER[polarity]}"


def strength(b: "Benchmark", indicator: Indicator, aggregates: bool) -> str | None:
    """A signature of strength: improving, or in the region's best quartile."""
    reasons = []
    if b.direction == "improving" and b.previous_value is not None:
        before = format_value(b.previous_value, indicator.unit, indicator.decimals)
        now = format_value(b.value, indicator.unit, indicator.decimals)
        # A two-sided indicator is better near the median, not higher or lower.
        how = "closer to the region median" if indicator.polarity == "two_sided" else "improving"
        reasons.append(f"{how}, from {before} to {now}")
    band = quartile_words(b.quartile, indicator.polarity)
    if aggregates and b.quartile == 1 and band is not None:
        reasons.append(band)
    return "; ".join(reasons).capitalize() if reasons else None
