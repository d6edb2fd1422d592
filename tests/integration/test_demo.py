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
    assert sorted(p.name for p in out.iterdir()) == [
        "data-pack-east-midlands-2026-27-q4.pdf",
        "la-profile-nottingham-2026-27-q4.pdf",
        "mou-east-midlands-2026-27.pdf",
    ]
    assert "Loaded 8,073 DfE published values (2022-23, 2023-24, 2024-25)" in lines
    assert "Derby resubmitted its return with a reason (version 2)" in lines
    assert "Leicester's return was late" in lines
    assert "Lincolnshire's first file was refused whole, 2 problems" in lines
    reader = PdfReader(out / "mou-east-midlands-2026-27.pdf")
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Memorandum of Understanding" in text
    assert "In force since" in text
    for name in ("Derby", "Rutland", "Northamptonshire Children's Trust", "West Northamptonshire"):
        assert name in text
    assert "Earlier versions" in text
    assert "Cabinet has not yet discussed" not in text  # the decline was followed by a signature
    assert bool(reader.trailer["/Root"]["/MarkInfo"]["/Marked"]) is True

    def text_of(name: str) -> str:
        pdf = PdfReader(out / name)
        return " ".join(" ".join(page.extract_text() for page in pdf.pages).split())

    pack = text_of("data-pack-east-midlands-2026-27-q4.pdf")
    assert "2026-27 Q4" in pack and "Signatures of risk" in pack
    for name in ("Derby", "Leicester", "Lincolnshire", "Rutland"):
        assert name in pack
    profile = text_of("la-profile-nottingham-2026-27-q4.pdf")
    assert "Nottingham" in profile and "Agency social worker rate" in profile
    assert "above the region's threshold of 25%" in profile
