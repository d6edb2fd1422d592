"""Server-side sessions: revocable, with idle and absolute timeouts, and a CSRF token each."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.db import begin_write
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


@dataclass(frozen=True)
class FoundSession:
    """A cookie's session as read, and the small write it is due (made after reading ends)."""

    record: WebSession | None
    expired: bool = False  # timed out: revoke it
    touch: bool = False  # last seen over a minute ago: record that it is still in use


def find_session(session: Session, token: str | None) -> FoundSession:
    """The live session for a cookie (None when unknown, revoked or timed out). Reads only."""
    if not token:
        return FoundSession(None)
    record = session.execute(
        select(WebSession).where(WebSession.token_hash == _digest(token))
    ).scalar_one_or_none()
    if record is None or record.revoked_at is not None:
        return FoundSession(None)
    settings = get_settings()
    now = utcnow()
    idle_limit = timedelta(minutes=settings.session_idle_minutes)
    absolute_limit = timedelta(hours=settings.session_absolute_hours)
    if now - record.last_seen_at > idle_limit or now - record.created_at > absolute_limit:
        return FoundSession(record, expired=True)
    # Only touch the row once a minute, so reads do not all become writes.
    return FoundSession(record, touch=now - record.last_seen_at > timedelta(minutes=1))


def sign_in_as(session: Session, old: WebSession, user_id: int) -> OpenedSession:
    """Sign in: the browser's old session ends and a new one, with a new id, begins, so a session
    id fixed before sign-in is worthless. The first write of a sign-in: the lock starts here."""
    begin_write(session)
    revoke(session, old)
    return open_session(session, user_id)


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
