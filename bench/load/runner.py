"""One bounded load run against a real server: start it, send the mix, measure, stop it.

The run is bounded three ways: by time (people stop starting actions at the deadline), by count
(a request budget), and by a hard cap (anything still waiting a request timeout after the
deadline is cancelled). The server is always stopped, by SIGKILL if SIGTERM is not enough.
"""

import asyncio
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.load.client import Browser, new_client
from bench.load.metrics import KindStats, Recorder, Sample, stats_of
from bench.load.people import Person
from bench.load.prepare import Account, DemoWorld
from bench.load.server import Server, start_server

LOG_SIGNS = ("database is locked", "Traceback", "deadlock detected", "canceling statement")


@dataclass(frozen=True)
class LoadConfig:
    users: int = 50
    seconds: float = 180.0
    max_requests: int | None = None  # None: 4 requests/s per person, far above what think allows
    think: tuple[float, float] = (0.5, 1.5)
    request_timeout: float = 15.0
    slow_after: float = 10.0
    stop_timeout: float = 10.0
    seed: int = 8

    @property
    def budget(self) -> int:
        return self.max_requests or int(self.users * self.seconds * 4) + self.users * 4


def mix(users: int) -> list[str]:
    """The issue's 5 coordinators, 25 DCSs and 20 data leads in 50, scaled to `users`."""
    coordinators = max(1, round(users * 0.1))
    data_leads = max(1, round(users * 0.4)) if users > 2 else 0
    return (
        ["coordinator"] * coordinators
        + ["data_lead"] * data_leads
        + (["dcs"] * max(0, users - coordinators - data_leads))
    )


def cast(world: DemoWorld, users: int) -> list[tuple[str, Account]]:
    """Each simulated person's account: LAs in turn, so people of one role spread over the
    region and several people (each with their own session) share an LA's account."""
    people = []
    seen: dict[str, int] = {}
    for role in mix(users):
        accounts = world.accounts_of(role)
        n = seen.get(role, 0)
        seen[role] = n + 1
        people.append((role, accounts[n % len(accounts)]))
    return people


async def send_load(base_url: str, world: DemoWorld, config: LoadConfig) -> tuple[Recorder, float]:
    """Every person's loop, to the deadline; the samples and the wall time it took."""
    recorder = Recorder(max_requests=config.budget, slow_after=config.slow_after)
    epoch = time.monotonic()
    until = epoch + config.seconds
    clients = [new_client(base_url, config.request_timeout) for _ in range(config.users)]
    people = [
        Person(
            number,
            account,
            world,
            Browser(client, recorder, epoch),
            random.Random(config.seed * 1000 + number),  # noqa: S311 - a reproducible mix
            config.think,
        )
        for number, ((_, account), client) in enumerate(
            zip(cast(world, config.users), clients, strict=True)
        )
    ]
    tasks = [asyncio.create_task(p.run(until)) for p in people]
    try:
        done, pending = await asyncio.wait(
            tasks, timeout=config.seconds + config.request_timeout + 5
        )
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for task in done:
            task.result()  # a fault of the harness itself must not pass unnoticed
    finally:
        await asyncio.gather(*(c.aclose() for c in clients), return_exceptions=True)
    return recorder, time.monotonic() - epoch


def still_answers(server: Server, timeout: float = 5.0) -> bool:
    """Whether the server answers a page within `timeout` after the run: a wedged one does not."""
    try:
        with httpx.Client(timeout=timeout) as client:
            return client.get(server.base_url + "/sign-in").status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class LoadResult:
    label: str
    workers: int
    config: LoadConfig
    samples: list[Sample]
    wall_seconds: float
    cpu_seconds: float
    stop_seconds: float | None  # None: still running 10 s after SIGTERM (then killed)
    answered_after: bool  # the server still answered a page once the load stopped
    budget_spent: bool
    prepare_seconds: float | None = None
    server_log: str = ""  # where the server's own output went
    log_signs: dict[str, int] = field(default_factory=dict)
    timeline: list[tuple[int, int]] = field(default_factory=list)
    kinds: dict[str, KindStats] = field(default_factory=dict)
    overall: KindStats | None = None

    @property
    def total(self) -> int:
        return len(self.samples)

    @property
    def requests_per_second(self) -> float:
        return self.total / self.wall_seconds if self.wall_seconds else 0.0

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.cpu_seconds / self.total if self.total else 0.0

    @property
    def failures(self) -> int:
        return self.overall.failures if self.overall else 0

    @property
    def hung(self) -> bool:
        return not self.answered_after or self.stop_seconds is None


def run_load(
    db_url: str,
    workers: int,
    world: DemoWorld,
    config: LoadConfig,
    *,
    label: str = "",
    server_env: dict[str, str] | None = None,
    log_dir: Path | None = None,
) -> LoadResult:
    """Start a server on the prepared database, run the mix against it, stop it, judge it."""
    server = start_server(db_url, workers, env=server_env, log_dir=log_dir)
    try:
        cpu_before = server.cpu_seconds()
        # A thread of its own: the caller's thread may already run an event loop (a test
        # worker that has run the Playwright browser tests), where asyncio.run is refused.
        with ThreadPoolExecutor(1) as own_thread:
            recorder, wall = own_thread.submit(
                asyncio.run, send_load(server.base_url, world, config)
            ).result()
        cpu = server.cpu_seconds() - cpu_before
        answered = still_answers(server)
        stop = server.stop_with_sigterm(config.stop_timeout)
    finally:
        if not server.stopped:
            server.kill()
    log = server.log_text()
    grouped: dict[str, list[Sample]] = {}
    for s in recorder.samples:
        grouped.setdefault(s.kind, []).append(s)
    return LoadResult(
        label=label or f"{db_url.split(':')[0]}, {workers} worker(s)",
        workers=workers,
        config=config,
        samples=recorder.samples,
        wall_seconds=wall,
        cpu_seconds=cpu,
        stop_seconds=stop,
        answered_after=answered,
        budget_spent=recorder.issued >= recorder.max_requests,
        prepare_seconds=world.seconds,
        server_log=str(server.log_path),
        log_signs={sign: log.count(sign) for sign in LOG_SIGNS},
        timeline=recorder.timeline(),
        kinds=recorder.by_kind(),
        overall=stats_of("all requests", recorder.samples),
    )
