"""The regional dashboard and LA profile pages, and their JSON, under the MoU's data terms."""

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app import clock
from app.auth.roles import Role
from tests import factories as f
from tests.conftest import check_page
from tests.integration.benchmarks.test_flags import AFTER_RELEASE, DERBY, LEICESTER, REGION, seed
from tests.page_reading import words

LEICESTERSHIRE = "E10000018"
THRESHOLD_WORDS = "Agency social worker rate (FTE) was 31.2% in 2026-27 Q1, above the region&#39;s threshold of 16.4%."


def _on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    monkeypatch.setattr(clock, "today", lambda: day)


def _as(session: Session, client: TestClient, role: Role, **scope: str) -> None:
    f.sign_in(client, f.make_user(session, role, **scope))


def test_the_coordinator_sees_every_la_flags_and_medians(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(session)
    _on(monkeypatch, AFTER_RELEASE)
    _as(session, client, Role.REGIONAL_COORDINATOR, region=REGION)
    page = client.get(f"/regions/{REGION}/dashboard")  # defaults to the latest quarter: Q1
    assert page.status_code == 200, page.text
    check_page(page.text)
    assert "Quarterly indicators, 2026-27 Q1" in page.text
    assert THRESHOLD_WORDS in page.text
    assert "provisional management information" in page.text
    text = words(page.text)
    for name in ("Derby", "Leicester", "Rutland", "West Northamptonshire"):
        assert f">{name}</a>" in page.text
    assert "Region median" in text and "14.0%" in text
    assert "No return for 2026-27 Q1 has been received." in text
    assert f'href="/regions/{REGION}/benchmarks/2026-27-q1.csv"' in page.text
    assert f'href="/regions/{REGION}/dashboard/2026-27-q1/pack.pdf"' in page.text
    assert "fail" not in text.lower()


def test_a_data_lead_before_close_sees_only_their_own_la(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(session)
    _on(monkeypatch, date(2026, 7, 20))
    _as(session, client, Role.DATA_LEAD, organisation=LEICESTERSHIRE)
    page = client.get(f"/regions/{REGION}/dashboard?period=2026-27-q1")
    assert page.status_code == 200
    check_page(page.text)
    rows = re.findall(r'<th scope="row"[^>]*><a [^>]*>([^<]+)</a>', page.text)
    assert rows == ["Leicestershire"]
    assert "31.2%" not in page.text and "Region median" not in page.text
    assert "shared with you from 31 July 2026" in page.text
    refused = client.get(f"/regions/{REGION}/las/{DERBY}?period=2026-27-q1")
    assert refused.status_code == 403
    assert "Derby&#39;s figures for 2026-27 Q1 are not shared with you yet" in refused.text
    own = client.get(f"/regions/{REGION}/las/{LEICESTERSHIRE}?period=2026-27-q1")
    assert own.status_code == 200
    # Their own figure, but no region median yet: it would reveal other LAs' values.
    assert "Leicestershire, 2026-27 Q1" in own.text and "Region median</dt>" not in own.text


def test_a_risl_before_release_gets_the_page_with_no_values(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(session)
    _on(monkeypatch, date(2026, 8, 10))
    _as(session, client, Role.RISL, region=REGION)
    page = client.get(f"/regions/{REGION}/dashboard?period=2026-27-q1")
    assert page.status_code == 200
    check_page(page.text)
    assert "Figures for this quarter are shared with you from 28 August 2026" in page.text
    assert "<table" not in page.text and "31.2%" not in page.text
    assert client.get(f"/regions/{REGION}/las/{DERBY}?period=2026-27-q1").status_code == 403
    _on(monkeypatch, AFTER_RELEASE)
    assert THRESHOLD_WORDS in client.get(f"/regions/{REGION}/dashboard?period=2026-27-q1").text


def test_the_la_profile_puts_strengths_first_then_flags_then_each_indicator(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(session)
    _on(monkeypatch, AFTER_RELEASE)
    _as(session, client, Role.REGIONAL_COORDINATOR, region=REGION)
    page = client.get(f"/regions/{REGION}/las/{DERBY}?period=2026-27-q1")
    assert page.status_code == 200, page.text
    check_page(page.text)
    html = page.text
    assert html.index('id="strengths"') < html.index('id="flags"') < html.index("Every indicator")
    assert THRESHOLD_WORDS in html
    assert "Lower is better." in html  # polarity explained beside the figure
    assert "Commentary: Two teams rebuilt with agency staff" in html
    assert 'role="img"' in html and html.count("<svg") == 20
    assert (
        "Agency social worker rate (FTE): 31.2% in 2026-27 Q1, compared with 24.0% in "
        "2025-26 Q4 (worsening). In 2026-27 Q1: region median 14.0%."
    ) in words(html).replace("&#39;", "'")
    assert "(published 2024-25)" in html  # England is labelled with its year


def test_an_unknown_period_or_la_is_refused_plainly(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(session)
    _as(session, client, Role.REGIONAL_COORDINATOR, region=REGION)
    assert client.get(f"/regions/{REGION}/dashboard?period=spring").status_code == 422
    assert client.get(f"/regions/{REGION}/las/E09000001").status_code == 404


def test_flags_and_profile_as_json(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(session)
    _on(monkeypatch, AFTER_RELEASE)
    boss = f.make_user(session, Role.REGIONAL_COORDINATOR, region=REGION)
    headers = f.token_for(session, boss)
    found = client.get(f"/api/v1/regions/{REGION}/flags?period=2026-27 Q1", headers=headers)
    assert found.status_code == 200, found.text
    by_rule = {(x["la_code"], x["rule"]): x for x in found.json()}
    assert {"value": 31.2, "above": 16.4} in [
        x["numbers"] for x in found.json() if (x["la_code"], x["rule"]) == (DERBY, "threshold")
    ]
    assert (LEICESTER, "missing_return") in by_rule
    profile = client.get(
        f"/api/v1/regions/{REGION}/las/{DERBY}/profile?period=2026-27-q1", headers=headers
    )
    assert profile.status_code == 200, profile.text
    body = profile.json()
    assert body["la_name"] == "Derby" and body["region_aggregates_shown"] is True
    agency = next(i for i in body["indicators"] if i["indicator_id"] == "sw_agency_rate_fte_pct")
    assert agency["value"] == 31.2 and agency["direction"] == "worsening"
    assert agency["region_median"] == "14.0%"
    lead = f.make_user(session, Role.DATA_LEAD, organisation=LEICESTERSHIRE)
    _on(monkeypatch, date(2026, 7, 20))
    mine = client.get(
        f"/api/v1/regions/{REGION}/flags?period=2026-27 Q1", headers=f.token_for(session, lead)
    )
    assert {x["la_code"] for x in mine.json()} <= {LEICESTERSHIRE}
