"""`make test` sets up what the tests need: scripts/system-packages.sh (issue 9)."""

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "system-packages.sh"


def _run(tmp_path: Path, *, uid: str, installed: bool) -> subprocess.CompletedProcess[str]:
    """The script with stand-ins for `id`, `dpkg` and `apt-get` first on the PATH."""
    stubs = tmp_path / "bin"
    stubs.mkdir()
    (stubs / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (stubs / "dpkg").write_text(f"#!/bin/sh\nexit {0 if installed else 1}\n")
    (stubs / "apt-get").write_text(f'#!/bin/sh\necho "apt-get $*" >> {tmp_path}/apt.log\n')
    for stub in stubs.iterdir():
        stub.chmod(0o755)
    env = {**os.environ, "PATH": f"{stubs}:{os.environ['PATH']}"}
    return subprocess.run(  # noqa: S603 - our own script
        ["bash", str(SCRIPT)], env=env, capture_output=True, text=True, check=False
    )


def test_without_root_it_prints_the_one_line_to_run(tmp_path: Path) -> None:
    done = _run(tmp_path, uid="1000", installed=False)
    assert done.returncode == 1
    assert "As root, run:" in done.stderr
    line = next(x.strip() for x in done.stderr.splitlines() if "apt-get install" in x)
    assert line.startswith("apt-get update && apt-get install -y --no-install-recommends ")
    for package in ("postgresql", "chromium", "fonts-liberation", "poppler-utils"):
        assert package in line.split()
    assert not (tmp_path / "apt.log").exists()


def test_as_root_it_installs_what_is_missing(tmp_path: Path) -> None:
    done = _run(tmp_path, uid="0", installed=False)
    assert done.returncode == 0, done.stderr
    calls = (tmp_path / "apt.log").read_text().splitlines()
    assert calls[0] == "apt-get update"
    assert calls[1].startswith("apt-get install -y --no-install-recommends postgresql chromium")


def test_nothing_happens_when_everything_is_installed(tmp_path: Path) -> None:
    done = _run(tmp_path, uid="0", installed=True)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert not (tmp_path / "apt.log").exists()
