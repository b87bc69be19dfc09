"""Threshold tests with exact integer arithmetic and their margins (Civil Code Arts 278 and 1259).

Art 1259: 以上 ("at least") includes the number itself; 过半数 ("more than half") does not. Every test is done on
integers (heads, or areas in 0.01 m²) with fractions.Fraction, never floats.

The margin is counted in whole units of the dimension (one head, or 0.01 m²): when the test is met, how much could
be lost with the test still met; when it is not met, how much more is needed. Example: at least 2/3 of 12,345.67 m²
needs 8,230.45 m² (3 · 823045 ≥ 2 · 1234567, and 823044 is not enough), so 9,000.00 m² is met with margin 769.55.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

TWO_THIRDS = Fraction(2, 3)
ONE_HALF = Fraction(1, 2)
THREE_QUARTERS = Fraction(3, 4)


class Comparison(StrEnum):
    AT_LEAST = "at_least"  #: value ≥ fraction · total (以上)
    MORE_THAN = "more_than"  #: value > fraction · total (超过, 过半数)


class Dimension(StrEnum):
    AREA = "area"  #: in 0.01 m²
    HEADS = "heads"


@dataclass(frozen=True)
class ThresholdTest:
    """One test: `value` against `fraction` of `total`, with the smallest value that meets it."""

    name: str
    dimension: Dimension
    value: int
    total: int
    fraction: Fraction
    comparison: Comparison
    smallest_meeting: int

    @property
    def met(self) -> bool:
        return self.value >= self.smallest_meeting

    @property
    def margin(self) -> int:
        """Units that could be lost (met) or are still needed (not met)."""
        return abs(self.value - self.smallest_meeting)


def smallest_meeting(total: int, fraction: Fraction, comparison: Comparison) -> int:
    """The smallest integer value that meets the test: at least 2/3 of 300 → 200; more than 1/2 of 100 → 51."""
    bound = fraction * total
    if comparison == Comparison.AT_LEAST:
        return math.ceil(bound)
    return math.floor(bound) + 1


def run_test(
    name: str, dimension: Dimension, value: int, total: int, fraction: Fraction, comparison: Comparison
) -> ThresholdTest:
    """Evaluate one threshold test. 199 of 300 heads for at least 2/3: not met, 1 more head needed."""
    return ThresholdTest(
        name=name,
        dimension=dimension,
        value=value,
        total=total,
        fraction=fraction,
        comparison=comparison,
        smallest_meeting=smallest_meeting(total, fraction, comparison),
    )


def quorum_tests(area: int, heads: int, total_area: int, total_heads: int) -> tuple[ThresholdTest, ThresholdTest]:
    """Participation (Art 278 ¶2): owners taking part hold at least 2/3 of the area and are at least 2/3 of heads."""
    return (
        run_test("quorum_area", Dimension.AREA, area, total_area, TWO_THIRDS, Comparison.AT_LEAST),
        run_test("quorum_heads", Dimension.HEADS, heads, total_heads, TWO_THIRDS, Comparison.AT_LEAST),
    )


def approval_tests(
    yes_area: int, yes_heads: int, area: int, heads: int, three_quarters: bool, prefix: str = "approval"
) -> tuple[ThresholdTest, ThresholdTest]:
    """Approval among participants: at least 3/4 for matters (6)(7)(8), more than half for the others.

    100 heads taking part: 50 yes fails and 51 passes (more than half); 75 yes passes and 74 fails (3/4).
    """
    if three_quarters:
        fraction, comparison = THREE_QUARTERS, Comparison.AT_LEAST
    else:
        fraction, comparison = ONE_HALF, Comparison.MORE_THAN
    return (
        run_test(f"{prefix}_area", Dimension.AREA, yes_area, area, fraction, comparison),
        run_test(f"{prefix}_heads", Dimension.HEADS, yes_heads, heads, fraction, comparison),
    )
