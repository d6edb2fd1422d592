"""What a signature of risk is, shared by the rules that raise it and the pages that list it."""

from dataclasses import dataclass, field
from datetime import date

from app.benchmarks.charts import format_value
from app.reference import Indicator


@dataclass(frozen=True)
class Flag:
    la_code: str
    indicator_id: str | None
    rule: str
    title: str
    explanation: str
    numbers: dict[str, float | int | str | None] = field(default_factory=dict)
    # How far beyond its line the figure is, in the indicator's tolerances (0 for engagement):
    # the importance order uses it within a rule's tier.
    severity: float = 0.0


@dataclass(frozen=True)
class ReturnRecord:
    """The first version of an LA's return for the quarter: was it in on time?"""

    la_code: str
    late: bool
    submitted_on: date


def day_text(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def figure_text(indicator: Indicator, value: float | None) -> str:
    return format_value(value, indicator.unit, indicator.decimals)


def limit_text(indicator: Indicator, limit: float) -> str:
    # A round line reads better without decimals: "25%", not "25.0%".
    decimals = 0 if limit == int(limit) else indicator.decimals
    return format_value(limit, indicator.unit, decimals)
