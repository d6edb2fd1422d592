"""Thirty seconds of the region's morning against the real server, on both databases (issue 8).

Twenty simulated people (coordinators, DCSs, data leads) sign in through the form at once, then
read pages and the API and save chapters and resubmit returns, with 0.5-1.5 s to think between
actions. The run fails on any 5xx, any request over 10 s, a connection error, an unexpected
status, a server that stops answering, or one that does not stop within 10 s of SIGTERM; the
message is the whole report. Each test has its own port and database, so `-n 2` is safe.
"""

from pathlib import Path

import pytest

from bench.load import LoadConfig, LoadResult, format_report, prepare_database, run_load
from bench.load.metrics import WRITE_KINDS

pytestmark = pytest.mark.load
CONFIG = LoadConfig(users=20, seconds=30.0)
STOP_LIMIT = 10.0


def _judge(result: LoadResult, resubmissions_open: bool) -> None:
    report = format_report(result)
    problems = []
    if result.failures:
        problems.append(f"{result.failures} requests failed")
    if not result.answered_after:
        problems.append("the server stopped answering")
    if result.stop_seconds is None or result.stop_seconds > STOP_LIMIT:
        problems.append("the server did not stop within 10 s of SIGTERM")
    # A mix whose writes never land would test nothing: each kind must have saved at least once.
    for kind in WRITE_KINDS:
        if kind == "return resubmission" and not resubmissions_open:
            continue  # no quarter's window has opened yet on today's date
        stats = result.kinds.get(kind)
        if stats is None or not stats.ok:
            problems.append(f"no {kind} succeeded")
    assert not problems, "; ".join(problems) + "\n" + report


def test_sqlite_under_load(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'load.db'}"
    world = prepare_database(url)
    result = run_load(url, 1, world, CONFIG, label="SQLite, 1 worker", log_dir=tmp_path)
    _judge(result, bool(world.open_quarters))


@pytest.mark.postgres
def test_postgres_under_load(tmp_path: Path, postgres_url: str) -> None:
    world = prepare_database(postgres_url)
    result = run_load(
        postgres_url, 2, world, CONFIG, label="PostgreSQL, 2 workers", log_dir=tmp_path
    )
    _judge(result, bool(world.open_quarters))
