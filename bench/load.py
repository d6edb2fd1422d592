"""The load benchmark of issue 8: the region's morning, on SQLite and on PostgreSQL.

`make bench-load` (or `.venv/bin/python bench/load.py --seconds 180 --users 50`) runs the mix of
bench/load/people.py against the real server on 127.0.0.1: first on SQLite with one worker, then
on PostgreSQL with two (TEST_DATABASE_URL's server if set, else a throwaway PostgreSQL 15 cluster
on a Unix socket). It prints a report for each and exits 1 unless both meet the targets: no
errors, no hang, a stop within 10 s of SIGTERM, and p95 under 1 s for every page on PostgreSQL
and under 2 s on SQLite.
"""

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Run as a script, sys.path[0] is bench/ itself; the package is bench.load from the project root.
ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)

from bench.load import (  # noqa: E402
    LoadConfig,
    LoadResult,
    format_report,
    postgres,
    prepare_database,
    run_load,
    target_misses,
)

SQLITE_P95, POSTGRES_P95 = 2.0, 1.0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180.0, help="length of each run")
    parser.add_argument("--users", type=int, default=50, help="simulated people")
    parser.add_argument("--max-requests", type=int, default=None, help="request budget per run")
    parser.add_argument(
        "--only", choices=("sqlite", "postgresql"), default=None, help="one database only"
    )
    return parser.parse_args()


@contextmanager
def _postgres_admin_url() -> Iterator[str]:
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield given
        return
    with postgres.throwaway_cluster() as url:
        print("PostgreSQL 15 started for this run on a Unix socket (no TCP listener)")
        yield url


def _one(label: str, url: str, workers: int, config: LoadConfig, folder: Path) -> LoadResult:
    print(f"\nPreparing {label} ...", flush=True)
    world = prepare_database(url)
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in world.timings.items())
    print(f"prepared in {world.seconds:.1f} s ({steps})", flush=True)
    print(f"Running {config.users} people for {config.seconds:.0f} s ...", flush=True)
    return run_load(url, workers, world, config, label=label, log_dir=folder)


def main() -> int:
    args = _arguments()
    config = LoadConfig(users=args.users, seconds=args.seconds, max_requests=args.max_requests)
    folder = Path(tempfile.mkdtemp(prefix="riia-bench-load-"))
    verdicts: list[tuple[str, list[str]]] = []
    try:
        if args.only in (None, "sqlite"):
            result = _one("SQLite, 1 worker", f"sqlite:///{folder}/load.db", 1, config, folder)
            print(format_report(result), flush=True)
            verdicts.append((result.label, target_misses(result, SQLITE_P95)))
        if args.only in (None, "postgresql"):
            with _postgres_admin_url() as admin:
                url = postgres.create_database(admin, f"riia_load_bench_{os.getpid()}")
                try:
                    result = _one("PostgreSQL, 2 workers", url, 2, config, folder)
                finally:
                    postgres.drop_database(admin, url)
            print(format_report(result), flush=True)
            verdicts.append((result.label, target_misses(result, POSTGRES_P95)))
    finally:
        missed = any(misses for _, misses in verdicts) or len(verdicts) < (1 if args.only else 2)
        if missed:
            print(f"\nServer logs and the SQLite database are kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    print(
        "\nTargets: 0 errors, no hang, stop within 10 s of SIGTERM; pages' p95 under "
        f"{POSTGRES_P95:.0f} s on PostgreSQL, {SQLITE_P95:.0f} s on SQLite"
    )
    for label, misses in verdicts:
        print(f"  {label}: " + ("met" if not misses else "MISSED: " + "; ".join(misses)))
    return 1 if any(misses for _, misses in verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())
