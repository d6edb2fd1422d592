"""Every request's outcome, and the figures a run is judged by.

A request is one of: ok, an expected conflict (a 409 or 422 on a write: someone else saved first,
which the pages handle), a 5xx, a timeout, a connection error, or an unexpected status (a 403 or a
redirect to sign-in where a page was expected: a fault of the service or of this harness, and
counted as an error either way). A request that took longer than the slow limit is a failure
whatever its status: nobody waits 10 s for a page.
"""

import math
from collections import Counter
from dataclasses import dataclass, field

# The HTML pages people read: the "p95 for pages" targets apply to each of these.
PAGE_KINDS = (
    "sign-in page",
    "cycle page",
    "dashboard",
    "la profile",
    "sef index",
    "sef page",
    "chapter page",
    "mou tracker",
    "returns tracker",
    "return page",
    "return form",
)
WRITE_KINDS = ("chapter save (form)", "chapter save (api)", "return resubmission")
OTHER_KINDS = ("api get", "sign-in", "sign-out")
KIND_ORDER = PAGE_KINDS + WRITE_KINDS + OTHER_KINDS

OK, CONFLICT, SERVER_ERROR, TIMEOUT, CONNECTION, UNEXPECTED = (
    "ok",
    "conflict",
    "5xx",
    "timeout",
    "connection",
    "unexpected",
)
FAILURES = (SERVER_ERROR, TIMEOUT, CONNECTION, UNEXPECTED)


@dataclass(frozen=True)
class Sample:
    kind: str
    method: str
    path: str
    status: int | None  # None when no response came back
    latency: float  # seconds, from sending to the whole body read (or the failure)
    outcome: str
    started: float  # seconds since the run began
    slow: bool = False


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of `values` (0 when empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class KindStats:
    kind: str
    count: int
    p50: float
    p95: float
    p99: float
    max: float
    ok: int
    conflicts: int
    server_errors: int
    timeouts: int
    connection_errors: int
    unexpected: int
    slow: int
    failures: int  # 5xx, timeouts, connection errors, unexpected statuses, or slow
    statuses: dict[int, int]


def stats_of(kind: str, samples: list[Sample]) -> KindStats:
    latencies = [s.latency for s in samples]
    outcomes = Counter(s.outcome for s in samples)
    return KindStats(
        kind=kind,
        count=len(samples),
        p50=percentile(latencies, 50),
        p95=percentile(latencies, 95),
        p99=percentile(latencies, 99),
        max=max(latencies, default=0.0),
        ok=outcomes[OK],
        conflicts=outcomes[CONFLICT],
        server_errors=outcomes[SERVER_ERROR],
        timeouts=outcomes[TIMEOUT],
        connection_errors=outcomes[CONNECTION],
        unexpected=outcomes[UNEXPECTED],
        slow=sum(1 for s in samples if s.slow),
        failures=sum(1 for s in samples if s.outcome in FAILURES or s.slow),
        statuses=dict(Counter(s.status for s in samples if s.status is not None)),
    )


@dataclass
class Recorder:
    """Collects samples for one run, and says when its request budget is spent."""

    max_requests: int
    slow_after: float = 10.0
    samples: list[Sample] = field(default_factory=list)
    issued: int = 0

    def take(self) -> bool:
        """Reserve one request of the budget; False once the budget is spent."""
        if self.issued >= self.max_requests:
            return False
        self.issued += 1
        return True

    def add(self, sample: Sample) -> None:
        self.samples.append(sample)

    def by_kind(self) -> dict[str, KindStats]:
        grouped: dict[str, list[Sample]] = {}
        for s in self.samples:
            grouped.setdefault(s.kind, []).append(s)
        ordered = [k for k in KIND_ORDER if k in grouped] + sorted(
            k for k in grouped if k not in KIND_ORDER
        )
        return {k: stats_of(k, grouped[k]) for k in ordered}

    def timeline(self, bucket: float = 10.0) -> list[tuple[int, int]]:
        """(requests finished without failure, failures) per `bucket` seconds, by start time."""
        if not self.samples:
            return []
        last = max(s.started + s.latency for s in self.samples)
        buckets = [[0, 0] for _ in range(int(last // bucket) + 1)]
        for s in self.samples:
            slot = buckets[int((s.started + s.latency) // bucket)]
            slot[1 if (s.outcome in FAILURES or s.slow) else 0] += 1
        return [(ok, bad) for ok, bad in buckets]
