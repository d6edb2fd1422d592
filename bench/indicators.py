"""Quarterly indicators benchmarks: national import vs a bare CSV parse, benchmarks and the API.

A national file of 153 LAs x 20 indicators (real ONS codes, plausible values) is imported through
the returns import in one call, as `riia returns import` does; every figure is printed as a median
with its ratio to a baseline measured in the same run, because machines here are noisy.
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
from app.benchmarks.service import region_benchmarks  # noqa: E402
from app.cycles import service as cycles  # noqa: E402
from app.cycles.schemas import OpenCycleInput  # noqa: E402
from app.db import get_sessionmaker  # noqa: E402
from app.main import create_app  # noqa: E402
from app.models import ReturnOverride  # noqa: E402
from app.reference import get_reference  # noqa: E402
from app.returns import service as returns  # noqa: E402
from app.returns.periods import Quarter  # noqa: E402
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


def national_file() -> bytes:
    """The whole country as one CSV."""
    reference = get_reference()
    rng = random.Random(2026)  # noqa: S311  (plausible figures, not secrets)
    header = ["la_code", "indicator_id", "value", "commentary"]
    every: list[list[str]] = []
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
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(every)
    return buffer.getvalue().encode()


# (d) The dashboard page against a plain page of the same size, both through the app.
PUBLISHED_FILE = (
    Path(__file__).resolve().parents[2] / "shared/data/dfe_csc_indicator_values_2023_2025.csv"
)
PLAIN_PAGE = """{% extends "layouts/base.html" %}
{% block content %}<h1 class="govuk-heading-xl">A plain table</h1>
<table class="govuk-table"><tbody class="govuk-table__body">
{% for row in rows %}<tr class="govuk-table__row">{% for cell in row %}<td class="govuk-table__cell">{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>{% endblock %}"""


def dashboard_throughput(coordinator_id: int) -> None:
    """(d) Seven earlier quarters for every LA and the DfE published values, then both pages."""
    from fastapi import Request
    from fastapi.responses import HTMLResponse
    from sqlalchemy import insert

    from app.auth.web import public
    from app.benchmarks.published import import_published
    from app.models import IndicatorReturn, ReturnValue
    from app.returns.periods import trailing

    reference = get_reference()
    rng = random.Random(27)  # noqa: S311  (plausible figures, not secrets)
    with get_sessionmaker().begin() as s:
        for quarter in trailing(QUARTER, 8)[:-1]:
            for region in reference.regions.values():
                for la in region.local_authorities:
                    returned = IndicatorReturn(
                        region_id=region.id,
                        organisation_code=la.code,
                        period=str(quarter),
                        version=1,
                        source="form",
                        submitted_by_id=coordinator_id,
                    )
                    s.add(returned)
                    s.flush()
                    values = [
                        {
                            "return_id": returned.id,
                            "indicator_id": i.id,
                            "value": round(
                                rng.uniform(i.valid_min, min(i.valid_max, 100)), i.decimals
                            ),
                        }
                        for i in reference.indicators.values()
                    ]
                    s.execute(insert(ReturnValue), values)
        if PUBLISHED_FILE.exists():
            import_published(s, PUBLISHED_FILE)
        email = s.get(accounts.User, coordinator_id).email  # type: ignore[attr-defined]

    app = create_app()
    plain_template = templates.env.from_string(PLAIN_PAGE)
    cells: list[list[str]] = []

    # Through the app like any public page (session lookup, middleware, base layout), no DB work.
    @app.get("/bench-plain", response_class=HTMLResponse, dependencies=[public()])
    def plain(request: Request) -> HTMLResponse:
        state = request.state
        return HTMLResponse(
            plain_template.render(
                rows=cells,
                current_user=getattr(state, "user", None),
                csp_nonce=getattr(state, "csp_nonce", ""),
                csrf_token=getattr(state, "csrf_token", ""),
            )
        )

    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    token = client.get("/sign-in").text.split('name="csrf_token" value="')[1].split('"')[0]
    signed_in = client.post(
        "/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 303, signed_in.text
    url = f"/regions/east-midlands/dashboard?period={QUARTER.slug}"
    page = client.get(url)
    assert page.status_code == 200 and "Region median" in page.text, page.text
    size = len(page.content)
    # The dashboard's table: a header and a median row around 10 LAs, 22 cells each. The plain
    # page has as many cells, padded with escaped text until it is exactly as many bytes.
    cells[:] = [["" for _ in range(22)] for _ in range(12)]
    bare = len(client.get("/bench-plain").content)
    each, rest = divmod(max(size - bare, 0), 12 * 22)
    cells[:] = [["x" * each for _ in range(22)] for _ in range(12)]
    cells[0][0] += "x" * rest
    plain_size = len(client.get("/bench-plain").content)
    for _ in range(5):  # warm both before timing
        client.get(url), client.get("/bench-plain")
    # Interleaved, so a burst of load from elsewhere on the machine slows both pages alike.
    plain_times, dashboard_times = [], []
    for _ in range(50):
        plain_times.append(median_ms(lambda: client.get("/bench-plain"), 1))
        dashboard_times.append(median_ms(lambda: client.get(url), 1))
    plain_ms, dashboard_ms = statistics.median(plain_times), statistics.median(dashboard_times)
    print(
        f"(d) plain Jinja page ({plain_size} bytes)   median {plain_ms:8.2f} ms  "
        f"({1000 / plain_ms:6.0f} req/s)"
    )
    print(
        f"    dashboard page ({size} bytes)     median {dashboard_ms:8.2f} ms  "
        f"({1000 / dashboard_ms:6.0f} req/s, {plain_ms / dashboard_ms:.2f} of the plain page's "
        "throughput; target >= 0.10)"
    )


def main() -> None:
    upgrade(os.environ["RIIA_DATABASE_URL"])
    reference = get_reference()
    whole = national_file()
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
    # The command line's principal: the coordinator of every region the file names.
    system = returns.command_line_principal(session, reference.regions)
    session.commit()

    def import_national() -> None:
        returns.import_file(session, system, None, QUARTER, "england.csv", whole, today=IN_WINDOW)

    def national_import() -> None:
        # Rolled back each run, so every run imports for real rather than finding the file done.
        savepoint = session.begin_nested()
        import_national()
        savepoint.rollback()

    parse = median_ms(bare_parse, 50)
    imported = median_ms(national_import, 15)
    print(f"National file: {las} LAs x {len(reference.indicators)} indicators = {rows} rows")
    print(f"(a) bare csv.reader parse            median {parse:8.2f} ms")
    print(
        f"(b) validated bulk import (one file)  median {imported:8.2f} ms  "
        f"({imported / parse:.0f}x the bare parse; target < 100 ms)"
    )
    import_national()
    session.commit()

    bench = median_ms(lambda: region_benchmarks(session, "east-midlands", QUARTER), 30)
    print(f"(c) region_benchmarks, East Midlands  median {bench:8.2f} ms  (10 LAs x 20 indicators)")
    session.close()

    dashboard_throughput(coordinators["east-midlands"])


if __name__ == "__main__":
    main()
