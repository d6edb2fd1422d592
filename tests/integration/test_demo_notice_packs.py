"""`riia demo --out`: every page of every pack it writes says it is a demonstration, and nothing
it stores states an inspection outcome about a real council (issue 10)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import String, Text, select
from sqlalchemy.orm import Session

from app.db import Base, make_engine
from app.demo_notice import DEMO_NOTICE
from app.models import SefVersion
from tests.inspection_claims import inspection_claims


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The demo played to 7 December 2026 (both cycles' packs written), and where they are."""
    folder = tmp_path_factory.mktemp("demo-notice")
    url = f"sqlite:///{folder / 'demo.db'}"
    env = {k: v for k, v in os.environ.items() if k not in ("RIIA_DATABASE_URL", "RIIA_DEMO")}
    env.update(RIIA_ENVIRONMENT="test", RIIA_DATABASE_URL=url, COLUMNS="200")
    out = folder / "packs"
    done = subprocess.run(
        [sys.executable, "-c", "from app.cli import main; main()", "demo", "--today",
         "2026-12-07", "--out", str(out)],
        env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return url, out


def _pages(pdf: Path) -> list[str]:
    """Each page's words, by poppler's pdftotext (which ends every page with a form feed)."""
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return [" ".join(page.split()) for page in done.stdout.split("\f")[:-1]]


def test_every_page_of_every_demo_pack_says_it_is_a_demonstration(
    played: tuple[str, Path],
) -> None:
    _, out = played
    packs = sorted(out.rglob("*.pdf"))
    # Both cycles: MoU, data pack, LA profile, each signed SEF and each triad's pack (3 a cycle);
    # last cycle: the triad summary report and the ten LAs' development plans.
    assert len(packs) == 39
    assert {p.name.split("-")[0] for p in packs} == {
        "mou",
        "data",
        "la",
        "self",
        "triad",
        "development",
    }
    pages = {pack: _pages(pack) for pack in packs}
    assert sum(len(texts) for texts in pages.values()) > 400
    unmarked = {
        f"{pack.relative_to(out)} page {number}"
        for pack, texts in pages.items()
        for number, text in enumerate(texts, start=1)
        if DEMO_NOTICE not in text
    }
    assert unmarked == set()


def test_nothing_the_demo_stores_states_an_inspection_outcome(played: tuple[str, Path]) -> None:
    url, _ = played
    engine = make_engine(url)
    claims: set[str] = set()
    with Session(engine) as session:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            for row in session.execute(select(*columns)) if columns else ():
                for value in row:
                    claims.update(f"{table.name}: {c}" for c in inspection_claims(value or ""))
        # A chapter's grade is the authority's own view, and its narrative says so first.
        openings = {
            chapter["narrative"].split(",")[0]
            for content in session.scalars(select(SefVersion.content))
            for chapter in json.loads(content).values()
            if chapter["narrative"]
        }
    engine.dispose()
    assert claims == set()
    assert openings == {"In our own assessment"}
