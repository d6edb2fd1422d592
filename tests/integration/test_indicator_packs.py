"""The quarterly data pack and LA profile PDFs: content, tagging, visibility and the cache."""

import io

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import clock
from app.auth.roles import Role
from app.indicators import pack
from app.models import RenderedPack
from tests import factories as f
from tests.integration.test_flags import AFTER_RELEASE, DERBY, REGION, seed


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _tagged(pdf: bytes) -> bool:
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    return "/StructTreeRoot" in root and bool(root.get("/MarkInfo", {}).get("/Marked"))


@pytest.fixture
def coordinator_client(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> TestClient:
    seed(session)
    monkeypatch.setattr(clock, "today", lambda: AFTER_RELEASE)
    f.sign_in(client, f.make_user(session, Role.REGIONAL_COORDINATOR, region=REGION))
    return client


def test_the_data_pack_names_every_la_indicator_and_flag(
    session: Session, coordinator_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    response = coordinator_client.get(f"/regions/{REGION}/dashboard/2026-27-q1/pack.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert _tagged(response.content)
    text = _text(response.content)
    for name in ("Derby", "Leicester", "Nottinghamshire", "Rutland", "West Northamptonshire"):
        assert name in text
    assert "Agency social worker rate (FTE)" in text
    assert "Average caseload per case-holding social worker" in text
    assert (
        "Agency social worker rate (FTE) was 31.2% in 2026-27 Q1, above the region's threshold "
        "of 25%." in text
    )
    assert "provisional management information" in text
    # A second request is served from the cache: nothing is rendered again.
    monkeypatch.setattr(pack, "render_template_pdf", lambda *a, **k: pytest.fail("re-rendered"))
    again = coordinator_client.get(f"/regions/{REGION}/dashboard/2026-27-q1/pack.pdf")
    assert again.content == response.content
    count = select(func.count()).select_from(RenderedPack)
    assert session.scalar(count.where(RenderedPack.kind == "indicator_data_pack")) == 1


def test_the_la_profile_pdf_carries_charts_with_text_alternatives(
    session: Session, coordinator_client: TestClient
) -> None:
    response = coordinator_client.get(f"/regions/{REGION}/las/{DERBY}/2026-27-q1/profile.pdf")
    assert response.status_code == 200
    assert _tagged(response.content)
    text = _text(response.content)
    assert "Derby" in text and "Strengths" in text and "Signatures of risk" in text
    assert (
        "Agency social worker rate (FTE): 31.2% in 2026-27 Q1, compared with 24.0% in "
        "2025-26 Q4 (worsening)." in text
    )
    assert "has worsened for 2 quarters running" in text
    assert "Agency social worker rate (FTE): values by quarter" in text  # the data table


def test_packs_follow_the_data_terms(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(session)
    from datetime import date

    monkeypatch.setattr(clock, "today", lambda: date(2026, 7, 20))
    f.sign_in(client, f.make_user(session, Role.DATA_LEAD, organisation="E10000018"))
    mine = client.get(f"/regions/{REGION}/dashboard/2026-27-q1/pack.pdf")
    assert mine.status_code == 200
    text = _text(mine.content)
    assert "Leicestershire" in text and "Derby" not in text and "31.2%" not in text
    refused = client.get(f"/regions/{REGION}/las/{DERBY}/2026-27-q1/profile.pdf")
    assert refused.status_code == 403
