"""Resetting a forgotten password by an emailed link: for local accounts only.

Entra ID accounts have no password here (their council's Microsoft account signs them in), so
they are emailed how to sign in instead. Whoever asks is told the same thing whether or not an
account has the address, and requests are throttled by address and client like sign-ins.
"""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from app import clock
from app.audit.chain import Actor, record
from app.auth import passwords, throttle
from app.auth.sessions import revoke_all_for_user
from app.db import begin_write, end_read
from app.errors import NotFound
from app.models import OutboxMessage, User
from app.models.identity import PasswordReset
from app.settings import get_settings

LINK_PATH = "/reset-password"


class LinkNotValid(NotFound):
    title = "This link does not work"

    def __init__(self) -> None:
        super().__init__(
            "This password reset link has expired or has already been used. "
            "Ask for a new link if you still need to reset your password."
        )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def _account(session: Session, email: str) -> User | None:
    return session.execute(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()


def _end_open_links(session: Session, user_id: int) -> None:
    session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.user_id == user_id,
            PasswordReset.used_at.is_(None),
            PasswordReset.revoked_at.is_(None),
        )
        .values(revoked_at=clock.now())
    )


def request_link(session: Session, email: str, address: str) -> None:
    """Email a single-use link to an active local account with this address; nothing else
    changes what the asker sees. Throttled (429) by address and client, for every address."""
    refusal = throttle.reset_refusal(session, email, address)
    if refusal is not None:
        raise refusal
    throttle.note(session, throttle.RESET, throttle.REQUESTED, email, address)
    user = _account(session, email)
    if user is None or not user.is_active:
        return
    settings = get_settings()
    base = settings.base_url.rstrip("/")
    if user.password_hash is None or user.oidc_object_id is not None:
        session.add(
            OutboxMessage(
                to_email=user.email,
                kind="password_reset_sso",
                subject="Signing in to RIIA Cycle",
                body=(
                    f"Dear {user.display_name},\n\nSomeone asked to reset the password for this "
                    "email address. Your account signs in with your council's Microsoft "
                    "account, so it has no RIIA Cycle password to reset. Choose 'Sign in with "
                    f"your council Microsoft account' at {base}/sign-in.\n\nIf you did not ask, "
                    "you can ignore this email."
                ),
            )
        )
        return
    _end_open_links(session, user.id)
    token = secrets.token_urlsafe(32)
    minutes = settings.password_reset_link_minutes
    link = PasswordReset(
        user_id=user.id,
        token_hash=_digest(token),
        created_at=clock.now(),
        expires_at=clock.now() + timedelta(minutes=minutes),
    )
    session.add(link)
    session.add(
        OutboxMessage(
            to_email=user.email,
            kind="password_reset",
            subject="Reset your RIIA Cycle password",
            body=(
                f"Dear {user.display_name},\n\nTo choose a new password, open this link within "
                f"{throttle.in_words(minutes * 60)}:\n\n{base}{LINK_PATH}/{token}\n\n"
                "The link works once. If you did not ask to reset your password, you can "
                "ignore this email: your password has not changed."
            ),
        )
    )
    session.flush()
    record(
        session,
        actor=Actor(None, "Someone at the sign-in page"),
        action="password_reset.requested",
        summary=f"Password reset link sent to {user.display_name}",
        subject_type="user",
        subject_id=user.id,
        payload={"address": address, "link_id": link.id},
    )


def live_link(session: Session, token: str) -> PasswordReset:
    """The link a token opens, if it is unused, not replaced and not expired; else LinkNotValid."""
    link = session.execute(
        select(PasswordReset).where(PasswordReset.token_hash == _digest(token))
    ).scalar_one_or_none()
    if (
        link is None
        or link.used_at is not None
        or link.revoked_at is not None
        or link.expires_at <= clock.now()
    ):
        raise LinkNotValid
    return link


def set_new_password(session: Session, token: str, password: str, confirmation: str) -> User:
    """Set the password a live link allows, once. Every session of the account and every other
    link it has end; its wrong sign-in count clears, as the email has been proved."""
    link = live_link(session, token)
    user = session.get(User, link.user_id)
    if user is None or not user.is_active or user.oidc_object_id is not None:
        raise LinkNotValid
    passwords.check_new_password(password, confirmation, user.email)
    # Argon2 is slow on purpose: hash outside any transaction, then write briefly.
    end_read(session)
    new_hash = passwords.hash_password(password)
    begin_write(session)
    now = clock.now()
    # Used exactly once, even when the same link is submitted twice at the same moment.
    claimed = session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.id == link.id,
            PasswordReset.used_at.is_(None),
            PasswordReset.revoked_at.is_(None),
            PasswordReset.expires_at > now,
        )
        .values(used_at=now)
    )
    assert isinstance(claimed, CursorResult)
    if claimed.rowcount != 1:
        raise LinkNotValid
    session.execute(update(User).where(User.id == user.id).values(password_hash=new_hash))
    _end_open_links(session, user.id)
    revoke_all_for_user(session, user.id)
    throttle.clear(session, user.email)
    record(
        session,
        actor=Actor(user.id, user.display_name),
        action="password_reset.completed",
        summary=f"{user.display_name} set a new password with a reset link",
        subject_type="user",
        subject_id=user.id,
        payload={"link_id": link.id},
    )
    return user
