"""Signatures of risk warn early and rarely cry wolf (issue 10): tolerances, early thresholds,
two-sided ranges, and missed sign-offs as non-engagement."""

from datetime import date

from sqlalchemy.orm import Session

from app.benchmarks.flag_rules import rules_for
from app.benchmarks.flag_signals import worsening_run_flags
from app.benchmarks.flags import flags_for_region
from app.benchmarks.service import region_benchmark_runs
from app.models import SelfEvaluation
from app.reference import get_reference
from app.returns.periods import Quarter
from tests import factories as f
from tests.indicator_factories import add_return

REGION = "east-midlands"
Q3, Q4, Q1 = Quarter(2025, 3), Quarter(2025, 4), Quarter(2026, 1)
DERBY, LEICESTER = "E06000015", "E06000016"
OTHERS = ["E10000007", "E10000018", "E10000019", "E06000061", "E10000024", "E06000017", "E06000062"]
TURNOVER, AGENCY = "sw_turnover_rate_fte_pct", "sw_agency_rate_fte_pct"
REREFERRALS = "rereferrals_within_12m_pct"  # two-sided: sensible range 15% to 26%
LATER = date(2026, 9, 1)


def _returns(session: Session, indicator: str, derby: list[float], others: float) -> None:
    """Derby's values for 2025-26 Q3, Q4 and 2026-27 Q1; every other LA steady at `others`."""
    by = f.make_user(session)
    for quarter, value in zip((Q3, Q4, Q1), derby, strict=True):
        add_return(session, DERBY, str(quarter), {indicator: value}, submitted_by=by)
        for code in [LEICESTER, *OTHERS]:
            add_return(session, code, str(quarter), {indicator: others}, submitted_by=by)
    session.flush()


def _derby(session: Session) -> list[tuple[str, str | None]]:
    flags = flags_for_region(session, REGION, Q1, today=LATER)
    return [(fl.rule, fl.indicator_id) for fl in flags if fl.la_code == DERBY]


def test_a_turnover_wobble_within_its_tolerance_raises_nothing(session: Session) -> None:
    # 5.4% to 5.8% over two rising quarters: the run moved 0.4 points, under the 1-point tolerance.
    _returns(session, TURNOVER, [5.4, 5.6, 5.8], 5.0)
    assert get_reference().indicators[TURNOVER].tolerance == 1
    assert _derby(session) == []


def test_a_turnover_rise_beyond_its_tolerance_is_a_worsening_run(session: Session) -> None:
    _returns(session, TURNOVER, [5.4, 6.0, 6.6], 5.0)
    flags = flags_for_region(session, REGION, Q1, today=LATER)
    (run,) = [fl for fl in flags if fl.la_code == DERBY]
    assert run.rule == "worsening_run"
    assert run.explanation == (
        "Social worker turnover rate (FTE) has worsened for 2 quarters running (lower is "
        "better): 5.4%, then 6.0%, then 6.6%, by 2026-27 Q1."
    )
    assert round(run.severity, 2) == 1.2  # 1.2 points over a 1-point tolerance


def test_a_rise_that_pauses_is_not_a_run(session: Session) -> None:
    _returns(session, TURNOVER, [5.4, 7.0, 7.0], 5.0)
    assert _derby(session) == []


def test_the_agency_threshold_warns_at_the_requires_improvement_average(session: Session) -> None:
    # Seed 002:610: authorities that require improvement average 16.4% agency staff.
    _returns(session, AGENCY, [16.4, 16.4, 16.9], 16.0)
    flags = flags_for_region(session, REGION, Q1, today=LATER)
    (breach,) = [fl for fl in flags if fl.la_code == DERBY]
    assert (breach.rule, breach.numbers) == ("threshold", {"value": 16.9, "above": 16.4})
    # The line is the early one, not the inadequate authorities' 25%.
    (line,) = rules_for(REGION).thresholds_for(AGENCY)
    assert line.limit == 16.4 and line.source.startswith("Seed 002_d98c8bcad6f8fe4d.txt:610")


def test_a_two_sided_indicator_flags_above_its_range(session: Session) -> None:
    _returns(session, REREFERRALS, [22.0, 22.0, 27.5], 22.0)
    flags = flags_for_region(session, REGION, Q1, today=LATER)
    (high,) = [fl for fl in flags if fl.la_code == DERBY]
    assert (high.rule, high.title) == (
        "outside_range",
        "Re-referrals within 12 months above its usual range",
    )
    assert high.explanation == (
        "Re-referrals within 12 months was 27.5% in 2026-27 Q1, above its usual range of "
        "15% to 26%. A very high and a very low figure both deserve a question."
    )
    assert high.numbers == {"value": 27.5, "low": 15.0, "high": 26.0}


def test_a_two_sided_indicator_flags_below_its_range_too(session: Session) -> None:
    _returns(session, REREFERRALS, [18.0, 16.0, 12.0], 22.0)
    flags = flags_for_region(session, REGION, Q1, today=LATER)
    (low,) = [fl for fl in flags if fl.la_code == DERBY]
    assert (low.rule, low.numbers["value"]) == ("outside_range", 12.0)
    assert "below its usual range of 15% to 26%" in low.explanation


def test_moving_away_from_the_median_inside_the_range_raises_nothing(session: Session) -> None:
    # 22% to 25.5%: further from the region median of 22% every quarter, but within 15% to 26%.
    _returns(session, REREFERRALS, [22.0, 24.0, 25.5], 22.0)
    assert _derby(session) == []


def test_a_two_sided_run_further_outside_its_range(session: Session) -> None:
    _returns(session, REREFERRALS, [27.0, 29.0, 31.0], 22.0)
    runs = region_benchmark_runs(session, REGION, [Q4, Q1])
    (run,) = [
        fl
        for fl in worsening_run_flags(rules_for(REGION), [runs[Q4], runs[Q1]])
        if fl.la_code == DERBY
    ]
    assert run.title == (
        "Re-referrals within 12 months further outside its usual range for 2 quarters running"
    )
    assert run.explanation == (
        "Re-referrals within 12 months has moved further outside its usual range of 15% to 26% "
        "for 2 quarters running: 27.0%, then 29.0%, then 31.0%, by 2026-27 Q1."
    )


def test_a_missed_mou_and_self_evaluation_sign_off_are_non_engagement(session: Session) -> None:
    cycle = f.open_cycle(session)  # 2026-27: MoU due 31 May 2026, self-evaluation 19 December
    _returns(session, AGENCY, [10.0, 10.0, 10.0], 10.0)
    before = flags_for_region(session, REGION, Q1, las={DERBY}, today=date(2026, 5, 31))
    assert [fl.rule for fl in before] == []
    june = flags_for_region(session, REGION, Q1, las={DERBY}, today=date(2026, 6, 10))
    (mou,) = june
    assert (mou.rule, mou.title) == (
        "missed_signoff",
        "Memorandum of understanding not signed off",
    )
    assert mou.explanation == (
        "The memorandum of understanding for 2026-27 was due to be signed off by 31 May 2026 in "
        "the region's calendar, and is not yet: 10 days overdue."
    )
    # Only to a reader who may see the self-evaluation unsigned (tests/integration/
    # test_flag_visibility.py): its coordinator here.
    boss = f.coordinator(session)
    january = flags_for_region(
        session, REGION, Q1, las={DERBY}, today=date(2027, 1, 4), reader=boss
    )
    assert [(fl.rule, fl.title, fl.numbers["days_overdue"]) for fl in january] == [
        ("missed_signoff", "Memorandum of understanding not signed off", 218),
        ("missed_signoff", "Self-evaluation not signed off", 16),
    ]
    # Signed, even late, it is no longer missed: the sign-off status says so.
    sef = session.query(SelfEvaluation).filter_by(cycle_id=cycle.id, la_code=DERBY).one()
    sef.state = "signed"
    session.flush()
    signed = flags_for_region(session, REGION, Q1, las={DERBY}, today=date(2027, 1, 4), reader=boss)
    assert [fl.title for fl in signed] == ["Memorandum of understanding not signed off"]
