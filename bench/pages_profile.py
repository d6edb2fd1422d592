"""Where a page's time goes: cProfile over real requests, for `bench/pages.py --profile`."""

import asyncio
import cProfile
import io
import pstats
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import anyio.to_thread
import httpx

ROOT = Path(__file__).resolve().parents[1]


def _ours(filename: str) -> bool:
    return str(ROOT / "app") in filename or "templates" in filename or filename.startswith("<")


async def _inline(func: Callable[..., Any], *args: Any, **_: Any) -> Any:
    return func(*args)


def profiled_requests(
    app: Any, page: Any, meter: Any, requests: int
) -> tuple[cProfile.Profile, list[str]]:
    """The page fetched `requests` times with everything on this thread, so cProfile sees it all.

    TestClient runs the app on a portal thread and FastAPI sends every sync route and dependency
    to a worker thread; cProfile only sees the thread it was enabled on. Here the app runs on an
    event loop in this thread, through httpx's ASGI transport, with anyio's thread hop made a call.
    """
    profiler = cProfile.Profile()
    statements: list[str] = []

    async def run() -> None:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url=str(page.client.base_url),
            cookies=dict(page.client.cookies.items()),
            headers=dict(page.client.headers.items()),
        ) as client:
            for _ in range(2):
                assert (await client.get(page.url)).status_code == 200, page.url
            meter.recording = statements
            profiler.enable()
            for _ in range(requests):
                await client.get(page.url)
            profiler.disable()
            meter.recording = None

    with mock.patch.object(anyio.to_thread, "run_sync", _inline):
        asyncio.run(run())
    return profiler, statements


def profile(app: Any, page: Any, meter: Any, requests: int, top: int) -> None:
    profiler, statements = profiled_requests(app, page, meter, requests)
    print(f"\n== {page.label} as {page.who}: {page.url}")
    stats = pstats.Stats(profiler, stream=io.StringIO())
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"   profiled CPU {total * 1000 / requests:.1f} ms per request (profiler overhead in)")
    rows = []
    for (filename, line, name), (_, calls, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        if _ours(filename) or "jinja2" in filename or "govuk_frontend_jinja" in filename:
            rows.append((cumulative, own, calls, filename, line, name))
    print(f"   {'cum ms':>7} {'own ms':>7} {'calls':>7}  function (app, templates, jinja2)")
    for cumulative, own, calls, filename, line, name in sorted(rows, reverse=True)[:top]:
        short = filename.replace(str(ROOT) + "/", "")
        short = re.sub(r".*site-packages/", "", short)
        print(
            f"   {cumulative * 1000 / requests:7.2f} {own * 1000 / requests:7.2f} "
            f"{calls // requests:7d}  {short}:{line} {name}"
        )
    per_request = Counter(re.sub(r"\s+", " ", s).strip() for s in statements)
    repeated = [(n / requests, s) for s, n in per_request.items() if n / requests > 1]
    print(f"   SQL: {len(statements) / requests:.0f} statements per request; repeated ones:")
    for n, sql in sorted(repeated, reverse=True)[:8]:
        print(f"   {n:5.0f} x {sql[:150]}")
