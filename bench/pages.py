"""Server CPU per request for each page kind, through the real request path.

The East Midlands demo story is loaded once into a throwaway SQLite file (the MoU in force, four
quarters of returns, every self-evaluation signed and scrutinised; no PDF is rendered). The app is
built in-process and driven by Starlette's TestClient, signed in through the sign-in form as the
person each page is for, and with a personal API token for the API.

For each page: `time.process_time()` over N sequential requests (after a warm-up), repeated R
times with the pages interleaved, so a burst of load elsewhere on the machine hits every page
alike. Reported per request, as medians: CPU ms (the whole process: client, middleware, route,
SQL, Jinja), its ratio to the plain baseline page measured in the same run (the sign-in page), the
CPU spent inside Jinja (`templates.TemplateResponse`) and executing SQL statements (thread CPU
between `before_cursor_execute` and `after_cursor_execute`), the number of SQL statements and the
response size.

Run with `make bench` or `.venv/bin/python bench/pages.py [--quick] [--profile [N]]`.
`--profile` then runs cProfile over the N heaviest pages (default 4) and prints, for each, the
hottest functions of the app and its templates and the SQL statements that repeat in one request.
"""

import argparse
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
folder = tempfile.mkdtemp(prefix="riia-bench-pages-")
# Before anything reads the settings: get_settings() and get_engine() are cached for the process.
os.environ["RIIA_DATABASE_URL"] = f"sqlite:///{folder}/bench.db"
os.environ["RIIA_ENVIRONMENT"] = "test"
os.environ["RIIA_COOKIE_SECURE"] = "false"
os.environ["RIIA_WARM_PACKS"] = "false"

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import event  # noqa: E402

from app import demo, demo_sef  # noqa: E402
from app.auth import accounts  # noqa: E402
from app.benchmarks import charts, figures_version  # noqa: E402
from app.benchmarks import pack as indicator_pack  # noqa: E402
from app.db import get_engine, get_sessionmaker  # noqa: E402
from app.demo_cycle import play_demo  # noqa: E402
from app.demo_sef_text import chapter_text  # noqa: E402
from app.main import create_app  # noqa: E402
from app.mou import pack as mou_pack  # noqa: E402
from app.reference import get_reference  # noqa: E402
from app.schema import upgrade  # noqa: E402
from app.self_evaluation.drafting import service as sef_service  # noqa: E402
from app.self_evaluation.profile import sef_data_profile  # noqa: E402
from app.web import templates  # noqa: E402

REGION = demo.REGION
YEAR = demo.YEAR
CYCLE = f"/regions/{REGION}/cycles/{YEAR}"
SEF = f"{CYCLE}/self-evaluations"
# Every 2026-27 self-evaluation ends signed, so nobody may open a chapter to write; Derby's DCS
# drafts the next year's, whose chapter page is the one people edit in.
NEXT_YEAR = "2027-28"
NEXT_SEF = f"/regions/{REGION}/cycles/{NEXT_YEAR}/self-evaluations"
DERBY = "E06000015"
NOTTINGHAM = demo.PROFILED_LA
API = "/api/v1"

PEOPLE = {
    "coordinator": "coordinator@demo.riia.example",
    "DCS": "dcs.derby@demo.riia.example",
    "data lead": "data-lead.derby@demo.riia.example",
    "RISL": "risl@demo.riia.example",
}


# ---------------------------------------------------------------- what one request costs


@dataclass
class Meter:
    """SQL statements and the CPU inside SQL and Jinja, summed over the requests since reset()."""

    statements: int = 0
    sql_cpu: float = 0.0
    render_cpu: float = 0.0
    recording: list[str] | None = None
    _started: threading.local = field(default_factory=threading.local)

    def reset(self) -> None:
        self.statements, self.sql_cpu, self.render_cpu = 0, 0.0, 0.0

    def install(self) -> None:
        engine = get_engine()

        @event.listens_for(engine, "before_cursor_execute")
        def _before(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
            self.statements += 1
            if self.recording is not None:
                self.recording.append(statement)
            self._started.at = time.thread_time()

        @event.listens_for(engine, "after_cursor_execute")
        def _after(*_: Any) -> None:
            self.sql_cpu += time.thread_time() - getattr(self._started, "at", time.thread_time())

        # render() looks TemplateResponse up on the shared Jinja2Templates at each call.
        original = templates.TemplateResponse

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.render_cpu += time.thread_time() - start

        templates.TemplateResponse = timed  # type: ignore[method-assign]


METER = Meter()


# ---------------------------------------------------------------- the demo database


@contextmanager
def no_pdfs() -> Iterator[None]:
    """The demo writes packs at the end of each stage; the pages never need them."""
    with (
        mock.patch.object(mou_pack, "pdf_for", lambda *a, **k: b""),
        mock.patch.object(indicator_pack, "data_pack_pdf", lambda *a, **k: b""),
        mock.patch.object(indicator_pack, "profile_pdf", lambda *a, **k: b""),
    ):
        yield


def draft_next_year(session: Any) -> None:
    """In 2027-28, Derby's DCS has drafted every chapter (not yet submitted)."""
    coordinator = demo._principal(session, PEOPLE["coordinator"])  # noqa: SLF001
    dcs = demo._principal(session, PEOPLE["DCS"])  # noqa: SLF001
    cycle = demo.cycle_of(session, NEXT_YEAR)  # opened in March by the demo's play
    sef = sef_service.get_sef(session, dcs, cycle, DERBY)
    template = sef_service.template_of(sef)
    derby = get_reference().regions[REGION].local_authority(DERBY)
    profile = sef_data_profile(session, coordinator, REGION, DERBY, template)
    for chapter in template.chapters:
        text = chapter_text(derby, chapter, profile)
        demo_sef._save(session, dcs, cycle, DERBY, chapter.id, text)  # noqa: SLF001


def load_demo() -> str:
    """Migrate and load the East Midlands story; return an API token for the coordinator."""
    upgrade(os.environ["RIIA_DATABASE_URL"])
    with get_sessionmaker().begin() as session, no_pdfs():
        # Played to 10 April 2027: 2026-27 is complete and 2027-28 has just opened.
        play_demo(session, date(2027, 4, 10), None, [])
        demo.load_demo_people(session)
        draft_next_year(session)
        coordinator = accounts.user_by_email(session, PEOPLE["coordinator"])
        _, secret = accounts.create_api_token(session, coordinator, "bench")
    return secret


def signed_in(app: Any, email: str | None) -> TestClient:
    """A browser signed in through the form (or an anonymous one, when email is None)."""
    client = TestClient(app, base_url="http://testserver", follow_redirects=False)
    page = client.get("/sign-in")
    assert page.status_code == 200, page.text
    if email is not None:
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        done = client.post(
            "/sign-in", data={"email": email, "password": demo.DEMO_PASSWORD, "csrf_token": token}
        )
        assert done.status_code == 303, (email, done.status_code, done.text[:500])
    return client


# ---------------------------------------------------------------- the pages


@dataclass
class Page:
    label: str
    who: str
    url: str
    client: TestClient
    cpu: list[float] = field(default_factory=list)  # ms per request, one per repeat
    render: list[float] = field(default_factory=list)
    sql_cpu: list[float] = field(default_factory=list)
    statements: list[float] = field(default_factory=list)
    size: int = 0
    cold: bool = False  # each request starts with this worker's caches emptied

    def get(self) -> Any:
        if self.cold:
            figures_version.forget_all()
            charts._remembered_chart.cache_clear()
        response = self.client.get(self.url)
        assert response.status_code == 200, (self.label, self.url, response.status_code)
        return response

    @property
    def ms(self) -> float:
        return statistics.median(self.cpu)


def chapter_of(client: TestClient) -> str:
    """The first chapter link on Derby's draft self-evaluation."""
    page = client.get(f"{NEXT_SEF}/{DERBY}").text
    found = re.search(rf'href="({re.escape(NEXT_SEF)}/{DERBY}/chapters/[^"/?#]+)"', page)
    assert found, "no chapter link on Derby's draft self-evaluation page"
    return found.group(1)


LA_NOTTINGHAM = f"/regions/{REGION}/las/{NOTTINGHAM}"
PUBLISHED_DASHBOARD = f"/regions/{REGION}/dashboard?period=2024-25"


def pages(app: Any, token: str) -> list[Page]:
    clients = {who: signed_in(app, email) for who, email in PEOPLE.items()}
    anonymous = signed_in(app, None)
    api = TestClient(
        app, base_url="http://testserver", headers={"authorization": f"Bearer {token}"}
    )
    co, dcs, lead, risl = (clients[w] for w in ("coordinator", "DCS", "data lead", "RISL"))
    chapter = chapter_of(dcs)
    return [
        Page("sign-in page (baseline)", "anonymous", "/sign-in", anonymous),
        Page("accessibility (plain page)", "coordinator", "/accessibility", co),
        Page("cycle page", "coordinator", CYCLE, co),
        Page("cycle page", "DCS", CYCLE, dcs),
        Page("cycle page", "data lead", CYCLE, lead),
        Page("dashboard", "coordinator", f"/regions/{REGION}/dashboard", co),
        Page("dashboard", "RISL", f"/regions/{REGION}/dashboard", risl),
        # Issue 9: a reporting year, benchmarked on DfE's published figures.
        Page("dashboard, 2024-25 published", "coordinator", PUBLISHED_DASHBOARD, co),
        Page("LA profile (Nottingham)", "coordinator", LA_NOTTINGHAM, co),
        Page("LA profile (Derby)", "data lead", f"/regions/{REGION}/las/{DERBY}", lead),
        Page("self-evaluation index", "coordinator", SEF, co),
        Page("self-evaluation index", "DCS", SEF, dcs),
        Page("self-evaluation tracker", "coordinator", f"{SEF}/tracker", co),
        Page("self-evaluation (Derby)", "DCS", f"{SEF}/{DERBY}", dcs),
        Page("self-evaluation (Derby)", "coordinator", f"{SEF}/{DERBY}", co),
        Page("self-evaluation (Derby draft)", "DCS", f"{NEXT_SEF}/{DERBY}", dcs),
        # The same pages with nothing remembered: the cost of the first view after a change.
        Page("LA profile, cold (Nottingham)", "coordinator", LA_NOTTINGHAM, co, cold=True),
        Page("self-evaluation, cold (Derby)", "DCS", f"{SEF}/{DERBY}", dcs, cold=True),
        Page("dashboard, cold", "coordinator", f"/regions/{REGION}/dashboard", co, cold=True),
        Page("dashboard, cold, 2024-25", "coordinator", PUBLISHED_DASHBOARD, co, cold=True),
        Page("chapter page (Derby draft)", "DCS", chapter, dcs),
        Page("MoU tracker", "coordinator", f"{CYCLE}/mou/tracker", co),
        Page("returns overview", "coordinator", f"/regions/{REGION}/returns?year={YEAR}", co),
        Page("returns overview", "data lead", f"/regions/{REGION}/returns?year={YEAR}", lead),
        Page("cycle history", "coordinator", f"{CYCLE}/history", co),
        Page("API me", "token", f"{API}/me", api),
        Page("API cycle", "token", f"{API}{CYCLE}", api),
        Page("API MoU status", "token", f"{API}{CYCLE}/mou", api),
        Page("API returns tracker", "token", f"{API}/regions/{REGION}/returns?year={YEAR}", api),
        Page("API flags", "token", f"{API}/regions/{REGION}/flags", api),
        Page("API LA profile", "token", f"{API}/regions/{REGION}/las/{NOTTINGHAM}/profile", api),
        Page("API self-evaluations", "token", f"{API}{SEF}", api),
        Page("API self-evaluation", "token", f"{API}{SEF}/{DERBY}", api),
        Page("API history", "token", f"{API}{CYCLE}/history", api),
    ]


def measure(all_pages: list[Page], requests: int, repeats: int) -> None:
    for page in all_pages:  # warm: compiled templates, caches, the first query plans
        page.size = len(page.get().content)
        for _ in range(2):
            page.get()
    for _ in range(repeats):
        for page in all_pages:
            METER.reset()
            start = time.process_time()
            for _ in range(requests):
                page.get()
            took = time.process_time() - start
            page.cpu.append(took * 1000 / requests)
            page.render.append(METER.render_cpu * 1000 / requests)
            page.sql_cpu.append(METER.sql_cpu * 1000 / requests)
            page.statements.append(METER.statements / requests)


def report(all_pages: list[Page]) -> None:
    baseline = all_pages[0].ms
    print(
        f"{'page':28} {'as':11} {'CPU ms':>7} {'x base':>6} {'Jinja':>6} {'SQL ms':>6} "
        f"{'SQL n':>5} {'KB':>6}"
    )
    for page in sorted(all_pages, key=lambda p: p.ms, reverse=True):
        print(
            f"{page.label:28} {page.who:11} {page.ms:7.2f} {page.ms / baseline:6.1f} "
            f"{statistics.median(page.render):6.2f} {statistics.median(page.sql_cpu):6.2f} "
            f"{statistics.median(page.statements):5.0f} {page.size / 1024:6.1f}"
        )
    print(
        "CPU ms: median process CPU per request (client, middleware, route, SQL, Jinja); "
        "x base: ratio to the sign-in page;\nJinja: CPU inside template rendering; SQL ms: CPU "
        "executing statements (not building ORM objects); SQL n: statements per request."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests, for a smoke run")
    parser.add_argument("--profile", nargs="?", type=int, const=4, default=0, metavar="N")
    parser.add_argument(
        "--only",
        default="",
        metavar="WORDS",
        help="comma-separated parts of page labels to measure",
    )
    parser.add_argument("--requests", type=int, default=0, help="N, requests per timed run")
    parser.add_argument("--repeats", type=int, default=0, help="R, timed runs per page")
    args = parser.parse_args()
    requests, repeats = (3, 3) if args.quick else (10, 7)
    requests, repeats = args.requests or requests, args.repeats or repeats

    started = time.perf_counter()
    token = load_demo()
    app = create_app()
    METER.install()
    all_pages = pages(app, token)
    if args.only:  # the baseline stays: every ratio is to it
        words = [w.strip() for w in args.only.split(",") if w.strip()]
        all_pages = all_pages[:1] + [p for p in all_pages[1:] if any(w in p.label for w in words)]
    print(
        f"Demo loaded in {time.perf_counter() - started:.1f} s; {len(all_pages)} pages, "
        f"{requests} requests x {repeats} repeats each, interleaved"
    )
    measure(all_pages, requests, repeats)
    report(all_pages)
    if args.profile:
        from bench.pages_profile import profile

        # The heaviest role's view of each of the N heaviest kinds of page (not the API).
        kinds: dict[str, Page] = {}
        for page in sorted(all_pages, key=lambda p: p.ms, reverse=True):
            if not page.label.startswith("API"):
                kinds.setdefault(page.label.split(" (")[0], page)
        for page in list(kinds.values())[: args.profile]:
            profile(app, page, METER, max(requests, 10), top=30)


if __name__ == "__main__":
    main()
