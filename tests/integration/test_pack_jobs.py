"""Packs are queued when a change commits, collapse per document, and any worker renders them."""

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.auth.roles import Role
from app.db import make_engine
from app.models import Cycle, PackJob, RenderedPack
from app.models.pack_job import FAILED, QUEUED, RUNNING
from app.models.types import utcnow
from app.pack import cache as pack_cache
from app.pack import jobs, worker
from app.schema import upgrade
from app.settings import get_settings
from tests import factories as f
from tests.conftest import fresh_database_url

DERBY = "E06000015"


@pytest.fixture
def warming(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "warm_packs", True)


def _jobs(session: Session) -> list[tuple[str, str, str]]:
    rows = session.execute(select(PackJob.kind, PackJob.subject, PackJob.state)).all()
    return sorted((k, s, st) for k, s, st in rows)


def test_a_change_queues_its_pack_when_it_commits_and_jobs_collapse(
    session: Session, warming: None
) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    f.publish_from_template(session, cycle, boss)
    f.sign(session, cycle, f.signatory(session, DERBY, Role.DCS), DERBY, Role.DCS)
    assert _jobs(session) == []  # nothing before the commit
    session.commit()
    assert _jobs(session) == [("mou", str(cycle.id), QUEUED)]
    f.sign(session, cycle, f.signatory(session, DERBY, Role.LEAD_MEMBER), DERBY, Role.LEAD_MEMBER)
    session.commit()  # a second change before any worker ran: still one job
    assert _jobs(session) == [("mou", str(cycle.id), QUEUED)]


def test_a_rolled_back_change_queues_nothing(session: Session, warming: None) -> None:
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    session.commit()
    f.publish_from_template(session, cycle, boss)
    session.rollback()
    session.commit()
    assert _jobs(session) == []


def test_routes_queue_the_pack_and_never_render_in_the_request(
    session: Session, client: TestClient, warming: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.mou import pack

    monkeypatch.setattr(pack, "render_mou_pack", lambda _: pytest.fail("rendered in a request"))
    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    published = f.publish_from_template(session, cycle, boss)
    dcs = f.make_user(session, Role.DCS, organisation=DERBY)
    session.commit()
    session.execute(update(PackJob).values(state=FAILED))  # forget the set-up's job
    f.sign_in(client, dcs)
    sign = "/regions/east-midlands/cycles/2026-27/mou/sign"
    done = client.post(
        sign,
        data={
            "csrf_token": f.csrf(client, sign),
            "signing_as": f"{DERBY}|dcs",
            "content_hash": published.content_hash,
            "confirm": "yes",
        },
    )
    assert done.status_code == 303, done.text
    assert ("mou", str(cycle.id), QUEUED) in _jobs(session)


@pytest.fixture(params=["sqlite", "postgresql"])
def maker(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[sessionmaker[Session]]:
    """A database of its own, committed for real, that the pack renders read as well."""
    url = fresh_database_url(request.param, tmp_path, "pack_jobs")
    upgrade(url)
    engine = make_engine(url)
    made = sessionmaker(bind=engine, expire_on_commit=False)
    monkeypatch.setattr(pack_cache, "get_sessionmaker", lambda: made)
    monkeypatch.setattr(get_settings(), "warm_packs", True)
    yield made
    engine.dispose()


def _signed_mou(maker: sessionmaker[Session]) -> int:
    with maker.begin() as session:
        boss = f.coordinator(session)
        cycle = f.open_cycle(session, boss)
        f.publish_from_template(session, cycle, boss)
        f.sign(session, cycle, f.signatory(session, DERBY, Role.DCS), DERBY, Role.DCS)
        return cycle.id


def test_a_worker_renders_the_queued_pack_once_and_empties_the_queue(
    maker: sessionmaker[Session],
) -> None:
    cycle_id = _signed_mou(maker)
    assert worker.run_pending(maker) == 1
    with maker() as session:
        assert session.scalar(select(func.count()).select_from(PackJob)) == 0
        stored = session.execute(select(RenderedPack)).scalar_one()
        assert (stored.kind, stored.subject_id) == ("mou", str(cycle_id))
    assert worker.run_pending(maker) == 0


def test_a_claimed_job_is_not_claimed_twice_until_its_worker_is_presumed_dead(
    maker: sessionmaker[Session],
) -> None:
    _signed_mou(maker)
    first = worker.claim(maker, "a")
    assert first is not None and first.attempts == 1
    assert worker.claim(maker, "b") is None
    # Another change while it renders queues a second job, which waits for the first to end.
    with maker.begin() as session:
        jobs.schedule(session, "mou", *first.args)
    assert worker.claim(maker, "b") is None
    with maker.begin() as session:
        session.execute(
            update(PackJob)
            .where(PackJob.id == first.id)
            .values(claimed_at=utcnow() - worker.RECLAIM_AFTER - timedelta(minutes=1))
        )
    again = worker.claim(maker, "b")
    assert again is not None and (again.id, again.attempts) == (first.id, 2)


def test_a_failing_job_is_retried_later_then_given_up(
    maker: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("the renderer broke")

    monkeypatch.setitem(jobs.WARMERS, "broken", broken)
    with maker.begin() as session:
        jobs.schedule(session, "broken", 1)
    for attempt in range(1, worker.MAX_ATTEMPTS + 1):
        assert worker.run_pending(maker) == 1
        with maker.begin() as session:
            job = session.execute(select(PackJob)).scalar_one()
            assert job.attempts == attempt and "the renderer broke" in (job.last_error or "")
            if attempt < worker.MAX_ATTEMPTS:
                assert job.state == QUEUED and job.run_after > utcnow()
                job.run_after = utcnow()  # due now, for the test
    with maker() as session:
        assert session.execute(select(PackJob.state)).scalar_one() == FAILED
    assert worker.run_pending(maker) == 0


def test_a_running_job_holds_no_queue_slot(maker: sessionmaker[Session]) -> None:
    with maker.begin() as session:
        jobs.schedule(session, "mou", 1)
    assert worker.claim(maker, "a") is not None
    with maker.begin() as session:
        jobs.schedule(session, "mou", 1)
    with maker() as session:
        assert sorted(session.execute(select(PackJob.state)).scalars()) == [QUEUED, RUNNING]


def test_a_signed_off_self_evaluation_is_queued_and_rendered_for_its_authority(
    maker: sessionmaker[Session],
) -> None:
    from tests.sef_factories import DERBY as SEF_LA
    from tests.sef_factories import signed_sef

    with maker.begin() as session:
        cycle = f.open_cycle(session, f.coordinator(session))
        signed_sef(session, cycle, SEF_LA)
        cycle_id = cycle.id
    with maker() as session:
        assert ("self_evaluation", f"{cycle_id}:{SEF_LA}", QUEUED) in _jobs(session)
    worker.run_pending(maker)
    with maker() as session:
        stored = session.execute(
            select(RenderedPack).where(RenderedPack.kind == "self_evaluation")
        ).scalar_one()
        assert stored.subject_id == f"{cycle_id}:{SEF_LA}"
        assert _jobs(session) == []


def test_a_new_render_prunes_its_document_s_old_copies(maker: sessionmaker[Session]) -> None:
    cycle_id = _signed_mou(maker)
    worker.run_pending(maker)
    with maker.begin() as session:
        session.execute(update(RenderedPack).values(created_at=utcnow() - timedelta(hours=1)))
        cycle = session.get(Cycle, cycle_id)
        assert cycle is not None
        f.sign(
            session,
            cycle,
            f.signatory(session, DERBY, Role.CHIEF_EXECUTIVE),
            DERBY,
            Role.CHIEF_EXECUTIVE,
        )
    assert worker.run_pending(maker) == 1
    with maker() as session:
        copies = session.execute(select(RenderedPack.created_at)).scalars().all()
        assert len(copies) == 1 and copies[0] > utcnow() - timedelta(minutes=5)


def test_riia_worker_once_and_riia_prune_packs(
    maker: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    import app.db
    from app.cli import cli

    monkeypatch.setattr(worker, "get_sessionmaker", lambda: maker)
    monkeypatch.setattr(app.db, "get_sessionmaker", lambda: maker)
    _signed_mou(maker)
    ran = CliRunner().invoke(cli, ["worker", "--once"])
    assert ran.exit_code == 0, ran.output
    assert "Rendered 1 pack job(s)." in ran.output
    pruned = CliRunner().invoke(cli, ["prune-packs", "--hours", "0"])
    assert pruned.exit_code == 0, pruned.output
    assert "Pruned 0 cached pack(s)." in pruned.output  # the only copy is the latest


def test_a_job_whose_workers_keep_dying_is_marked_failed(maker: sessionmaker[Session]) -> None:
    with maker.begin() as session:
        jobs.schedule(session, "mou", 1)
    long_ago = utcnow() - worker.RECLAIM_AFTER - timedelta(minutes=1)
    for attempt in range(1, worker.MAX_ATTEMPTS + 1):
        claimed = worker.claim(maker, f"worker-{attempt}")
        assert claimed is not None and claimed.attempts == attempt
        with maker.begin() as session:  # ...and its worker dies
            session.execute(update(PackJob).values(claimed_at=long_ago))
    assert worker.run_pending(maker) == 0
    with maker() as session:
        assert session.execute(select(PackJob.state)).scalar_one() == FAILED


def test_each_scrutiny_act_queues_the_signed_pack(session: Session, warming: None) -> None:
    from app.self_evaluation.schemas import CommentInput, ResponseInput
    from app.self_evaluation.scrutiny import service as scrutiny
    from tests.sef_factories import DERBY as SEF_LA
    from tests.sef_factories import form_proposed_triads, signed_sef

    boss = f.coordinator(session)
    cycle = f.open_cycle(session, boss)
    form_proposed_triads(session, cycle)
    _, people = signed_sef(session, cycle, SEF_LA)
    peer = f.principal(session, f.make_user(session, Role.DCS, organisation="E10000007"))
    queued = ("self_evaluation", f"{cycle.id}:{SEF_LA}", QUEUED)

    def queued_on_commit() -> bool:
        session.commit()
        found = queued in _jobs(session)
        session.execute(update(PackJob).values(state=FAILED))  # as if a worker had run it
        session.commit()
        return found

    assert queued_on_commit()  # signed off
    data = CommentInput(chapter_id="workforce", body="Agency use?", challenged_grade=None)
    comment = scrutiny.comment(session, peer, cycle, SEF_LA, data)
    assert queued_on_commit()
    answer = ResponseInput(body="Yes.")
    scrutiny.respond(session, people[Role.DCS], cycle, SEF_LA, comment.id, answer)
    assert queued_on_commit()
    scrutiny.close(session, boss, cycle, SEF_LA)
    assert queued_on_commit()
    assert not queued_on_commit()  # nothing changed: nothing queued
