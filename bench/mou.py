"""MoU stage benchmarks: pack rendering cold vs from the cache, and the tracker page's throughput.

Prints medians and ratios against baselines measured in the same run, because machines here are
noisy. Run with `make bench` or `.venv/bin/python bench/mou.py`.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
folder = tempfile.mkdtemp(prefix="riia-bench-")
os.environ["RIIA_DATABASE_URL"] = f"sqlite:///{folder}/bench.db"
os.environ["RIIA_ENVIRONMENT"] = "test"
os.environ["RIIA_WARM_PACKS"] = "false"

from fastapi.testclient import TestClient  # noqa: E402

from app import demo  # noqa: E402
from app.db import get_sessionmaker  # noqa: E402
from app.main import create_app  # noqa: E402
from app.models import Cycle  # noqa: E402
from app.mou import pack  # noqa: E402
from app.mou.pack_document import render_mou_pack  # noqa: E402
from app.schema import upgrade  # noqa: E402


def median_ms(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    upgrade(os.environ["RIIA_DATABASE_URL"])
    with get_sessionmaker().begin() as session:
        demo.load_demo_people(session)
        demo.run_mou_stage(session, Path(folder) / "packs", [])
    session = get_sessionmaker()()
    cycle = session.query(Cycle).one()

    context = median_ms(lambda: pack.build_pack(session, cycle), 20)
    cold = median_ms(lambda: render_mou_pack(pack.build_pack(session, cycle)), 5)
    coordinator = demo._principal(session, "coordinator@demo.riia.example")  # noqa: SLF001
    pack.pdf_for(session, coordinator, cycle)
    cached = median_ms(lambda: pack.pdf_for(session, coordinator, cycle), 20)
    print(f"MoU pack context (SQL + data)      median {context:8.2f} ms")
    print(f"MoU pack rendered cold (WeasyPrint) median {cold:8.2f} ms")
    print(
        f"MoU pack from the cache             median {cached:8.2f} ms  ({cold / cached:.0f}x faster than cold)"
    )
    session.commit()
    session.close()

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
    tracker = "/regions/east-midlands/cycles/2026-27/mou/tracker"
    assert client.get(tracker).status_code == 200
    plain = median_ms(lambda: client.get("/accessibility"), 50)
    tracked = median_ms(lambda: client.get(tracker), 50)
    print(
        f"Plain Jinja page (accessibility)    median {plain:8.2f} ms  ({1000 / plain:6.0f} req/s)"
    )
    print(
        f"Tracker page (31 signatories)       median {tracked:8.2f} ms  ({1000 / tracked:6.0f} req/s, "
        f"{plain / tracked:.2f} of the plain page's throughput)"
    )


if __name__ == "__main__":
    main()
