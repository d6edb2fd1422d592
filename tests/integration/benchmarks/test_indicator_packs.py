"""The quarterly data pack and LA profile PDFs: content, tagging, visibility and the cache."""

import io
import re

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import clock
from app.auth.roles import Role
from app.benchmarks import pack
from app.models import RenderedPack
from app.reference import get_reference
from tests import factories as f
from tests.indicator_factories import add_return
from tests.integration.benchmarks.test_flags import (
    AFTER_RELEASE,
    DERBY,
    LEICESTER,
    NOTTINGHAM,
    OTHERS,
    REGION,
    seed,
)
from tests.page_reading import pdf_text

EAST_MIDLANDS = [DERBY, LEICESTER, NOTTINGHAM, *OTHERS]
QUARTERS = ("2025-26 Q3", "2025-26 Q4", "2026-27 Q1")


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
    text = pdf_text(response.content)
    for name in ("Derby", "Leicester", "Nottinghamshire", "Rutland", "West Northamptonshire"):
        assert name in text
    assert "Agency social worker rate (FTE)" in text
    assert "Average caseload per case-holding social worker" in text
    assert (
        "Agency social worker rate (FTE) was 31.2% in 2026-27 Q1, above the region's threshold "
        "of 16.4%." in text
    )
    assert "provisional management information" in text
    # The at-a-glance grid ends with each LA's return, in alphabetical order: Leicester's never
    # came and Nottingham's was late.
    glance = _pages(response.content)[0]
    assert (
        "Quarterly return Received Received Not received ⚑ Received Received Received Late ⚑ "
        "Received Received Received" in glance
    )
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
    text = pdf_text(response.content)
    assert "Derby" in text and "Strengths" in text and "Signatures of risk" in text
    assert (
        "Agency social worker rate (FTE): 31.2% in 2026-27 Q1, compared with 24.0% in "
        "2025-26 Q4 (worsening)." in text
    )
    # Its run behind the threshold breach is the same concern: one flag per indicator.
    assert "above the region's threshold of 16.4%" in text
    assert "has worsened for 2 quarters running" not in text
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
    text = pdf_text(mine.content)
    assert "Leicestershire" in text and "Derby" not in text and "31.2%" not in text
    # One LA's own figures: indicators follow one another, not a near-empty page each.
    assert len(PdfReader(io.BytesIO(mine.content)).pages) <= 16
    # Derby's figures are not released to Leicestershire yet: the profile is one page that says
    # when they will be, not a pack of empty sections.
    early = client.get(f"/regions/{REGION}/las/{DERBY}/2026-27-q1/profile.pdf")
    assert early.status_code == 200
    assert len(PdfReader(io.BytesIO(early.content)).pages) == 1
    assert _tagged(early.content)
    text = pdf_text(early.content)
    assert "Derby's figures for 2026-27 Q1 are shared with you from 31 July 2026" in text
    assert "31.2%" not in text and "Strengths" not in text


def test_a_pack_with_nothing_released_to_its_reader_is_one_page_saying_when(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(session)
    from datetime import date

    monkeypatch.setattr(clock, "today", lambda: date(2026, 8, 20))
    f.sign_in(client, f.make_user(session, Role.RISL, region=REGION))
    response = client.get(f"/regions/{REGION}/dashboard/2026-27-q1/pack.pdf")
    assert response.status_code == 200
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1
    assert _tagged(response.content)
    text = pdf_text(response.content)
    assert "Not yet released to you" in text
    assert (
        "The region's figures for 2026-27 Q1 are shared with you from 28 August 2026, under the "
        "region's data terms." in text
    )
    assert "No signatures of risk" not in text and "Derby" not in text


def _full_region(session: Session) -> None:
    """Every LA of the East Midlands returns every indicator for three quarters."""
    f.open_cycle(session)
    by = f.make_user(session)
    indicators = list(get_reference().indicators.values())
    for q, period in enumerate(QUARTERS):
        for n, code in enumerate(EAST_MIDLANDS):
            values: dict[str, float | str] = {}
            for k, indicator in enumerate(indicators):
                base = (
                    indicator.england[max(indicator.england)]
                    if indicator.england
                    else (indicator.valid_min + min(indicator.valid_max, 100)) / 2
                )
                spread = ((n * 7 + k * 3 + q * 5) % 13 - 6) / 100
                value = min(indicator.valid_max, max(indicator.valid_min, base * (1 + spread)))
                values[indicator.id] = round(value, indicator.decimals)
            add_return(session, code, period, values, submitted_by=by)


def _pages(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def test_the_data_pack_opens_with_the_region_at_a_glance_within_30_pages(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _full_region(session)
    monkeypatch.setattr(clock, "today", lambda: AFTER_RELEASE)
    f.sign_in(client, f.make_user(session, Role.REGIONAL_COORDINATOR, region=REGION))
    response = client.get(f"/regions/{REGION}/dashboard/2026-27-q1/pack.pdf")
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) <= 30
    first = reader.pages[0]
    assert first.mediabox.width > first.mediabox.height  # the grid is printed landscape
    glance = " ".join(first.extract_text().split())
    assert glance.startswith("East Midlands RIIA: the region at a glance, 2026-27 Q1")
    region = get_reference().regions[REGION]
    for la in region.local_authorities:
        assert la.name in glance, la.name
    for indicator in get_reference().indicators.values():
        assert indicator.name in glance, indicator.name
    # Quartile, direction and flag symbols, with the key that explains them.
    for symbol in ("++", "−−", "▲", "▽", "↑", "⚑"):
        assert symbol in glance, symbol
    assert (
        "Quarter of the region (which way is better applied): ++ best + second − third −− worst"
        in glance
    )
    assert "△ ▽ worsened, or further from the region median for two-sided indicators" in glance
    assert "⚑ a signature of risk" in glance
    text = " ".join(_pages(response.content))
    assert text.index("Strengths") < text.index("Signatures of risk")
    assert "What these indicators mean" in text
    # For Lead Members: each definition and which way is better, two-sided ones included.
    assert (
        "Re-referrals within 12 months % of referrals in the year that occurred within 12 months "
        "of a previous referral for the same child. Which way is better: Lower is usually better"
    ) in text


def test_indicator_pages_chart_the_las_in_alphabetical_order_not_by_value(
    session: Session, coordinator_client: TestClient
) -> None:
    response = coordinator_client.get(f"/regions/{REGION}/dashboard/2026-27-q1/pack.pdf")
    pages = _pages(response.content)
    page = next(p for p in pages if p.startswith("Agency social worker rate (FTE) FTE agency"))
    assert (
        "Agency social worker rate (FTE), 2026-27 Q1: a bar for each of 10 local authorities, in "
        "alphabetical order; values run from 10.0% to 31.2%; region median 14.0%" in page
    )
    # The chart's own labels, after its trend heading: Derby has the highest value (31.2%) and
    # still comes first, because the order is by name.
    chart = page.rsplit("2024-25 Q2 to 2026-27 Q1", 1)[1]
    assert (
        "Derby 31.2% Derbyshire 10.0% Leicester – Leicestershire 11.0% Lincolnshire 12.0% "
        "North Northamptonshire 13.0% Nottingham 18.0% Nottinghamshire 14.0% Rutland 15.0% "
        "West Northamptonshire 16.0%" in chart
    )
    names = sorted(la.name for la in get_reference().regions[REGION].local_authorities)
    found = [m.start() for n in names for m in [re.search(rf"\b{n}\b(?!shire)", chart)] if m]
    assert len(found) == len(names) and found == sorted(found)


def test_the_la_profile_is_two_indicators_a_page_without_walls_of_no_value(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _full_region(session)
    monkeypatch.setattr(clock, "today", lambda: AFTER_RELEASE)
    f.sign_in(client, f.make_user(session, Role.REGIONAL_COORDINATOR, region=REGION))
    response = client.get(f"/regions/{REGION}/las/{DERBY}/2026-27-q1/profile.pdf")
    pages = _pages(response.content)
    assert len(pages) <= 14
    assert pages[0].startswith("East Midlands RIIA Derby: data profile, 2026-27 Q1")
    text = " ".join(pages)
    assert "No value" not in text
    # The eight quarters' chart shows only the three with figures, and says so once.
    assert text.count("had none for any indicator") == 1
    assert "2024-25 Q2, 2024-25 Q3, 2024-25 Q4, 2025-26 Q1, 2025-26 Q2 had none" in text
