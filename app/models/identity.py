"""People, the roles they hold, their sessions and their API tokens."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.types import UTCDateTime, utcnow


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (UniqueConstraint("oidc_tenant_id", "oidc_object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    # Local accounts only; Entra ID users have no password here.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    # Entra ID users are keyed by tenant and object id, never by email.
    oidc_tenant_id: Mapped[str | None] = mapped_column(String(64))
    oidc_object_id: Mapped[str | None] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RoleAssignment(Base):
    """A role held in a scope. Ending an assignment keeps it in the history; access follows it."""

    __tablename__ = "role_assignment"
    __table_args__ = (Index("ix_role_assignment_user_active", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    role: Mapped[str] = mapped_column(String(40))
    region_id: Mapped[str | None] = mapped_column(String(60))
    organisation_code: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebSession(Base):
    """A server-side session: the cookie holds only a random id, whose hash is stored here."""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    flash: Mapped[str | None] = mapped_column(String(500))
    # State, nonce and PKCE verifier while a Microsoft sign-in is under way.
    oidc_handshake: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiToken(Base):
    """A personal API token; only its SHA-256 is kept, so a leaked database leaks no tokens."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignInAttempt(Base):
    """A sign-in that failed or was refused unchecked, or a password reset asked for: the
    throttle's shared store.

    Kept in the database, not in a process's memory, so every server process counts the same
    attempts. Rows only matter for minutes (app/auth/throttle.py prunes older ones); the audit
    log keeps the history.
    """

    __tablename__ = "sign_in_attempt"
    __table_args__ = (
        Index("ix_sign_in_attempt_email_key", "purpose", "email_key", "attempted_at"),
        Index("ix_sign_in_attempt_address", "purpose", "address", "attempted_at"),
        Index("ix_sign_in_attempt_attempted_at", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))  # "sign_in" or "reset": counted apart
    # A hash of the normalised email address, whether or not an account has it: unknown
    # addresses are throttled the same way, and no typed address is stored in clear.
    email_key: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))  # the client's, IPv6 grouped by /64
    outcome: Mapped[str] = mapped_column(String(16))  # "failed", "refused" or "requested"
    # The email signed in afterwards: the failure no longer counts against it, but still
    # counts against the client address.
    cleared: Mapped[bool] = mapped_column(default=False)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PasswordReset(Base):
    """An emailed link to set a new password: single use, expiring, stored only as a hash."""

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A newer link, or a new password set by any link, ends this one.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
