"""The benchmarks export: exact header, rounding, formula escaping, the CLI, and who sees what."""

import csv
import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from app import clock
from app.auth.roles import Role
from app.benchmarks import export
from app.benchmarks.service import region_benchmarks
from app.db import make_engine
from app.returns.periods import Quarter
from app.schema import upgrade
from tests import factories as f
from tests.indicator_factories import add_return

HEADER = (
    "period,la_code,la_name,indicator_id,value,region_median,england_value,"
    "statistical_neighbour_mean,direction_of_travel"
)
REGION = "east-midlands"
Q = Quarter.parse("2026-27 Q1")  # closes 30 July 2026; the RISL sees it from 28 August 2026
DERBY, LEICESTER, COVENTRY = "E06000015", "E06000016", "E08000026"
ASSESS, MOVES, REREF = (
    "assessments_within_45wd_pct",
    "cla_3plus_placements_pct",
    "rereferrals_within_12m_pct",
)
EVIL = '=HYPERLINK("http://x")'
PUBLISHED = Path("/work/shared/data/dfe_csc_indicator_values_2023_2025.csv")


def _returns(session: Session) -> None:
    by = f.make_user(session)
    add_return(
        session,
        DERBY,
        str(Q),
        {ASSESS: 80.04, MOVES: 10.4, REREF: "c"},
        commentary={ASSESS: EVIL, MOVES: "+44 placements @ home"},
        submitted_by=by,
    )
    add_return(session, LEICESTER, str(Q), {ASSESS: 70.2, MOVES: 14}, submitted_by=by)


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_header_rounding_missing_codes_and_formula_escaping(session: Session) -> None:
    _returns(session)
    text = export.benchmarks_csv(region_benchmarks(session, REGION, Q, las={DERBY}))
    assert text.splitlines()[0].startswith(HEADER + ",")
    rows = {r["indicator_id"]: r for r in _csv_rows(text)}
    assert len(rows) == 20
    assess, moves, reref = rows[ASSESS], rows[MOVES], rows[REREF]
    assert (assess["value"], assess["region_median"], assess["england_value"]) == (
        "80.0",
        "75.1",
        "85.7",
    )
    assert assess["commentary"] == "'" + EVIL
    assert moves["value"] == "10" and moves["region_median"] == "12"  # 0 decimals
    assert moves["commentary"] == "'+44 placements @ home"
    assert (reref["value"], reref["missing_code"], reref["region_median"]) == ("c", "c", "")
    assert assess["direction_of_travel"] == "not_known"
    assert "region_rank" not in assess and assess["quartile"] == "1"


def test_xlsx_has_numbers_and_neutralised_text(session: Session) -> None:
    _returns(session)
    book = load_workbook(io.BytesIO(export.benchmarks_xlsx(region_benchmarks(session, REGION, Q))))
    sheet = book["Benchmarks"]
    lines = list(sheet.iter_rows(values_only=True))
    assert ",".join(str(c) for c in lines[0]).startswith(HEADER + ",")
    assert len(lines) == 1 + 10 * 20
    columns = list(lines[0])
    derby = {r[3]: dict(zip(columns, r, strict=True)) for r in lines[1:] if r[1] == DERBY}
    assert derby[ASSESS]["value"] == 80.0 and derby[MOVES]["value"] == 10
    assert derby[ASSESS]["commentary"] == "'" + EVIL
    assert derby[REREF]["value"] == "c"
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", cell.coordinate


def test_the_cli_exports_what_was_imported(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        _returns(session)
        session.commit()
    engine.dispose()
    env = {**os.environ, "RIIA_DATABASE_URL": url, "RIIA_ENVIRONMENT": "test"}
    riia = str(Path(sys.executable).with_name("riia"))
    loaded = subprocess.run(
        [riia, "import-published", str(PUBLISHED)], env=env, capture_output=True, text=True
    )
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert "Loaded 8073 published values" in loaded.stdout
    out = subprocess.run(
        [riia, "benchmarks", "export", "--region", REGION, "--period", "2026-27 Q1"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0].startswith(HEADER + ",")
    rows = {(r["la_code"], r["indicator_id"]): r for r in _csv_rows(out.stdout)}
    assert len(rows) == 200
    assert rows[(DERBY, ASSESS)]["value"] == "80.0"
    assert rows[(DERBY, REREF)]["england_value"] == "22.6"  # the published 2024-25 figure
    assert rows[(DERBY, ASSESS)]["commentary"] == "'" + EVIL
    refused = subprocess.run(
        [riia, "benchmarks", "export", "--region", "atlantis", "--period", "2026-27 Q1"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 1


# Who sees what: the API and both downloads apply the same rule.

API = f"/api/v1/regions/{REGION}/benchmarks"
BEFORE_CLOSE, AFTER_CLOSE, AFTER_RISL = date(2026, 7, 15), date(2026, 8, 1), date(2026, 8, 28)


@pytest.fixture
def cycle(session: Session) -> None:
    f.open_cycle(session)
    _returns(session)


def _on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    monkeypatch.setattr(clock, "today", lambda: day)


def _api(client: TestClient, session: Session, user: object) -> list[dict[str, object]]:
    response = client.get(API, params={"period": str(Q)}, headers=f.token_for(session, user))  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _aggregates(rows: list[dict[str, object]]) -> dict[str, object]:
    row = next(r for r in rows if r["la_code"] == LEICESTER and r["indicator_id"] == ASSESS)
    return {k: row[k] for k in ("region_median", "quartile", "region_q1")}


def test_coordinator_sees_every_la_with_aggregates(
    session: Session, client: TestClient, cycle: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _on(monkeypatch, BEFORE_CLOSE)
    coordinator = f.make_user(session, Role.REGIONAL_COORDINATOR, region=REGION)
    rows = _api(client, session, coordinator)
    assert len(rows) == 200
    assert _aggregates(rows) == {
        "region_median": pytest.approx(75.12),
        "quartile": 4,
        "region_q1": pytest.approx(72.66),
    }


def test_another_las_data_lead_sees_only_their_own_row_until_close(
    session: Session, client: TestClient, cycle: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead = f.make_user(session, Role.DATA_LEAD, organisation=LEICESTER)
    _on(monkeypatch, BEFORE_CLOSE)
    rows = _api(client, session, lead)
    assert {r["la_code"] for r in rows} == {LEICESTER} and len(rows) == 20
    assert _aggregates(rows) == dict.fromkeys(("region_median", "quartile", "region_q1"))
    assert all(r["statistical_neighbour_mean"] is None for r in rows)
    f.sign_in(client, lead)
    download = client.get(f"/regions/{REGION}/benchmarks/{Q.slug}.csv")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert {r["la_code"] for r in _csv_rows(download.text)} == {LEICESTER}
    _on(monkeypatch, AFTER_CLOSE)
    rows = _api(client, session, lead)
    assert len(rows) == 200 and _aggregates(rows)["region_median"] == pytest.approx(75.12)
    sheet = load_workbook(
        io.BytesIO(client.get(f"/regions/{REGION}/benchmarks/{Q.slug}.xlsx").content)
    )
    assert sheet.active is not None and sheet.active.max_row == 201


def test_risl_sees_nothing_until_the_release_date(
    session: Session, client: TestClient, cycle: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    risl = f.make_user(session, Role.RISL, region=REGION)
    _on(monkeypatch, AFTER_CLOSE)
    assert _api(client, session, risl) == []
    f.sign_in(client, risl)
    assert client.get(f"/regions/{REGION}/benchmarks/{Q.slug}.csv").text.splitlines()[1:] == []
    _on(monkeypatch, AFTER_RISL)
    rows = _api(client, session, risl)
    assert len(rows) == 200 and _aggregates(rows)["quartile"] == 4


def test_another_regions_people_are_refused(
    session: Session, client: TestClient, cycle: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _on(monkeypatch, AFTER_RISL)
    outsider = f.make_user(session, Role.DATA_LEAD, organisation=COVENTRY)
    headers = f.token_for(session, outsider)
    # Sign in first: a refused request rolls back what the test had not committed.
    f.sign_in(client, outsider)
    assert client.get(f"/regions/{REGION}/benchmarks/{Q.slug}.csv").status_code == 403
    assert client.get(f"/regions/{REGION}/benchmarks/{Q.slug}.xlsx").status_code == 403
    assert client.get(API, params={"period": str(Q)}, headers=headers).status_code == 403


def test_a_period_that_is_not_a_quarter_is_422(session: Session, client: TestClient) -> None:
    coordinator = f.make_user(session, Role.REGIONAL_COORDINATOR, region=REGION)
    response = client.get(API, params={"period": "Q1"}, headers=f.token_for(session, coordinator))
    assert response.status_code == 422
    assert "2026-27 Q1" in response.json()["error"]["message"]
