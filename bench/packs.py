"""Pack downloads from the cache, through the real request path, against a plain page.

The MoU story is loaded into a throwaway SQLite file and its pack rendered once. Then, signed in
as the coordinator, rounds of N requests alternate, so a burst of load elsewhere hits all alike:
the plain accessibility page (the baseline), the MoU pack download (a cache hit) as the code now
runs it, and the same download with the pack queue's commit hooks removed (as before the queue:
app/pack/jobs.py). Reported: medians per request and each one's ratio to the plain page.

It is measured three times: with the cache as it is; with 300 old copies of the same document
left in the cache (as a busy cycle left it before pruning: the MoU pack's key changes with every
audit entry); and after `prune` (app/pack/prune.py) has removed them.

Run with `make bench` or `.venv/bin/python bench/packs.py [--quick]`. BENCH_ROOT=/path/to/an
older checkout measures that code instead (the prune step is skipped where it does not exist), so
two trees can be compared by their ratios.
"""

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

ROOT = Path(os.environ.get("BENCH_ROOT") or Path(__file__).resolve().parents[1])
sys.path.insert(0, str(ROOT))
folder = tempfile.mkdtemp(prefix="riia-bench-packs-")
os.environ["RIIA_DATABASE_URL"] = f"sqlite:///{folder}/bench.db"
os.environ["RIIA_ENVIRONMENT"] = "test"
os.environ["RIIA_COOKIE_SECURE"] = "false"
os.environ["RIIA_WARM_PACKS"] = "false"

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import event, func, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app import demo  # noqa: E402
from app.db import get_sessionmaker  # noqa: E402
from app.main import create_app  # noqa: E402
from app.models import RenderedPack  # noqa: E402
from app.models.types import utcnow  # noqa: E402
from app.schema import upgrade  # noqa: E402

PACK = f"/regions/{demo.REGION}/cycles/{demo.YEAR}/mou/pack.pdf"
PLAIN = "/accessibility"
OLD_COPIES = 300


def per_request_ms(client: TestClient, path: str, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    return (time.perf_counter() - start) * 1000 / n


@contextmanager
def without_queue_hooks() -> Iterator[None]:
    """The commit hooks the pack queue adds to every session, removed for a while."""
    try:
        from app.pack import jobs
    except ImportError:  # older code: it has none
        yield
        return
    hooks = [
        ("before_commit", jobs._before_commit),  # noqa: SLF001
        ("after_commit", jobs._after_commit),  # noqa: SLF001
        ("after_transaction_end", jobs._transaction_ended),  # noqa: SLF001
    ]
    for name, hook in hooks:
        event.remove(Session, name, hook)
    try:
        yield
    finally:
        for name, hook in hooks:
            event.listen(Session, name, hook)


def measure(client: TestClient, rounds: int, n: int) -> tuple[float, float, float]:
    plain, pack, before = [], [], []
    for _ in range(rounds):
        plain.append(per_request_ms(client, PLAIN, n))
        pack.append(per_request_ms(client, PACK, n))
        with without_queue_hooks():
            before.append(per_request_ms(client, PACK, n))
    return statistics.median(plain), statistics.median(pack), statistics.median(before)


def report(label: str, plain: float, pack: float, before: float) -> None:
    print(
        f"{label:40} plain {plain:6.2f} ms | pack hit {pack:6.2f} ms, ratio {pack / plain:4.2f}"
        f" | without the queue's hooks {before:6.2f} ms, ratio {before / plain:4.2f}"
    )


def leave_old_copies(size: int) -> None:
    """Old copies of the same document, each as big as the real pack, rendered days ago."""
    with get_sessionmaker().begin() as session:
        kind, subject = session.execute(select(RenderedPack.kind, RenderedPack.subject_id)).one()
        for age in range(OLD_COPIES):
            session.add(
                RenderedPack(
                    input_hash=secrets.token_hex(32),
                    kind=kind,
                    subject_id=subject,
                    pdf=secrets.token_bytes(size),
                    created_at=utcnow() - timedelta(days=2, minutes=age),
                )
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args()
    rounds, n = (3, 10) if args.quick else (9, 20)
    print(f"Code measured: {ROOT}")
    upgrade(os.environ["RIIA_DATABASE_URL"])
    with get_sessionmaker().begin() as session:
        demo.load_demo_people(session)
        demo.run_mou_stage(session, Path(folder) / "packs", [])
    client = TestClient(create_app(), base_url="https://testserver", follow_redirects=False)
    page = client.get("/sign-in")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    client.post(
        "/sign-in",
        data={
            "email": "coordinator@demo.riia.example",
            "password": demo.DEMO_PASSWORD,
            "csrf_token": token,
        },
    )
    size = len(client.get(PACK).content)  # rendered here if the story's copy is stale
    per_request_ms(client, PLAIN, n)  # warm-up
    report("Cache as it is", *measure(client, rounds, n))
    leave_old_copies(size)
    report(f"With {OLD_COPIES} old copies of the document", *measure(client, rounds, n))
    try:
        from app.pack.prune import prune
    except ImportError:
        print("(this code has no app/pack/prune.py: no prune step)")
        return
    with get_sessionmaker().begin() as session:
        gone = prune(session)
        left = session.scalar(select(func.count()).select_from(RenderedPack))
    report(f"After prune ({gone} removed, {left} left)", *measure(client, rounds, n))


if __name__ == "__main__":
    main()
