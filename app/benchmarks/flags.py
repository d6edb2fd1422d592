"""Signatures of risk: prompts for a conversation between peers, raised by the region's rules.

A flag says in plain words why it was raised and carries the numbers behind it. The words are
neutral on purpose ("signature of risk", never "failing"): the sector said such labels demoralise.
Non-engagement counts too, because authorities that stop engaging are often the ones in trouble.
"""

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.auth.principal import Principal
from app.benchmarks.export import visible_quarter
from app.benchmarks.flag_engagement import engagement_flags, first_returns, signoff_flags
from app.benchmarks.flag_order import by_importance
from app.benchmarks.flag_rules import rules_for
from app.benchmarks.flag_signals import (
    range_flags,
    threshold_flags,
    worse_by,
    worsening_run_flags,
    worst_quartile_flags,
)
from app.benchmarks.flag_types import Flag, ReturnRecord
from app.benchmarks.service import Benchmark, region_benchmark_runs
from app.models import IndicatorReturn
from app.reference import get_reference
from app.returns.periods import Quarter, trailing
from app.returns.visibility import visible_las
from app.returns.windows import WindowState, window_state
from app.self_evaluation.access import sees_unsigned

# Kept importable from here: pages, packs and the self-evaluation read flags through this module.
__all__ = [
    "Flag",
    "ReturnRecord",
    "default_quarter",
    "earlier_quarters",
    "engagement_flags",
    "flags_for_la",
    "flags_for_region",
    "threshold_flags",
    "visible_flags",
    "worse_by",
    "worsening_run_flags",
    "worst_quartile_flags",
]


def _order(region_id: str, flags: Iterable[Flag]) -> list[Flag]:
    """By LA name, then most important first (app/benchmarks/flag_order.py), one flag per
    indicator: a run behind a threshold breach on the same figure is the same concern, and
    saying it three times is how a list cries wolf."""
    names = {la.code: la.name for la in get_reference().regions[region_id].local_authorities}
    kept: list[Flag] = []
    seen: set[tuple[str, str]] = set()
    for flag in by_importance(flags):
        if flag.indicator_id is not None:
            if (flag.la_code, flag.indicator_id) in seen:
                continue
            seen.add((flag.la_code, flag.indicator_id))
        kept.append(flag)
    return sorted(kept, key=lambda f: names.get(f.la_code, f.la_code))


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
    reader: Principal | None = None,
) -> list[Flag]:
    """Every signature of risk for the region's LAs (or only `las`) in the quarter.

    A missed self-evaluation sign-off tells a state the self-evaluation's own rule keeps inside
    the LA and its coordinator (app/self_evaluation/access.py), so it is flagged only to a `reader` that rule
    lets see it. Without a reader (a pack shared with the whole region) it is never flagged.

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
    flags = (
        threshold_flags(rules, current)
        + range_flags(rules, current)
        + worsening_run_flags(rules, runs)
    )
    if aggregates:
        flags += worst_quartile_flags(rules, current)
    if rules.late_return.enabled or rules.missing_return.enabled:
        state = window_state(session, region_id, quarter) if window is _UNKNOWN else window
        assert state is None or isinstance(state, WindowState)
        returns = first_returns(session, region_id, quarter) if state is not None else []
        flags += engagement_flags(rules, state, codes, returns, today)
    if rules.missed_signoff.enabled:
        sef_codes = [c for c in codes if reader is not None and sees_unsigned(reader, region_id, c)]
        flags += signoff_flags(session, region_id, quarter, codes, today, sef_codes=sef_codes)
    return _order(region_id, flags)


def flags_for_la(
    session: Session,
    la_code: str,
    quarter: Quarter,
    *,
    today: date | None = None,
    aggregates: bool = True,
    reader: Principal | None = None,
) -> list[Flag]:
    """The signatures of risk for one LA in the quarter (see flags_for_region for `reader`)."""
    region_id = get_reference().region_of(la_code).id
    return flags_for_region(
        session,
        region_id,
        quarter,
        las={la_code},
        today=today,
        aggregates=aggregates,
        reader=reader,
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
        reader=principal,
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
