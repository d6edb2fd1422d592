"""Signed chain heads: a rewrite by someone with only database access is found (issue 9)."""

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.audit import chain
from app.audit.chain import Actor, record, verify
from app.audit.signed_check import check_signed_heads
from app.audit.signing import (
    SignedHead,
    load_public_key,
    make_key_file,
    sign_current_head,
    signature_valid,
)
from app.models import AuditEvent, AuditHead, AuditHeadSignature
from app.settings import get_settings

SYSTEM = Actor(None, "Test")
MONDAY = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
TUESDAY = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
WEDNESDAY = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "audit.key"
    make_key_file(path)
    monkeypatch.setattr(get_settings(), "audit_signing_key_file", path)
    yield path


def _append_on(session: Session, moment: datetime, monkeypatch: pytest.MonkeyPatch, n: int) -> int:
    """Chain n entries stamped at moment; return the head's sequence."""
    monkeypatch.setattr(chain, "utcnow", lambda: moment)
    for i in range(n):
        record(
            session,
            actor=SYSTEM,
            action="test.happened",
            summary=f"{moment:%A} {i}",
            subject_type="test",
            subject_id=i,
        )
    session.flush()
    chain.write_pending(session)
    return session.execute(select(AuditHead.sequence)).scalar_one()


def _three_days(session: Session, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    monday_end = _append_on(session, MONDAY, monkeypatch, 3)
    tuesday_end = _append_on(session, TUESDAY, monkeypatch, 2)
    _append_on(session, WEDNESDAY, monkeypatch, 1)
    return monday_end, tuesday_end


def _rewrite_from(session: Session, sequence: int, summary: str) -> None:
    """What someone with write access to the database, but not the key, can do."""
    session.execute(
        update(AuditEvent).where(AuditEvent.sequence == sequence).values(summary=summary)
    )
    session.expire_all()
    prev = session.execute(
        select(AuditEvent.hash).where(AuditEvent.sequence == sequence - 1)
    ).scalar_one_or_none()
    events = session.execute(
        select(AuditEvent).where(AuditEvent.sequence >= sequence).order_by(AuditEvent.sequence)
    ).scalars()
    for event in events:
        event.prev_hash = prev if prev is not None else chain.GENESIS_HASH
        event.hash = prev = chain._entry_hash(event)
    head = session.execute(select(AuditHead)).scalar_one()
    head.hash = prev
    session.flush()


def test_the_first_change_of_a_day_signs_the_head_the_last_day_ended_on(
    session: Session, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monday_end, tuesday_end = _three_days(session, monkeypatch)
    rows = session.execute(
        select(AuditHeadSignature).order_by(AuditHeadSignature.sequence)
    ).scalars()
    signed = [(row.reason, row.sequence, row.signed_at) for row in rows]
    assert signed == [("day", monday_end, TUESDAY), ("day", tuesday_end, WEDNESDAY)]
    public = load_public_key(key_file)
    row = session.execute(
        select(AuditHeadSignature).where(AuditHeadSignature.sequence == monday_end)
    ).scalar_one()
    monday_hash = session.execute(
        select(AuditEvent.hash).where(AuditEvent.sequence == monday_end)
    ).scalar_one()
    assert row.hash == monday_hash
    head = SignedHead(row.sequence, row.hash, row.signed_at, row.key_id, row.signature)
    assert signature_valid(public, head)
    report = check_signed_heads(session, [public], [])
    assert (report.ok, report.checked, report.last_signed_sequence) == (True, 2, tuesday_end)


def test_a_rewritten_chain_passes_the_hashes_but_not_the_signed_heads(
    session: Session, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monday_end, tuesday_end = _three_days(session, monkeypatch)
    _rewrite_from(session, monday_end - 1, "Nothing to see here")
    assert verify(session).ok  # the hash chain alone cannot tell
    report = check_signed_heads(session, [load_public_key(key_file)], [])
    assert report.problems == [
        f"the log no longer matches the signed head of the day at entry {monday_end} "
        "(signed 01 December 2026 09:00 UTC): an entry up to it was rewritten",
        f"the log no longer matches the signed head of the day at entry {tuesday_end} "
        "(signed 02 December 2026 09:00 UTC): an entry up to it was rewritten",
    ]


def test_a_removed_day_signature_is_found(
    session: Session, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monday_end, tuesday_end = _three_days(session, monkeypatch)
    session.execute(delete(AuditHeadSignature).where(AuditHeadSignature.sequence == tuesday_end))
    report = check_signed_heads(session, [load_public_key(key_file)], [])
    assert report.problems == [
        f"no signed head for 01 December 2026 (entries {monday_end + 1} to {tuesday_end}): "
        "its signature was removed"
    ]


def test_an_altered_signature_or_another_key_is_refused(
    session: Session, key_file: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monday_end, _ = _three_days(session, monkeypatch)
    session.execute(
        update(AuditHeadSignature)
        .where(AuditHeadSignature.sequence == monday_end)
        .values(hash="f" * 64)
    )
    report = check_signed_heads(session, [load_public_key(key_file)], [])
    assert report.problems == [
        f"the signed head of the day at entry {monday_end} has a signature that does not match "
        "it: the signature or the head it signs was altered"
    ]
    other = tmp_path / "other.key"
    make_key_file(other)
    report = check_signed_heads(session, [load_public_key(other)], [])
    assert len(report.problems) == 2
    assert all("was signed with key" in problem for problem in report.problems)


def test_a_published_head_finds_a_rewrite_even_with_every_signature_removed(
    session: Session, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _append_on(session, MONDAY, monkeypatch, 4)
    published = sign_current_head(session)
    kept_elsewhere = SignedHead.from_json(published.to_json())
    session.execute(delete(AuditHeadSignature))
    _rewrite_from(session, published.sequence - 2, "Nothing to see here")
    public = load_public_key(key_file)
    assert verify(session).ok
    assert check_signed_heads(session, [public], []).ok  # nothing stored is left to check
    report = check_signed_heads(session, [public], [kept_elsewhere])
    assert report.problems == [
        f"the log no longer matches the published head you gave at entry {published.sequence} "
        f"(signed {published.signed_at:%d %B %Y %H:%M} UTC): an entry up to it was rewritten"
    ]


def test_without_a_key_nothing_is_signed(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    _three_days(session, monkeypatch)
    assert session.execute(select(AuditHeadSignature)).first() is None


def test_keygen_writes_an_owner_only_key_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    public = make_key_file(path)
    assert public.startswith("-----BEGIN PUBLIC KEY-----")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(FileExistsError):
        make_key_file(path)


def test_production_needs_a_signing_key(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from app.settings import Settings

    with pytest.raises(ValidationError, match="RIIA_AUDIT_SIGNING_KEY_FILE"):
        Settings(environment="production", database_url="postgresql+psycopg://db/x")
    key = tmp_path / "k.pem"
    make_key_file(key)
    settings = Settings(
        environment="production",
        database_url="postgresql+psycopg://db/x",
        audit_signing_key_file=key,
    )
    assert settings.audit_signing_key_file == key


def test_cli_head_and_verify_with_published_heads(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    key = tmp_path / "audit.key"
    cli = [sys.executable, "-c", "from app.cli import main; main()"]
    env = {**os.environ, "RIIA_DATABASE_URL": url, "RIIA_ENVIRONMENT": "test"}

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*cli, *args], env={**env, **extra}, capture_output=True, text=True, timeout=120
        )

    assert run("audit", "keygen", "--out", str(key)).returncode == 0
    refused = run("audit", "keygen", "--out", str(key))
    assert refused.returncode == 1 and "never overwritten" in refused.stdout
    assert run("db", "upgrade").returncode == 0
    unsigned = run("audit", "head")
    assert unsigned.returncode == 1 and "no audit signing key is set" in unsigned.stdout
    signed = run("audit", "head", RIIA_AUDIT_SIGNING_KEY_FILE=str(key))
    assert signed.returncode == 0, signed.stdout + signed.stderr
    head = SignedHead.from_json(signed.stdout.strip().splitlines()[-1])
    assert head.sequence == 0
    published = tmp_path / "published.jsonl"
    published.write_text(signed.stdout)
    public = tmp_path / "public.pem"
    public.write_text(run("audit", "keygen", "--out", str(tmp_path / "x")).stdout.split(":\n")[-1])
    good = run("audit", "verify", "--public-key", str(key), "--published", str(published))
    assert good.returncode == 0, good.stdout
    assert "Signed heads match: 1 stored, 1 published; 0 entries since" in good.stdout
    stranger = run("audit", "verify", "--public-key", str(public), "--published", str(published))
    assert stranger.returncode == 1 and "was signed with key" in stranger.stdout
