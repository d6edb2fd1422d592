"""The demonstration says so on every page and every pack page; anything else never does (issue 10).

The packs the demo itself writes are checked page by page in test_demo_notice_packs.py.
"""

import io
import os
import re
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from app.auth import accounts
from app.auth.roles import Role
from app.cli import cli
from app.db import make_engine
from app.demo_notice import (
    DEMO_NOTICE,
    DemonstrationInProductionError,
    holds_demonstration,
    notice_if_demonstration,
)
from app.models import Cycle, RenderedPack
from app.mou import pack
from app.schema import upgrade
from app.settings import Settings, get_settings
from app.web import TEMPLATES_DIR
from tests import factories as f
from tests.conftest import check_page

PAGES = ("/sign-in", "/accessibility", "/forgot-password", "/no-such-page", "/", "/account/tokens")


def _demo_banner(page: str) -> str | None:
    """The text of the demonstration's phase banner, tags and spacing flattened, if any."""
    found = re.search(
        r'<div class="govuk-phase-banner [^"]*\bapp-demo-banner\b[^"]*">(.*?)</div>', page, re.S
    )
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else None


def test_every_page_of_the_demonstration_says_so_and_no_other_page_does(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    f.sign_in(client, f.make_user(session, Role.DCS, organisation="E06000015"))
    for path in PAGES:
        page = client.get(path).text
        assert DEMO_NOTICE not in page and "app-demo-banner" not in page, path
    monkeypatch.setattr(get_settings(), "demo", True)
    for path in PAGES:
        page = client.get(path).text
        check_page(page)
        # In the header, with the Beta banner, in words: a tag and the whole line.
        header = page.split('<header class="govuk-template__header">')[1].split("</header>")[0]
        assert _demo_banner(header) == f"Demo {DEMO_NOTICE}", path
        assert page.count(DEMO_NOTICE) == 1, path
    client.cookies.clear()  # signed out, the sign-in page says so too
    assert _demo_banner(client.get("/sign-in").text) == f"Demo {DEMO_NOTICE}"


def test_every_page_template_extends_the_layout_that_carries_the_notice() -> None:
    pages = [
        p
        for p in TEMPLATES_DIR.rglob("*.html")
        if p.parts[len(TEMPLATES_DIR.parts)] not in ("pdf", "components", "layouts")
        and not p.name.startswith("_")
    ]
    assert len(pages) > 30
    for page in pages:
        assert '{% extends "layouts/base.html" %}' in page.read_text(), page


def _page_texts(pdf: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def test_a_pack_cached_before_the_notice_is_not_served_to_the_demonstration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'packs.db'}"
    upgrade(url)
    engine = make_engine(url)
    maker = sessionmaker(bind=engine, expire_on_commit=False)
    with maker.begin() as session:
        boss = f.coordinator(session)
        cycle = f.open_cycle(session, boss)
        f.publish_from_template(session, cycle, boss)
        cycle_id = cycle.id
    with maker() as session:
        cycle = session.get(Cycle, cycle_id)
        assert cycle is not None
        plain = pack.pdf_for(session, boss, cycle)
        session.commit()
        assert not any(DEMO_NOTICE in text for text in _page_texts(plain))
        monkeypatch.setattr(get_settings(), "demo", True)
        marked = pack.pdf_for(session, boss, cycle)
        session.commit()
        assert session.scalar(select(func.count()).select_from(RenderedPack)) == 2
    pages = _page_texts(marked)
    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        assert DEMO_NOTICE in text, f"page {number}: {text[:200]}"
    engine.dispose()


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A database of its own named by the settings, RIIA_DEMO unset; settings re-read after."""
    url = f"sqlite:///{tmp_path / 'served.db'}"
    monkeypatch.setenv("RIIA_DATABASE_URL", url)
    monkeypatch.setenv("RIIA_DEMO", "false")  # recorded, so what the test turns on is undone
    get_settings.cache_clear()
    yield url
    monkeypatch.undo()
    get_settings.cache_clear()


def test_serving_a_database_that_holds_the_demonstration_turns_the_notice_on(
    configured: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = Path(configured.removeprefix("sqlite:///"))
    assert notice_if_demonstration() is False  # no database yet: nothing to serve as a demo
    assert not served.exists()  # and looking did not make one
    served.touch()
    assert notice_if_demonstration() is False  # no schema yet
    upgrade(configured)
    engine = make_engine(configured)
    with sessionmaker(bind=engine).begin() as session:
        accounts.create_user(
            session, email="someone@council.example", display_name="Someone", password=None
        )
    assert (holds_demonstration(engine), notice_if_demonstration()) == (False, False)
    assert get_settings().demo is False
    with sessionmaker(bind=engine).begin() as session:
        accounts.create_user(
            session, email="dcs.derby@demo.riia.example", display_name="Demo", password=None
        )
    assert holds_demonstration(engine) is True
    # (Production's own settings would also refuse this SQLite file.)
    monkeypatch.setattr(get_settings(), "environment", "production")
    with pytest.raises(DemonstrationInProductionError):
        notice_if_demonstration()
    assert get_settings().demo is False
    monkeypatch.setattr(get_settings(), "environment", "test")
    assert notice_if_demonstration() is True
    assert get_settings().demo is True
    engine.dispose()


def test_riia_serve_serves_the_demonstration_saying_so_and_production_refuses_it(
    configured: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade(configured)
    engine = make_engine(configured)
    with sessionmaker(bind=engine).begin() as session:
        accounts.create_user(
            session, email="risl@demo.riia.example", display_name="D", password=None
        )
    engine.dispose()
    served: list[bool] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: served.append(get_settings().demo))
    monkeypatch.setattr(get_settings(), "environment", "production")
    refused = CliRunner().invoke(cli, ["serve"])
    assert (refused.exit_code, served) == (1, [])
    assert "holds the demonstration, which production refuses to serve" in refused.output
    monkeypatch.setattr(get_settings(), "environment", "development")
    result = CliRunner().invoke(cli, ["serve"])
    assert (result.exit_code, served) == (0, [True]), result.output
    assert "This database holds the demonstration: every page and pack says so." in result.output
    assert os.environ["RIIA_DEMO"] == "true"  # and so in every worker uvicorn starts


def test_production_refuses_the_demonstration_setting() -> None:
    with pytest.raises(ValueError, match="RIIA_DEMO: the demonstration may not run in production"):
        Settings(environment="production", demo=True, database_url="postgresql+psycopg://db/r")
