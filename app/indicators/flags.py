"""Signatures of risk: prompts for a conversation between peers, raised by the region's rules.

A flag says in plain words why it was raised and carries the numbers behind it. The words are
neutral on purpose ("signature of risk", never "failing"): the sector said such labels demoralise.
Non-engagement counts too, because authorities that stop engaging are often the ones in trouble.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.auth.principal import Principal
from app.indicators.benchmarks import Benchmark, region_benchmark_runs
from app.indicators.charts import format_value
from app.indicators.export import visible_quarter
from app.indicators.figures import quartile_words
from app.indicators.flag_rules import FlagRules, Threshold, rules_for
from app.indicators.periods import Quarter, trailing
from app.indicators.visibility import visible_las
from app.indicators.windows import WindowState, window_state
from app.models import IndicatorReturn
from app.reference import Indicator, get_reference

# The order flags are listed in for each LA: engagement first, as it colours everything else.
RULES = ("missing_return", "late_return", "threshold", "worsening_run", "worst_quartile")

_POLARITY_WORDS = {"higher_better": "higher is better", "lower_better": "lower is better"}


@dataclass(frozen=True)
class Flag:
    la_code: str
    indicator_id: str | None
    rule: str
    title: str
    explanation: str
    numbers: dict[str, float | int | str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class ReturnRecord:
    """The first version of an LA's return for the quarter: was it in on time?"""

    la_code: str
    late: bool
    submitted_on: date


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _figure(indicator: Indicator, value: float | None) -> str:
    return format_value(value, indicator.unit, indicator.decimals)


def _limit(indicator: Indicator, threshold: Threshold) -> str:
    # A round threshold reads better without decimals: "25%", not "25.0%".
    limit = threshold.limit
    decimals = 0 if limit == int(limit) else indicator.decimals
    return format_value(limit, indicator.unit, decimals)


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
            flags.append(
                Flag(
                    la_code=b.la_code,
                    indicator_id=b.indicator_id,
                    rule="threshold",
                    title=f"{indicator.name} {threshold.side} the region's threshold",
                    explanation=(
                        f"{indicator.name} was {_figure(indicator, b.value)} in {b.period}, "
                        f"{threshold.side} the region's threshold of {_limit(indicator, threshold)}. "
                        f"{threshold.why}"
                    ),
                    numbers={"value": b.value, threshold.side: threshold.limit},
                )
            )
    return flags


def worst_quartile_flags(rules: FlagRules, benchmarks: Iterable[Benchmark]) -> list[Flag]:
    """In the region's worst quarter, where the region has enough values for quartiles to mean much."""
    if not rules.worst_quartile.enabled:
        return []
    indicators = get_reference().indicators
    flags = []
    for b in benchmarks:
        if (
            b.quartile != 4
            or b.value is None
            or b.region_count < rules.worst_quartile.min_region_count
        ):
            continue
        indicator = indicators[b.indicator_id]
        median = _figure(indicator, b.region_median)
        flags.append(
            Flag(
                la_code=b.la_code,
                indicator_id=b.indicator_id,
                rule="worst_quartile",
                title=f"{indicator.name} in the region's worst quartile",
                explanation=(
                    # A band, never a rank: the MoU forbids league tables
                    # (regions/templates/mou-standard.yaml:44).
                    f"{indicator.name} was {_figure(indicator, b.value)} in {b.period}, "
                    f"{quartile_words(b.quartile, indicator.polarity)} "
                    f"(region median {median})."
                ),
                numbers={
                    "value": b.value,
                    "region_median": b.region_median,
                    "quartile": b.quartile,
                    "region_count": b.region_count,
                },
            )
        )
    return flags


def _run_words(indicator: Indicator, periods: int, path: str, latest: Benchmark) -> tuple[str, str]:
    """The title and explanation of a run, in words that fit the indicator's polarity."""
    running = f"{periods} quarters running"
    if indicator.polarity == "two_sided":
        # Neither end is better for a two-sided indicator: it has moved away from the middle,
        # which is a question to ask, not a decline.
        median = _figure(indicator, latest.region_median)
        return (
            f"{indicator.name} further from the region median for {running}",
            f"{indicator.name} has moved further from the region median for {running}: "
            f"{path}, by {latest.period} (region median {median}).",
        )
    polarity = _POLARITY_WORDS.get(indicator.polarity)
    because = f" ({polarity})" if polarity else ""
    return (
        f"{indicator.name} worsening for {running}",
        f"{indicator.name} has worsened for {running}{because}: {path}, by {latest.period}.",
    )


def worsening_run_flags(rules: FlagRules, runs: Sequence[Sequence[Benchmark]]) -> list[Flag]:
    """Worsening by polarity for N quarters running; `runs` holds the quarters oldest first."""
    run = rules.worsening_run
    if not run.enabled or len(runs) < run.periods:
        return []
    indicators = get_reference().indicators
    recent = runs[-run.periods :]
    by_key = [{(b.la_code, b.indicator_id): b for b in quarter} for quarter in recent]
    flags = []
    for key, latest in by_key[-1].items():
        chain = [quarter.get(key) for quarter in by_key]
        if any(b is None or b.direction != "worsening" for b in chain):
            continue
        steps: list[Benchmark] = [b for b in chain if b is not None]
        indicator = indicators[latest.indicator_id]
        first = steps[0]
        values = [first.previous_value, *(b.value for b in steps)]
        path = ", then ".join(_figure(indicator, v) for v in values)
        title, explanation = _run_words(indicator, run.periods, path, latest)
        flags.append(
            Flag(
                la_code=latest.la_code,
                indicator_id=latest.indicator_id,
                rule="worsening_run",
                title=title,
                explanation=explanation,
                numbers={
                    "periods": run.periods,
                    **{b.period: b.value for b in steps},
                },
            )
        )
    return flags


def engagement_flags(
    rules: FlagRules,
    window: WindowState | None,
    la_codes: Iterable[str],
    returns: Iterable[ReturnRecord],
    today: date,
) -> list[Flag]:
    """Once the quarter's window has closed: a return that came late, or one that never came."""
    if window is None or not window.is_late(today):
        return []
    received = {r.la_code: r for r in returns}
    quarter, due = str(window.quarter), _day(window.closes_on)
    flags = []
    for code in la_codes:
        record = received.get(code)
        if record is None and rules.missing_return.enabled:
            flags.append(
                Flag(
                    la_code=code,
                    indicator_id=None,
                    rule="missing_return",
                    title="Quarterly return not received",
                    explanation=(
                        f"No return for {quarter} has been received. It was due on {due}, "
                        f"{(today - window.closes_on).days} days ago."
                    ),
                    numbers={"due": window.closes_on.isoformat()},
                )
            )
        elif record is not None and record.late and rules.late_return.enabled:
            days = max((record.submitted_on - window.closes_on).days, 0)
            flags.append(
                Flag(
                    la_code=code,
                    indicator_id=None,
                    rule="late_return",
                    title="Quarterly return received late",
                    explanation=(
                        f"The return for {quarter} was received on {_day(record.submitted_on)}, "
                        f"after it was due on {due}."
                    ),
                    numbers={
                        "due": window.closes_on.isoformat(),
                        "received": record.submitted_on.isoformat(),
                        "days_late": days,
                    },
                )
            )
    return flags


def first_returns(session: Session, region_id: str, quarter: Quarter) -> list[ReturnRecord]:
    """Each LA's first version for the quarter: lateness is judged on when it first arrived."""
    rows = session.execute(
        select(
            IndicatorReturn.organisation_code,
            IndicatorReturn.late,
            IndicatorReturn.submitted_at,
        ).where(
            IndicatorReturn.region_id == region_id,
            IndicatorReturn.period == str(quarter),
            IndicatorReturn.version == 1,
        )
    ).all()
    return [ReturnRecord(code, bool(late), at.date()) for code, late, at in rows]


def _order(region_id: str, flags: Iterable[Flag]) -> list[Flag]:
    names = {la.code: la.name for la in get_reference().regions[region_id].local_authorities}
    return sorted(
        flags,
        key=lambda f: (names.get(f.la_code, f.la_code), RULES.index(f.rule), f.indicator_id or ""),
    )


def earlier_quarters(region_id: str) -> int:
    """How many quarters before the one shown the region's worsening-run rule looks at."""
    run = rules_for(region_id).worsening_run
    return run.periods - 1 if run.enabled else 0


_UNKNOWN = object()  # `window` not given: look it up (None means there is no window)


def flags_for_region(
    session: Session,
    region_id: str,
    quarter: Quarter,
    *,
    las: set[str] | None = None,
    today: date | None = None,
    aggregates: bool = True,
    benchmarks: Sequence[Benchmark] | None = None,
    earlier: Sequence[Sequence[Benchmark]] | None = None,
    window: WindowState | None | object = _UNKNOWN,
) -> list[Flag]:
    """Every signature of risk for the region's LAs (or only `las`) in the quarter.

    The quarter's benchmarks and those of the quarters before it (oldest first) may be passed in
    by a caller that has them already (the dashboard); otherwise they are computed together in
    one set of statements. With `aggregates=False` (the viewer may not see the whole region yet)
    the worst-quartile rule is skipped, as it would reveal other LAs' positions.
    """
    today = today or clock.today()
    rules = rules_for(region_id)
    region = get_reference().regions[region_id]
    codes = [la.code for la in region.local_authorities]
    if las is not None:
        wanted = set(las)
        codes = [code for code in codes if code in wanted]
    if not codes:
        return []
    before = trailing(quarter, earlier_quarters(region_id) + 1)[:-1]
    if benchmarks is None or (before and earlier is None):
        computed = region_benchmark_runs(session, region_id, [*before, quarter], las=set(codes))
        benchmarks = computed[quarter] if benchmarks is None else benchmarks
        earlier = [computed[q] for q in before] if earlier is None else earlier
    current = [b for b in benchmarks if b.la_code in codes]
    runs = [list(run) for run in earlier or []] + [current]
    flags = threshold_flags(rules, current) + worsening_run_flags(rules, runs)
    if aggregates:
        flags += worst_quartile_flags(rules, current)
    if rules.late_return.enabled or rules.missing_return.enabled:
        state = window_state(session, region_id, quarter) if window is _UNKNOWN else window
        assert state is None or isinstance(state, WindowState)
        returns = first_returns(session, region_id, quarter) if state is not None else []
        flags += engagement_flags(rules, state, codes, returns, today)
    return _order(region_id, flags)


def flags_for_la(
    session: Session,
    la_code: str,
    quarter: Quarter,
    *,
    today: date | None = None,
    aggregates: bool = True,
) -> list[Flag]:
    """The signatures of risk for one LA in the quarter."""
    region_id = get_reference().region_of(la_code).id
    return flags_for_region(
        session, region_id, quarter, las={la_code}, today=today, aggregates=aggregates
    )


def visible_flags(
    session: Session,
    principal: Principal,
    region_id: str,
    quarter: Quarter,
    *,
    today: date | None = None,
) -> list[Flag]:
    """The flags for the LAs this person may see; worst-quartile ones only if they see the region."""
    on = today or clock.today()
    seen = visible_quarter(
        session, principal, region_id, quarter, today=on, earlier=earlier_quarters(region_id)
    )
    if not seen.benchmarks:
        return []
    return flags_for_region(
        session,
        region_id,
        quarter,
        las={b.la_code for b in seen.benchmarks},
        today=on,
        aggregates=seen.aggregates,
        benchmarks=seen.benchmarks,
        earlier=seen.earlier,
        window=seen.window,
    )


def quarters_with_returns(session: Session, region_id: str) -> list[Quarter]:
    """Every quarter the region has any return for, newest first."""
    periods = session.scalars(
        select(IndicatorReturn.period).where(IndicatorReturn.region_id == region_id).distinct()
    ).all()
    return sorted((Quarter.parse(p) for p in periods), reverse=True)


def default_quarter(
    session: Session, principal: Principal, region_id: str, today: date | None = None
) -> Quarter:
    """The latest quarter with a return this person may see; else the last quarter to end."""
    on = today or clock.today()
    rows = session.execute(
        select(IndicatorReturn.period, IndicatorReturn.organisation_code)
        .where(IndicatorReturn.region_id == region_id)
        .distinct()
    ).all()
    by_period: dict[Quarter, set[str]] = {}
    for period, code in rows:
        by_period.setdefault(Quarter.parse(period), set()).add(code)
    for quarter in sorted(by_period, reverse=True):
        window = window_state(session, region_id, quarter)
        if by_period[quarter] & visible_las(principal, region_id, window, on):
            return quarter
    start = on.year if on.month >= 4 else on.year - 1
    return Quarter(start, (on.month - 4) % 12 // 3 + 1).previous()
