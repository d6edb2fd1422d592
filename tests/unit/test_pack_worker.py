"""The web app runs a pack worker thread on SQLite only, and stops it when it stops."""

import threading

import pytest

from app.pack import worker
from app.settings import get_settings


@pytest.mark.parametrize(
    ("url", "warm", "runs"),
    [
        ("sqlite:///var/riia.db", True, True),
        ("postgresql+psycopg://riia@db/riia", True, False),  # `riia worker` runs them there
        ("sqlite:///var/riia.db", False, False),
    ],
)
def test_the_in_process_worker_runs_on_sqlite_while_the_app_does(
    monkeypatch: pytest.MonkeyPatch, url: str, warm: bool, runs: bool
) -> None:
    started, stopped = threading.Event(), threading.Event()

    def serve(stop: threading.Event) -> None:
        started.set()
        stop.wait(10)
        stopped.set()

    monkeypatch.setattr(get_settings(), "database_url", url)
    monkeypatch.setattr(get_settings(), "warm_packs", warm)
    monkeypatch.setattr(worker, "serve", serve)
    with worker.in_process():
        assert started.wait(5 if runs else 0.1) is runs
    assert stopped.is_set() is runs
