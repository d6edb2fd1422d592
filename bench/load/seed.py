"""Loads the world the load run needs into a fresh database; run in its own process.

`python -m bench.load.seed URL OUT.json [--packs]`. The app's settings and engine are cached per
process, so the database URL has to be in the environment before anything in `app` is imported:
running this as a child process (see `prepare.py`) is what makes that safe for a test suite.

The story is the East Midlands demo up to the self-evaluation: the MoU in force, the returns of
every quarter whose window has opened by today, triads formed and every DCS's chapters drafted but not submitted, so the self-evaluations
can still change (a signed one refuses every save, which would make chapter saves meaningless).
PDF packs are not rendered unless asked: they are the slow part of the demo and no page of the
load mix depends on them.
"""

import functools
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

# Every simulated person is one of these demo accounts (by role slug); coordinators share one.
SIMULATED_ROLES = ("dcs", "data-lead")
COORDINATOR = "coordinator@demo.riia.example"


@contextmanager
def _replaced(module: ModuleType, **names: object) -> Iterator[None]:
    """Swap module attributes in this process for the duration, and put them back after."""
    saved = {name: getattr(module, name) for name in names}
    for name, value in names.items():
        setattr(module, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(module, name, value)


def password_hashed_once() -> AbstractContextManager[None]:
    """Every demo account has the same password: hash it once and give every account that hash.

    Argon2 with the production parameters takes about 0.3 s a hash, and the demo has some sixty
    accounts: this saves most of the preparation time. Signing in costs exactly what it does in
    production, since verifying reads the parameters from the stored hash; only the salt is
    shared, which does not matter in a throwaway database.
    """
    from app.auth import accounts, passwords

    # accounts.create_user calls the name it imported, so that is the one to replace.
    return _replaced(accounts, hash_password=functools.cache(passwords.hash_password))


def _draft_self_evaluations(session: Any, log: list[str]) -> list[str]:
    """Triads formed, then every DCS drafts every chapter of their LA's self-evaluation."""
    from app import demo
    from app.demo_sef import form_demo_triads
    from app.demo_sef_text import chapter_text
    from app.reference import get_reference
    from app.self_evaluation.drafting import service
    from app.self_evaluation.profile import sef_data_profile

    region = get_reference().regions[demo.REGION]
    coordinator = demo._principal(session, COORDINATOR)
    cycle, _groups = form_demo_triads(session)
    chapters: list[str] = []
    for la in region.local_authorities:
        dcs = demo._principal(session, demo._email("dcs", la.name))
        template = service.template_of(service.get_sef(session, dcs, cycle, la.code))
        profile = sef_data_profile(session, coordinator, demo.REGION, la.code, template)
        chapters = [c.id for c in template.chapters]
        for chapter in template.chapters:
            sef = service.get_sef(session, dcs, cycle, la.code)
            latest = service.latest_version(session, sef)
            data = chapter_text(la, chapter, profile).model_copy(
                update={"base_version": latest.number if latest else None}
            )
            service.save_chapter(session, dcs, cycle, la.code, chapter.id, data)
    log.append(f"Every DCS drafted {len(chapters)} chapters; nothing submitted for sign-off")
    return chapters


def _quarters_by_window(session: Any) -> tuple[list[str], list[str]]:
    """Quarters whose return window has opened by today (a resubmission is accepted), and those
    already shared across the region (other LAs' figures may be read)."""
    from app import clock, demo
    from app.returns.periods import quarters_of
    from app.returns.windows import window_state

    today = clock.today()
    opened, released = [], []
    for quarter in quarters_of(demo.YEAR):
        state = window_state(session, demo.REGION, quarter)
        if state is not None and state.opens_on <= today:
            opened.append(quarter.slug)
        if state is not None and state.region_release_on <= today:
            released.append(quarter.slug)
    return opened, released


def _accounts(session: Any) -> list[dict[str, Any]]:
    """The coordinator, and each LA's DCS and data lead, each with a new personal API token."""
    from app import demo
    from app.auth import accounts
    from app.reference import get_reference

    region = get_reference().regions[demo.REGION]
    people: list[tuple[str, str, str | None, str | None]] = [
        (COORDINATOR, "coordinator", None, None)
    ]
    for slug in SIMULATED_ROLES:
        kind = "dcs" if slug == "dcs" else "data_lead"
        for la in region.local_authorities:
            people.append((demo._email(slug, la.name), kind, la.code, la.name))
    found = []
    for email, kind, code, name in people:
        user = accounts.user_by_email(session, email)
        _, secret = accounts.create_api_token(session, user, "Load benchmark")
        found.append(
            {"email": email, "kind": kind, "organisation": code, "la_name": name, "token": secret}
        )
    return found


def seed(url: str, render_packs: bool) -> dict[str, Any]:
    from app import demo
    from app.db import get_sessionmaker
    from app.demo_cycle import play_mou_and_returns
    from app.reference import get_reference
    from app.returns.periods import quarters_of
    from app.schema import upgrade

    timings: dict[str, float] = {}
    started = time.perf_counter()
    upgrade(url)
    timings["migrate"] = time.perf_counter() - started
    log: list[str] = []
    maker = get_sessionmaker()
    with tempfile.TemporaryDirectory(prefix="riia-load-packs-") as packs:
        step = time.perf_counter()
        with maker.begin() as session, password_hashed_once():
            demo.load_demo_people(session)
        timings["people"] = time.perf_counter() - step
        step = time.perf_counter()
        with maker.begin() as session:
            # The MoU story and this year's returns, each at its own moment up to today.
            play_mou_and_returns(session, demo.YEAR, Path(packs) if render_packs else None, log)
        timings["mou_and_indicators"] = time.perf_counter() - step
    step = time.perf_counter()
    with maker.begin() as session:
        chapters = _draft_self_evaluations(session, log)
        timings["self_evaluations"] = time.perf_counter() - step
        opened, released = _quarters_by_window(session)
        people = _accounts(session)
    timings["total"] = time.perf_counter() - started
    region = get_reference().regions[demo.REGION]
    return {
        "region": demo.REGION,
        "year": demo.YEAR,
        "password": demo.DEMO_PASSWORD,
        "las": [{"code": la.code, "name": la.name} for la in region.local_authorities],
        "chapters": chapters,
        "quarters": [q.slug for q in quarters_of(demo.YEAR)],
        "open_quarters": opened,
        "released_quarters": released,
        "accounts": people,
        "timings": timings,
        "log": log,
    }


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: python -m bench.load.seed DATABASE_URL OUT.json [--packs]", file=sys.stderr)
        return 2
    world = seed(argv[0], render_packs="--packs" in argv[2:])
    Path(argv[1]).write_text(json.dumps(world, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
