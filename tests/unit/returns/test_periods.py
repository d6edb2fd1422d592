"""Reporting periods: quarters of an April-to-March year, and published DfE years."""

from datetime import date

import pytest

from app.returns.periods import Quarter, published_year, quarters_of, trailing


def test_quarters_of_a_reporting_year() -> None:
    q1, q2, q3, q4 = quarters_of("2026-27")
    assert [str(q) for q in (q1, q2, q3, q4)] == [
        "2026-27 Q1",
        "2026-27 Q2",
        "2026-27 Q3",
        "2026-27 Q4",
    ]
    assert (q1.starts_on, q1.ends_on) == (date(2026, 4, 1), date(2026, 6, 30))
    assert (q3.starts_on, q3.ends_on) == (date(2026, 10, 1), date(2026, 12, 31))
    assert (q4.starts_on, q4.ends_on) == (date(2027, 1, 1), date(2027, 3, 31))
    assert q4.label == "January to March 2027"
    assert q4.next() == Quarter.parse("2027-28 Q1") and q1.previous() == Quarter.parse("2025-26 Q4")


def test_parse_and_slug_round_trip() -> None:
    quarter = Quarter.parse("2026-27 Q2")
    assert quarter.slug == "2026-27-q2" and Quarter.from_slug("2026-27-q2") == quarter
    for bad in ("2026-28 Q1", "2026-27 Q5", "2026 Q1", "Q1 2026-27"):
        with pytest.raises(ValueError, match="write it like 2026-27 Q1"):
            Quarter.parse(bad)


def test_trailing_eight_quarters_oldest_first() -> None:
    periods = [str(q) for q in trailing(Quarter.parse("2026-27 Q2"), 8)]
    assert periods == [
        "2024-25 Q3",
        "2024-25 Q4",
        "2025-26 Q1",
        "2025-26 Q2",
        "2025-26 Q3",
        "2025-26 Q4",
        "2026-27 Q1",
        "2026-27 Q2",
    ]


def test_published_time_period_is_the_year_it_describes() -> None:
    assert published_year(2025) == "2024-25" and published_year(2023) == "2022-23"


def test_quarters_from_requests() -> None:
    from app.errors import InvalidInput, NotFound
    from app.returns.periods import quarter_in_path, quarter_in_query

    assert Quarter.read("2026-27 Q3") == Quarter.read("2026-27-q3") == Quarter(2026, 3)
    assert quarter_in_path("2026-27-q1") == Quarter(2026, 1)
    with pytest.raises(NotFound, match="There is no such quarter."):
        quarter_in_path("2026-27-q9")
    with pytest.raises(InvalidInput, match="write it like 2026-27 Q1") as bad:
        quarter_in_query("2026 Q1")
    assert bad.value.field == "period"
