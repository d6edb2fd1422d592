"""PostgreSQL for a load run: a fresh database, and a throwaway cluster when none is given.

The cluster is started as scripts/test.sh starts it: PostgreSQL 15 from /usr/lib/postgresql/15,
owned by the postgres user when we are root, on a Unix socket only (no TCP listener at all).
"""

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def _as_postgres(command: list[str]) -> list[str]:
    # initdb refuses to run as root, so the cluster belongs to the postgres user.
    return ["runuser", "-u", "postgres", "--", *command] if os.getuid() == 0 else command


def available() -> bool:
    return (PG_BIN / "initdb").exists() and (PG_BIN / "pg_ctl").exists()


@contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Start a cluster in a temporary folder; yield its admin URL; stop and remove it after."""
    if not available():
        raise RuntimeError(f"PostgreSQL 15 binaries are missing from {PG_BIN}")
    folder = Path(tempfile.mkdtemp(prefix="riia-load-pg-"))
    if os.getuid() == 0:
        shutil.chown(folder, "postgres")
    data = folder / "data"
    try:
        subprocess.run(  # noqa: S603 - fixed PostgreSQL commands
            _as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "app"]),
            check=True,
            capture_output=True,
        )
        subprocess.run(  # noqa: S603
            _as_postgres(
                [
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(folder / "postgres.log"),
                    "-o",
                    f"-k {folder} -c listen_addresses=''",
                    "-w",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )
        yield f"postgresql+psycopg://app@/postgres?host={folder}"
    finally:
        subprocess.run(  # noqa: S603
            _as_postgres(
                [str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
            ),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)


def create_database(admin_url: str, name: str) -> str:
    """A new, empty database `name` (dropped first if left over); returns its URL."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, url: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    finally:
        admin.dispose()
