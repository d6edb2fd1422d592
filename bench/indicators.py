"""Quarterly indicators benchmarks: national import vs a bare CSV parse, benchmarks and the API.

A national file of 153 LAs x 20 indicators (real ONS codes, plausible values) is imported through
the returns import (one file per region, as coordinators upload them); every figure is printed as
a median with its ratio to a baseline measured in the same run, because machines here are noisy.
Run with `make bench` or `.venv/bin/python bench/indicators.py`.
"""

import csv
import io
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
folder = tempfile.mkdtemp(prefix="riia-bench-")
os.environ["RIIA_DATABASE_URL"] = f"sqlite:///{folder}/bench.db"
os.environ["RIIA_ENVIRONMENT"] = "test"
os.environ["RIIA_WARM_PACKS"] = "false"

from fastapi.testclient import TestClient  # noqa: E402

from app.auth import accounts  # noqa: E402
from app.auth.principal import load_principal  # noqa: E402
from app.auth.roles import Role  # noqa: E402
from app.cycles import service as cycles  # noqa: E402
from app.cycles.schemas import OpenCycleInput  # noqa: E402
from app.db import get_sessionmaker  # noqa: E402
from app.indicators import returns  # noqa: E402
from app.indicators.benchmarks import region_benchmarks  # noqa: E402
from app.indicators.periods import Quarter  # noqa: E402
from app.main import create_app  # noqa: E402
from app.models import ReturnOverride  # noqa: E402
from app.reference import get_reference  # noqa: E402
from app.schema import upgrade  # noqa: E402
from app.web import templates  # noqa: E402

QUARTER = Quarter.parse("2026-27 Q1")
IN_WINDOW = date(2026, 7, 15)
PASSWORD = "bench password that is long enough"  # noqa: S105


def median_ms(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def national_files() -> tuple[bytes, dict[str, bytes]]:
    """The whole country as one CSV, and the same rows split into one file per region."""
    reference = get_reference()
    rng = random.Random(2026)  # noqa: S311  (plausible figures, not secrets)
    header = ["la_code", "indicator_id", "value", "commentary"]
    every: list[list[str]] = []
    per_region: dict[str, list[list[str]]] = {}
    for region in reference.regions.values():
        for la in region.local_authorities:
            for indicator in reference.indicators.values():
                low, high = (
                    indicator.valid_min,
                    min(indicator.valid_max, 100 * (1 + (indicator.valid_max > 100) * 9)),
                )
                value = round(
                    rng.uniform(low + (high - low) * 0.1, low + (high - low) * 0.9),
                    indicator.decimals,
                )
                row = [la.code, indicator.id, f"{value:.{indicator.decimals}f}", ""]
                every.append(row)
                per_region.setdefault(region.id, []).append(row)

    def as_bytes(rows: list[list[str]]) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return buffer.getvalue().encode()

    return as_bytes(every), {r: as_bytes(rows) for r, rows in per_region.items()}


def main() -> None:
    upgrade(os.environ["RIIA_DATABASE_URL"])
    reference = get_reference()
    whole, by_region = national_files()
    las = sum(len(r.local_authorities) for r in reference.regions.values())
    rows = whole.count(b"\n") - 1
    coordinators = {}
    with get_sessionmaker().begin() as session:
        for region_id in reference.regions:
            user = accounts.create_user(
                session,
                email=f"coordinator@{region_id}.bench",
                display_name=region_id,
                password=PASSWORD,
            )
            accounts.assign_role(session, user, Role.REGIONAL_COORDINATOR, region_id=region_id)
            principal = load_principal(session, user)
            coordinators[region_id] = user.id
            cycle = cycles.open_cycle(
                session, principal, region_id, OpenCycleInput(year=QUARTER.year)
            )
            # The bench measures the import, not the MoU: every LA is accepted by override.
            for la in reference.regions[region_id].local_authorities:
                session.add(
                    ReturnOverride(
                        cycle_id=cycle.id,
                        organisation_code=la.code,
                        reason="bench",
                        created_by_id=user.id,
                    )
                )

    def bare_parse() -> None:
        for _ in csv.reader(io.StringIO(whole.decode())):
            pass

    session = get_sessionmaker()()
    principals = {
        r: load_principal(session, session.get(accounts.User, uid))
        for r, uid in coordinators.items()  # type: ignore[attr-defined]
    }

    def national_import() -> None:
        savepoint = session.begin_nested()
        for region_id, content in by_region.items():
            returns.import_file(
                session,
                principals[region_id],
                region_id,
                QUARTER,
                f"{region_id}.csv",
                content,
                today=IN_WINDOW,
            )
        session.flush()
        savepoint.rollback()

    parse = median_ms(bare_parse, 50)
    imported = median_ms(national_import, 15)
    print(f"National file: {las} LAs x {len(reference.indicators)} indicators = {rows} rows")
    print(f"(a) bare csv.reader parse            median {parse:8.2f} ms")
    print(
        f"(b) validated bulk import (9 regions) median {imported:8.2f} ms  "
        f"({imported / parse:.0f}x the bare parse; target < 100 ms)"
    )
    for region_id, content in by_region.items():
        returns.import_file(
            session,
            principals[region_id],
            region_id,
            QUARTER,
            f"{region_id}.csv",
            content,
            today=IN_WINDOW,
        )
    session.commit()

    bench = median_ms(lambda: region_benchmarks(session, "east-midlands", QUARTER), 30)
    print(f"(c) region_benchmarks, East Midlands  median {bench:8.2f} ms  (10 LAs x 20 indicators)")
    session.close()

    client = TestClient(create_app(), base_url="https://testserver", follow_redirects=False)
    with get_sessionmaker().begin() as s:
        user = s.get(accounts.User, coordinators["east-midlands"])  # type: ignore[attr-defined]
        _, secret = accounts.create_api_token(s, user, "bench")
    headers = {"Authorization": f"Bearer {secret}"}
    url = "/api/v1/regions/east-midlands/benchmarks"
    params = {"period": str(QUARTER)}
    response = client.get(url, params=params, headers=headers)
    assert response.status_code == 200 and len(response.json()) == 200, response.text
    size = len(response.content)

    app = create_app()
    from fastapi import Request
    from fastapi.responses import HTMLResponse

    # A plain Jinja page of about the same size as the API answer, rendered by the shared env.
    body = (
        "<table>"
        + "".join(f"<tr><td>{i}</td><td>{'x' * (size // 220)}</td></tr>" for i in range(200))
        + "</table>"
    )
    template = templates.env.from_string(
        "<!DOCTYPE html><html><body>{{ body | safe }}</body></html>"
    )

    @app.get("/bench-plain", response_class=HTMLResponse)
    def plain(request: Request) -> str:  # noqa: ARG001
        return template.render(body=body)

    plain_client = TestClient(app, base_url="https://testserver")
    plain_size = len(plain_client.get("/bench-plain").content)
    plain_ms = median_ms(lambda: plain_client.get("/bench-plain"), 100)
    api_ms = median_ms(lambda: client.get(url, params=params, headers=headers), 50)
    print(
        f"(d) plain Jinja page ({plain_size // 1024} KB)          median {plain_ms:8.2f} ms  ({1000 / plain_ms:6.0f} req/s)"
    )
    print(
        f"    benchmarks API ({size // 1024} KB, 200 rows)   median {api_ms:8.2f} ms  ({1000 / api_ms:6.0f} req/s, "
        f"{plain_ms / api_ms:.2f} of the plain page's throughput; target >= 0.10)"
    )


if __name__ == "__main__":
    main()
