"""No ordinal rank leaves the service: pages, exports, API and packs show quartile bands only.

The MoU every region signs says "The alliance does not publish league tables or rank members
against one another" (regions/templates/mou-standard.yaml:44). A quartile band is allowed; a
table of several LAs sorted by value is a league table too.
"""

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy.orm import Session

from app import clock
from app.auth.roles import Role
from app.reference import get_reference
from app.self_evaluation.pack_appendix import build_appendix
from app.self_evaluation.profile import sef_data_profile
from app.web import env
from tests import factories as f
from tests.integration.benchmarks.test_flags import AFTER_RELEASE, DERBY, REGION, seed

SLUG = "2026-27-q1"
# Nine LAs of the region sent Q1 figures: a rank would read "n of 9".
RANK = re.compile(r"\brank|\b\d+ of (9|10)\b", re.IGNORECASE)


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner)


def _no_rank(what: str, text: str) -> None:
    found = RANK.search(text)
    assert found is None, (
        f"{what} shows a rank: {text[max(0, found.start() - 80) : found.end() + 40]}"
    )


def test_no_page_export_api_or_pack_shows_a_rank_to_a_reader_outside_the_la(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(session)
    monkeypatch.setattr(clock, "today", lambda: AFTER_RELEASE)
    user = f.make_user(session, Role.REGIONAL_COORDINATOR, region=REGION)
    token = f.token_for(session, user)
    f.sign_in(client, user)
    base = f"/regions/{REGION}"

    dashboard = client.get(f"{base}/dashboard?period={SLUG}")
    page = client.get(f"{base}/las/{DERBY}?period={SLUG}")
    assert dashboard.status_code == page.status_code == 200
    # The profile page still places Derby, as a band.
    assert "in the region&#39;s highest quarter, where lower is better" in page.text
    _no_rank("dashboard", dashboard.text)
    _no_rank("LA profile page", page.text)

    data_pack = client.get(f"{base}/dashboard/{SLUG}/pack.pdf")
    la_pack = client.get(f"{base}/las/{DERBY}/{SLUG}/profile.pdf")
    assert data_pack.headers["content-type"] == la_pack.headers["content-type"] == "application/pdf"
    _no_rank("data pack", _pdf_text(data_pack.content))
    la_text = _pdf_text(la_pack.content)
    assert "highest quarter, where lower is better" in la_text
    _no_rank("LA profile pack", la_text)

    csv_text = client.get(f"{base}/benchmarks/{SLUG}.csv").text
    header = next(csv.reader(io.StringIO(csv_text)))
    assert "quartile" in header and not [c for c in header if "rank" in c]
    _no_rank("CSV", csv_text)
    book = load_workbook(io.BytesIO(client.get(f"{base}/benchmarks/{SLUG}.xlsx").content))
    cells = [str(c) for row in book.active.iter_rows(values_only=True) for c in row]  # type: ignore[union-attr]
    assert "quartile" in cells and not [c for c in cells if "rank" in c.lower()]

    benchmarks = client.get(
        "/api/v1" + f"{base}/benchmarks", params={"period": "2026-27 Q1"}, headers=token
    )
    profile = client.get(
        "/api/v1" + f"{base}/las/{DERBY}/profile", params={"period": "2026-27 Q1"}, headers=token
    )
    flags = client.get("/api/v1" + f"{base}/flags", params={"period": "2026-27 Q1"}, headers=token)
    for name, response in (("benchmarks", benchmarks), ("profile", profile), ("flags", flags)):
        assert response.status_code == 200, response.text
        assert not [k for k in _keys(response.json()) if "rank" in k], name
        _no_rank(f"{name} API", response.text)
    agency = next(
        i for i in profile.json()["indicators"] if i["indicator_id"] == "sw_agency_rate_fte_pct"
    )
    assert agency["quartile"] == "in the region's highest quarter, where lower is better"

    # The SEF: the chapter editor's data beside each chapter, its summary and the pack appendix.
    template = get_reference().sef_templates["sef-east-midlands"]
    sef = sef_data_profile(session, f.coordinator(session), REGION, DERBY, template)
    chapters = tuple(c.id for c in template.chapters)
    for chapter in chapters:
        html = env.from_string(
            '{% from "sef/_profile.html" import chapter_profile %}{{ chapter_profile(p, c) }}'
        ).render(p=sef, c=chapter)
        _no_rank(f"chapter editor {chapter}", html)
    summary = env.from_string(
        '{% from "sef/_profile.html" import profile_summary %}{{ profile_summary(p) }}'
    ).render(p=sef)
    # Derby's agency rate leads with its threshold breach; the band is in its figures' rows.
    assert "above the region&#39;s threshold" in summary
    _no_rank("SEF summary", summary)
    appendix = env.from_string(
        '{% from "pdf/_sef_profile.html" import data_appendix %}{{ data_appendix(a, p) }}'
    ).render(p=sef, a=build_appendix(sef, chapters))
    _no_rank("SEF pack appendix", appendix)


def test_the_dashboard_offers_no_sort_by_value(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(session)
    monkeypatch.setattr(clock, "today", lambda: AFTER_RELEASE)
    f.sign_in(client, f.make_user(session, Role.REGIONAL_COORDINATOR, region=REGION))
    url = f"/regions/{REGION}/dashboard?period={SLUG}&sort=sw_agency_rate_fte_pct&order="
    for order in ("asc", "desc"):
        html = client.get(url + order).text
        rows = re.findall(r'<th scope="row"[^>]*><a [^>]*>([^<]+)</a>', html)
        # By name, whatever is asked for: a value sort would be a league table.
        las = get_reference().regions[REGION].local_authorities
        assert len(rows) == len(las) and rows == sorted(rows, reverse=order == "desc")
        sorts = set(re.findall(r"[?&]amp;sort=([a-z_]+)", html))
        assert sorts == {"la"}
        assert html.count("aria-sort=") == 1  # the LA column only
