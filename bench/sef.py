"""Self-evaluation benchmarks: the pack cold vs from the cache, and the pages people use most.

The East Midlands story is loaded once (ten self-evaluations signed and scrutinised); every figure
is a median with its ratio to a baseline measured in the same run, because machines here are
noisy. Run with `make bench` or `.venv/bin/python bench/sef.py`.
"""

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
folder = tempfile.mkdtemp(prefix="riia-bench-")
os.environ["RIIA_DATABASE_URL"] = f"sqlite:///{folder}/bench.db"
os.environ["RIIA_ENVIRONMENT"] = "test"
os.environ["RIIA_WARM_PACKS"] = "false"

from fastapi.testclient import TestClient  # noqa: E402

from app import demo  # noqa: E402
from app.db import get_sessionmaker  # noqa: E402
from app.demo_cycle import play_demo  # noqa: E402
from app.main import create_app  # noqa: E402
from app.models import Cycle  # noqa: E402
from app.schema import upgrade  # noqa: E402
from app.self_evaluation import pack  # noqa: E402

DERBY = "E06000015"
SEF = "/regions/east-midlands/cycles/2026-27/self-evaluations"


def median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def signed_in(email: str) -> TestClient:
    client = TestClient(create_app(), base_url="https://testserver", follow_redirects=False)
    page = client.get("/sign-in")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    client.post(
        "/sign-in", data={"email": email, "password": demo.DEMO_PASSWORD, "csrf_token": token}
    )
    return client


def main() -> None:
    upgrade(os.environ["RIIA_DATABASE_URL"])
    with get_sessionmaker().begin() as session:
        # Played to 15 March 2027: 2026-27's self-evaluations are all signed and scrutinised.
        play_demo(session, date(2027, 3, 15), None, [])
        cycle_id = demo.cycle_of(session, "2026-27").id
    session = get_sessionmaker()()
    cycle = session.get(Cycle, cycle_id)
    assert cycle is not None
    dcs = demo._principal(session, "dcs.derby@demo.riia.example")  # noqa: SLF001

    context = median_ms(lambda: pack.build_pack(session, dcs, cycle, DERBY), 10)
    cold = median_ms(lambda: pack.render_pack(pack.build_pack(session, dcs, cycle, DERBY)), 3)
    pack.sef_pack_pdf(session, dcs, cycle, DERBY)
    cached = median_ms(lambda: pack.sef_pack_pdf(session, dcs, cycle, DERBY), 10)
    print(f"Self-evaluation pack context (SQL + data) median {context:8.2f} ms")
    print(f"Self-evaluation pack rendered cold        median {cold:8.2f} ms")
    print(
        f"Self-evaluation pack from the cache       median {cached:8.2f} ms  "
        f"({cold / cached:.0f}x faster than cold)"
    )
    session.commit()
    session.close()

    coordinator = signed_in("coordinator@demo.riia.example")
    writer = signed_in("dcs.derby@demo.riia.example")
    pages = {
        "Tracker (10 LAs, coordinator)": (coordinator, f"{SEF}/tracker"),
        "Self-evaluation page (Derby, DCS)": (writer, f"{SEF}/{DERBY}"),
        "Two versions compared (DCS)": (writer, f"{SEF}/{DERBY}/compare?a=1&b=6"),
    }
    for _, (client, url) in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    plain = median_ms(lambda: coordinator.get("/accessibility"), 30)
    print(f"Plain Jinja page (accessibility)          median {plain:8.2f} ms")
    for label, (client, url) in pages.items():
        took = median_ms(lambda c=client, u=url: c.get(u), 20)  # type: ignore[misc]
        print(
            f"{label:41} median {took:8.2f} ms  ({plain / took:.2f} of the plain page's throughput)"
        )


if __name__ == "__main__":
    main()
