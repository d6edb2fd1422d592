"""Benchmarks against hand-computed numbers: quartiles, neighbours, direction, trend.

No ranks: the MoU rules out league tables (regions/templates/mou-standard.yaml:44).
"""

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.benchmarks.service import Benchmark, direction_of_travel, region_benchmarks, trend
from app.models import PublishedValue
from app.reference import Polarity
from app.returns.periods import Quarter
from tests.factories import make_user
from tests.indicator_factories import add_return

REGION = "east-midlands"
Q = Quarter.parse("2026-27 Q1")
PREV = "2025-26 Q4"
DERBY, DERBYSHIRE, LEICESTER = "E06000015", "E10000007", "E06000016"
LEICS, LINCS, NOTTINGHAM = "E10000018", "E10000019", "E06000018"
COVENTRY, BOLTON, WALSALL = "E08000026", "E08000001", "E08000030"  # three of Derby's neighbours
ASSESS = "assessments_within_45wd_pct"  # higher is better, 1 decimal
MOVES = "cla_3plus_placements_pct"  # lower is better, 0 decimals
REFERRALS = "referrals_rate_per_10k"  # contextual
REREF = "rereferrals_within_12m_pct"  # two-sided


@pytest.fixture
def rows(session: Session) -> dict[tuple[str, str], Benchmark]:
    by = make_user(session)
    q = str(Q)
    # Derby's first version is superseded: none of its numbers may show.
    add_return(session, DERBY, q, {ASSESS: 50, MOVES: 30, REREF: 40}, submitted_by=by)
    add_return(
        session,
        DERBY,
        q,
        {ASSESS: 80, MOVES: 10, REFERRALS: 500, REREF: 20},
        version=2,
        submitted_by=by,
    )
    add_return(session, DERBYSHIRE, q, {ASSESS: 90, MOVES: 12, REREF: 22}, submitted_by=by)
    add_return(
        session, LEICESTER, q, {ASSESS: 70, MOVES: 12, REFERRALS: 400, REREF: 24}, submitted_by=by
    )
    add_return(session, LEICS, q, {ASSESS: 60, MOVES: 8}, submitted_by=by)
    add_return(session, LINCS, q, {ASSESS: 85, MOVES: 15}, submitted_by=by)
    add_return(session, NOTTINGHAM, q, {ASSESS: "c", MOVES: 20}, submitted_by=by)
    # The quarter before, for direction of travel.
    add_return(
        session, DERBY, PREV, {ASSESS: 75, MOVES: 12, REFERRALS: 450, REREF: 25}, submitted_by=by
    )
    add_return(session, DERBYSHIRE, PREV, {REREF: 22}, submitted_by=by)
    add_return(session, LEICESTER, PREV, {REFERRALS: 400, REREF: 22}, submitted_by=by)
    add_return(session, LEICS, PREV, {ASSESS: 65}, submitted_by=by)
    # Neighbours in other regions: latest versions, same quarter, those with values.
    add_return(session, COVENTRY, q, {ASSESS: 10}, submitted_by=by)
    add_return(session, COVENTRY, q, {ASSESS: 70}, version=2, submitted_by=by)
    add_return(session, BOLTON, q, {ASSESS: 74}, submitted_by=by)
    add_return(session, BOLTON, PREV, {ASSESS: 99}, submitted_by=by)
    add_return(session, WALSALL, q, {ASSESS: "x"}, submitted_by=by)
    return {(r.la_code, r.indicator_id): r for r in region_benchmarks(session, REGION, Q)}


def test_one_row_per_la_and_indicator_in_name_then_catalogue_order(
    rows: dict[tuple[str, str], Benchmark],
) -> None:
    keys = list(rows)
    assert len(keys) == 10 * 20
    assert keys[0] == (DERBY, REFERRALS)
    assert keys[20][0] == DERBYSHIRE
    assert keys[-1] == ("E06000062", "sw_average_caseload_fte")  # West Northamptonshire


def test_odd_count_quartiles_and_quartile_for_higher_better(
    rows: dict[tuple[str, str], Benchmark],
) -> None:
    # 60, 70, 80, 85, 90 (Nottingham's suppressed value is left out).
    derby = rows[(DERBY, ASSESS)]
    assert (derby.region_q1, derby.region_median, derby.region_q3) == (70, 80, 85)
    assert derby.region_count == 5
    las = (DERBYSHIRE, LINCS, DERBY, LEICESTER, LEICS)
    quartiles = {la: rows[(la, ASSESS)].quartile for la in las}
    assert quartiles == {DERBYSHIRE: 1, LINCS: 1, DERBY: 2, LEICESTER: 3, LEICS: 4}


def test_even_count_with_ties_for_lower_better(rows: dict[tuple[str, str], Benchmark]) -> None:
    # 8, 10, 12, 12, 15, 20: positions 1.25, 2.5, 3.75 -> 10.5, 12, 14.25.
    derby = rows[(DERBY, MOVES)]
    assert (derby.region_q1, derby.region_median, derby.region_q3) == (10.5, 12, 14.25)
    assert derby.region_count == 6
    las = (LEICS, DERBY, DERBYSHIRE, LEICESTER, LINCS, NOTTINGHAM)
    quartiles = {la: rows[(la, MOVES)].quartile for la in las}
    assert quartiles == {LEICS: 1, DERBY: 1, DERBYSHIRE: 2, LEICESTER: 2, LINCS: 4, NOTTINGHAM: 4}


def test_two_values_interpolate_and_contextual_has_no_quartile(
    rows: dict[tuple[str, str], Benchmark],
) -> None:
    derby, leicester = rows[(DERBY, REFERRALS)], rows[(LEICESTER, REFERRALS)]
    assert (derby.region_q1, derby.region_median, derby.region_q3) == (425, 450, 475)
    assert derby.quartile is None and leicester.quartile is None
    assert rows[(DERBY, REREF)].quartile is None  # two-sided: no best quarter either


def test_missing_values_keep_their_code_and_no_quartile(
    rows: dict[tuple[str, str], Benchmark],
) -> None:
    nottingham = rows[(NOTTINGHAM, ASSESS)]
    assert (nottingham.value, nottingham.missing_code) == (None, "c")
    assert (nottingham.quartile, nottingham.direction) == (None, "not_known")
    nobody = rows[("E06000017", ASSESS)]  # Rutland sent nothing
    assert (nobody.value, nobody.missing_code, nobody.region_median) == (None, None, 80)


def test_latest_version_wins(rows: dict[tuple[str, str], Benchmark]) -> None:
    assert rows[(DERBY, ASSESS)].value == 80
    assert rows[(DERBY, MOVES)].value == 10


def test_statistical_neighbour_mean_over_neighbours_with_values(
    rows: dict[tuple[str, str], Benchmark],
) -> None:
    derby = rows[(DERBY, ASSESS)]
    # Coventry's latest 70 and Bolton's 74; Walsall's "x" and Bolton's last quarter left out.
    assert (derby.statistical_neighbour_mean, derby.statistical_neighbour_count) == (72, 2)
    assert rows[(DERBY, MOVES)].statistical_neighbour_count == 0
    assert rows[(DERBY, MOVES)].statistical_neighbour_mean is None


def test_direction_for_every_polarity(rows: dict[tuple[str, str], Benchmark]) -> None:
    assert rows[(DERBY, ASSESS)].direction == "improving"  # higher better, 75 -> 80
    assert rows[(LEICS, ASSESS)].direction == "worsening"  # 65 -> 60
    assert rows[(DERBY, MOVES)].direction == "improving"  # lower better, 12 -> 10
    assert rows[(DERBY, REFERRALS)].direction == "increasing"  # contextual, 450 -> 500
    assert rows[(LEICESTER, REFERRALS)].direction == "no_change"
    # Two-sided, region median 22: Derby 25 -> 20 moves closer; Leicester 22 -> 24 away.
    assert rows[(DERBY, REREF)].direction == "improving"
    assert rows[(LEICESTER, REREF)].direction == "worsening"
    assert rows[(DERBYSHIRE, REREF)].direction == "no_change"
    assert rows[(LINCS, ASSESS)].direction == "not_known"
    assert rows[(DERBY, ASSESS)].previous_value == 75


def test_england_from_the_catalogue_until_published_values_are_loaded(
    session: Session, rows: dict[tuple[str, str], Benchmark]
) -> None:
    assert (rows[(DERBY, ASSESS)].england_value, rows[(DERBY, ASSESS)].england_period) == (
        85.7,
        "2024-25",
    )
    session.execute(
        insert(PublishedValue),
        [
            {
                "indicator_id": REREF,
                "period": p,
                "level": "national",
                "code": "E92000001",
                "value": v,
            }
            for p, v in (("2023-24", 22.4), ("2024-25", 22.9))
        ],
    )
    derby = region_benchmarks(session, REGION, Q, las={DERBY})
    assert len(derby) == 20
    reref = next(r for r in derby if r.indicator_id == REREF)
    assert (reref.england_value, reref.england_period) == (22.9, "2024-25")
    # Limiting the LAs does not change the region's aggregates.
    assert reref.region_median == 22 and reref.region_count == 3


def test_trend_over_eight_quarters_oldest_first(
    session: Session, rows: dict[tuple[str, str], Benchmark]
) -> None:
    by = make_user(session)
    add_return(session, DERBY, "2025-26 Q2", {ASSESS: 70}, submitted_by=by)
    points = trend(session, DERBY, Q, ASSESS)
    assert list(points) == [ASSESS]
    series = points[ASSESS]
    assert [p.period for p in series] == [
        "2024-25 Q2",
        "2024-25 Q3",
        "2024-25 Q4",
        "2025-26 Q1",
        "2025-26 Q2",
        "2025-26 Q3",
        "2025-26 Q4",
        "2026-27 Q1",
    ]
    assert [p.value for p in series] == [None, None, None, None, 70, None, 75, 80]
    assert series[-1].region_median == 80 and series[-1].statistical_neighbour_mean == 72
    assert series[-2].region_median == 70  # Derby 75, Leicestershire 65
    assert series[-2].statistical_neighbour_mean == 99  # Bolton alone
    everything = trend(session, DERBY, Q, count=4)
    assert len(everything) == 20 and all(len(s) == 4 for s in everything.values())
    assert everything[MOVES][-1].value == 10


@pytest.mark.parametrize(
    ("polarity", "previous", "current", "median", "expected"),
    [
        (Polarity.HIGHER_BETTER, 10.0, 11.0, None, "improving"),
        (Polarity.HIGHER_BETTER, 11.0, 10.0, None, "worsening"),
        (Polarity.LOWER_BETTER, 10.0, 11.0, None, "worsening"),
        (Polarity.LOWER_BETTER, 11.0, 10.0, None, "improving"),
        (Polarity.CONTEXTUAL, 10.0, 11.0, None, "increasing"),
        (Polarity.CONTEXTUAL, 11.0, 10.0, None, "decreasing"),
        (Polarity.TWO_SIDED, 30.0, 25.0, 22.0, "improving"),
        (Polarity.TWO_SIDED, 15.0, 20.0, 22.0, "improving"),
        (Polarity.TWO_SIDED, 23.0, 26.0, 22.0, "worsening"),
        (Polarity.TWO_SIDED, 21.0, 18.0, 22.0, "worsening"),
        (Polarity.TWO_SIDED, 20.0, 24.0, 22.0, "no_change"),  # crossed, same distance
        (Polarity.TWO_SIDED, 20.0, 24.0, None, "increasing"),  # no median to move towards
        (Polarity.HIGHER_BETTER, 10.0, 10.04, None, "no_change"),  # within half of 0.1
        (Polarity.LOWER_BETTER, 0.1 + 0.2, 0.3, None, "no_change"),  # float noise
        (Polarity.HIGHER_BETTER, None, 10.0, None, "not_known"),
        (Polarity.CONTEXTUAL, 10.0, None, None, "not_known"),
    ],
)
def test_direction_of_travel(
    polarity: Polarity,
    previous: float | None,
    current: float | None,
    median: float | None,
    expected: str,
) -> None:
    assert direction_of_travel(polarity, previous, current, 1, median) == expected


def test_direction_respects_the_indicators_decimals() -> None:
    assert direction_of_travel(Polarity.HIGHER_BETTER, 10, 10.4, 0) == "no_change"
    assert direction_of_travel(Polarity.HIGHER_BETTER, 10, 11, 0) == "improving"
