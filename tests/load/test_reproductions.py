"""The two failures issue 8 found, reproduced against the real server (`riia serve`).

Each failed on the code before the fix (e2a44f1's parent) and passes now:

- PostgreSQL: a form save that waits on the audit head's row lock, held by another writer's
  transaction (in the load run, a return resubmission), must not stop the worker answering
  anyone else. Before the fix the save ran on the event loop and blocked it; the holder needed
  that loop to commit, so neither moved again and the worker ignored even SIGTERM.
- SQLite: a burst of sign-ins while people save must give no "database is locked". Before the
  fix every request took the write lock at its first query and held it across the password
  check, so a burst of sign-ins wedged every writer behind it.

How long a burst of forty Argon2 checks takes depends on the machine (on two cores the last
sign-in waits 8 to 10 s with nobody saving), so the latency limit is a ratio against the same
burst measured first, alone, in the same run: saving may slow sign-in down, not wedge it.
"""

import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from bench.load import DemoWorld, prepare_database, sign_in_sync, start_server
from bench.load.forms import form_for

pytestmark = pytest.mark.load
SIGN_IN_BURST = 40
SAVERS = 6


def _chapter(world: DemoWorld, la_code: str, n: int = 0) -> str:
    return f"{world.cycle_path}/self-evaluations/{la_code}/chapters/{world.chapters[n]}"


def _save_form(client: httpx.Client, path: str, note: str) -> dict[str, str]:
    page = client.get(path)
    assert page.status_code == 200, page.text[:500]
    form = form_for(page.text, path)
    assert form is not None, f"{path} has no form"
    return {**form.fields, "narrative": form.fields.get("narrative", "") + "\n\n" + note}


@pytest.mark.postgres
def test_a_save_waiting_on_the_audit_lock_does_not_stop_the_worker(
    tmp_path: Path, postgres_url: str
) -> None:
    url = postgres_url
    server = None
    try:
        world = prepare_database(url)
        # One worker: one event loop, as in each worker of the hung server.
        server = start_server(url, 1, log_dir=tmp_path)
        dcs = world.accounts_of("dcs")[0]
        assert dcs.organisation is not None
        saver = sign_in_sync(server.base_url, dcs.email, world.password)
        path = _chapter(world, dcs.organisation)
        fields = _save_form(saver, path, "Reviewed with the service managers.")
        outcome: dict[str, object] = {}

        def save() -> None:
            try:
                outcome["status"] = saver.post(path, data=fields).status_code
            except httpx.HTTPError as exc:
                outcome["status"] = repr(exc)

        # Another writer's transaction holds the audit head, as the resubmission did.
        libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(libpq) as holder:
            holder.execute("SELECT sequence FROM audit_head WHERE id = 1 FOR UPDATE")
            writer = threading.Thread(target=save)
            writer.start()
            time.sleep(1.0)  # the save reaches the lock and waits on it
            assert writer.is_alive(), f"the save did not wait on the held lock: {outcome}"
            started = time.monotonic()
            try:
                answer = httpx.get(server.base_url + "/sign-in", timeout=5.0)
                waited, status = time.monotonic() - started, answer.status_code
            except httpx.TimeoutException:
                waited, status = time.monotonic() - started, 0
            holder.rollback()  # the other writer finishes
        writer.join(timeout=15)
        assert status == 200 and waited < 1.0, (
            f"while a save waited on the audit lock, the sign-in page took {waited:.1f} s "
            f"(status {status}): the worker's event loop was blocked"
        )
        assert outcome.get("status") == 303, outcome
        saver.close()
        stopped = server.stop_with_sigterm(timeout=10)
        assert stopped is not None, "the worker did not stop within 10 s of SIGTERM"
    finally:
        if server is not None:
            server.kill()


def test_a_burst_of_sign_ins_while_people_save_gives_no_database_is_locked(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'burst.db'}"
    world = prepare_database(url)
    server = start_server(url, 1, log_dir=tmp_path)
    try:
        statuses: list[tuple[str, int | str, float]] = []
        lock = threading.Lock()
        stop = threading.Event()

        def note(kind: str, call: Callable[[], httpx.Response]) -> None:
            started = time.monotonic()
            try:
                status: int | str = call().status_code
            except httpx.HTTPError as exc:
                status = repr(exc)
            with lock:
                statuses.append((kind, status, time.monotonic() - started))

        def sign_in_once(n: int, kind: str) -> None:
            account = world.accounts[n % len(world.accounts)]
            with httpx.Client(base_url=server.base_url, timeout=30.0) as client:
                page = client.get("/sign-in")
                form = form_for(page.text, "/sign-in")
                assert form is not None
                data = {**form.fields, "email": account.email, "password": world.password}
                note(kind, lambda: client.post("/sign-in", data=data))

        def burst(kind: str) -> None:
            threads = [
                threading.Thread(target=sign_in_once, args=(n, kind)) for n in range(SIGN_IN_BURST)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)

        # The baseline: the same burst with nobody saving.
        burst("alone")
        alone = [s for s in statuses if s[0] == "alone"]
        assert [s[1] for s in alone] == [303] * SIGN_IN_BURST, alone
        limit = 2 * max(s[2] for s in alone) + 2.0

        dcss = world.accounts_of("dcs")
        savers = [sign_in_sync(server.base_url, a.email, world.password) for a in dcss[:SAVERS]]

        def keep_saving(n: int) -> None:
            client, account = savers[n], dcss[n]
            assert account.organisation is not None
            path = _chapter(world, account.organisation, n % len(world.chapters))
            while not stop.is_set():
                fields = _save_form(client, path, f"Save {time.monotonic():.3f}.")
                note("save", lambda fields=fields: client.post(path, data=fields))

        writers = [threading.Thread(target=keep_saving, args=(n,)) for n in range(SAVERS)]
        for thread in writers:
            thread.start()
        time.sleep(1.0)
        burst("sign-in")
        time.sleep(1.0)
        stop.set()
        for thread in writers:
            thread.join(timeout=30)
        for client in savers:
            client.close()
        log = server.log_text()
        during = [s for s in statuses if s[0] != "alone"]
        bad = [s for s in during if s[1] not in (303, 409) or s[2] > limit]
        assert not bad, (
            f"{len(bad)} of {len(during)} requests failed or took over {limit:.1f} s "
            f"(twice the slowest sign-in of the burst alone, plus 2 s): {bad[:10]}\n{log[-3000:]}"
        )
        assert "database is locked" not in log
        assert sum(1 for kind, status, _ in during if kind == "sign-in" and status == 303) == (
            SIGN_IN_BURST
        )
        assert sum(1 for kind, status, _ in during if kind == "save" and status == 303) >= SAVERS
        assert server.stop_with_sigterm(timeout=10) is not None
    finally:
        server.kill()
