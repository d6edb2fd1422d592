"""Two submits of the same signature at the same moment sign once, on both databases."""

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from app.auth.roles import Role
from app.errors import Conflict
from app.models import AuditEvent, Cycle, MouSignatureEvent
from app.mou import service as mou
from app.mou.schemas import SignInput
from app.schema import upgrade
from tests import factories as f
from tests.conftest import fresh_database_url

DERBY = "E06000015"


def _fresh_url(backend: str, tmp_path: Path) -> str:
    return fresh_database_url(backend, tmp_path, "race")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_concurrent_double_submit_signs_once(backend: str, tmp_path: Path) -> None:
    from app.db import make_engine

    url = _fresh_url(backend, tmp_path)
    upgrade(url)
    engine = make_engine(url)
    maker = sessionmaker(bind=engine, expire_on_commit=False)
    with maker.begin() as session:
        boss = f.coordinator(session)
        cycle = f.open_cycle(session, boss)
        version = f.publish_from_template(session, cycle, boss)
        dcs = f.signatory(session, DERBY, Role.DCS)
        cycle_id, content_hash = cycle.id, version.content_hash

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit() -> None:
        barrier.wait(timeout=30)  # both start together; on SQLite the second waits for the lock
        with maker() as session:
            cycle = session.get(Cycle, cycle_id)
            assert cycle is not None
            try:
                mou.sign(
                    session,
                    dcs,
                    cycle,
                    SignInput(
                        organisation_code=DERBY,
                        role=Role.DCS,
                        content_hash=content_hash,
                        confirm=True,
                    ),
                )
                session.commit()
                outcomes.append("signed")
            except Conflict as exc:
                session.rollback()
                outcomes.append(exc.message)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == [
        "This has already been signed for this version of the Memorandum.",
        "signed",
    ]
    with maker() as session:
        assert session.scalar(select(func.count()).select_from(MouSignatureEvent)) == 1
        assert (
            session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "mou.signed")
            )
            == 1
        )
    engine.dispose()
