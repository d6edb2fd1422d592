"""Signing in with an email address and password, through the throttle (app/auth/throttle.py).

The request reads (the throttle's counts, the account), ends its reading transaction, checks the
password with Argon2 outside any transaction, then writes briefly: the new session, or the
failure counted and audited.
"""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.chain import Actor, record
from app.auth import accounts, throttle
from app.auth.sessions import OpenedSession, sign_in_as
from app.db import begin_write
from app.errors import NotSignedIn
from app.models import User, WebSession

SOMEONE = Actor(None, "Someone signing in")


def _audit(
    session: Session, action: str, summary: str, email: str, address: str, **more: object
) -> None:
    user_id = session.execute(
        select(User.id).where(func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()
    record(
        session,
        actor=SOMEONE,
        action=action,
        summary=summary,
        # An address with no account is named by its hash, never as typed (people type
        # passwords into the email box).
        subject_type="user" if user_id is not None else "sign_in",
        subject_id=user_id if user_id is not None else throttle.email_key(email)[:16],
        payload={"address": address, "email_key": throttle.email_key(email), **more},
    )


def sign_in_with_password(
    session: Session, browser: WebSession, email: str, password: str, address: str
) -> OpenedSession:
    """A new signed-in session for the right password, unless throttled.

    While the email address or the client address is throttled, the attempt is refused without
    checking the password (Argon2 is the expensive part a guesser wants us to run). Every wrong
    password is counted and audited; a right one clears the account's count.
    """
    refusal = throttle.sign_in_refusal(session, email, address)
    if refusal is not None:
        begin_write(session)
        throttle.note(session, throttle.SIGN_IN, throttle.REFUSED, email, address)
        _audit(
            session,
            "sign_in.locked" if refusal.locked else "sign_in.delayed",
            f"Sign-in refused unchecked for {throttle.in_words(refusal.retry_after)}",
            email,
            address,
            retry_after=refusal.retry_after,
        )
        raise refusal
    try:
        user = accounts.authenticate(session, email, password)  # Argon2, outside transactions
    except NotSignedIn:
        begin_write(session)
        throttle.note(session, throttle.SIGN_IN, throttle.FAILED, email, address)
        _audit(session, "sign_in.failed", "Sign-in failed: wrong email or password", email, address)
        now_refused = throttle.sign_in_refusal(session, email, address)
        if now_refused is not None:
            # Say at once that the next try must wait, not after another wasted attempt.
            now_refused.message = (
                f"The email address or password was not right. {now_refused.message}"
            )
            raise now_refused from None
        raise
    opened = sign_in_as(session, browser, user.id)
    throttle.clear(session, email)
    return opened
