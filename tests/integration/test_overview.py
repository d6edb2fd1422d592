"""The cycle overview: each person's next steps for the MoU and their quarterly returns."""

from datetime import date

from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.cycles.overview import indicator_tasks
from tests import factories as f
from tests.indicator_factories import add_return

DERBY = "E06000015"


def test_a_data_lead_sees_each_quarter_of_their_own_la(session: Session) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    lead_user = f.make_user(session, Role.DATA_LEAD, organisation=DERBY)
    add_return(
        session, DERBY, "2026-27 Q1", {"referrals_rate_per_10k": 500.0}, submitted_by=lead_user
    )
    lead = f.principal(session, lead_user)
    tasks = indicator_tasks(session, lead, cycle, today=date(2026, 11, 23))
    assert [(t.title, t.status, t.hint) for t in tasks] == [
        ("Derby: 2026-27 Q1 return", "submitted", "Version 1 submitted"),
        ("Derby: 2026-27 Q2 return", "missing", "Due by 30 October 2026"),
        ("Derby: 2026-27 Q3 return", "not_open", "Opens on 1 January 2027"),
        ("Derby: 2026-27 Q4 return", "not_open", "Opens on 1 April 2027"),
        (
            "Quarterly returns tracker",
            "in_progress",
            "Which returns are in, late or missing, quarter by quarter",
        ),
    ]
    assert tasks[0].href == "/regions/east-midlands/returns/2026-27-q1/E06000015"
    assert tasks[1].href == "/regions/east-midlands/returns/2026-27-q2/E06000015/edit"
    assert tasks[2].href is None


def test_the_coordinator_sees_the_tracker_not_an_las_quarters(session: Session) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    tasks = indicator_tasks(session, boss, cycle, today=date(2026, 8, 2))
    assert [(t.title, t.href) for t in tasks] == [
        ("Quarterly returns tracker", "/regions/east-midlands/returns?year=2026-27")
    ]
