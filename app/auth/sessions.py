"""Server-side sessions: revocable, with idle and absolute timeouts, and a CSRF token each."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import WebSession
from app.models.types import utcnow
from app.settings import get_settings


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


@dataclass(frozen=True)
class OpenedSession:
    token: str  # goes in the cookie; only its hash is stored
    record: WebSession


def open_session(session: Session, user_id: int | None) -> OpenedSession:
    """A fresh session with a new id and CSRF token (also used at sign-in, against fixation)."""
    token = secrets.token_urlsafe(32)
    record = WebSession(
        token_hash=_digest(token), user_id=user_id, csrf_token=secrets.token_urlsafe(32)
    )
    session.add(record)
    session.flush()
    return OpenedSession(token, record)


def find_session(session: Session, token: str | None) -> WebSession | None:
    """The live session for a cookie, or None when unknown, revoked or timed out."""
    if not token:
        return None
    record = session.execute(
        select(WebSession).where(WebSession.token_hash == _digest(token))
    ).scalar_one_or_none()
    if record is None or record.revoked_at is not None:
        return None
    settings = get_settings()
    now = utcnow()
    idle_limit = timedelta(minutes=settings.session_idle_minutes)
    absolute_limit = timedelta(hours=settings.session_absolute_hours)
    if now - record.last_seen_at > idle_limit or now - record.created_at > absolute_limit:
        record.revoked_at = now
        return None
    # Only touch the row once a minute, so reads do not all become writes.
    if now - record.last_seen_at > timedelta(minutes=1):
        record.last_seen_at = now
    return record


def revoke(session: Session, record: WebSession) -> None:
    record.revoked_at = utcnow()


def revoke_all_for_user(session: Session, user_id: int) -> None:
    session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def csrf_matches(record: WebSession | None, submitted: str | None) -> bool:
    return bool(record and submitted and secrets.compare_digest(record.csrf_token, submitted))
