"""MoU packs are cached by the hash of their inputs and warmed off the request path."""

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from app.auth.roles import Role
from app.db import make_engine
from app.models import Cycle, RenderedPack
from app.mou import pack
from app.pack import cache as pack_cache
from app.schema import upgrade
from app.settings import get_settings
from tests import factories as f


def test_warm_cache_renders_once_and_downloads_reuse_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'packs.db'}"
    upgrade(url)
    engine = make_engine(url)
    maker = sessionmaker(bind=engine, expire_on_commit=False)
    monkeypatch.setattr(pack_cache, "get_sessionmaker", lambda: maker)
    monkeypatch.setattr(get_settings(), "warm_packs", True)
    with maker.begin() as session:
        boss = f.coordinator(session)
        cycle = f.open_cycle(session, boss)
        f.publish_from_template(session, cycle, boss)
        f.sign(session, cycle, f.signatory(session, "E06000015", Role.DCS), "E06000015", Role.DCS)
        cycle_id = cycle.id
    pack.warm_cache(cycle_id)
    with maker() as session:
        assert session.scalar(select(func.count()).select_from(RenderedPack)) == 1
        stored = session.execute(select(RenderedPack)).scalar_one()
        cycle = session.get(Cycle, cycle_id)
        assert cycle is not None
        downloaded = pack.pdf_for(session, boss, cycle)
        assert downloaded == stored.pdf  # served from the cache, not re-rendered
        session.commit()
    pack.warm_cache(cycle_id)  # nothing changed: no second render
    with maker() as session:
        assert session.scalar(select(func.count()).select_from(RenderedPack)) == 1
    reader = PdfReader(io.BytesIO(downloaded))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "SIGNED" in text and "Not yet in force: 30 signatures outstanding" in text
    engine.dispose()


def test_a_signed_self_evaluation_pack_is_warmed_for_the_authority_and_the_coordinator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.self_evaluation import pack as sef_pack
    from tests.sef_factories import DERBY, signed_sef, write_all

    url = f"sqlite:///{tmp_path / 'sef-packs.db'}"
    upgrade(url)
    engine = make_engine(url)
    maker = sessionmaker(bind=engine, expire_on_commit=False)
    monkeypatch.setattr(pack_cache, "get_sessionmaker", lambda: maker)
    monkeypatch.setattr(get_settings(), "warm_packs", True)
    with maker.begin() as session:
        boss = f.coordinator(session)
        cycle = f.open_cycle(session, boss)
        write_all(session, cycle, "E06000016", f.signatory(session, "E06000016", Role.DCS))
        _, people = signed_sef(session, cycle, DERBY)
        cycle_id = cycle.id
    sef_pack.warm_cache(cycle_id, "E06000016")  # Leicester's is only drafted: nothing to warm
    with maker() as session:
        assert session.scalar(select(func.count()).select_from(RenderedPack)) == 0
    sef_pack.warm_cache(cycle_id, DERBY)
    with maker() as session:
        stored = session.execute(select(RenderedPack)).scalar_one()
        assert (stored.kind, stored.subject_id) == ("self_evaluation", f"{cycle_id}:{DERBY}")
        cycle = session.get(Cycle, cycle_id)
        assert cycle is not None
        monkeypatch.setattr(sef_pack, "render_pack", lambda _: pytest.fail("rendered again"))
        # The DCS's and the coordinator's views print the same inputs: both come from the cache.
        assert sef_pack.sef_pack_pdf(session, people[Role.DCS], cycle, DERBY) == stored.pdf
        assert sef_pack.sef_pack_pdf(session, boss, cycle, DERBY) == stored.pdf
        session.rollback()
    sef_pack.warm_cache(cycle_id, DERBY)  # nothing changed: no second render (it would fail)
    engine.dispose()
