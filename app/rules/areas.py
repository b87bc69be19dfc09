"""Areas as integers of 0.01 m² (DOMAIN §3 Arithmetic: never floats)."""

from __future__ import annotations

import re

#: the largest area accepted anywhere: 100,000,000.00 m² (a community is far smaller; the bound keeps every
#: sum of areas well inside a 64-bit integer)
MAX_AREA_CENTI = 10_000_000_000


class AreaFormatError(ValueError):
    """Text that is not an area: not a number, negative, or with more than two decimals."""


_AREA_TEXT = re.compile(r"[0-9]+(\.[0-9]{1,2})?")


def parse_area(text: str) -> int:
    """Parse a decimal m² string with at most two decimals into 0.01 m²: "1234.5" → 123450, "89.32" → 8932.

    Only ASCII digits and one point are read: "abc", "-1", "+5", "1.234", "1e3", "1_000", full-width digits and
    more than 100,000,000.00 m² raise AreaFormatError. Zero is accepted; callers that need a positive area check it.
    """
    cleaned = str(text).strip()
    if not _AREA_TEXT.fullmatch(cleaned):
        raise AreaFormatError(cleaned)
    whole, _, cents = cleaned.partition(".")
    centi = int(whole) * 100 + int(cents.ljust(2, "0") or "0")
    if centi > MAX_AREA_CENTI:
        raise AreaFormatError(cleaned)
    return centi


def format_area(centi: int) -> str:
    """An area in 0.01 m² as a decimal string with exactly two decimals: 123450 → "1234.50", 5 → "0.05"."""
    sign = "-" if centi < 0 else ""
    whole, cents = divmod(abs(centi), 100)
    return f"{sign}{whole}.{cents:02d}"
