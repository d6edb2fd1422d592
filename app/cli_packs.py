"""`riia worker` and `riia prune-packs`: render queued packs, prune old cached ones.

At the top, beside app/cli.py: the worker loads the whole app, so every stage registers its packs.
"""

import signal
import threading
from types import FrameType

import typer


def worker(
    once: bool = typer.Option(False, "--once", help="Render every job due now, then stop"),
) -> None:
    """Render queued packs until stopped (Ctrl-C or SIGTERM); run one or more per database."""
    import app.main  # noqa: F401  every stage's pack registers its renderer on import
    from app.pack import worker as pack_worker

    if once:
        typer.echo(f"Rendered {pack_worker.run_pending()} pack job(s).")
        return
    stop = threading.Event()

    def stopping(_signal: int, _frame: FrameType | None) -> None:
        stop.set()
        pack_worker.jobs.wake.set()

    signal.signal(signal.SIGTERM, stopping)
    signal.signal(signal.SIGINT, stopping)
    typer.echo("Pack worker running: rendering queued packs until stopped.")
    pack_worker.serve(stop)


def prune_packs(
    hours: float = typer.Option(24.0, help="Keep copies rendered within this many hours"),
) -> None:
    """Delete cached packs but the latest of each document (and any rendered recently)."""
    from datetime import timedelta

    from app.db import get_sessionmaker
    from app.pack.prune import prune

    with get_sessionmaker().begin() as session:
        gone = prune(session, grace=timedelta(hours=hours))
    typer.echo(f"Pruned {gone} cached pack(s).")
