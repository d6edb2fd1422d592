"""A race between the last agreement and an edit: exactly one lands, on both databases, and the
record never ends up agreed on a version that is not its latest."""

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from app.challenge import record_acts as acts
from app.challenge.record_schemas import AgreeRecordInput
from app.errors import Conflict
from app.models import (
    ChallengeAgreementEvent,
    ChallengeRecord,
    ChallengeRecordVersion,
    Cycle,
)
from app.schema import upgrade
from tests import factories as f
from tests.conftest import fresh_database_url
from tests.integration.challenge.record_setup import (
    DERBY,
    LEICESTER,
    WEST_NORTHANTS,
    part,
    ready,
)

EDITED = "Every member of the triad has agreed this record, so it can no longer change."
STALE = (
    "The record was changed after you opened it, so nothing was recorded. Read the version now "
    "in the draft, then decide."
)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_last_agreement_and_an_edit_cannot_both_land(backend: str, tmp_path: Path) -> None:
    from app.db import make_engine

    url = fresh_database_url(backend, tmp_path, "record-race")
    upgrade(url)
    engine = make_engine(url)
    maker = sessionmaker(bind=engine, expire_on_commit=False)
    with maker.begin() as session:
        cycle = f.open_cycle(session)
        dcss = ready(session, cycle)
        v1 = acts.save_part(session, dcss[DERBY], cycle, 1, DERBY, part())
        for code in (DERBY, LEICESTER):
            acts.agree(
                session,
                dcss[code],
                cycle,
                1,
                AgreeRecordInput(content_hash=v1.content_hash, la_code=code, confirm=True),
            )
        cycle_id, first_hash = cycle.id, v1.content_hash

    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def run(name: str, act: object) -> None:
        barrier.wait(timeout=30)
        with maker() as session:
            cycle = session.get(Cycle, cycle_id)
            assert cycle is not None
            try:
                act(session, cycle)  # type: ignore[operator]
                session.commit()
                outcomes[name] = "done"
            except Conflict as exc:
                session.rollback()
                outcomes[name] = exc.message

    def agree(session: object, cycle: Cycle) -> None:
        data = AgreeRecordInput(content_hash=first_hash, la_code=WEST_NORTHANTS, confirm=True)
        acts.agree(session, dcss[WEST_NORTHANTS], cycle, 1, data)  # type: ignore[arg-type]

    def edit(session: object, cycle: Cycle) -> None:
        changed = part(first_hash, points="Thresholds differ between two teams.")
        acts.save_part(session, dcss[LEICESTER], cycle, 1, DERBY, changed)  # type: ignore[arg-type]

    threads = [
        threading.Thread(target=run, args=("agree", agree)),
        threading.Thread(target=run, args=("edit", edit)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes in (
        {"agree": "done", "edit": EDITED},
        {"agree": STALE, "edit": "done"},
    ), outcomes
    with maker() as session:
        record = session.scalars(select(ChallengeRecord)).one()
        versions = session.scalar(select(func.count()).select_from(ChallengeRecordVersion))
        agreements = session.scalar(select(func.count()).select_from(ChallengeAgreementEvent))
        if outcomes["agree"] == "done":
            assert (record.state, versions, agreements) == ("agreed", 1, 3)
        else:
            assert (record.state, versions, agreements) == ("draft", 2, 2)
    engine.dispose()
