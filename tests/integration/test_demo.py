"""`riia demo` takes the East Midlands through the stages built so far and writes each pack."""

import os
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import make_engine
from app.models import Cycle, SefComment, SefResponse, SefVersion, SelfEvaluation, User
from app.reference import get_reference
from app.sef import service, signoff

SEF_PACKS = [
    f"self-evaluation-{slug}.pdf"
    for slug in (
        "derby",
        "derbyshire",
        "leicester",
        "leicestershire",
        "lincolnshire",
        "north-northamptonshire",
        "nottingham",
        "nottinghamshire",
        "rutland",
        "west-northamptonshire",
    )
]


def test_demo_writes_an_in_force_mou_pack(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "RIIA_DATABASE_URL"}
    env["RIIA_ENVIRONMENT"] = "test"
    # A database the test can open afterwards (the command makes a throwaway one otherwise).
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    env["RIIA_DATABASE_URL"] = url
    out = tmp_path / "packs"
    result = subprocess.run(
        [sys.executable, "-c", "from app.cli import main; main()", "demo", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = " ".join(result.stdout.split())
    assert "Version 2 published" in lines
    assert "Rutland's Lead Member declined" in lines
    assert "in force = True (31 of 31 signatures)" in lines
    assert "Audit chain: intact" in lines
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [
            "data-pack-east-midlands-2026-27-q4.pdf",
            "la-profile-nottingham-2026-27-q4.pdf",
            "mou-east-midlands-2026-27.pdf",
            *SEF_PACKS,
        ]
    )
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
    check_self_evaluation_stage(lines, out, url)


def _pdf_text(path: Path) -> str:
    """The PDF's words without whitespace: a line may break after a hyphen inside a word."""
    reader = PdfReader(path)
    assert bool(reader.trailer["/Root"]["/MarkInfo"]["/Marked"]) is True
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    return "".join("".join(page.extract_text() for page in reader.pages).split())


def _squashed(text: str) -> str:
    return "".join(text.split())


def check_self_evaluation_stage(lines: str, out: Path, url: str) -> None:
    """Every LA signed (one void signature, one return), scrutinised, and every pack written."""
    assert (
        "The coordinator formed 3 triads: Nottingham, Nottinghamshire, Rutland; Derby, "
        "Derbyshire, West Northamptonshire; Leicester, Leicestershire, Lincolnshire, North "
        "Northamptonshire" in lines
    )
    assert "Leicestershire's DCS assigned 'The experiences and progress of care leavers'" in lines
    assert "Derbyshire's DCS signed version 6, then edited 'Workforce': that signature is void" in (
        lines
    )
    assert "Nottinghamshire's Chief Executive returned it" in lines
    assert "all three signatories signed 10 of 10 self-evaluations" in lines
    assert "Scrutineers left 24 comments (3 challenging a grade); the DCSs responded to 21" in lines
    assert "The coordinator closed scrutiny for Nottingham, Nottinghamshire, Rutland" in lines
    assert "Wrote 10 self-evaluation packs to" in lines
    region = get_reference().regions["east-midlands"]
    names = {la.code: la.name for la in region.local_authorities}
    engine = make_engine(url)
    with Session(engine) as session:
        cycle = session.execute(select(Cycle)).scalar_one()
        sefs = session.scalars(select(SelfEvaluation)).all()
        assert len(sefs) == 10
        states = {names[s.la_code]: s.state for s in sefs}
        assert {n for n, state in states.items() if state == "scrutiny_closed"} == {
            "Nottingham",
            "Nottinghamshire",
            "Rutland",
        }
        assert set(states.values()) == {"signed", "scrutiny_closed"}
        statuses = {names[s.la_code]: signoff.build_status(session, cycle, s) for s in sefs}
        assert all(status.signed_count == 3 for status in statuses.values())
        voided = {n: st.void for n, st in statuses.items() if st.void}
        assert list(voided) == ["Derbyshire"]
        assert [e.role for e, _ in voided["Derbyshire"]] == ["dcs"]
        returned = {n: st.returns for n, st in statuses.items() if st.returns}
        assert list(returned) == ["Nottinghamshire"]
        assert [e.role for e, _ in returned["Nottinghamshire"]] == ["chief_executive"]
        grades = {
            chapter["grade"]
            for s in sefs
            for chapter in service.content_of(s, service.submitted_version(session, s)).values()
        }
        assert {"good", "requires_improvement"} <= grades and "" not in grades
        contributor = session.execute(
            select(User).where(User.email == "contributor.leicestershire@demo.riia.example")
        ).scalar_one()
        first = session.execute(
            select(SefVersion.chapter_id, SefVersion.created_by_id)
            .join(SelfEvaluation, SelfEvaluation.id == SefVersion.self_evaluation_id)
            .where(SelfEvaluation.la_code == "E10000018", SefVersion.number == 1)
        ).one()
        assert tuple(first) == ("care-leavers", contributor.id)
        comments = session.scalar(select(func.count()).select_from(SefComment))
        challenges = session.scalar(
            select(func.count())
            .select_from(SefComment)
            .where(SefComment.challenged_grade.is_not(None))
        )
        responses = session.scalar(select(func.count()).select_from(SefResponse))
        assert (comments, challenges, responses) == (24, 3, 21)
    engine.dispose()
    derbyshire = _pdf_text(out / "self-evaluation-derbyshire.pdf")
    for chapter in get_reference().sef_templates["sef-east-midlands"].chapters:
        assert _squashed(chapter.title) in derbyshire
    assert _squashed("Signatures that no longer count") in derbyshire
    assert _squashed("Since signing: the October workforce health check") in derbyshire
    assert _squashed("values by quarter") in derbyshire  # charts come with their data tables
    nottinghamshire = _pdf_text(out / "self-evaluation-nottinghamshire.pdf")
    assert _squashed("Reason given") in nottinghamshire
    assert _squashed("The workforce chapter does not say how far we still rely") in (
        nottinghamshire
    )
    assert _squashed("Scrutiny closed") in nottinghamshire
    assert _squashed("Grade challenge") in _pdf_text(out / "self-evaluation-nottingham.pdf")
