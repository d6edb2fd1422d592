"""Local account passwords, hashed with Argon2id."""

import threading

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


# Argon2 is meant to be expensive (about 0.15 s of CPU here). When a region's DCSs all sign in
# at once, twenty checks sharing two cores would starve every page of every signed-in person;
# a few at a time per worker keeps pages answering while the sign-ins queue (issue 8).
_checks_at_once = threading.BoundedSemaphore(get_settings().password_checks_at_once)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True only when the password matches; unknown accounts cost the same time."""
    with _checks_at_once:
        try:
            return (
                _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
            )
        except (VerificationError, InvalidHashError):
            return False
