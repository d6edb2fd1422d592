"""Checking the signed heads against the log: what `riia audit verify` adds to the hash chain."""

from dataclasses import dataclass, field
from datetime import date

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.signing import SignedHead, key_id, signature_valid
from app.clock import day_of
from app.models import AuditEvent, AuditHeadSignature


@dataclass
class SignatureReport:
    checked: int = 0
    published_checked: int = 0
    last_signed_sequence: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _stored(session: Session) -> list[tuple[str, SignedHead]]:
    rows = session.execute(select(AuditHeadSignature).order_by(AuditHeadSignature.id)).scalars()
    return [
        (row.reason, SignedHead(row.sequence, row.hash, row.signed_at, row.key_id, row.signature))
        for row in rows
    ]


def _log_facts(
    session: Session, wanted: set[int]
) -> tuple[dict[int, str], list[tuple[date, int, int]], int]:
    """The hashes of the signed entries, the days that ended (their first and last entry: where
    a later day's first change signed the head), and the last entry."""
    hashes: dict[int, str] = {}
    ended: list[tuple[date, int, int]] = []
    run_day: date | None = None
    run_first = last = 0
    rows = session.execute(
        select(AuditEvent.sequence, AuditEvent.occurred_at, AuditEvent.hash).order_by(
            AuditEvent.sequence
        )
    )
    for sequence, occurred_at, chain_hash in rows:
        if sequence in wanted:
            hashes[sequence] = chain_hash
        day = day_of(occurred_at)
        if run_day is None or day != run_day:
            if run_day is not None and run_day < day:
                ended.append((run_day, run_first, last))
            run_day, run_first = day, sequence
        last = sequence
    return hashes, ended, last


def _check_one(
    head: SignedHead,
    keys: dict[str, Ed25519PublicKey],
    hashes: dict[int, str],
    last: int,
    what: str,
) -> str | None:
    key = keys.get(head.key_id)
    if key is None:
        return f"the {what} at entry {head.sequence} was signed with key {head.key_id}, not given"
    if not signature_valid(key, head):
        return (
            f"the {what} at entry {head.sequence} has a signature that does not match it: "
            "the signature or the head it signs was altered"
        )
    if head.sequence > last:
        return f"the {what} names entry {head.sequence}, past the end of the log: entries removed"
    if head.sequence and hashes.get(head.sequence) != head.hash:
        return (
            f"the log no longer matches the {what} at entry {head.sequence} "
            f"(signed {head.signed_at:%d %B %Y %H:%M} UTC): an entry up to it was rewritten"
        )
    return None


def check_signed_heads(
    session: Session, keys: list[Ed25519PublicKey], published: list[SignedHead]
) -> SignatureReport:
    """Every stored and published signed head is genuine and matches the log, and no day since
    signing began lacks its signed head (one removed to hide a rewrite is found)."""
    by_id = {key_id(key): key for key in keys}
    stored = _stored(session)
    wanted = {head.sequence for _, head in stored} | {head.sequence for head in published}
    hashes, ended, last = _log_facts(session, wanted)
    report = SignatureReport()
    for reason, head in stored:
        what = "signed head of the day" if reason == "day" else "published head"
        problem = _check_one(head, by_id, hashes, last, what)
        if problem:
            report.problems.append(problem)
        report.checked += 1
        report.last_signed_sequence = max(report.last_signed_sequence, head.sequence)
    for head in published:
        problem = _check_one(head, by_id, hashes, last, "published head you gave")
        if problem:
            report.problems.append(problem)
        report.published_checked += 1
    day_signed = {head.sequence for reason, head in stored if reason == "day"}
    if day_signed:
        began = min(day_signed)
        for day, first, final in ended:
            if final >= began and final not in day_signed:
                report.problems.append(
                    f"no signed head for {day:%d %B %Y} (entries {first} to {final}): "
                    "its signature was removed"
                )
    return report
