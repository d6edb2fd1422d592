"""Loading the DfE published values file: real rows, typed missing values, joint rows, re-runs."""

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.benchmarks.published import ImportSummary, PublishedFileError, import_published
from app.benchmarks.service import published_series
from app.models import AuditEvent, PublishedValue

PUBLISHED = Path("/work/shared/data/dfe_csc_indicator_values_2023_2025.csv")
DERBY = "E06000015"
KINGSTON, RICHMOND = "E09000021", "E09000027"


def _value(session: Session, code: str, indicator_id: str, period: str) -> PublishedValue:
    return session.execute(
        select(PublishedValue).where(
            PublishedValue.code == code,
            PublishedValue.indicator_id == indicator_id,
            PublishedValue.period == period,
        )
    ).scalar_one()


@pytest.fixture
def loaded(session: Session) -> ImportSummary:
    return import_published(session, PUBLISHED)


def test_counts_by_level_and_skipped_rows_with_reasons(loaded: ImportSummary) -> None:
    # 49 England and 539 regional rows; 7,503 LA rows less 42 for Cumbria and Northamptonshire,
    # plus one more for each of the 24 joint rows (stored for both LAs).
    assert loaded.stored == {"national": 49, "regional": 539, "la": 7485}
    assert loaded.skipped == {"unknown indicator id": 1002, "legacy or unknown LA": 42}
    assert loaded.periods == ("2022-23", "2023-24", "2024-25")
    assert loaded.unknown_indicators == (
        "care_leavers_eet_pct_17_to_18_years",
        "care_leavers_suitable_accom_pct_17_to_18_years",
    )


def test_real_values_land_on_our_indicator_ids_and_reporting_years(
    session: Session, loaded: ImportSummary
) -> None:
    england = _value(session, "E92000001", "rereferrals_within_12m_pct", "2024-25")
    assert (england.value, england.level, england.missing_code) == (22.6, "national", None)
    assert _value(session, DERBY, "referrals_rate_per_10k", "2024-25").value == 572.7
    assert _value(session, DERBY, "cla_rate_per_10k", "2022-23").value == 104
    assert _value(session, "E12000004", "rereferrals_within_12m_pct", "2024-25").level == (
        "regional"
    )
    assert published_series(session, DERBY, "rereferrals_within_12m_pct") == [
        ("2022-23", 20.9, None),
        ("2023-24", 22.5, None),
        ("2024-25", 23.1, None),
    ]


def test_suppressed_and_blank_values_are_typed_missing_never_zero(
    session: Session, loaded: ImportSummary
) -> None:
    suppressed = _value(session, DERBY, "cpp_2yrs_plus_pct", "2022-23")
    assert (suppressed.value, suppressed.missing_code) == (None, "c")
    blank = _value(session, "E10000014", "referrals_rate_per_10k", "2023-24")  # Hampshire
    assert (blank.value, blank.missing_code) == (None, "x")
    zeros_for_missing = session.scalar(
        select(func.count())
        .select_from(PublishedValue)
        .where(PublishedValue.missing_code.is_not(None), PublishedValue.value.is_not(None))
    )
    assert zeros_for_missing == 0


def test_joint_kingston_and_richmond_row_is_stored_for_both(
    session: Session, loaded: ImportSummary
) -> None:
    kingston = _value(session, KINGSTON, "sw_turnover_rate_fte_pct", "2024-25")
    richmond = _value(session, RICHMOND, "sw_turnover_rate_fte_pct", "2024-25")
    assert (kingston.value, kingston.joint_with) == (28, RICHMOND)
    assert (richmond.value, richmond.joint_with) == (28, KINGSTON)
    # Their own rows for other indicators are not joint.
    assert _value(session, KINGSTON, "referrals_rate_per_10k", "2024-25").joint_with is None


def test_a_new_ons_code_finds_the_la_by_its_dfe_code(
    session: Session, loaded: ImportSummary
) -> None:
    # DfE's workforce file gives Barnsley its 2025 code E08000038; we hold E08000016 (DfE 370).
    assert _value(session, "E08000016", "sw_turnover_rate_fte_pct", "2024-25").value == 8
    assert loaded.matched_on_dfe_code > 0


def test_importing_twice_leaves_the_same_rows_and_audits_each_run(session: Session) -> None:
    def snapshot() -> list[tuple[object, ...]]:
        return sorted(
            tuple(r)
            for r in session.execute(
                select(
                    PublishedValue.indicator_id,
                    PublishedValue.period,
                    PublishedValue.code,
                    PublishedValue.value,
                    PublishedValue.missing_code,
                    PublishedValue.joint_with,
                )
            )
        )

    first = import_published(session, PUBLISHED)
    before = snapshot()
    second = import_published(session, PUBLISHED)
    assert first == second
    assert snapshot() == before
    assert len(before) == 49 + 539 + 7485
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "published.imported")
    ).all()
    assert len(events) == 2
    assert events[0].actor_name == "RIIA Cycle (command line)"


def test_a_file_without_the_columns_is_refused(session: Session, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("la_code,indicator_id,value\nE06000015,cla_rate_per_10k,88\n")
    with pytest.raises(PublishedFileError, match="no column"):
        import_published(session, wrong)
