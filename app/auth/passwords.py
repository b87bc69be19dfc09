"""Password hashing with argon2id (argon2-cffi).

Production uses argon2-cffi's default parameters (RFC 9106 low-memory profile). The test suite sets
ARGON2_PROFILE = "CHEAPEST" so that creating hundreds of accounts stays fast; hashes of either profile verify.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

MIN_PASSWORD_LENGTH = 10


@cache
def _hasher(profile: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(getattr(profiles, profile))


def _current_hasher() -> PasswordHasher:
    profile = current_app.config.get("ARGON2_PROFILE") if has_app_context() else None
    return _hasher(profile or "RFC_9106_LOW_MEMORY")


@cache
def _dummy_hash(profile_hasher: PasswordHasher) -> str:
    """A hash verified against when the account does not exist, so timing does not reveal login names."""
    return profile_hasher.hash("no such account: constant-time dummy")


def hash_password(password: str) -> str:
    return _current_hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    hasher = _current_hasher()
    try:
        return hasher.verify(password_hash or _dummy_hash(hasher), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
