"""The real service under `riia serve`, on loopback, in its own process group.

Its own process group, so that stopping it reaches uvicorn's worker processes too, and so that
nothing is left running whatever happens to the run: `stop_with_sigterm` always ends with the
group gone, by SIGKILL if SIGTERM did not do it in time.
"""

import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RIIA = PROJECT_ROOT / ".venv" / "bin" / "riia"
HOST = "127.0.0.1"  # loopback only: the load never leaves this machine
_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A port nobody is listening on now (the kernel's choice for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def clean_env(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without any RIIA_ setting, then `extra`.

    The test suite sets RIIA_ENVIRONMENT=test and a database that must not be touched for its
    own process; a child must get only the settings meant for it.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIIA_")}
    env.update(extra)
    return env


def _group_members(pgid: int) -> list[int]:
    """Every live process in the process group, from /proc (no zombies)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = _stat_fields(int(entry))
        except OSError:
            continue
        # fields[0] is the state (after the command name); fields[2] is the process group.
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(entry))
    return found


def _stat_fields(pid: int) -> list[str]:
    """/proc/PID/stat after the command name, which may itself hold spaces or parentheses."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    return raw[raw.rindex(")") + 2 :].split()


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    port: int
    workers: int
    log_path: Path
    _log_file: object = field(repr=False, default=None)
    stopped: bool = False

    @property
    def pgid(self) -> int:
        return self.process.pid  # start_new_session: the leader's pid is the group's id

    def cpu_seconds(self) -> float:
        """User plus system CPU of every process of the server, the exited ones included.

        A live process counts its own time; one that exited and was reaped counts in its
        parent's cutime/cstime, so summing all four over the live group counts each once.
        """
        ticks = 0
        for pid in _group_members(self.pgid):
            try:
                fields = _stat_fields(pid)
            except OSError:
                continue
            # utime, stime, cutime, cstime are stat fields 14-17, i.e. 11-14 after the name.
            ticks += sum(int(v) for v in fields[11:15])
        return ticks / _TICKS

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop_with_sigterm(self, timeout: float = 10.0) -> float | None:
        """SIGTERM to the group's leader; seconds until the whole group had exited, or None.

        None means something was still running after `timeout`: the group is then killed, so
        a hung server never outlives the run.
        """
        if self.stopped:
            return 0.0
        started = time.monotonic()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGTERM)
        took: float | None = None
        while time.monotonic() - started < timeout:
            self.process.poll()  # reap the leader so it stops counting as a member
            if self.process.returncode is not None and not _group_members(self.pgid):
                took = time.monotonic() - started
                break
            time.sleep(0.05)
        if took is None:
            self.kill()
        self._finish()
        return took

    def kill(self) -> None:
        """SIGKILL to every process of the group; safe to call more than once."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        deadline = time.monotonic() + 5
        while _group_members(self.pgid) and time.monotonic() < deadline:
            time.sleep(0.05)
        self._finish()

    def _finish(self) -> None:
        self.stopped = True
        close = getattr(self._log_file, "close", None)
        if close is not None:
            close()


def start_server(
    db_url: str,
    workers: int,
    port: int | None = None,
    env: Mapping[str, str] | None = None,
    log_dir: Path | None = None,
    ready_timeout: float = 60.0,
) -> Server:
    """`riia serve` on 127.0.0.1; returns once it answers /sign-in (or raises, leaving nothing).

    `env` adds to (or overrides) the settings below; the caller's own RIIA_ variables are not
    passed on.
    """
    port = port or free_port()
    base_url = f"http://{HOST}:{port}"
    settings = {
        "RIIA_DATABASE_URL": db_url,
        "RIIA_COOKIE_SECURE": "false",
        "RIIA_ENVIRONMENT": "development",
        "RIIA_WARM_PACKS": "false",
        "RIIA_BASE_URL": base_url,
        **(env or {}),
    }
    folder = log_dir or Path(tempfile.mkdtemp(prefix="riia-load-server-"))
    log_path = folder / f"server-{port}.log"
    log_file = log_path.open("wb")
    command = [str(RIIA), "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(  # noqa: S603 - a fixed command line of our own
        command,
        cwd=PROJECT_ROOT,
        env=clean_env(settings),
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = Server(process, base_url, port, workers, log_path, log_file)
    try:
        _wait_until_ready(server, ready_timeout)
    except BaseException:
        server.kill()
        raise
    return server


def _wait_until_ready(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2.0) as client:
        while True:
            if not server.alive():
                raise RuntimeError(
                    f"the server exited with {server.process.returncode}:\n{server.log_text()}"
                )
            try:
                if client.get(server.base_url + "/sign-in").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the server did not answer /sign-in within {timeout:.0f} s:\n"
                    + server.log_text()
                )
            time.sleep(0.2)
