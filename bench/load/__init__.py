"""A bounded load generator against the real service on loopback (issue 8).

Typical use::

    world = prepare_database(url)
    result = run_load(url, workers=1, world=world, config=LoadConfig(users=20, seconds=30))
    print(format_report(result))
"""

from bench.load.client import (
    fetch_csrf_token,
    fetch_csrf_token_sync,
    sign_in,
    sign_in_sync,
)
from bench.load.prepare import Account, DemoWorld, prepare_database
from bench.load.report import format_report, target_misses
from bench.load.runner import LoadConfig, LoadResult, run_load
from bench.load.server import Server, free_port, start_server

__all__ = [
    "Account",
    "DemoWorld",
    "LoadConfig",
    "LoadResult",
    "Server",
    "fetch_csrf_token",
    "fetch_csrf_token_sync",
    "format_report",
    "free_port",
    "prepare_database",
    "run_load",
    "sign_in",
    "sign_in_sync",
    "start_server",
    "target_misses",
]
