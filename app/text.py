"""Checks on free text that people type (names, addresses): what the database and the pages can hold."""

from __future__ import annotations

import unicodedata


def has_control_characters(value: str, *, allow_lines: bool = False) -> bool:
    """True for text with control characters (NUL, escape codes …), which no name or address needs and which
    PostgreSQL refuses (NUL): 'A\\x00B' → True, '张 三' → False. With ``allow_lines``, line breaks and tabs of a
    multi-line text are allowed: 'a\\nb' → False."""
    allowed = "\n\t" if allow_lines else ""
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value)


def required_text(value: str, field: str, limit: int, *, multiline: bool = False) -> str:
    """The stripped text, or a DomainError naming the field: empty, longer than `limit`, or with control characters
    (line breaks allowed when ``multiline``; Windows line ends become \\n)."""
    from flask_babel import lazy_gettext as _l

    from app.errors import DomainError

    cleaned = value.replace("\r\n", "\n").strip()
    if not cleaned or len(cleaned) > limit:
        raise DomainError(
            "invalid_" + field, _l("This field is required (at most %(n)d characters).", n=limit), field=field
        )
    if has_control_characters(cleaned, allow_lines=multiline):
        raise DomainError("invalid_" + field, _l("This text contains characters that cannot be stored."), field=field)
    return cleaned


def optional_text(value: str, field: str, limit: int, *, multiline: bool = False) -> str:
    """Like `required_text`, but empty text is allowed (and returned as "")."""
    return required_text(value, field, limit, multiline=multiline) if value.strip() else ""


#: what a spreadsheet reads as the start of a formula (OWASP "CSV injection"): =, +, -, @, a tab, a carriage return
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A cell's value as an export writes it: a text that a spreadsheet would run as a formula gets a leading
    apostrophe (=HYPERLINK("…") → '=HYPERLINK("…")), shown as text; anything else unchanged (issue 16 item 5)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
