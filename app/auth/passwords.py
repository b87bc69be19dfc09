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
#: zxcvbn's score a password needs (0–4: 2 is "somewhat guessable", protected from unthrottled online guessing)
MIN_PASSWORD_SCORE = 2


def weak_password(password: str, *known: str) -> bool:
    """Whether a password is too easy to guess (issue 16 item 6): zxcvbn (a kept port of Dropbox's estimator, with
    the common-password lists) scores it below MIN_PASSWORD_SCORE, taking the login name and display name as known
    words: "1234567890" and "jiyang1-1234" for jiyang1 are weak, "correct horse battery" is not."""
    from zxcvbn import zxcvbn

    return int(zxcvbn(password[:100], user_inputs=[k for k in known if k])["score"]) < MIN_PASSWORD_SCORE


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
