"""Environment settings only: secrets, URLs and switches. Reference data lives in regions/."""

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RIIA_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'riia.db'}"
    # Cookies are Secure and __Host- prefixed unless explicitly turned off for plain-http use.
    cookie_secure: bool = True
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    max_request_bytes: int = 2 * 1024 * 1024
    # Supporting documents (up to 10 MB each) are stored here, outside the web root, named by
    # their SHA-256; only their upload routes take bodies past max_request_bytes (app/middleware.py).
    data_dir: Path = PROJECT_ROOT / "var" / "data"
    base_url: str = "http://127.0.0.1:8000"
    # The reverse proxies (comma-separated addresses) whose X-Forwarded-For names the client, so
    # the sign-in throttle counts people's addresses, not the proxy's. Unset: no proxy trusted.
    forwarded_allow_ips: str | None = None
    # Database work runs in each worker's thread pool, one pooled connection per thread, so a
    # busy worker queues requests instead of opening and closing connections (issue 8).
    worker_threads: int = 20
    # Open the pool's connections when a worker starts (off in the in-process test suite).
    fill_pool_at_start: bool = True
    # Password checks (Argon2) run at once per worker; the rest queue (app/auth/passwords.py).
    password_checks_at_once: int = 1
    # How long a SQLite writer waits its turn for the write lock before giving up.
    db_busy_timeout_ms: int = 8000
    # PostgreSQL: nothing waits forever. A statement, a lock wait or a transaction left idle
    # past these limits fails and is rolled back.
    db_statement_timeout_ms: int = 15000
    db_lock_timeout_ms: int = 8000
    db_idle_in_transaction_timeout_ms: int = 60000
    # A worker told to stop finishes the requests it has within this many seconds.
    shutdown_grace_seconds: int = 8
    # Render packs in the background after a change, so downloads come from the cache.
    warm_packs: bool = True
    # Serving the demonstration (riia setup-demo, riia demo): every page and every pack page says
    # "Demonstration: invented text about real councils" (app/demo_notice.py). `riia serve` turns
    # it on for a database holding the demonstration; production refuses it.
    demo: bool = False

    # Sign-in throttling (app/auth/throttle.py). Wrong passwords counted over a window slow an
    # email address down with doubling waits, then lock it for a while; a client address gets
    # more room, as a council's staff may share one office address.
    sign_in_window_minutes: int = Field(default=15, ge=1)
    sign_in_lock_minutes: int = Field(default=15, ge=1)
    sign_in_account_delay_after: int = Field(default=5, ge=1)
    sign_in_account_lock_after: int = Field(default=10, ge=1)
    sign_in_address_delay_after: int = Field(default=20, ge=1)
    sign_in_address_lock_after: int = Field(default=50, ge=1)
    sign_in_first_delay_seconds: int = Field(default=1, ge=1)
    sign_in_max_delay_seconds: int = Field(default=60, ge=1)
    # Password reset (app/auth/reset.py): how long an emailed link works, and how many links
    # an email address, or a client address, may ask for in the window.
    password_reset_link_minutes: int = Field(default=60, ge=5)
    password_reset_window_minutes: int = Field(default=60, ge=1)
    password_reset_per_email: int = Field(default=3, ge=1)
    password_reset_per_address: int = Field(default=20, ge=1)

    # The Ed25519 private key (PEM, PKCS#8) that signs the audit chain's head each day, held
    # outside the database so that whoever can write to it cannot rewrite history unseen.
    # `riia audit keygen --out FILE` makes one. Required in production (app/audit/signing.py).
    audit_signing_key_file: Path | None = None

    # Email: console in development, GOV.UK Notify or SMTP when configured.
    email_backend: Literal["console", "notify", "smtp"] = "console"
    notify_api_key: str | None = None
    notify_reminder_template_id: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_from: str = "riia-cycle@localhost"
    # Where the Beta banner's feedback link goes: a mailto: or https: address. Unset, it is an
    # email to the service's own sending address.
    feedback_url: str | None = None

    # Microsoft Entra ID (OpenID Connect, multi-tenant), off unless a client id is set.
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_allowed_tenants: list[str] = []

    @model_validator(mode="after")
    def refuse_unsafe_production(self) -> "Settings":
        if self.environment == "production":
            if self.demo:
                raise ValueError("RIIA_DEMO: the demonstration may not run in production")
            if not self.cookie_secure:
                raise ValueError("RIIA_COOKIE_SECURE must be true in production")
            if self.database_url.startswith("sqlite"):
                raise ValueError("RIIA_DATABASE_URL must name PostgreSQL in production")
            if self.oidc_client_id and not (self.oidc_client_secret and self.oidc_allowed_tenants):
                raise ValueError(
                    "Entra ID needs RIIA_OIDC_CLIENT_SECRET and RIIA_OIDC_ALLOWED_TENANTS"
                )
            if self.audit_signing_key_file is None or not self.audit_signing_key_file.is_file():
                raise ValueError(
                    "RIIA_AUDIT_SIGNING_KEY_FILE must name the audit signing key file in "
                    "production (make one with: riia audit keygen --out FILE)"
                )
        return self

    @property
    def db_pool_size(self) -> int:
        return self.worker_threads

    @property
    def feedback_href(self) -> str:
        return self.feedback_url or f"mailto:{self.smtp_from}?subject=RIIA%20Cycle%20feedback"

    @property
    def session_cookie_name(self) -> str:
        return "__Host-riia_session" if self.cookie_secure else "riia_session"


@cache
def get_settings() -> Settings:
    return Settings()
