"""Local account passwords, hashed with Argon2id."""

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from app.settings import get_settings

# The test suite creates hundreds of accounts; everywhere else uses the library's defaults.
_hasher = (
    PasswordHasher.from_parameters(profiles.CHEAPEST)
    if get_settings().environment == "test"
    else PasswordHasher()
)
# Verifying against this when the account is unknown keeps sign-in timing the same either way.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True only when the password matches; unknown accounts cost the same time."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
