"""Non-engagement as a signature of risk: authorities that stop engaging are often the ones in
trouble. A quarterly return late or missing once its window closed, and a sign-off missed: the
MoU's signatures or the self-evaluation's sign-off not in by the region's calendar (issue 10).
"""

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.benchmarks.flag_rules import FlagRules
from app.benchmarks.flag_types import Flag, ReturnRecord, day_text
from app.models import Cycle, IndicatorReturn, SelfEvaluation, StageWindow
from app.mou.binding import bindings
from app.returns.periods import Quarter
from app.returns.windows import WindowState
from app.self_evaluation.access import SHARED_STATES
from app.self_evaluation.signoff import service as signoff


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
    quarter, due = str(window.quarter), day_text(window.closes_on)
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
                        f"The return for {quarter} was received on {day_text(record.submitted_on)}, "
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


def _missed(code: str, what: str, year: str, due: date, today: date) -> Flag:
    return Flag(
        la_code=code,
        indicator_id=None,
        rule="missed_signoff",
        title=f"{what[0].upper()}{what[1:]} not signed off",
        explanation=(
            f"The {what} for {year} was due to be signed off by {day_text(due)} in the region's "
            f"calendar, and is not yet: {(today - due).days} days overdue."
        ),
        numbers={"due": due.isoformat(), "days_overdue": (today - due).days},
    )


def signoff_flags(
    session: Session,
    region_id: str,
    quarter: Quarter,
    la_codes: Iterable[str],
    today: date,
    *,
    sef_codes: Iterable[str] = (),
) -> list[Flag]:
    """The MoU or the self-evaluation of the quarter's cycle not signed off by its window's close.

    Whether the MoU binds comes from the MoU's own rule (app.mou.binding.bindings), and the
    self-evaluation's lateness from its sign-off status, so a flag never disagrees with them.
    The MoU's status is the whole region's to see (Action.VIEW_MOU); an unsigned
    self-evaluation's state is not (app/self_evaluation/access.py), so its flag is raised only for
    `sef_codes`, the LAs whose self-evaluation the reader may see unsigned.
    """
    cycle = session.execute(
        select(Cycle).where(Cycle.region_id == region_id, Cycle.year == quarter.year)
    ).scalar_one_or_none()
    if cycle is None:
        return []
    closes = dict(
        session.execute(
            select(StageWindow.stage, StageWindow.closes_on).where(StageWindow.cycle_id == cycle.id)
        ).all()
    )
    codes = list(la_codes)
    flags = []
    mou_due = closes.get("mou")
    if mou_due is not None and today > mou_due:
        # A MoU signed in an earlier cycle still binds (issue 10): only an unbound one is late.
        bound = bindings(session, [cycle], today=today)
        flags += [
            _missed(code, "memorandum of understanding", cycle.year, mou_due, today)
            for code in codes
            if not bound[(cycle.id, code)].in_force
        ]
    sef_due = closes.get("self_evaluation")
    readable = set(sef_codes)
    shown = [code for code in codes if code in readable]
    if sef_due is not None and today > sef_due and shown:
        sefs = list(
            session.scalars(
                select(SelfEvaluation).where(
                    SelfEvaluation.cycle_id == cycle.id, SelfEvaluation.la_code.in_(shown)
                )
            )
        )
        status = signoff.statuses(session, cycle, sefs, today=today, due=sef_due)
        done = {s.la_code for s in sefs if not (status[s.id].late and s.state not in SHARED_STATES)}
        flags += [
            _missed(code, "self-evaluation", cycle.year, sef_due, today)
            for code in shown
            if code not in done
        ]
    return flags
