"""Checks on free text that people type (names, addresses): what the database and the pages can hold."""

from __future__ import annotations

import unicodedata


def has_control_characters(value: str) -> bool:
    """True for text with control characters (NUL, escape codes …), which no name or address needs and which
    PostgreSQL refuses (NUL): 'A\\x00B' → True, '张 三' → False."""
    return any(unicodedata.category(ch) == "Cc" for ch in value)


def required_text(value: str, field: str, limit: int) -> str:
    """The stripped text, or a DomainError naming the field: empty, longer than `limit`, or with control characters."""
    from flask_babel import lazy_gettext as _l

    from app.errors import DomainError

    cleaned = value.strip()
    if not cleaned or len(cleaned) > limit:
        raise DomainError(
            "invalid_" + field, _l("This field is required (at most %(n)d characters).", n=limit), field=field
        )
    if has_control_characters(cleaned):
        raise DomainError("invalid_" + field, _l("This text contains characters that cannot be stored."), field=field)
    return cleaned
