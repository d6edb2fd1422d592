"""Local account passwords, hashed with Argon2id."""

import threading

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from app.errors import InvalidInput
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


# Length, not character classes, is what makes a password hard to guess (NCSC password
# guidance); the upper bound only stops a megabyte "password" reaching Argon2.
MIN_LENGTH = 12
MAX_LENGTH = 256


def check_new_password(password: str, confirmation: str, email: str) -> None:
    """A new password is 12 to 256 characters, not the email address, and typed the same twice."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(
            f"Enter a password of at least {MIN_LENGTH} characters", field="password"
        )
    if len(password) > MAX_LENGTH:
        raise InvalidInput(
            f"Enter a password of {MAX_LENGTH} characters or fewer", field="password"
        )
    if password.strip().lower() == email.strip().lower():
        raise InvalidInput("Enter a password that is not your email address", field="password")
    if confirmation != password:
        raise InvalidInput("Enter the same password twice", field="confirm")
