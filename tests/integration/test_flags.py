"""Signatures of risk: each rule with its exact words, engagement signals, and visibility."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.indicators import flag_rules
from app.indicators.flag_rules import FlagRules, Threshold, WorseningRun
from app.indicators.flags import flags_for_la, flags_for_region, visible_flags
from app.indicators.periods import Quarter
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


def test_threshold_worsening_and_worst_quartile_say_why_with_numbers(session: Session) -> None:
    seed(session)
    derby = _by_rule(flags_for_region(session, REGION, Q1, today=AFTER_RELEASE), DERBY)
    assert set(derby) == {"threshold", "worsening_run", "worst_quartile"}
    assert derby["threshold"].explanation == (
        "Agency social worker rate (FTE) was 31.2% in 2026-27 Q1, above the region's threshold "
        "of 25%. A quarter or more of social workers from agencies makes relationships with "
        "families harder to keep."
    )
    assert derby["threshold"].numbers == {"value": 31.2, "above": 25.0}
    assert derby["worsening_run"].explanation == (
        "Agency social worker rate (FTE) has worsened for 2 quarters running (lower is better): "
        "20.0%, then 24.0%, then 31.2%, by 2026-27 Q1."
    )
    assert derby["worst_quartile"].explanation == (
        "Agency social worker rate (FTE) was 31.2% in 2026-27 Q1, in the region's highest "
        "quarter, where lower is better (region median 14.0%)."
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
    assert [fl.la_code for fl in flags] == [DERBY] * 3 + [LEICESTER]
    assert [fl.rule for fl in flags[:3]] == ["threshold", "worsening_run", "worst_quartile"]
    only = flags_for_la(session, DERBY, Q1, today=AFTER_RELEASE, aggregates=False)
    assert {fl.rule for fl in only} == {"threshold", "worsening_run"}


def test_a_value_equal_to_the_threshold_raises_nothing() -> None:
    rule = Threshold(indicator=AGENCY, above=25, why="x")
    assert not rule.breached_by(25.0) and rule.breached_by(25.01)
    below = Threshold(indicator="assessments_within_45wd_pct", below=75, why="x")
    assert below.breached_by(74.9) and not below.breached_by(75)


def test_a_region_with_its_own_rules(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    seed(session)
    strict = FlagRules(
        worsening_run=WorseningRun(periods=3),
        thresholds=(Threshold(indicator=AGENCY, above=15, why="Our own line."),),
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


REREFERRALS = "rereferrals_within_12m_pct"  # two-sided: both very high and very low ask a question


def test_a_two_sided_run_is_further_from_the_median_not_worsening(session: Session) -> None:
    f.open_cycle(session)
    by = f.make_user(session)
    for period, derby in (("2025-26 Q3", 24.0), ("2025-26 Q4", 27.0), (str(Q1), 31.0)):
        add_return(session, DERBY, period, {REREFERRALS: derby}, submitted_by=by)
        for code in OTHERS:
            add_return(session, code, period, {REREFERRALS: 22.0}, submitted_by=by)
    run = _by_rule(flags_for_region(session, REGION, Q1, today=AFTER_RELEASE), DERBY)
    flag = run["worsening_run"]
    assert flag.title == (
        "Re-referrals within 12 months further from the region median for 2 quarters running"
    )
    assert flag.explanation == (
        "Re-referrals within 12 months has moved further from the region median for 2 quarters "
        "running: 24.0%, then 27.0%, then 31.0%, by 2026-27 Q1 (region median 22.0%)."
    )
    assert "()" not in flag.explanation and "worsen" not in flag.explanation.lower()
