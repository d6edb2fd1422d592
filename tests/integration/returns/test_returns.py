"""Submitting and importing quarterly returns through the service, on SQLite and PostgreSQL."""

import os
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.auth.principal import Principal
from app.auth.roles import Role
from app.errors import AlreadyDone, Conflict, FileRejected, InvalidInput, NotPermitted
from app.models import AuditEvent, Cycle, ImportedFile, IndicatorReturn, ReturnValue
from app.reference import get_reference
from app.returns import service as returns
from app.returns.periods import Quarter
from app.returns.schemas import ValueInput
from app.schema import upgrade
from app.web import datetime_uk
from tests import factories as f
from tests.conftest import fresh_database_url

REGION = "east-midlands"
DERBY, LEICESTER = "E06000015", "E06000016"
Q1 = Quarter(2026, 1)
OPEN_DAY, AFTER_CLOSE = date(2026, 7, 10), date(2026, 8, 1)
IDS = list(get_reference().indicators)


def values(first: float = 1) -> list[ValueInput]:
    items = [ValueInput(indicator_id=i, value=1) for i in IDS]
    items[0] = ValueInput(indicator_id=IDS[0], value=first)
    items[1] = ValueInput(indicator_id=IDS[1], missing_code="c", commentary="Small numbers")
    return items


def long_csv(las: list[str], bad: bool = False) -> bytes:
    lines = ["la_code,indicator_id,value"]
    lines += [f"{la},{i},{'oops' if bad and i == IDS[3] else 2}" for la in las for i in IDS]
    return ("\n".join(lines) + "\n").encode()


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def cycle(session: Session) -> Cycle:
    boss = f.coordinator(session)
    opened = f.open_cycle(session, boss)
    f.publish_from_template(session, opened, boss)
    f.sign_everyone(session, opened)
    return opened


def data_lead(session: Session, la: str = DERBY) -> Principal:
    return f.principal(session, f.make_user(session, Role.DATA_LEAD, organisation=la))


def submit(session: Session, who: Principal, la: str = DERBY, **kw: object) -> IndicatorReturn:
    kw.setdefault("today", OPEN_DAY)
    items = kw.pop("items", values())
    return returns.submit_return(
        session,
        who,
        REGION,
        Q1,
        la,
        items,
        source="form",
        **kw,  # type: ignore[arg-type]
    )


def test_a_data_lead_submits_their_return(session: Session, cycle: Cycle) -> None:
    made = submit(session, data_lead(session))
    assert (made.version, made.late, made.source) == (1, False, "form")
    stored = (
        session.execute(
            select(ReturnValue).where(ReturnValue.return_id == made.id).order_by(ReturnValue.id)
        )
        .scalars()
        .all()
    )
    assert len(stored) == 20
    assert (stored[1].value, stored[1].missing_code, stored[1].commentary) == (
        None, "c", "Small numbers",
    )  # fmt: skip
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.sequence.desc())).first()
    assert event is not None
    assert (event.action, event.summary) == (
        "returns.submitted",
        "Derby's 2026-27 Q1 return submitted (version 1)",
    )


def test_a_return_before_its_window_opens_is_refused(session: Session, cycle: Cycle) -> None:
    with pytest.raises(Conflict) as caught:
        submit(session, data_lead(session), today=date(2026, 6, 30))
    assert caught.value.message == "The return for 2026-27 Q1 opens on 1 July 2026"


def test_a_return_after_the_close_is_accepted_as_late(session: Session, cycle: Cycle) -> None:
    made = submit(session, data_lead(session), today=AFTER_CLOSE)
    assert made.late is True
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.sequence.desc())).first()
    assert (
        event is not None
        and event.summary == "Derby's 2026-27 Q1 return submitted (version 1, late)"
    )


def test_a_resubmission_needs_a_reason_and_keeps_history(session: Session, cycle: Cycle) -> None:
    lead = data_lead(session)
    submit(session, lead)
    with pytest.raises(InvalidInput) as caught:
        submit(session, lead, items=values(5))
    assert caught.value.field == "reason"
    assert caught.value.message == (
        "Enter why you are changing Derby's 2026-27 Q1 return: version 1 was already accepted"
    )
    second = submit(session, lead, items=values(5), reason="Referrals were double counted")
    assert second.version == 2
    history = returns.versions(session, DERBY, Q1)
    assert [(v.record.version, v.record.reason) for v in history] == [
        (2, "Referrals were double counted"),
        (1, None),
    ]


def test_the_same_values_again_change_nothing(session: Session, cycle: Cycle) -> None:
    lead = data_lead(session)
    submit(session, lead)
    with pytest.raises(AlreadyDone) as caught:
        submit(session, lead, reason="again")
    assert caught.value.message == "These values are the same as version 1: nothing was changed"
    assert count(session, IndicatorReturn) == 1


def test_without_the_mou_in_force_a_return_needs_an_override(session: Session) -> None:
    boss = f.coordinator(session)
    opened = f.open_cycle(session, boss)
    lead = data_lead(session)
    with pytest.raises(Conflict) as caught:
        submit(session, lead)
    assert caught.value.message == (
        "The Memorandum of Understanding is not yet in force for Derby, so the "
        "return cannot be accepted. It is accepted once every signatory has signed, or sooner "
        "if the regional coordinator records an override on the page "
        "/regions/east-midlands/cycles/2026-27/returns/overrides."
    )
    with pytest.raises(NotPermitted):
        returns.record_override(session, lead, opened, DERBY, "Data needed for the triad")
    returns.record_override(session, boss, opened, DERBY, "Data needed for the triad")
    assert submit(session, lead).version == 1


def test_a_data_lead_cannot_submit_for_another_la(session: Session, cycle: Cycle) -> None:
    with pytest.raises(NotPermitted) as caught:
        submit(session, data_lead(session), la=LEICESTER)
    assert caught.value.status_code == 403
    assert count(session, IndicatorReturn) == 0


def test_a_file_with_one_bad_row_writes_nothing(session: Session, cycle: Cycle) -> None:
    before = (
        count(session, IndicatorReturn),
        count(session, ReturnValue),
        count(session, ImportedFile),
    )
    with pytest.raises(FileRejected) as caught:
        returns.import_file(
            session, data_lead(session), REGION, Q1, "q1.csv", long_csv([DERBY], bad=True),
            today=OPEN_DAY,
        )  # fmt: skip
    assert [(p.row, p.column) for p in caught.value.problems] == [(5, "value")]
    after = (
        count(session, IndicatorReturn),
        count(session, ReturnValue),
        count(session, ImportedFile),
    )
    assert before == after == (0, 0, 0)


def test_importing_the_same_file_again_is_a_no_op(session: Session, cycle: Cycle) -> None:
    lead = f.make_user(session, Role.DATA_LEAD, organisation=DERBY, name="Priya Shah")
    who = f.principal(session, lead)
    first = returns.import_file(
        session, who, REGION, Q1, "q1.csv", long_csv([DERBY]), today=OPEN_DAY
    )
    assert first.message == "q1.csv was imported: 1 return (Derby)"
    again = returns.import_file(
        session, who, REGION, Q1, "q1.csv", long_csv([DERBY]), today=OPEN_DAY
    )
    imported = session.scalars(select(ImportedFile)).one()
    assert again.already_imported is True
    assert again.message == (
        f"This file was already imported on {datetime_uk(imported.imported_at)} by Priya Shah: "
        "nothing was changed"
    )
    assert count(session, IndicatorReturn) == 1


def test_a_coordinator_imports_one_file_for_the_region(session: Session, cycle: Cycle) -> None:
    boss = f.coordinator(session)
    result = returns.import_file(
        session, boss, REGION, Q1, "region.csv", long_csv([DERBY, LEICESTER]), today=OPEN_DAY
    )
    assert sorted(r.organisation_code for r in result.returns) == [DERBY, LEICESTER]
    assert count(session, ImportedFile) == 1
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.sequence)).all()
    assert actions[-3:] == ["returns.submitted", "returns.submitted", "returns.file_imported"]


def test_a_data_lead_file_holding_another_la_is_refused(session: Session, cycle: Cycle) -> None:
    with pytest.raises(FileRejected) as caught:
        returns.import_file(
            session, data_lead(session), REGION, Q1, "r.csv", long_csv([DERBY, LEICESTER]),
            today=OPEN_DAY,
        )  # fmt: skip
    assert {p.message for p in caught.value.problems} == {
        "You cannot submit Leicester's return: you can submit only for your own authority"
    }


def test_who_sees_a_return_and_when(session: Session, cycle: Cycle) -> None:
    submit(session, data_lead(session))
    own = data_lead(session)
    other_la = data_lead(session, LEICESTER)
    risl = f.principal(session, f.make_user(session, Role.RISL, region=REGION))
    elsewhere = f.principal(session, f.make_user(session, Role.DATA_LEAD, organisation="E08000025"))

    def sees(who: Principal, day: date) -> bool:
        try:
            returns.return_values(session, who, REGION, Q1, DERBY, today=day)
        except NotPermitted:
            return False
        return True

    assert sees(own, OPEN_DAY) and sees(f.coordinator(session), OPEN_DAY)
    assert not sees(other_la, date(2026, 7, 30)) and sees(other_la, date(2026, 7, 31))
    assert not sees(risl, date(2026, 8, 27)) and sees(risl, date(2026, 8, 28))
    assert not sees(elsewhere, date(2030, 1, 1))
    with pytest.raises(NotPermitted) as caught:
        returns.return_values(session, other_la, REGION, Q1, DERBY, today=OPEN_DAY)
    assert caught.value.message == (
        "Derby's 2026-27 Q1 values are shared with the region once the return closes on 30 July 2026"
    )


def test_the_tracker_shows_each_state(session: Session, cycle: Cycle) -> None:
    submit(session, data_lead(session))
    submit(session, data_lead(session, LEICESTER), la=LEICESTER, today=AFTER_CLOSE)
    table = returns.tracker(session, f.coordinator(session), REGION, "2026-27", today=AFTER_CLOSE)
    states = {row.la.code: [c.state for c in row.cells] for row in table.rows}
    assert states[DERBY] == ["submitted", "not_open", "not_open", "not_open"]
    assert states[LEICESTER] == ["late", "not_open", "not_open", "not_open"]
    assert states["E10000019"] == ["missing", "not_open", "not_open", "not_open"]
    during = returns.tracker(session, f.coordinator(session), REGION, "2026-27", today=OPEN_DAY)
    assert [c.state for c in during.rows[-1].cells][0] == "awaiting"


def _fresh_url(backend: str, tmp_path: Path) -> str:
    return fresh_database_url(backend, tmp_path, "race_returns")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_concurrent_double_submit_makes_one_version(backend: str, tmp_path: Path) -> None:
    from app.db import make_engine

    url = _fresh_url(backend, tmp_path)
    upgrade(url)
    engine = make_engine(url)
    maker = sessionmaker(bind=engine, expire_on_commit=False)
    with maker.begin() as session:
        boss = f.coordinator(session)
        opened = f.open_cycle(session, boss)
        f.publish_from_template(session, opened, boss)
        f.sign_everyone(session, opened)
        lead = data_lead(session)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def go() -> None:
        barrier.wait(timeout=30)
        with maker() as session:
            try:
                submit(session, lead)
                session.commit()
                outcomes.append("submitted")
            except AlreadyDone as exc:
                session.rollback()
                outcomes.append(exc.message)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes.count("submitted") == 1 and len(outcomes) == 2
    with maker() as session:
        assert count(session, IndicatorReturn) == 1
    engine.dispose()


def test_the_command_line_import(tmp_path: Path) -> None:
    from app.db import make_engine

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    engine = make_engine(url)
    with sessionmaker(bind=engine).begin() as session:
        boss = f.coordinator(session)
        opened = f.open_cycle(session, boss)
        f.publish_from_template(session, opened, boss)
        f.sign_everyone(session, opened)
    engine.dispose()
    bad, good = tmp_path / "bad.csv", tmp_path / "good.csv"
    bad.write_bytes(long_csv([DERBY], bad=True))
    good.write_bytes(long_csv([DERBY, LEICESTER]))
    env = {**os.environ, "RIIA_DATABASE_URL": url, "RIIA_ENVIRONMENT": "development"}

    def run(path: Path) -> subprocess.CompletedProcess[str]:
        command = [str(Path(sys.executable).parent / "riia"), "returns", "import", str(path)]
        return subprocess.run(
            [*command, "--period", "2026-27 Q1"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )

    refused = run(bad)
    assert refused.returncode == 1
    assert (
        "Row 5, column value: Children in need rate: “oops” is not a number or a DfE code"
        in refused.stderr
    )
    first = run(good)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "good.csv was imported: 2 returns (Derby, Leicester)"
    again = run(good)
    assert again.returncode == 0
    assert "This file was already imported on" in again.stdout
    assert "by RIIA Cycle (command line): nothing was changed" in again.stdout
