"""The demo's figures raise a handful of signatures of risk, and packs and profiles show the
three most important for each LA, then "and N more" linked to the full list (issue 10)."""

import io
import re
from collections import Counter
from datetime import date
from html import unescape as html_unescape

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from app import clock
from app.auth.roles import Role
from app.benchmarks.flags import flags_for_region
from app.benchmarks.published import import_published
from app.demo import PUBLISHED_FILE
from app.demo_indicators import demo_values
from app.reference import get_reference
from app.returns.periods import Quarter, quarters_of
from tests import factories as f
from tests.indicator_factories import add_return

REGION = "east-midlands"
Q4 = Quarter(2025, 4)
LATER = date(2026, 6, 1)
NORTH_NORTHAMPTONSHIRE = "E06000061"


def _demo_year(session: Session) -> None:
    """The demo's 2025-26 returns, drawn as `riia demo` draws them, all in on time."""
    import_published(session, PUBLISHED_FILE)
    by = f.make_user(session)
    quarters = quarters_of("2025-26") + quarters_of("2026-27")
    values = demo_values(session, REGION, quarters)
    for quarter in quarters[:4]:
        for code, by_indicator in values[str(quarter)].items():
            add_return(session, code, str(quarter), by_indicator, submitted_by=by)
    session.flush()


def test_the_demo_q4_raises_a_handful_per_la_not_every_la_many_times(session: Session) -> None:
    _demo_year(session)
    flags = flags_for_region(session, REGION, Q4, today=LATER)
    names = {la.code: la.name for la in get_reference().regions[REGION].local_authorities}
    per_la = Counter(names[fl.la_code] for fl in flags)
    # Before issue 10 every LA was flagged, 56 times in all, Nottingham 8 and North
    # Northamptonshire 10 times; now one flag per indicator, each beyond its tolerance.
    assert dict(per_la) == {
        "Derby": 2,
        "Derbyshire": 3,
        "Leicester": 3,
        "Lincolnshire": 1,
        "North Northamptonshire": 7,
        "Nottingham": 5,
        "Nottinghamshire": 1,
        "Rutland": 3,
        "West Northamptonshire": 3,
    }
    assert len(flags) == 28
    assert Counter(fl.rule for fl in flags) == {
        "threshold": 10,
        "outside_range": 4,
        "worst_quartile": 7,
        "worsening_run": 7,
    }
    nottingham = [fl for fl in flags if names[fl.la_code] == "Nottingham"]
    # The climbing agency rate the demo plants is the first thing said about Nottingham.
    assert (nottingham[0].rule, nottingham[0].indicator_id) == (
        "threshold",
        "sw_agency_rate_fte_pct",
    )


@pytest.fixture
def demo_client(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> TestClient:
    _demo_year(session)
    monkeypatch.setattr(clock, "today", lambda: LATER)
    f.sign_in(client, f.make_user(session, Role.REGIONAL_COORDINATOR, region=REGION))
    return client


def _items(html: str, heading_id: str) -> list[str]:
    section = html.split(f'id="{heading_id}"', 1)[1].split("<h2", 1)[0]
    return [html_unescape(t) for t in re.findall(r"<li><strong>(.*?)\.</strong>", section)]


def test_the_profile_lists_three_then_and_n_more_linked_to_every_flag(
    demo_client: TestClient,
) -> None:
    base = f"/regions/{REGION}/las/{NORTH_NORTHAMPTONSHIRE}"
    page = demo_client.get(f"{base}?period=2025-26-q4").text
    assert _items(page, "flags") == [
        "Social worker vacancy rate (FTE) above the region's threshold",
        "Agency social worker rate (FTE) above the region's threshold",
        "Children in care with 3 or more placements in the year above the region's threshold",
    ]
    link = f'href="{base}/flags?period=2025-26-q4">and 4 more'
    assert link in page
    full = demo_client.get(f"{base}/flags?period=2025-26-q4")
    assert full.status_code == 200
    listed = [html_unescape(t) for t in re.findall(r"<li><strong>(.*?)\.</strong>", full.text)]
    assert len(listed) == 7 and listed[:3] == _items(page, "flags")


def test_the_data_pack_lists_three_per_la_then_the_full_list(demo_client: TestClient) -> None:
    pdf = demo_client.get(f"/regions/{REGION}/dashboard/2025-26-q4/pack.pdf").content
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    summary, every = text.split("Every signature of risk For each authority", 1)
    risks = summary.split("The three most important for each authority", 1)[1]
    # North Northamptonshire has 7 flags and Nottingham 5: three each, then "and N more".
    assert re.findall(r"and (\d+) more", risks) == ["4", "2"]
    assert "North Northamptonshire" in every and "Nottingham" in every


def test_the_la_profile_pdf_lists_three_then_every_flag_last(
    session: Session, demo_client: TestClient
) -> None:
    url = f"/regions/{REGION}/las/{NORTH_NORTHAMPTONSHIRE}/2025-26-q4/profile.pdf"
    reader = PdfReader(io.BytesIO(demo_client.get(url).content))
    pages = [" ".join(p.extract_text().split()) for p in reader.pages]
    summary = next(p for p in pages if "Signatures of risk A signature of risk" in p)
    assert re.findall(r"and (\d+) more", summary) == ["4"]
    # The full list closes the pack, with the note on where the pack came from.
    last = pages[-1]
    assert last.startswith("Every signature of risk Most important first")
    flags = flags_for_region(session, REGION, Q4, las={NORTH_NORTHAMPTONSHIRE}, today=LATER)
    assert len(flags) == 7
    assert all(fl.explanation[:60] in last for fl in flags)
    assert "About this pack." in last
    assert sum("About this pack." in p for p in pages) == 1
