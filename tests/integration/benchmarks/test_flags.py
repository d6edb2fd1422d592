"""Signatures of risk: each rule with its exact words, engagement signals, and visibility."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.benchmarks import flag_rules
from app.benchmarks.flag_rules import FlagRules, Threshold, WorseningRun, rules_for
from app.benchmarks.flag_signals import threshold_flags, worsening_run_flags, worst_quartile_flags
from app.benchmarks.flag_types import Flag
from app.benchmarks.flags import flags_for_la, flags_for_region, visible_flags
from app.benchmarks.service import region_benchmark_runs
from app.returns.periods import Quarter
from tests import factories as f
from tests.indicator_factories import add_return

REGION = "east-midlands"
Q1 = Quarter(2026, 1)
DERBY, LEICESTER, NOTTINGHAM = "E06000015", "E06000016", "E06000018"
OTHERS = ["E10000007", "E10000018", "E10000019", "E06000061", "E10000024", "E06000017", "E06000062"]
AGENCY = "sw_agency_rate_fte_pct"
AFTER_RELEASE = date(2026, 9, 1)  # Q1 closed on 30 July; the RISL sees it from 28 August


def seed(session: Session) -> None:
    """Derby's agency rate climbs past 25 %, Leicester has not returned, Nottingham was late."""
    f.open_cycle(session)
    by = f.make_user(session)
    add_return(session, DERBY, "2025-26 Q3", {AGENCY: 20.0}, submitted_by=by)
    add_return(session, DERBY, "2025-26 Q4", {AGENCY: 24.0}, submitted_by=by)
    add_return(
        session,
        DERBY,
        str(Q1),
        {AGENCY: 31.2, "sw_average_caseload_fte": 18.0},
        submitted_by=by,
        commentary={AGENCY: "Two teams rebuilt with agency staff"},
    )
    for n, code in enumerate(OTHERS):
        add_return(session, code, "2025-26 Q4", {AGENCY: 10.0 + n}, submitted_by=by)
        add_return(session, code, str(Q1), {AGENCY: 10.0 + n}, submitted_by=by)
    late = add_return(session, NOTTINGHAM, str(Q1), {AGENCY: 18.0}, submitted_by=by, late=True)
    late.submitted_at = datetime(2026, 8, 4, 10, 0, tzinfo=UTC)
    session.flush()


def _by_rule(flags: list, la_code: str) -> dict:  # type: ignore[type-arg]
    return {flag.rule: flag for flag in flags if flag.la_code == la_code}


def _rules_one_by_one(session: Session) -> dict[str, Flag]:
    """Each rule's flag for Derby's agency rate, before the list keeps one per indicator."""
    runs = region_benchmark_runs(session, REGION, [Quarter(2025, 4), Q1])
    rules = rules_for(REGION)
    current = runs[Q1]
    found = (
        threshold_flags(rules, current)
        + worsening_run_flags(rules, [runs[Quarter(2025, 4)], current])
        + worst_quartile_flags(rules, current)
    )
    return {fl.rule: fl for fl in found if fl.la_code == DERBY and fl.indicator_id == AGENCY}


def test_threshold_worsening_and_worst_quartile_say_why_with_numbers(session: Session) -> None:
    seed(session)
    derby = _rules_one_by_one(session)
    assert set(derby) == {"threshold", "worsening_run", "worst_quartile"}
    assert derby["threshold"].explanation == (
        "Agency social worker rate (FTE) was 31.2% in 2026-27 Q1, above the region's threshold "
        "of 16.4%. That is the average in authorities that require improvement; inadequate ones "
        "average 27%."
    )
    assert derby["threshold"].numbers == {"value": 31.2, "above": 16.4}
    assert derby["worsening_run"].explanation == (
        "Agency social worker rate (FTE) has worsened for 2 quarters running (lower is better): "
        "20.0%, then 24.0%, then 31.2%, by 2026-27 Q1."
    )
    assert derby["worst_quartile"].explanation == (
        "Agency social worker rate (FTE) was 31.2% in 2026-27 Q1, in the region's highest "
        "quarter, where lower is better (region median 14.0%; England 13.0% in 2024-25)."
    )
    # A band, never a rank (regions/templates/mou-standard.yaml:44: no league tables).
    assert derby["worst_quartile"].numbers == {
        "value": 31.2,
        "region_median": 14.0,
        "quartile": 4,
        "region_count": 9,
    }
    assert derby["worst_quartile"].title == (
        "Agency social worker rate (FTE) in the region's worst quartile"
    )
    for flag in derby.values():
        assert "fail" not in (flag.title + flag.explanation).lower()
    # The list keeps one flag per indicator, the most important: the threshold breach.
    listed = flags_for_region(session, REGION, Q1, today=AFTER_RELEASE)
    assert [fl.rule for fl in listed if fl.indicator_id == AGENCY and fl.la_code == DERBY] == [
        "threshold"
    ]


def test_late_and_missing_returns_are_signals_once_the_window_closes(session: Session) -> None:
    seed(session)
    flags = flags_for_region(session, REGION, Q1, today=AFTER_RELEASE)
    missing = _by_rule(flags, LEICESTER)["missing_return"]
    assert missing.indicator_id is None
    assert missing.explanation == (
        "No return for 2026-27 Q1 has been received. It was due on 30 July 2026, 33 days ago."
    )
    late = _by_rule(flags, NOTTINGHAM)["late_return"]
    assert late.explanation == (
        "The return for 2026-27 Q1 was received on 4 August 2026, after it was due on 30 July 2026."
    )
    assert late.numbers == {"due": "2026-07-30", "received": "2026-08-04", "days_late": 5}
    # While the window is open nobody is late or missing yet.
    during = flags_for_region(session, REGION, Q1, today=date(2026, 7, 15))
    assert not [fl for fl in during if fl.rule in ("late_return", "missing_return")]


def test_flags_are_ordered_by_la_name_and_limited_to_las(session: Session) -> None:
    seed(session)
    flags = flags_for_region(session, REGION, Q1, las={DERBY, LEICESTER}, today=AFTER_RELEASE)
    # Neither has signed the MoU, due on 31 May: a missed sign-off comes before the figures.
    assert [(fl.la_code, fl.rule, fl.indicator_id) for fl in flags] == [
        (DERBY, "missed_signoff", None),
        (DERBY, "threshold", AGENCY),
        (DERBY, "threshold", "sw_average_caseload_fte"),
        (LEICESTER, "missing_return", None),
        (LEICESTER, "missed_signoff", None),
    ]
    only = flags_for_la(session, DERBY, Q1, today=AFTER_RELEASE, aggregates=False)
    assert [fl.rule for fl in only] == ["missed_signoff", "threshold", "threshold"]


def test_a_value_equal_to_the_threshold_raises_nothing() -> None:
    rule = Threshold(indicator=AGENCY, above=25, why="x", source="y")
    assert not rule.breached_by(25.0) and rule.breached_by(25.01)
    below = Threshold(indicator="assessments_within_45wd_pct", below=75, why="x", source="y")
    assert below.breached_by(74.9) and not below.breached_by(75)


def test_a_region_with_its_own_rules(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    seed(session)
    strict = FlagRules(
        worsening_run=WorseningRun(periods=3),
        thresholds=(Threshold(indicator=AGENCY, above=15, why="Our own line.", source="Ours"),),
    )
    monkeypatch.setattr(flag_rules, "_all_rules", lambda: {REGION: strict})
    flags = flags_for_region(session, REGION, Q1, today=AFTER_RELEASE)
    thresholds = [fl for fl in flags if fl.rule == "threshold"]
    # Derby 31.2, Nottingham 18 and West Northamptonshire 16 are above 15.
    assert {fl.la_code for fl in thresholds} == {DERBY, NOTTINGHAM, "E06000062"}
    assert not [fl for fl in flags if fl.rule == "worsening_run"]  # Derby has only 2 rises


def test_visible_flags_follow_the_data_terms(session: Session) -> None:
    seed(session)
    derby_lead = f.principal(session, f.make_user(session, Role.DATA_LEAD, organisation=DERBY))
    before_close = visible_flags(session, derby_lead, REGION, Q1, today=date(2026, 7, 20))
    assert {fl.la_code for fl in before_close} == {DERBY}
    assert "worst_quartile" not in {fl.rule for fl in before_close}
    risl = f.principal(session, f.make_user(session, Role.RISL, region=REGION))
    assert visible_flags(session, risl, REGION, Q1, today=date(2026, 8, 10)) == []
    after = visible_flags(session, risl, REGION, Q1, today=AFTER_RELEASE)
    assert {DERBY, LEICESTER, NOTTINGHAM} <= {fl.la_code for fl in after}
