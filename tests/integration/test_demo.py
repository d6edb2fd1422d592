"""`riia demo --today` plays last cycle complete and this cycle up to that day, on its calendar.

One run per date (module-scoped): early May, before this cycle's first return window closes;
early December, in the middle of self-evaluation; mid-March, after the triad conversations. Only
the December run renders the packs (PDFs are slow); the other two check the database play.
"""

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import clock
from app.auth import accounts
from app.auth.principal import load_principal
from app.db import Base, make_engine
from app.models import (
    ChallengeAccuracyComment,
    ChallengeAgreementEvent,
    ChallengeAttendee,
    ChallengeMeeting,
    ChallengeRecord,
    ChallengeRecordVersion,
    ChallengeWithdrawal,
    Cycle,
    IndicatorReturn,
    Kloe,
    LaPlan,
    LaPlanSignOffEvent,
    ReturnWindow,
    SefComment,
    SefContributor,
    SefResponse,
    SefVersion,
    SelfEvaluation,
    Triad,
    TriadMember,
    User,
)
from app.models.types import UTCDateTime
from app.mou import service as mou
from app.reference import get_reference
from app.self_evaluation.drafting import carry, service
from app.self_evaluation.signoff import service as signoff

NAMES = {la.code: la.name for la in get_reference().regions["east-midlands"].local_authorities}
SLUGS = [
    "derby",
    "derbyshire",
    "leicester",
    "leicestershire",
    "lincolnshire",
    "north-northamptonshire",
    "nottingham",
    "nottinghamshire",
    "rutland",
    "west-northamptonshire",
]


@dataclass(frozen=True)
class Played:
    today: date
    url: str
    lines: str
    out: Path | None


def _cli(*args: str, url: str, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "RIIA_DATABASE_URL"}
    env.update(RIIA_ENVIRONMENT="test", RIIA_DATABASE_URL=url, COLUMNS="200", **settings)
    return subprocess.run(
        [sys.executable, "-c", "from app.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _play(folder: Path, today: str, *, packs: bool) -> Played:
    url = f"sqlite:///{folder / 'demo.db'}"
    out = folder / "packs"
    result = _cli("demo", "--today", today, *(["--out", str(out)] if packs else []), url=url)
    assert result.returncode == 0, result.stdout + result.stderr
    return Played(
        date.fromisoformat(today), url, " ".join(result.stdout.split()), out if packs else None
    )


@pytest.fixture(scope="module")
def may(tmp_path_factory: pytest.TempPathFactory) -> Played:
    return _play(tmp_path_factory.mktemp("may"), "2026-05-05", packs=False)


@pytest.fixture(scope="module")
def december(tmp_path_factory: pytest.TempPathFactory) -> Played:
    return _play(tmp_path_factory.mktemp("december"), "2026-12-07", packs=True)


@pytest.fixture(scope="module")
def march(tmp_path_factory: pytest.TempPathFactory) -> Played:
    return _play(tmp_path_factory.mktemp("march"), "2027-03-15", packs=False)


def _session(played: Played) -> Session:
    return Session(make_engine(played.url))


def _latest_moments(session: Session) -> dict[str, date]:
    """Every stored moment's latest day in England, table by table and column by column."""
    latest = {}
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, UTCDateTime):
                moment = session.execute(select(func.max(column))).scalar()
                if moment is not None:
                    latest[f"{table.name}.{column.name}"] = clock.day_of(moment)
    return latest


def _check_the_clock(played: Played) -> None:
    """Nothing after today; every return inside its window, or flagged late (once in all)."""
    with _session(played) as session:
        latest = _latest_moments(session)
        assert "audit_event.occurred_at" in latest and "indicator_return.submitted_at" in latest
        assert {k: d for k, d in latest.items() if d > played.today} == {}
        rows = session.execute(
            select(IndicatorReturn, ReturnWindow)
            .join(Cycle, Cycle.id == ReturnWindow.cycle_id)
            .where(ReturnWindow.period == IndicatorReturn.period)
        ).all()
        assert rows
        late = []
        for row, window in rows:
            day = clock.day_of(row.submitted_at)
            assert window.opens_on <= day, (row.period, row.organisation_code, day)
            assert row.late == (day > window.closes_on), (row.period, row.organisation_code, day)
            if row.late:
                late.append((row.period, NAMES[row.organisation_code]))
        assert len(late) == 1 and late[0][1] == "Leicester"
        # A self-evaluation quotes only quarters whose figures were out on the day it was written.
        windows = {w.period: w for w in session.scalars(select(ReturnWindow))}
        for version in session.scalars(select(SefVersion)):
            written = clock.day_of(version.created_at)
            for period in set(re.findall(r"20\d\d-\d\d Q\d", version.content)):
                assert windows[period].closes_on < written, (period, written)
    assert "Audit chain: intact" in played.lines
    assert "Derby resubmitted its return with a reason (version 2)" in played.lines
    assert "Lincolnshire's first file was refused whole, 2 problems" in played.lines


def _states(session: Session, year: str) -> dict[str, str]:
    cycle = session.execute(select(Cycle).where(Cycle.year == year)).scalar_one()
    found = {}
    for sef in session.scalars(select(SelfEvaluation).where(SelfEvaluation.cycle_id == cycle.id)):
        state = sef.state
        if state == "draft" and service.latest_version(session, sef) is None:
            state = "empty"
        found[NAMES[sef.la_code]] = state
    return found


def _triads(session: Session, year: str) -> set[frozenset[str]]:
    rows = session.execute(
        select(Triad.number, TriadMember.la_code)
        .join(TriadMember, TriadMember.triad_id == Triad.id)
        .join(Cycle, Cycle.id == Triad.cycle_id)
        .where(Cycle.year == year)
    ).all()
    groups: dict[int, set[str]] = {}
    for number, code in rows:
        groups.setdefault(number, set()).add(NAMES[code])
    return {frozenset(g) for g in groups.values()}


def _last_cycle_complete(session: Session, year: str) -> None:
    cycle = session.execute(select(Cycle).where(Cycle.year == year)).scalar_one()
    coordinator = load_principal(
        session, accounts.user_by_email(session, "coordinator@demo.riia.example")
    )
    assert mou.status(session, coordinator, cycle).in_force
    periods = session.execute(
        select(IndicatorReturn.period, func.count(func.distinct(IndicatorReturn.organisation_code)))
        .where(IndicatorReturn.period.like(f"{year}%"))
        .group_by(IndicatorReturn.period)
    ).all()
    assert dict(periods) == {f"{year} Q{n}": 10 for n in (1, 2, 3, 4)}
    assert set(_states(session, year).values()) == {"scrutiny_closed"}
    sefs = session.scalars(select(SelfEvaluation).where(SelfEvaluation.cycle_id == cycle.id))
    assert all(signoff.build_status(session, cycle, s).signed_count == 3 for s in sefs)
    # Every DCS kept three drafted questions and added one of its own (issue 12).
    assert _kloes(session, year) == {code: (4, 3) for code in NAMES}
    # Every triad's record is agreed by all its members; one was corrected after a comment.
    assert _records(session, year) == (["agreed"] * 3, 11, 10, 1)
    _conversations_held(session, year)


def _conversations_held(session: Session, year: str) -> None:
    """Three meetings, one facilitated, one moved after a withdrawal; every LA's plan signed,
    one after a return (issue 12)."""
    # Each DCS brings itself and one delegate: 10 authorities, 20 people.
    assert _meetings(session, year) == (3, ["LGA Children's Improvement Adviser"], 20, 1)
    assert _plans(session, year) == (["signed"] * 10, 1)


def _meetings(session: Session, year: str) -> tuple[int, list[str], int, int]:
    """How many meetings, their facilitators' organisations, how many attendees, and how many
    withdrawals whose meeting has since moved to a later date."""
    cycle = session.execute(select(Cycle).where(Cycle.year == year)).scalar_one()
    meetings = list(
        session.scalars(select(ChallengeMeeting).where(ChallengeMeeting.cycle_id == cycle.id))
    )
    attendees = session.scalar(select(func.count()).where(ChallengeAttendee.cycle_id == cycle.id))
    dates = {m.id: m.meets_on for m in meetings}
    withdrawals = session.scalars(
        select(ChallengeWithdrawal).where(ChallengeWithdrawal.cycle_id == cycle.id)
    ).all()
    assert all(w.reason for w in withdrawals)
    replaced = sum(1 for w in withdrawals if dates[w.meeting_id] > w.meets_on)
    assert replaced == len(withdrawals)
    facilitators = [m.facilitator_organisation for m in meetings if m.facilitator_organisation]
    return len(meetings), facilitators, attendees or 0, replaced


def _plans(session: Session, year: str) -> tuple[list[str], int]:
    """Every LA's development plan's state, and how many returns with a reason."""
    cycle = session.execute(select(Cycle).where(Cycle.year == year)).scalar_one()
    states = session.scalars(
        select(LaPlan.state).where(LaPlan.cycle_id == cycle.id).order_by(LaPlan.la_code)
    ).all()
    returns = session.scalars(
        select(LaPlanSignOffEvent.reason)
        .join(LaPlan, LaPlan.id == LaPlanSignOffEvent.plan_id)
        .where(LaPlan.cycle_id == cycle.id, LaPlanSignOffEvent.decision == "returned")
    ).all()
    assert all(returns)
    return list(states), len(returns)


def _records(session: Session, year: str) -> tuple[list[str], int, int, int]:
    """The cycle's records' states, and how many versions, agreements and accuracy comments."""
    cycle = session.execute(select(Cycle).where(Cycle.year == year)).scalar_one()
    ids = select(ChallengeRecord.id).where(ChallengeRecord.cycle_id == cycle.id)
    states = session.scalars(
        select(ChallengeRecord.state)
        .where(ChallengeRecord.cycle_id == cycle.id)
        .order_by(ChallengeRecord.id)
    )

    def count(model: Any) -> int:
        query = select(func.count()).select_from(model).where(model.record_id.in_(ids))
        return session.scalar(query) or 0

    return (
        list(states),
        count(ChallengeRecordVersion),
        count(ChallengeAgreementEvent),
        count(ChallengeAccuracyComment),
    )


def _kloes(session: Session, year: str) -> dict[str, tuple[int, int]]:
    """Each LA's key lines of enquiry in the cycle: how many, and how many kept a source."""
    rows = session.execute(
        select(Kloe.la_code, func.count(), func.count(Kloe.source_kind))
        .join(Cycle, Cycle.id == Kloe.cycle_id)
        .where(Cycle.year == year)
        .group_by(Kloe.la_code)
    ).all()
    return {code: (total, sourced) for code, total, sourced in rows}


def test_early_may_last_cycle_done_this_one_reviewing_its_mou(may: Played) -> None:
    _check_the_clock(may)
    # The MoU set up last cycle lasts: this cycle's review found no change (issue 10).
    assert "every signatory had signed the 2025-26 MoU: in force = True (31 of 31" in may.lines
    assert (
        "3 April 2026: the leads reviewed the MoU: no change, version 2 stays in force and "
        "nobody signs again"
    ) in may.lines
    with _session(may) as session:
        _last_cycle_complete(session, "2025-26")
        # No quarter of 2026-27 has closed: none is in, and no self-evaluation is begun.
        assert (
            session.scalar(select(func.count()).where(IndicatorReturn.period.like("2026-27%"))) == 0
        )
        assert set(_states(session, "2026-27").values()) == {"empty"}
        assert _triads(session, "2026-27") == set()
        # The three mishaps happened in last cycle's latest quarters instead.
        assert session.execute(
            select(IndicatorReturn.period).where(IndicatorReturn.late)
        ).scalars().all() == ["2025-26 Q2"]


def test_early_december_self_evaluations_at_every_stage_and_packs_written(
    december: Played,
) -> None:
    _check_the_clock(december)
    with _session(december) as session:
        _last_cycle_complete(session, "2025-26")
        # The triads meet from January: nobody has set this cycle's questions yet.
        assert _kloes(session, "2026-27") == {}
        assert _records(session, "2026-27") == ([], 0, 0, 0)
        assert _meetings(session, "2026-27") == (0, [], 0, 0)
        assert _plans(session, "2026-27") == ([], 0)
        assert _states(session, "2026-27") == {
            "Derby": "signed",
            "Derbyshire": "signed",
            "Leicester": "signed",
            "Leicestershire": "signed",
            "Lincolnshire": "signed",
            "North Northamptonshire": "signed",
            "Nottingham": "awaiting_sign_off",
            "Nottinghamshire": "awaiting_sign_off",
            "Rutland": "draft",
            "West Northamptonshire": "draft",
        }
        in_force = session.execute(select(Cycle).where(Cycle.year == "2026-27")).scalar_one()
        returns = session.execute(
            select(
                IndicatorReturn.period, func.count(func.distinct(IndicatorReturn.organisation_code))
            )
            .where(IndicatorReturn.period.like("2026-27%"))
            .group_by(IndicatorReturn.period)
        ).all()
        assert dict(returns) == {"2026-27 Q1": 10, "2026-27 Q2": 10}
        assert in_force.year == "2026-27"
        # Triads rotate: one pair meets again, the fewest possible (last cycle's group of four
        # is spread over three groups, so two of its members must share one).
        last, this = _triads(session, "2025-26"), _triads(session, "2026-27")
        assert len(this) == 3 and this != last
        pairs = {frozenset((a, b)) for g in last for a in g for b in g if a != b}
        again = {frozenset((a, b)) for g in this for a in g for b in g if a != b} & pairs
        assert len(again) == 1
        # Scrutiny has begun on the first signed ones; none closed before the conversations.
        assert session.scalar(select(func.count()).select_from(SefComment)) > 0
        assert session.scalar(select(func.count()).select_from(SefResponse)) > 0
        contributor = session.execute(
            select(User).where(User.email == "contributor.leicestershire@demo.riia.example")
        ).scalar_one()
        assert (
            session.scalar(select(func.count()).where(SefVersion.created_by_id == contributor.id))
            == 1
        )
        # A newcomer signing in as a drafting authority's contributor finds a chapter of theirs.
        rutland = session.execute(
            select(User).where(User.email == "contributor.rutland@demo.riia.example")
        ).scalar_one()
        assigned = session.execute(
            select(SefContributor.chapter_id).where(
                SefContributor.user_id == rutland.id, SefContributor.ended_at.is_(None)
            )
        ).scalars()
        assert list(assigned) == ["care-leavers"]
    assert "Derbyshire's DCS signed version 6, then edited 'Workforce'" in december.lines
    assert "Nottinghamshire's Chief Executive returned it" in december.lines
    assert (
        "Derby's DCS attached children-in-care-indicators.csv to 'The experiences and progress "
        "of children in care' as a supporting document"
    ) in december.lines
    # Lincolnshire started from its signed 2025-26 self-evaluation and rewrote three chapters;
    # the coordinator gave Derby its own due date, before its Ofsted annual engagement meeting.
    assert (
        "Lincolnshire's DCS started from the signed 2025-26 self-evaluation; 3 chapters are "
        "rewritten this year, the others stay marked as carried forward" in december.lines
    )
    with _session(december) as session:
        this = session.execute(select(Cycle).where(Cycle.year == "2026-27")).scalar_one()
        lincs = session.execute(
            select(SelfEvaluation).where(
                SelfEvaluation.cycle_id == this.id, SelfEvaluation.la_code == "E10000019"
            )
        ).scalar_one()
        assert carry.carried_chapters(session, lincs) == dict.fromkeys(
            ("leadership-and-management", "workforce", "partnerships-and-early-help"), "2025-26"
        )
        derby = session.execute(
            select(SelfEvaluation).where(
                SelfEvaluation.cycle_id == this.id, SelfEvaluation.la_code == "E06000015"
            )
        ).scalar_one()
        assert (derby.due_on, derby.due_reason) == (
            date(2026, 11, 28),
            "Before its Ofsted annual engagement meeting on 2 December",
        )
    assert december.out is not None
    written = {p.relative_to(december.out).as_posix() for p in december.out.rglob("*.pdf")}
    last_packs = {
        "2025-26/mou-east-midlands-2025-26.pdf",
        "2025-26/data-pack-east-midlands-2025-26-q4.pdf",
        "2025-26/la-profile-nottingham-2025-26-q4.pdf",
        *(f"2025-26/self-evaluation-{slug}.pdf" for slug in SLUGS),
        "2025-26/triad-summary-2025-26.pdf",
        *(f"2025-26/development-plan-{slug}.pdf" for slug in SLUGS),
        *(f"2025-26/triad-{n}.pdf" for n in (1, 2, 3)),
    }
    this_packs = {
        "2026-27/mou-east-midlands-2026-27.pdf",
        "2026-27/data-pack-east-midlands-2026-27-q2.pdf",
        "2026-27/la-profile-nottingham-2026-27-q2.pdf",
        *(f"2026-27/self-evaluation-{slug}.pdf" for slug in SLUGS[:6]),
        *(f"2026-27/triad-{n}.pdf" for n in (1, 2, 3)),
    }
    assert written == last_packs | this_packs
    dated = re.compile(
        r"\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|"
        r"November|December) 20\d\d"
    )
    for name in sorted(written):
        text = _text(december.out / name)
        if "development-plan-" in name:
            # A plan's actions run and fall due in the future by design: only the moments of
            # acts (signatures, printing), which carry a time, must not be after today.
            text = " ".join(re.findall(r"\d{1,2} \w+ 20\d\d at \d", text))
        days = [date.fromisoformat(_iso(d)) for d in dated.findall(text)]
        assert [d for d in days if d > december.today] == [], name
    plan = _text(december.out / "2025-26/development-plan-derby.pdf")
    assert "Signed by every signatory." in plan and re.search(r"\d{1,2} \w+ 2026 at \d", plan)
    # Derby's signed version carried its supporting document: its pack lists it, with its hash.
    derby = _text(december.out / "2026-27/self-evaluation-derby.pdf")
    assert "Supporting documents carried by the signed version" in derby
    assert "children-in-care-indicators.csv CSV" in derby
    # Each triad pack stays under 12 pages an authority (packs.md), with the demo's own text.
    for year in ("2025-26", "2026-27"):
        with _session(december) as session:
            sizes = dict(
                session.execute(
                    select(Triad.number, func.count())
                    .join(TriadMember, TriadMember.triad_id == Triad.id)
                    .join(Cycle, Cycle.id == Triad.cycle_id)
                    .where(Cycle.year == year)
                    .group_by(Triad.number)
                ).all()
            )
        for n in (1, 2, 3):
            pdf = december.out / f"{year}/triad-{n}.pdf"
            info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
            pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
            assert "Tagged:          yes" in info
            assert pages < 12 * sizes[n], (year, n, pages)
    # Nottingham's trend runs over last cycle's four quarters and this cycle's closed two.
    profile = _text(december.out / "2026-27/la-profile-nottingham-2026-27-q2.pdf")
    for quarter in ("2025-26 Q1", "2025-26 Q4", "2026-27 Q1", "2026-27 Q2"):
        assert quarter in profile


def _text(pdf: Path) -> str:
    """The PDF's words, by poppler's pdftotext (pypdf takes minutes over these 800 pages)."""
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


def _iso(day: str) -> str:
    return datetime.strptime(day, "%d %B %Y").date().isoformat()


def test_mid_march_every_self_evaluation_signed_and_scrutiny_closed(march: Played) -> None:
    _check_the_clock(march)
    with _session(march) as session:
        _last_cycle_complete(session, "2025-26")
        assert set(_states(session, "2026-27").values()) == {"scrutiny_closed"}
        assert _kloes(session, "2026-27") == {code: (4, 3) for code in NAMES}
        assert _records(session, "2026-27") == (["agreed"] * 3, 11, 10, 1)
        # Every conversation is held and every plan signed by 13 March (the plan window's close).
        _conversations_held(session, "2026-27")
        returns = session.execute(
            select(
                IndicatorReturn.period, func.count(func.distinct(IndicatorReturn.organisation_code))
            )
            .where(IndicatorReturn.period.like("2026-27%"))
            .group_by(IndicatorReturn.period)
        ).all()
        assert dict(returns) == {f"2026-27 Q{n}": 10 for n in (1, 2, 3)}
        cycle = session.execute(select(Cycle).where(Cycle.year == "2026-27")).scalar_one()
        statuses = {
            NAMES[s.la_code]: signoff.build_status(session, cycle, s)
            for s in session.scalars(
                select(SelfEvaluation).where(SelfEvaluation.cycle_id == cycle.id)
            )
        }
        assert [n for n, st in statuses.items() if st.void] == ["Derbyshire"]
        assert [n for n, st in statuses.items() if st.returns] == ["Nottinghamshire"]
        comments = session.scalar(select(func.count()).select_from(SefComment))
        challenges = session.scalar(
            select(func.count()).where(SefComment.challenged_grade.is_not(None))
        )
        responses = session.scalar(select(func.count()).select_from(SefResponse))
        # Both cycles: 24 comments each (3 challenging a grade), 21 answered.
        assert (comments, challenges, responses) == (48, 6, 42)


def test_on_2_april_last_cycle_is_already_complete(tmp_path: Path) -> None:
    """Its Q4 window opened yesterday: the regional file goes in at once, on the day."""
    april = _play(tmp_path, "2026-04-02", packs=False)
    _check_the_clock(april)
    with _session(april) as session:
        _last_cycle_complete(session, "2025-26")
        assert set(_states(session, "2026-27").values()) == {"empty"}


def test_setup_demo_accounts_sign_in(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'setup.db'}"
    result = _cli("setup-demo", "--today", "2026-12-07", url=url)
    assert result.returncode == 0, result.stdout + result.stderr
    emails = sorted(set(re.findall(r"[a-z0-9.-]+@demo\.riia\.example", result.stdout)))
    assert "coordinator@demo.riia.example" in emails and len(emails) > 50
    assert "2025-26 is complete and 2026-27 is played up to 7 December 2026" in " ".join(
        result.stdout.split()
    )
    signed_in = _sign_in_all(url, emails)
    assert signed_in == emails
    # Once per database; `make run PORT=8130` sets the address it then tells people to open.
    again = _cli(
        "setup-demo", "--today", "2026-12-07", url=url, RIIA_BASE_URL="http://127.0.0.1:8130"
    )
    assert again.returncode == 0 and "coordinator@demo.riia.example" in again.stdout
    assert "Open http://127.0.0.1:8130 and sign in with any account above." in again.stdout


SIGN_IN = """
import sys
from fastapi.testclient import TestClient
from app.demo import DEMO_PASSWORD
from app.main import create_app
for email in sys.argv[1:]:
    client = TestClient(create_app(), base_url="https://testserver", follow_redirects=False)
    page = client.get("/sign-in")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    done = client.post(
        "/sign-in", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token}
    )
    if done.status_code == 303:
        print(email)
"""


def _sign_in_all(url: str, emails: list[str]) -> list[str]:
    """Sign in through the form as each account, in a process whose database is the demo's."""
    env = {k: v for k, v in os.environ.items() if k != "RIIA_DATABASE_URL"}
    env.update(RIIA_ENVIRONMENT="test", RIIA_DATABASE_URL=url)
    result = subprocess.run(
        [sys.executable, "-c", SIGN_IN, *emails],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return sorted(result.stdout.split())
