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


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_last_signature_and_a_return_at_the_same_moment_leave_one_coherent_outcome(
    backend: str, tmp_path: Path
) -> None:
    """The self-evaluation's row is locked for each change, so the two queue: never 'signed'
    without a signed version, never a signature counted on a returned version."""
    from app.db import make_engine
    from app.models import SelfEvaluation
    from app.self_evaluation.schemas import ReturnSefInput, SignSefInput
    from app.self_evaluation.signoff import service as signoff
    from tests import sef_factories as sf

    url = fresh_database_url(backend, tmp_path, "sef-race")
    upgrade(url)
    engine = make_engine(url)
    maker = sessionmaker(bind=engine, expire_on_commit=False)
    with maker.begin() as session:
        cycle = f.open_cycle(session)
        people = sf.signatories(session, DERBY)
        sf.write_all(session, cycle, DERBY, people[Role.DCS])
        content_hash = sf.submit_latest(session, cycle, DERBY, people[Role.DCS]).content_hash
        for role in (Role.DCS, Role.LEAD_MEMBER):
            sf.sign_as(session, cycle, DERBY, people[role], role, content_hash)
        cycle_id = cycle.id

    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def act(name: str) -> None:
        barrier.wait(timeout=30)
        with maker() as session:
            cycle = session.get(Cycle, cycle_id)
            assert cycle is not None
            try:
                if name == "sign":
                    signoff.sign(session, people[Role.CHIEF_EXECUTIVE], cycle, DERBY,
                                 SignSefInput(role=Role.CHIEF_EXECUTIVE, content_hash=content_hash,
                                              confirm=True))  # fmt: skip
                else:
                    signoff.return_for_changes(session, people[Role.LEAD_MEMBER], cycle, DERBY,
                                               ReturnSefInput(role=Role.LEAD_MEMBER,
                                                              content_hash=content_hash,
                                                              reason="One more look"))  # fmt: skip
                session.commit()
                outcomes[name] = "done"
            except Conflict as exc:
                session.rollback()
                outcomes[name] = exc.message

    threads = [threading.Thread(target=act, args=(name,)) for name in ("sign", "return")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with maker() as session:
        sef = session.execute(
            select(SelfEvaluation).where(SelfEvaluation.la_code == DERBY)
        ).scalar_one()
        if outcomes["sign"] == "done":
            assert outcomes["return"] == (
                "This self-evaluation has been signed by all three signatories, so it cannot be "
                "returned."
            )
            assert (sef.state, sef.submitted_number is not None) == ("signed", True)
        else:
            assert outcomes["return"] == "done"
            assert outcomes["sign"] == (
                "This self-evaluation has not been submitted for sign-off yet, so it cannot be "
                "signed."
            )
            assert (sef.state, sef.submitted_number) == ("draft", None)
    engine.dispose()
