"""`riia demo` takes the East Midlands through the stages built so far and writes each pack."""

import os
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader


def test_demo_writes_an_in_force_mou_pack(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "RIIA_DATABASE_URL"}
    env["RIIA_ENVIRONMENT"] = "test"
    out = tmp_path / "packs"
    result = subprocess.run(
        [sys.executable, "-c", "from app.cli import main; main()", "demo", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = " ".join(result.stdout.split())
    assert "Version 2 published" in lines
    assert "Rutland's Lead Member declined" in lines
    assert "in force = True (31 of 31 signatures)" in lines
    assert "Audit chain: intact" in lines
    assert sorted(p.name for p in out.iterdir()) == ["mou-east-midlands-2026-27.pdf"]
    reader = PdfReader(out / "mou-east-midlands-2026-27.pdf")
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Memorandum of Understanding" in text
    assert "In force since" in text
    for name in ("Derby", "Rutland", "Northamptonshire Children's Trust", "West Northamptonshire"):
        assert name in text
    assert "Earlier versions" in text
    assert "Cabinet has not yet discussed" not in text  # the decline was followed by a signature
    assert bool(reader.trailer["/Root"]["/MarkInfo"]["/Marked"]) is True
