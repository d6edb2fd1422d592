"""Benchmarks for a reporting year on DfE's published figures, and quarters' published neighbour
means (issue 9).

The expected numbers are worked out here from the raw DfE files in /work/shared/data, with the
standard library, not through the code under test.
"""

import csv
import io
import os
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.benchmarks import export
from app.benchmarks.published import import_published
from app.benchmarks.service import region_benchmarks
from app.db import make_engine
from app.models import PublishedValue
from app.returns import periods
from app.returns.periods import Quarter
from app.schema import upgrade
from tests import factories as f
from tests.conftest import check_page
from tests.indicator_factories import add_return

DATA = Path("/work/shared/data")
PUBLISHED = DATA / "dfe_csc_indicator_values_2023_2025.csv"
REGION = "east-midlands"
YEAR = "2024-25"  # read as a reporting year in _row, so each test fails on its own before
DERBY, LINCOLNSHIRE, NOTTINGHAM, RUTLAND = "E06000015", "E10000019", "E06000018", "E06000017"
NORTH_NORTHANTS = "E06000061"
STABILITY = "cla_long_term_stability_pct"  # higher is better, 0 decimals; same id in the file
AGENCY = "sw_agency_rate_fte_pct"  # lower is better, 1 decimal; one joint row for Northants
REREF = "rereferrals_within_12m_pct"  # two-sided: no quartile


def _raw() -> dict[tuple[str, int], dict[str, float]]:
    """(indicator, DfE time period) -> ONS code -> value, LA rows only, suppressed left out.

    A joint row (North and West Northamptonshire's Children's Trust, "E06000061 / E06000062")
    is the published figure of each LA it covers. Where DfE used an ONS code the LA list does
    not hold (Sheffield's E08000039), its three-digit DfE code names the LA.
    """
    with (DATA / "england_upper_tier_las_by_region.csv").open(encoding="utf-8-sig") as handle:
        current = [r for r in csv.DictReader(handle) if r["status"] == "current"]
    ons = {r["ons_code"] for r in current}
    by_old = {r["old_la_code"]: r["ons_code"] for r in current}
    found: dict[tuple[str, int], dict[str, float]] = {}
    with PUBLISHED.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            if row["geographic_level"] != "Local authority":
                continue
            try:
                value = float(row["value"])
            except ValueError:
                continue
            by_la = found.setdefault((row["indicator_id"], int(row["time_period"])), {})
            olds = [c.strip() for c in row["code"].split("/")]
            for index, code in enumerate(c.strip() for c in row["new_la_code"].split("/")):
                la = code if code in ons else by_old.get(olds[index])
                if la:
                    by_la[la] = value
    return found


def _east_midlands() -> list[str]:
    with (DATA / "england_upper_tier_las_by_region.csv").open(encoding="utf-8-sig") as handle:
        return [
            r["ons_code"]
            for r in csv.DictReader(handle)
            if r["region_name"] == "East Midlands" and r["status"] == "current"
        ]


def _neighbours(ons: str) -> list[str]:
    with (DATA / "england_upper_tier_las_by_region.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    by_old = {r["old_la_code"]: r["ons_code"] for r in rows if r["status"] == "current"}
    old = next(r["old_la_code"] for r in rows if r["ons_code"] == ons)
    with (DATA / "dfe_statistical_neighbours_2025_wide.csv").open(encoding="utf-8-sig") as handle:
        line = next(r for r in csv.DictReader(handle) if r["old_la_code"] == old)
    return [by_old[line[f"SN_{i}"]] for i in range(1, 11)]


def _expected(indicator: str, la: str, time_period: int = 2025) -> dict[str, object]:
    values = _raw()[(indicator, time_period)]
    region = sorted(values[c] for c in _east_midlands() if c in values)
    q1, median, q3 = statistics.quantiles(region, n=4, method="inclusive")
    near = [values[c] for c in _neighbours(la) if c in values]
    return {
        "value": values.get(la),
        "median": median,
        "q1": q1,
        "q3": q3,
        "count": len(region),
        "neighbour_mean": statistics.fmean(near),
        "neighbour_count": len(near),
    }


def _england(indicator: str) -> float:
    with PUBLISHED.open(newline="", encoding="utf-8-sig") as handle:
        return next(
            float(r["value"])
            for r in csv.DictReader(handle)
            if (r["indicator_id"], r["time_period"], r["geographic_level"])
            == (indicator, "2025", "National")
        )


@pytest.fixture
def loaded(session: Session) -> None:
    import_published(session, PUBLISHED)


def _row(session: Session, la: str, indicator: str, period: object = YEAR) -> export.Benchmark:
    chosen = periods.ReportingYear.parse(period) if isinstance(period, str) else period
    rows = region_benchmarks(session, REGION, chosen)  # type: ignore[arg-type]
    return next(r for r in rows if r.la_code == la and r.indicator_id == indicator)


@pytest.mark.parametrize(
    ("la", "indicator"),
    [(DERBY, STABILITY), (LINCOLNSHIRE, STABILITY), (NOTTINGHAM, AGENCY), (RUTLAND, AGENCY)],
)
def test_a_reporting_year_is_benchmarked_on_dfes_published_figures(
    session: Session, loaded: None, la: str, indicator: str
) -> None:
    want = _expected(indicator, la)
    got = _row(session, la, indicator)
    assert got.source == "published" and got.period == "2024-25"
    assert got.value == want["value"]
    assert (got.region_q1, got.region_median, got.region_q3) == pytest.approx(
        (want["q1"], want["median"], want["q3"])
    )
    assert got.region_count == want["count"]
    assert got.statistical_neighbour_mean == pytest.approx(want["neighbour_mean"])
    assert got.statistical_neighbour_count == want["neighbour_count"]
    assert got.published_neighbour_mean == pytest.approx(want["neighbour_mean"])
    assert got.published_neighbour_period == "2024-25"
    assert (got.england_value, got.england_period) == (_england(indicator), "2024-25")


def test_quartiles_and_direction_follow_polarity_year_on_year(
    session: Session, loaded: None
) -> None:
    values = _raw()[(STABILITY, 2025)]
    region = {c: values[c] for c in _east_midlands()}
    derby = _row(session, DERBY, STABILITY)
    # Higher is better: the best quarter holds the highest values.
    assert derby.quartile == (1 if region[DERBY] >= _expected(STABILITY, DERBY)["q3"] else 2)
    before = _raw()[(STABILITY, 2024)][DERBY]
    assert derby.previous_value == before
    assert derby.direction == ("improving" if region[DERBY] > before else "worsening")
    agency = _row(session, NORTH_NORTHANTS, AGENCY)
    assert agency.value == 19.5 == _raw()[(AGENCY, 2025)][NORTH_NORTHANTS]  # the Trust's row
    assert agency.quartile == 4  # tied highest with West Northants
    reref = _row(session, DERBY, REREF)
    assert reref.quartile is None and not hasattr(reref, "region_rank")


def test_the_reporting_year_csv_and_xlsx_carry_the_published_figures_formula_safe(
    session: Session, loaded: None
) -> None:
    rows = region_benchmarks(session, REGION, periods.ReportingYear.parse(YEAR))
    text = export.benchmarks_csv(rows)
    table = {(r["la_code"], r["indicator_id"]): r for r in csv.DictReader(io.StringIO(text))}
    want = _expected(STABILITY, DERBY)
    derby = table[(DERBY, STABILITY)]
    assert derby["value"] == "75" and derby["value_source"] == "published"
    assert derby["region_median"] == f"{want['median']:.0f}"
    assert derby["statistical_neighbour_mean"] == f"{want['neighbour_mean']:.0f}"
    assert derby["statistical_neighbour_published_year"] == "2024-25"
    sheet = load_workbook(io.BytesIO(export.benchmarks_xlsx(rows)))["Benchmarks"]
    assert sheet.max_row == 1 + 10 * 20
    assert all(c.data_type != "f" for row in sheet.iter_rows(min_row=2) for c in row)


def test_a_quarters_neighbour_mean_is_filled_from_the_latest_published_year_and_labelled(
    session: Session, loaded: None
) -> None:
    by = f.make_user(session)
    add_return(session, DERBY, "2026-27 Q1", {STABILITY: 71}, submitted_by=by)
    add_return(session, DERBY, "2023-24 Q2", {STABILITY: 70}, submitted_by=by)
    latest = _row(session, DERBY, STABILITY, Quarter.parse("2026-27 Q1"))
    want = _expected(STABILITY, DERBY)
    # Derby's neighbours are outside the region and sent no returns.
    assert (latest.value, latest.source) == (71, "provisional")
    assert (latest.statistical_neighbour_mean, latest.statistical_neighbour_count) == (None, 0)
    assert latest.published_neighbour_mean == pytest.approx(want["neighbour_mean"])
    assert latest.published_neighbour_count == want["neighbour_count"]
    assert latest.published_neighbours_text == (
        f"Neighbours 2024-25 (published): {want['neighbour_mean']:.0f}%"
    )
    # An older quarter takes the published year up to its own, never a later one.
    older = _row(session, DERBY, STABILITY, Quarter.parse("2023-24 Q2"))
    assert older.published_neighbour_period == "2023-24"
    assert older.published_neighbour_mean == pytest.approx(
        _expected(STABILITY, DERBY, 2024)["neighbour_mean"]
    )


def test_the_published_neighbour_mean_follows_a_committed_change(
    session: Session, loaded: None
) -> None:
    session.commit()
    quarter = Quarter.parse("2026-27 Q1")
    before = _row(session, DERBY, STABILITY, quarter).published_neighbour_mean
    assert _row(session, DERBY, STABILITY).published_neighbour_mean == before
    first = _neighbours(DERBY)[0]
    assert first in _raw()[(STABILITY, 2025)]
    session.execute(
        update(PublishedValue)
        .where(PublishedValue.code == first, PublishedValue.indicator_id == STABILITY)
        .values(value=PublishedValue.value + 10)
    )
    session.commit()
    assert before is not None
    after_quarter = _row(session, DERBY, STABILITY, quarter).published_neighbour_mean
    count = _expected(STABILITY, DERBY)["neighbour_count"]
    assert after_quarter == pytest.approx(before + 10 / count)  # type: ignore[operator]
    assert _row(session, DERBY, STABILITY).statistical_neighbour_mean == after_quarter


API = f"/api/v1/regions/{REGION}/benchmarks"


def test_the_api_and_downloads_accept_a_reporting_year(
    session: Session, client: TestClient, loaded: None
) -> None:
    lead = f.make_user(session, Role.DATA_LEAD, organisation=DERBY)
    response = client.get(API, params={"period": "2024-25"}, headers=f.token_for(session, lead))
    assert response.status_code == 200, response.text
    rows = {(r["la_code"], r["indicator_id"]): r for r in response.json()}
    assert len(rows) == 200  # published figures are public: every LA, with the aggregates
    want = _expected(AGENCY, NOTTINGHAM)
    got = rows[(NOTTINGHAM, AGENCY)]
    assert got["source"] == "published" and got["value"] == want["value"]
    assert got["region_median"] == pytest.approx(want["median"])
    assert got["statistical_neighbour_mean"] == pytest.approx(want["neighbour_mean"])
    assert got["published_neighbour_period"] == "2024-25"
    assert got["published_neighbours_text"] == (
        f"Neighbours 2024-25 (published): {want['neighbour_mean']:.1f}%"
    )
    f.sign_in(client, lead)
    download = client.get(f"/regions/{REGION}/benchmarks/2024-25.csv")
    assert download.status_code == 200
    assert (
        'filename="benchmarks-east-midlands-2024-25.csv"' in download.headers["content-disposition"]
    )
    assert len(download.text.splitlines()) == 1 + 200
    wrong = client.get(API, params={"period": "2024-26"}, headers=f.token_for(session, lead))
    assert wrong.status_code == 422


def test_the_dashboard_shows_a_reporting_year_and_offers_it(
    session: Session, client: TestClient, loaded: None
) -> None:
    by = f.make_user(session)
    add_return(session, DERBY, "2026-27 Q1", {STABILITY: 71}, submitted_by=by)
    coordinator = f.make_user(session, Role.REGIONAL_COORDINATOR, region=REGION)
    headers = f.token_for(session, coordinator)
    f.sign_in(client, coordinator)
    page = client.get(f"/regions/{REGION}/dashboard?period=2024-25")
    assert page.status_code == 200, page.text
    check_page(page.text)
    assert "Published annual indicators, 2024-25" in page.text
    assert "Signatures of risk are read from the quarterly returns" in page.text
    assert "DfE&#39;s published annual statistics" in page.text
    assert '<option value="2024-25" selected>2024-25 (DfE published, annual)</option>' in page.text
    assert '<option value="2023-24">2023-24 (DfE published, annual)</option>' in page.text
    assert '<option value="2026-27-q1">2026-27 Q1</option>' in page.text
    want = _expected(STABILITY, DERBY)
    assert f"Neighbours 2024-25 (published): {want['neighbour_mean']:.0f}%" in page.text
    assert f'href="/regions/{REGION}/benchmarks/2024-25.xlsx"' in page.text
    pdf = client.get(f"/regions/{REGION}/dashboard/2024-25/pack.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert 'filename="data-pack-east-midlands-2024-25.pdf"' in pdf.headers["content-disposition"]
    quarter = client.get(f"/regions/{REGION}/dashboard?period=2026-27-q1")
    assert "Quarterly indicators, 2026-27 Q1" in quarter.text
    assert f"Neighbours 2024-25 (published): {want['neighbour_mean']:.0f}%" in quarter.text
    profile = client.get(
        f"/api/v1/regions/{REGION}/las/{DERBY}/profile",
        params={"period": "2026-27 Q1"},
        headers=headers,
    )
    assert profile.status_code == 200, profile.text
    stability = next(i for i in profile.json()["indicators"] if i["indicator_id"] == STABILITY)
    assert stability["statistical_neighbours_published"] == (
        f"Neighbours 2024-25 (published): {want['neighbour_mean']:.0f}%"
    )


def test_the_cli_exports_a_reporting_year(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    make_engine(url).dispose()
    env = {**os.environ, "RIIA_DATABASE_URL": url, "RIIA_ENVIRONMENT": "test"}
    riia = str(Path(sys.executable).with_name("riia"))
    command = [riia, "benchmarks", "export", "--region", REGION, "--period", "2024-25"]
    empty = subprocess.run(command, env=env, capture_output=True, text=True)
    assert (
        empty.returncode == 1 and "No DfE published values are loaded for 2024-25" in empty.stdout
    )
    loaded = subprocess.run(
        [riia, "import-published", str(PUBLISHED)], env=env, capture_output=True, text=True
    )
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    out = subprocess.run(command, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    rows = {(r["la_code"], r["indicator_id"]): r for r in csv.DictReader(io.StringIO(out.stdout))}
    assert len(rows) == 200
    want = _expected(STABILITY, LINCOLNSHIRE)
    lincs = rows[(LINCOLNSHIRE, STABILITY)]
    assert (lincs["period"], lincs["value"], lincs["value_source"]) == (
        "2024-25",
        "65",
        "published",
    )
    assert lincs["region_median"] == f"{want['median']:.0f}"
