"""A fresh database with the demo world the load needs, prepared in a child process.

`app.settings.get_settings` and `app.db.get_engine` are cached for the life of a process, and a
test process has its own RIIA_ settings: a child process with only the settings meant for it is
the one way to prepare a database that cannot go wrong (see `seed.py`).
"""

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.load.server import PROJECT_ROOT, clean_env

PYTHON = PROJECT_ROOT / ".venv" / "bin" / "python"


@dataclass(frozen=True)
class Account:
    email: str
    kind: str  # coordinator, dcs or data_lead
    organisation: str | None  # the LA's ONS code; None for the coordinator
    la_name: str | None
    token: str  # a personal API token's secret


@dataclass(frozen=True)
class DemoWorld:
    region: str
    year: str
    password: str
    las: list[tuple[str, str]]  # (code, name)
    chapters: list[str]
    quarters: list[str]  # every quarter's slug
    open_quarters: list[str]  # quarters whose window has opened: resubmissions are accepted
    released_quarters: list[str]  # quarters whose figures every LA of the region may read
    accounts: list[Account]
    seconds: float  # how long preparation took, child process included
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def cycle_path(self) -> str:
        return f"/regions/{self.region}/cycles/{self.year}"

    def accounts_of(self, kind: str) -> list[Account]:
        return [a for a in self.accounts if a.kind == kind]

    @classmethod
    def from_json(cls, data: dict[str, Any], seconds: float) -> "DemoWorld":
        return cls(
            region=data["region"],
            year=data["year"],
            password=data["password"],
            las=[(la["code"], la["name"]) for la in data["las"]],
            chapters=list(data["chapters"]),
            quarters=list(data["quarters"]),
            open_quarters=list(data["open_quarters"]),
            released_quarters=list(data["released_quarters"]),
            accounts=[Account(**a) for a in data["accounts"]],
            seconds=seconds,
            timings=dict(data.get("timings", {})),
        )


def prepare_database(
    url: str,
    *,
    render_packs: bool = False,
    json_path: Path | None = None,
    timeout: float = 600.0,
) -> DemoWorld:
    """Migrate the empty database at `url` and load the demo world; the accounts go to
    `json_path` too when given (tokens included: keep the file private)."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="riia-load-prepare-") as folder:
        out = json_path or Path(folder) / "world.json"
        command = [str(PYTHON if PYTHON.exists() else sys.executable), "-m", "bench.load.seed"]
        command += [url, str(out)] + (["--packs"] if render_packs else [])
        env = clean_env(
            {
                "RIIA_DATABASE_URL": url,
                "RIIA_ENVIRONMENT": "development",
                "RIIA_WARM_PACKS": "false",
            }
        )
        done = subprocess.run(  # noqa: S603 - our own module, arguments we built
            command, cwd=PROJECT_ROOT, env=env, capture_output=True, timeout=timeout
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"preparing {url} failed ({done.returncode}):\n"
                + done.stderr.decode(errors="replace")[-4000:]
            )
        data = json.loads(out.read_text())
    return DemoWorld.from_json(data, time.monotonic() - started)
