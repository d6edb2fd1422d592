"""Settings refuse unsafe production defaults."""

import pytest
from pydantic import ValidationError

from app.settings import Settings


def test_production_refuses_sqlite_and_insecure_cookies() -> None:
    with pytest.raises(ValidationError, match="must name PostgreSQL"):
        Settings(environment="production", database_url="sqlite:///x.db")
    with pytest.raises(ValidationError, match="COOKIE_SECURE must be true"):
        Settings(
            environment="production", database_url="postgresql+psycopg://db/x", cookie_secure=False
        )
    with pytest.raises(ValidationError, match="RIIA_OIDC_CLIENT_SECRET"):
        Settings(
            environment="production", database_url="postgresql+psycopg://db/x", oidc_client_id="abc"
        )


def test_cookie_name_follows_security() -> None:
    assert Settings(cookie_secure=True).session_cookie_name == "__Host-riia_session"
    assert Settings(cookie_secure=False).session_cookie_name == "riia_session"
