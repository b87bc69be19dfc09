"""Areas as integers of 0.01 m² (DOMAIN §3 Arithmetic: never floats)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

#: the largest area accepted anywhere: 100,000,000.00 m² (a community is far smaller; the bound keeps every
#: sum of areas well inside a 64-bit integer)
MAX_AREA_CENTI = 10_000_000_000


class AreaFormatError(ValueError):
    """Text that is not an area: not a number, negative, or with more than two decimals."""


def parse_area(text: str) -> int:
    """Parse a decimal m² string with at most two decimals into 0.01 m²: "1234.5" → 123450, "89.32" → 8932.

    Raises AreaFormatError for "abc", "-1", "1.234", "1e3", more than 100,000,000.00 m² and the like. Zero is
    accepted; callers that need a positive area check it.
    """
    cleaned = str(text).strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise AreaFormatError(cleaned) from exc
    exponent = value.as_tuple().exponent
    if not value.is_finite() or "e" in cleaned.lower() or not isinstance(exponent, int) or exponent < -2:
        raise AreaFormatError(cleaned)
    if value < 0 or value * 100 > MAX_AREA_CENTI:
        raise AreaFormatError(cleaned)
    return int(value * 100)


def format_area(centi: int) -> str:
    """An area in 0.01 m² as a decimal string with exactly two decimals: 123450 → "1234.50", 5 → "0.05"."""
    sign = "-" if centi < 0 else ""
    whole, cents = divmod(abs(centi), 100)
    return f"{sign}{whole}.{cents:02d}"
