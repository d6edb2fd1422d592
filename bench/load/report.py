"""A load run as a readable table, and whether it meets the issue's targets."""

from collections import Counter

from bench.load.metrics import FAILURES, PAGE_KINDS, KindStats
from bench.load.runner import LoadResult

STOP_LIMIT = 10.0


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}"


def _row(s: KindStats) -> str:
    return (
        f"{s.kind:<22}{s.count:>7}{_ms(s.p50):>8}{_ms(s.p95):>8}{_ms(s.p99):>8}{_ms(s.max):>8}"
        f"{s.server_errors:>6}{s.timeouts:>6}{s.connection_errors:>6}{s.unexpected:>6}"
        f"{s.slow:>6}{s.conflicts:>7}"
    )


def _stop(result: LoadResult) -> str:
    if result.stop_seconds is None:
        return "did NOT stop within 10 s of SIGTERM (killed)"
    return f"{result.stop_seconds:.1f} s after SIGTERM"


def format_report(result: LoadResult) -> str:
    c = result.config
    lines = [
        f"== {result.label}: {c.users} people, {c.seconds:.0f} s planned, "
        f"{result.wall_seconds:.1f} s run"
        + (f", prepared in {result.prepare_seconds:.1f} s" if result.prepare_seconds else ""),
        f"{result.total} requests, {result.requests_per_second:.1f} requests/s; "
        f"server CPU {result.cpu_seconds:.1f} s = {result.cpu_ms_per_request:.1f} ms per request",
        "",
        f"{'kind':<22}{'count':>7}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}"
        f"{'5xx':>6}{'t/o':>6}{'conn':>6}{'unexp':>6}{'slow':>6}{'confl':>7}",
        "-" * 98,
    ]
    lines += [_row(s) for s in result.kinds.values()]
    if result.overall is not None:
        lines += ["-" * 98, _row(result.overall)]
    lines += [
        "(milliseconds; t/o = timed out after "
        f"{c.request_timeout:.0f} s, conn = connection error, unexp = an unexpected status, "
        f"slow = over {c.slow_after:.0f} s, confl = expected 409/422 on a write)",
        "",
    ]
    unexpected = Counter(
        (s.kind, s.method, s.status) for s in result.samples if s.outcome in FAILURES
    )
    if unexpected:
        lines.append("failures by kind and status (status - = no response):")
        for (kind, method, status), n in unexpected.most_common(12):
            lines.append(f"  {n:>6} x {kind} ({method}) -> {status if status else '-'}")
    conflicts = Counter((s.kind, s.status) for s in result.samples if s.outcome == "conflict")
    if conflicts:
        shown = ", ".join(f"{k} {st}: {n}" for (k, st), n in sorted(conflicts.items()))
        lines.append(f"expected conflicts: {shown}")
    lines.append("per 10 s (ok/failed): " + " ".join(f"{ok}/{bad}" for ok, bad in result.timeline))
    signs = ", ".join(f"{k!r} x{n}" for k, n in result.log_signs.items() if n)
    lines.append(f"server log: {signs or 'no errors logged'} ({result.server_log})")
    lines.append(
        f"after the load: {'answered a page' if result.answered_after else 'did NOT answer a page within 5 s'}"
        f"; stopped {_stop(result)}" + ("; request budget spent" if result.budget_spent else "")
    )
    return "\n".join(lines)


def target_misses(result: LoadResult, page_p95_limit: float) -> list[str]:
    """What the run missed of: 0 errors, no hang, a stop within 10 s, pages' p95 under limit."""
    misses = []
    if result.failures:
        o = result.overall
        assert o is not None
        misses.append(
            f"{result.failures} failed requests ({o.server_errors} 5xx, {o.timeouts} timeouts, "
            f"{o.connection_errors} connection errors, {o.unexpected} unexpected, {o.slow} slow)"
        )
    if not result.answered_after:
        misses.append("the server did not answer a page after the load (hung)")
    if result.stop_seconds is None or result.stop_seconds > STOP_LIMIT:
        misses.append(f"the server {_stop(result)}")
    for kind in PAGE_KINDS:
        s = result.kinds.get(kind)
        if s is not None and s.p95 > page_p95_limit:
            misses.append(f"{kind}: p95 {s.p95:.2f} s, over {page_p95_limit:.0f} s")
    if not result.total:
        misses.append("no requests were made")
    return misses
