"""Errors a person can cause: a stable code for the API and a message in the user's language."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refused request. `code` is stable (API clients test it); `message` is translated when shown."""

    status = 422

    def __init__(self, code: str, message: Any, *, status: int | None = None, field: str | None = None):
        super().__init__(code)
        self.code = code
        self.message = message
        self.field = field
        if status is not None:
            self.status = status

    def __str__(self) -> str:
        """The message, translated for the current request (rendered late: lazy strings need a locale)."""
        return str(self.message)


class NotFound(DomainError):
    """The object does not exist, or is outside the caller's scope (the two are not told apart)."""

    status = 404


class Forbidden(DomainError):
    """The caller may see the object but not do this to it."""

    status = 403
