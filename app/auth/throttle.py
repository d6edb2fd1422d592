"""Slowing password guessing down: counted by email address and by client address, in the database.

The counts live in `sign_in_attempt` rather than in a process's memory, so every server process
(and every PostgreSQL worker) sees the same attempts. A person who is throttled is refused at
once with the time left to wait, never kept waiting by a server-side sleep, which would hold a
worker thread for each guess; and a refusal is decided before any password is checked, so a
locked account costs no Argon2.

An email address is counted whether or not an account has it, and the refusal reads the same
either way, so the throttle tells nobody which addresses have accounts.
"""

import hashlib
import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app import clock
from app.errors import DomainError
from app.models.identity import SignInAttempt
from app.settings import Settings, get_settings

SIGN_IN = "sign_in"
RESET = "reset"
FAILED, REFUSED, REQUESTED = "failed", "refused", "requested"
# Rows are only read for minutes; a day's worth is kept so an operator can look at a burst.
KEEP_FOR = timedelta(days=1)


class Throttled(DomainError):
    """Too many attempts: try again after `retry_after` seconds (HTTP 429, Retry-After)."""

    status_code = 429
    title = "Too many attempts"

    def __init__(self, message: str, *, retry_after: int, locked: bool, field: str = "email"):
        super().__init__(message, field=field)
        self.retry_after = retry_after
        self.locked = locked


def email_key(email: str) -> str:
    """The normalised address's SHA-256: what is typed into the email box is not kept in clear."""
    return hashlib.sha256(email.strip().lower().encode("utf-8", "replace")).hexdigest()


def client_key(host: str | None) -> str:
    """The client's address; IPv6 by /64, since one household or office is handed a whole /64."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:64]
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def in_words(seconds: int) -> str:
    """'40 seconds', '1 minute', '15 minutes': a wait as the page says it (rounded up)."""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@dataclass(frozen=True)
class _Count:
    attempts: int  # in the window that ends at the last one
    last: datetime | None


def _count(session: Session, since: datetime, window: timedelta, most: int, *where: Any) -> _Count:
    """Wrong passwords counted over the window ending at the latest, so a lock lasts its full
    time rather than ending as the window slides past the first of them."""
    times = list(
        session.execute(
            select(SignInAttempt.attempted_at)
            .where(
                SignInAttempt.purpose == SIGN_IN,
                SignInAttempt.outcome == FAILED,
                SignInAttempt.attempted_at > since,
                *where,
            )
            .order_by(SignInAttempt.attempted_at.desc())
            .limit(most)
        ).scalars()
    )
    if not times:
        return _Count(0, None)
    return _Count(sum(1 for t in times if t > times[0] - window), times[0])


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(0, math.ceil((moment - now).total_seconds()))


def _sign_in_wait(
    count: _Count, delay_after: int, lock_after: int, settings: Settings, now: datetime
) -> tuple[int, bool]:
    """(seconds to wait, locked) after `count` wrong passwords: waits that double, then a lock."""
    if count.last is None or count.attempts < delay_after:
        return 0, False
    if count.attempts >= lock_after:
        until = count.last + timedelta(minutes=settings.sign_in_lock_minutes)
        return _seconds_until(until, now), True
    delay = min(
        settings.sign_in_first_delay_seconds * 2 ** (count.attempts - delay_after),
        settings.sign_in_max_delay_seconds,
    )
    return _seconds_until(count.last + timedelta(seconds=delay), now), False


def sign_in_refusal(session: Session, email: str, address: str) -> Throttled | None:
    """Why a password may not be checked now (too many wrong ones lately), or None. Reads only."""
    settings = get_settings()
    now = clock.now()
    window = timedelta(minutes=settings.sign_in_window_minutes)
    since = now - window - timedelta(minutes=settings.sign_in_lock_minutes)
    by_account = _count(
        session,
        since,
        window,
        settings.sign_in_account_lock_after,
        SignInAttempt.email_key == email_key(email),
        SignInAttempt.cleared.is_(False),
    )
    by_address = _count(
        session,
        since,
        window,
        settings.sign_in_address_lock_after,
        SignInAttempt.address == address,
    )
    account_wait, account_locked = _sign_in_wait(
        by_account,
        settings.sign_in_account_delay_after,
        settings.sign_in_account_lock_after,
        settings,
        now,
    )
    address_wait, address_locked = _sign_in_wait(
        by_address,
        settings.sign_in_address_delay_after,
        settings.sign_in_address_lock_after,
        settings,
        now,
    )
    if not account_wait and not address_wait:
        return None
    if account_wait >= address_wait:
        wait, locked = account_wait, account_locked
        why = "There have been too many wrong passwords for this email address"
    else:
        wait, locked = address_wait, address_locked
        why = "There have been too many wrong passwords from your network"
    if locked:
        message = (
            f"{why}, so signing in is locked for now. You can try again in {in_words(wait)}, "
            "or reset your password."
        )
    else:
        message = f"{why}. Wait {in_words(wait)}, then try again."
    return Throttled(message, retry_after=wait, locked=locked)


def reset_refusal(session: Session, email: str, address: str) -> Throttled | None:
    """Why no more reset links may be asked for now, or None. Every request counts. Reads only."""
    settings = get_settings()
    now = clock.now()
    since = now - timedelta(minutes=settings.password_reset_window_minutes)
    window = timedelta(minutes=settings.password_reset_window_minutes)
    for where, limit in (
        (SignInAttempt.email_key == email_key(email), settings.password_reset_per_email),
        (SignInAttempt.address == address, settings.password_reset_per_address),
    ):
        first = session.execute(
            select(SignInAttempt.attempted_at)
            .where(SignInAttempt.purpose == RESET, SignInAttempt.attempted_at > since, where)
            .order_by(SignInAttempt.attempted_at.desc())
            .offset(limit - 1)
            .limit(1)
        ).scalar_one_or_none()
        if first is not None:
            # The limit-th most recent request leaves the window first, freeing a place.
            wait = max(1, _seconds_until(first + window, now))
            return Throttled(
                "Too many password reset links have been asked for. "
                f"You can ask again in {in_words(wait)}.",
                retry_after=wait,
                locked=True,
            )
    return None


def note(session: Session, purpose: str, outcome: str, email: str, address: str) -> None:
    """Count one attempt (a wrong password, a refusal, a reset asked for); forget old ones."""
    now = clock.now()
    session.execute(delete(SignInAttempt).where(SignInAttempt.attempted_at < now - KEEP_FOR))
    session.add(
        SignInAttempt(
            purpose=purpose,
            outcome=outcome,
            email_key=email_key(email),
            address=address,
            attempted_at=now,
        )
    )
    session.flush()


def clear(session: Session, email: str) -> None:
    """The account has signed in (or proved its email): its wrong passwords stop counting
    against it. They still count against the client address."""
    session.execute(
        update(SignInAttempt)
        .where(
            SignInAttempt.purpose == SIGN_IN,
            SignInAttempt.email_key == email_key(email),
            SignInAttempt.cleared.is_(False),
        )
        .values(cleared=True)
    )
