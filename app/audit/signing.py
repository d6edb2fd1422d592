"""Signed chain heads: the audit log checked against a key the database does not hold (issue 9).

The hash chain shows an entry was changed only to someone who kept an earlier hash: whoever can
write to the database can rewrite an entry and every hash after it. So the head is signed with
an Ed25519 key held in a file outside the database (RIIA_AUDIT_SIGNING_KEY_FILE):

- each day's last head, signed by the first change of a later day (`sign_closed_day`, called as
  the entries are chained), so a day's history cannot be rewritten once the next day begins;
- any head on demand, `riia audit head`, printed as one line of JSON to publish elsewhere (a
  board paper, the region's website), so even deleting the signatures is found out.

`riia audit verify` checks every stored signature against the key and the log, that no day
since signing began lacks its signature, and any published heads it is given.
"""

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import day_of
from app.models import AuditEvent, AuditHead, AuditHeadSignature
from app.models.types import utcnow
from app.settings import get_settings


class SigningKeyError(Exception):
    """The signing key file is missing, unreadable or not an Ed25519 private key."""


def make_key_file(path: Path) -> str:
    """Write a new Ed25519 private key, readable by its owner only; return its public key."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    return public_key_pem(key.public_key())


def public_key_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def key_id(key: Ed25519PublicKey) -> str:
    """A short name for a public key, stored with each signature so a key change is visible."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@lru_cache(maxsize=4)
def _load_private(path: str, modified_ns: int) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError) as error:
        raise SigningKeyError(f"cannot read the audit signing key {path}: {error}") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{path} is not an Ed25519 private key")
    return key


def signing_key() -> Ed25519PrivateKey | None:
    """The configured key, or None when signing is off (development and tests by default)."""
    path = get_settings().audit_signing_key_file
    if path is None:
        return None
    try:
        modified_ns = path.stat().st_mtime_ns
    except OSError as error:
        raise SigningKeyError(f"cannot read the audit signing key {path}: {error}") from error
    return _load_private(str(path), modified_ns)


def load_public_key(path: Path) -> Ed25519PublicKey:
    """A public key file (PEM), or the public half of a private key file."""
    data = path.read_bytes()
    try:
        if b"PRIVATE KEY" in data:
            private = serialization.load_pem_private_key(data, password=None)
            if isinstance(private, Ed25519PrivateKey):
                return private.public_key()
        else:
            public = serialization.load_pem_public_key(data)
            if isinstance(public, Ed25519PublicKey):
                return public
    except ValueError as error:
        raise SigningKeyError(f"{path} is not a PEM key: {error}") from error
    raise SigningKeyError(f"{path} is not an Ed25519 key")


def _message(sequence: int, chain_hash: str, signed_at: datetime) -> bytes:
    return f"riia-audit-head/1\n{sequence}\n{chain_hash}\n{signed_at.isoformat()}".encode()


@dataclass(frozen=True)
class SignedHead:
    sequence: int
    hash: str
    signed_at: datetime
    key_id: str
    signature: str

    def to_json(self) -> str:
        """The line `riia audit head` prints and `riia audit verify --published` reads back."""
        return json.dumps(
            {
                "sequence": self.sequence,
                "hash": self.hash,
                "signed_at": self.signed_at.isoformat(),
                "key_id": self.key_id,
                "signature": self.signature,
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, line: str) -> "SignedHead":
        data = json.loads(line)
        return cls(
            int(data["sequence"]),
            str(data["hash"]),
            datetime.fromisoformat(data["signed_at"]),
            str(data["key_id"]),
            str(data["signature"]),
        )


def sign(
    session: Session,
    key: Ed25519PrivateKey,
    sequence: int,
    chain_hash: str,
    *,
    reason: str,
    signed_at: datetime,
) -> SignedHead:
    """Sign one head and keep the signature beside the log, in the caller's transaction."""
    signature = base64.b64encode(key.sign(_message(sequence, chain_hash, signed_at))).decode()
    head = SignedHead(sequence, chain_hash, signed_at, key_id(key.public_key()), signature)
    session.add(
        AuditHeadSignature(
            sequence=sequence,
            hash=chain_hash,
            signed_at=signed_at,
            reason=reason,
            key_id=head.key_id,
            signature=signature,
        )
    )
    return head


def sign_closed_day(session: Session, head: AuditHead, now: datetime) -> None:
    """Before the first entry of a day is chained, sign the head the last day ended on.

    Called with the head row locked, so two writers cannot both sign the same day.
    """
    key = signing_key()
    if key is None or head.sequence == 0:
        return
    last_at = session.execute(
        select(AuditEvent.occurred_at).where(AuditEvent.sequence == head.sequence)
    ).scalar_one()
    if day_of(last_at) < day_of(now):
        sign(session, key, head.sequence, head.hash, reason="day", signed_at=now)


def sign_current_head(session: Session) -> SignedHead:
    """Sign the head as it stands, for publishing outside the service."""
    key = signing_key()
    if key is None:
        raise SigningKeyError("no audit signing key is set (RIIA_AUDIT_SIGNING_KEY_FILE)")
    row = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
    return sign(session, key, row.sequence, row.hash, reason="published", signed_at=utcnow())


def signature_valid(public: Ed25519PublicKey, head: SignedHead) -> bool:
    try:
        public.verify(
            base64.b64decode(head.signature, validate=True),
            _message(head.sequence, head.hash, head.signed_at),
        )
    except (InvalidSignature, ValueError):
        return False
    return head.key_id == key_id(public)
