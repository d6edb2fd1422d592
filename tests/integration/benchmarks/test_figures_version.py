"""Benchmarks are remembered per figures version, and never outlive the figures (issue 8)."""

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.benchmarks import figures_version
from app.benchmarks.service import region_benchmarks, trend
from app.models import FiguresVersion, PublishedValue
from app.returns.periods import Quarter
from tests.factories import make_user
from tests.indicator_factories import add_return

REGION = "east-midlands"
Q = Quarter.parse("2026-27 Q1")
DERBY = "E06000015"
ASSESS = "assessments_within_45wd_pct"


def _token(session: Session) -> str:
    return str(session.scalar(select(FiguresVersion.token).where(FiguresVersion.id == 1)))


def _derby(session: Session) -> float | None:
    rows = region_benchmarks(session, REGION, Q, las={DERBY})
    return next(r.value for r in rows if r.indicator_id == ASSESS)


def test_benchmarks_follow_every_committed_change_and_are_reused_between(
    session: Session,
) -> None:
    by = make_user(session)
    session.commit()
    start = _token(session)
    assert _derby(session) is None

    add_return(session, DERBY, str(Q), {ASSESS: 61.5}, submitted_by=by)
    # Not yet committed: this transaction sees its own change, never a remembered answer.
    assert _derby(session) == 61.5
    session.commit()
    after_return = _token(session)
    assert after_return != start

    first = region_benchmarks(session, REGION, Q, las={DERBY})
    again = region_benchmarks(session, REGION, Q, las={DERBY})
    assert first == again and first is not again  # a copy each time, so callers may change it
    assert all(a is b for a, b in zip(first, again, strict=True))  # the rows were remembered

    add_return(session, DERBY, str(Q), {ASSESS: 70.0}, version=2, submitted_by=by)
    session.commit()
    assert _token(session) not in (start, after_return)
    assert _derby(session) == 70.0


def test_published_values_written_in_bulk_change_the_token(session: Session) -> None:
    session.commit()
    before = _token(session)
    points = trend(session, DERBY, Q, ASSESS, count=4)[ASSESS]
    session.execute(
        insert(PublishedValue),
        [
            {
                "indicator_id": ASSESS,
                "period": "2024-25",
                "level": "national",
                "code": "E92000001",
                "value": 82.0,
                "missing_code": None,
            }
        ],
    )
    session.commit()
    assert _token(session) != before
    assert trend(session, DERBY, Q, ASSESS, count=4)[ASSESS] == points


def test_a_rolled_back_change_leaves_the_token_as_it_was(session: Session) -> None:
    by = make_user(session)
    session.commit()
    before = _token(session)
    assert _derby(session) is None  # remembered for this token
    savepoint = session.begin_nested()
    add_return(session, DERBY, str(Q), {ASSESS: 10.0}, submitted_by=by)
    assert _derby(session) == 10.0
    savepoint.rollback()
    session.commit()
    # The value that never happened is neither remembered nor reported.
    assert _token(session) != before or _derby(session) is None
    assert _derby(session) is None


def test_forgetting_empties_the_cache(session: Session) -> None:
    region_benchmarks(session, REGION, Q)
    figures_version.forget_all()
    assert not figures_version._remembered
