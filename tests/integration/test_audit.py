"""The audit chain: written in the change's transaction, and any tampering is found."""

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from app.audit.chain import GENESIS_HASH, verify
from app.models import AuditEvent
from tests import factories as f


def _some_history(session: Session) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    f.publish_from_template(session, cycle, boss)


def test_chain_links_every_entry_to_the_one_before(session: Session) -> None:
    _some_history(session)
    events = list(session.execute(select(AuditEvent).order_by(AuditEvent.sequence)).scalars())
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == GENESIS_HASH
    assert all(
        later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:], strict=False)
    )
    assert [e.action for e in events][-3:] == ["cycle.opened", "mou.draft_saved", "mou.published"]
    result = verify(session)
    assert (result.ok, result.checked, result.head_hash) == (True, len(events), events[-1].hash)


def test_an_altered_entry_is_named(session: Session) -> None:
    _some_history(session)
    target = session.execute(
        select(AuditEvent).where(AuditEvent.action == "cycle.opened")
    ).scalar_one()
    session.execute(
        update(AuditEvent)
        .where(AuditEvent.sequence == target.sequence)
        .values(summary="Nothing to see here")
    )
    session.expire_all()
    result = verify(session)
    assert not result.ok
    assert result.first_bad_sequence == target.sequence
    assert (
        result.problem == f"entry {target.sequence} (cycle.opened) was altered after it was written"
    )


def test_a_removed_entry_is_found(session: Session) -> None:
    _some_history(session)
    middle = session.execute(
        select(AuditEvent).where(AuditEvent.action == "mou.draft_saved")
    ).scalar_one()
    session.execute(delete(AuditEvent).where(AuditEvent.sequence == middle.sequence))
    session.expire_all()
    result = verify(session)
    assert not result.ok and result.first_bad_sequence == middle.sequence
    assert result.problem is not None and f"entry {middle.sequence} is missing" in result.problem


def test_a_removed_last_entry_is_found(session: Session) -> None:
    _some_history(session)
    last = session.execute(
        select(AuditEvent).order_by(AuditEvent.sequence.desc()).limit(1)
    ).scalar_one()
    session.execute(delete(AuditEvent).where(AuditEvent.sequence == last.sequence))
    session.expire_all()
    result = verify(session)
    assert not result.ok
    assert (
        result.problem
        == f"entries after {last.sequence - 1} are missing (the chain head names entry {last.sequence})"
    )


def test_a_refused_change_writes_no_audit_entry(session: Session) -> None:
    import pytest

    from app.errors import NotPermitted
    from app.mou import service as mou
    from app.mou.schemas import DraftInput

    cycle = f.open_cycle(session)
    before = verify(session).checked
    outsider = f.coordinator(session, region="london")
    after_setup = verify(session).checked
    assert after_setup > before  # creating the outsider was itself recorded
    with pytest.raises(NotPermitted):
        mou.save_draft(session, outsider, cycle, DraftInput(title="x", body="# x", revision=None))
    assert verify(session).checked == after_setup


def test_cli_verify_exits_non_zero_naming_the_bad_entry(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {**os.environ, "RIIA_DATABASE_URL": url, "RIIA_ENVIRONMENT": "test"}
    cli = [sys.executable, "-c", "from app.cli import main; main()"]
    setup = subprocess.run(
        [*cli, "setup-demo"], env=env, capture_output=True, text=True, timeout=300
    )
    assert setup.returncode == 0, setup.stderr
    assert "coordinator@demo.riia.example" in setup.stdout
    good = subprocess.run(
        [*cli, "audit", "verify"], env=env, capture_output=True, text=True, timeout=120
    )
    assert good.returncode == 0 and "Audit chain intact" in good.stdout
    from app.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET actor_name = 'Someone else' WHERE sequence = 5"))
    engine.dispose()
    bad = subprocess.run(
        [*cli, "audit", "verify"], env=env, capture_output=True, text=True, timeout=120
    )
    assert bad.returncode == 1
    assert "entry 5" in bad.stdout and "altered" in bad.stdout
