"""A national returns file imported in one go, and the set-based import keeping every rule."""

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.audit.chain import payload_of, verify
from app.auth.principal import Principal
from app.auth.roles import Role
from app.errors import AlreadyDone, Conflict, FileRejected, InvalidInput, NotPermitted
from app.models import AuditEvent, Cycle, ImportedFile, IndicatorReturn, ReturnOverride, ReturnValue
from app.reference import get_reference
from app.returns import service as returns
from app.returns.periods import Quarter
from app.schema import upgrade
from tests import factories as f

REGION = "east-midlands"
DERBY, LEICESTER, RUTLAND = "E06000015", "E06000016", "E06000017"
BARKING = "E09000002"  # a London borough
Q1 = Quarter(2026, 1)
OPEN_DAY, AFTER_CLOSE = date(2026, 7, 10), date(2026, 8, 1)
IDS = list(get_reference().indicators)


def long_csv(las: list[str], value: str = "2", commentary: str = "") -> bytes:
    lines = ["la_code,indicator_id,value,commentary"]
    lines += [f"{la},{i},{value},{commentary}" for la in las for i in IDS]
    return ("\n".join(lines) + "\n").encode()


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def every_la() -> list[str]:
    return [la.code for la in get_reference().local_authorities]


def open_everywhere(session: Session) -> None:
    """A cycle in every region: the East Midlands' MoU signed, the others accepted by override."""
    for region_id in get_reference().regions:
        boss = f.coordinator(session, region_id)
        cycle = f.open_cycle(session, boss, region_id)
        if region_id == REGION:
            f.publish_from_template(session, cycle, boss)
            f.sign_everyone(session, cycle)
            continue
        for la in get_reference().regions[region_id].local_authorities:
            session.add(
                ReturnOverride(
                    cycle_id=cycle.id,
                    organisation_code=la.code,
                    reason="Data needed for the national picture",
                    created_by_id=boss.user_id,
                )
            )
    session.flush()


def system(session: Session) -> Principal:
    return returns.command_line_principal(session, get_reference().regions)


def test_the_system_imports_a_national_file_in_one_call(session: Session) -> None:
    open_everywhere(session)
    who = system(session)  # creating its account is itself in the history
    before = count(session, AuditEvent)
    result = returns.import_file(
        session, who, None, Q1, "england.csv", long_csv(every_la()), today=OPEN_DAY
    )
    assert len(result.returns) == 153
    assert (count(session, IndicatorReturn), count(session, ReturnValue)) == (153, 3060)
    assert count(session, AuditEvent) - before == 154
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.sequence > before).order_by(AuditEvent.sequence)
    ).all()
    assert [e.action for e in events] == ["returns.submitted"] * 153 + ["returns.file_imported"]
    # History says who submitted which return, one entry each, in its own region and cycle.
    derby = next(e for e in events if e.organisation_code == DERBY)
    assert derby.summary == "Derby's 2026-27 Q1 return submitted (version 1)"
    assert derby.region_id == REGION and derby.actor_name == "RIIA Cycle (command line)"
    assert len({e.cycle_id for e in events[:-1]}) == 9
    imported = events[-1]
    assert imported.region_id is None and len(imported.summary) <= 500
    assert imported.summary.startswith("england.csv imported for 2026-27 Q1: 153 returns (")
    assert payload_of(imported)["returns"] == [r.id for r in result.returns]
    assert session.scalars(select(ImportedFile.region_id)).one() == "national"
    assert verify(session).ok
    again = returns.import_file(
        session, system(session), None, Q1, "england.csv", long_csv(every_la()), today=OPEN_DAY
    )
    assert again.already_imported and count(session, IndicatorReturn) == 153


def test_a_national_file_is_refused_for_a_region_without_a_cycle(session: Session) -> None:
    boss = f.coordinator(session)
    f.open_cycle(session, boss)
    with pytest.raises(Conflict) as caught:
        returns.import_file(
            session,
            system(session),
            None,
            Q1,
            "two.csv",
            long_csv([DERBY, BARKING]),
            today=OPEN_DAY,
        )
    assert caught.value.message == (
        "There is no 2026-27 cycle for London yet, so returns for 2026-27 Q1 cannot be accepted."
    )
    assert count(session, IndicatorReturn) == 0


@pytest.fixture
def cycle(session: Session) -> Cycle:
    boss = f.coordinator(session)
    opened = f.open_cycle(session, boss)
    f.publish_from_template(session, opened, boss)
    f.sign_everyone(session, opened)
    return opened


def test_a_coordinators_file_with_another_regions_la_is_refused(
    session: Session, cycle: Cycle
) -> None:
    boss = f.coordinator(session)
    content = long_csv([DERBY, BARKING])
    with pytest.raises(FileRejected) as caught:
        returns.import_file(session, boss, REGION, Q1, "r.csv", content, today=OPEN_DAY)
    refused = {(p.row, p.column, p.message) for p in caught.value.problems}
    message = (
        "Barking and Dagenham (E09000002) is not in East Midlands: "
        "a file can only hold East Midlands's returns"
    )
    assert refused == {(row, "la_code", message) for row in range(22, 42)}
    # Without naming a region (the national path), the coordinator still reaches only theirs.
    with pytest.raises(FileRejected) as caught:
        returns.import_file(session, boss, None, Q1, "r.csv", content, today=OPEN_DAY)
    assert {(p.row, p.message) for p in caught.value.problems} == {
        (
            row,
            "You cannot submit Barking and Dagenham's return: "
            "you can submit only for the LAs of East Midlands",
        )
        for row in range(22, 42)
    }
    assert count(session, IndicatorReturn) == 0


def test_a_data_lead_on_the_national_path_reaches_only_their_la(
    session: Session, cycle: Cycle
) -> None:
    lead = f.principal(session, f.make_user(session, Role.DATA_LEAD, organisation=DERBY))
    with pytest.raises(FileRejected) as caught:
        returns.import_file(
            session, lead, None, Q1, "r.csv", long_csv([DERBY, RUTLAND]), today=OPEN_DAY
        )
    assert {p.message for p in caught.value.problems} == {
        "You cannot submit Rutland's return: you can submit only for your own authority"
    }
    made = returns.import_file(session, lead, None, Q1, "d.csv", long_csv([DERBY]), today=OPEN_DAY)
    assert [r.organisation_code for r in made.returns] == [DERBY]


def test_a_region_file_resubmitted_needs_a_reason_and_skips_unchanged_las(
    session: Session, cycle: Cycle
) -> None:
    boss = f.coordinator(session)
    returns.import_file(
        session, boss, REGION, Q1, "a.csv", long_csv([DERBY, LEICESTER]), today=OPEN_DAY
    )
    # Derby's values change, Leicester's do not: a reason is needed, and names Derby.
    changed = long_csv([DERBY], "3") + long_csv([LEICESTER]).split(b"\n", 1)[1]
    with pytest.raises(InvalidInput) as caught:
        returns.import_file(session, boss, REGION, Q1, "b.csv", changed, today=AFTER_CLOSE)
    assert caught.value.field == "reason"
    assert caught.value.message == (
        "Enter why you are changing Derby's 2026-27 Q1 return: version 1 was already accepted"
    )
    result = returns.import_file(
        session, boss, REGION, Q1, "b.csv", changed, reason="Recounted", today=AFTER_CLOSE
    )
    assert result.message == "b.csv was imported: 1 return (Derby). Unchanged: Leicester"
    (second,) = result.returns
    # A correction after the close is itself late; the tracker looks at version 1 for lateness.
    assert (second.version, second.reason, second.late) == (2, "Recounted", True)
    last = session.scalars(select(AuditEvent).order_by(AuditEvent.sequence.desc())).first()
    assert last is not None and last.summary == ("b.csv imported for 2026-27 Q1: 1 return (Derby)")
    with pytest.raises(AlreadyDone) as done:
        returns.import_file(
            session, boss, REGION, Q1, "c.csv", long_csv([LEICESTER]), today=AFTER_CLOSE
        )
    assert done.value.message == "These values are the same as version 1: nothing was changed"
    assert verify(session).ok


def test_without_the_mou_a_file_needs_an_override_for_each_la(session: Session) -> None:
    boss = f.coordinator(session)
    opened = f.open_cycle(session, boss)
    content = long_csv([DERBY, LEICESTER, RUTLAND])
    with pytest.raises(Conflict) as caught:
        returns.import_file(session, boss, REGION, Q1, "r.csv", content, today=OPEN_DAY)
    assert "is not yet in force for Derby, Leicester, Rutland, so the return" in (
        caught.value.message
    )
    returns.record_override(session, boss, opened, DERBY, "Needed for the triad")
    returns.record_override(session, boss, opened, LEICESTER, "Needed for the triad")
    with pytest.raises(Conflict) as caught:
        returns.import_file(session, boss, REGION, Q1, "r.csv", content, today=OPEN_DAY)
    assert "is not yet in force for Rutland, so the return" in caught.value.message
    returns.record_override(session, boss, opened, RUTLAND, "Needed for the triad")
    result = returns.import_file(session, boss, REGION, Q1, "r.csv", content, today=OPEN_DAY)
    assert [r.organisation_code for r in result.returns] == [DERBY, LEICESTER, RUTLAND]
    assert all(r.late is False for r in result.returns)


def test_the_command_line_imports_a_national_file_in_one_go(tmp_path: Path) -> None:
    from app.db import make_engine

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    engine = make_engine(url)
    with sessionmaker(bind=engine).begin() as session:
        open_everywhere(session)
    national = tmp_path / "england.csv"
    national.write_bytes(long_csv(every_la()))
    env = {**os.environ, "RIIA_DATABASE_URL": url, "RIIA_ENVIRONMENT": "development"}
    done = subprocess.run(
        [str(Path(sys.executable).parent / "riia"), "returns", "import", str(national)]
        + ["--period", "2026-27 Q1"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("england.csv was imported: 153 returns (")
    with sessionmaker(bind=engine)() as session:
        assert (count(session, IndicatorReturn), count(session, ReturnValue)) == (153, 3060)
        assert verify(session).ok
    engine.dispose()


def test_a_service_administrator_imports_several_regions_but_no_region_form(
    session: Session,
) -> None:
    open_everywhere(session)
    admin = f.principal(session, f.make_user(session, Role.SERVICE_ADMIN))
    result = returns.import_file(
        session, admin, None, Q1, "two.csv", long_csv([DERBY, BARKING]), today=OPEN_DAY
    )
    assert sorted(r.organisation_code for r in result.returns) == [DERBY, BARKING]
    with pytest.raises(NotPermitted):
        returns.import_file(
            session, admin, REGION, Q1, "one.csv", long_csv([DERBY], "3"), today=OPEN_DAY
        )
