"""Turnout so far against the participation line of Civil Code Art 278 ¶2, in heads and in area (DOMAIN §4).

Owners taking part must hold at least 2/3 of the total area **and** be at least 2/3 of the total heads (以上 includes
the number itself, Art 1259). While voting runs, the convener needs to know how far off the line is: the heads and
the area (in 0.01 m²) still needed, counted exactly on integers through `app.rules.thresholds` (never floats).

Worked numbers: 300 heads of which 199 have voted → 1 more head needed (2/3 of 300 is 200). 10,000.00 m² of which
6,666.66 m² has voted → 0.01 m² more needed (3 · 666667 ≥ 2 · 1000000 but 3 · 666666 is not).

A building's line is a guide for canvassing only: the quorum counts over the whole meeting.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from app.rules.thresholds import ThresholdTest, quorum_tests


class TurnoutError(ValueError):
    """Counts that cannot be a turnout: negative, or more voted than there are."""


@dataclass(frozen=True)
class Participation:
    """Who has voted so far among a set of voters: heads, and area in 0.01 m², out of the set's totals."""

    voted_heads: int
    total_heads: int
    voted_area_centi: int
    total_area_centi: int

    def __post_init__(self) -> None:
        if not (0 <= self.voted_heads <= self.total_heads and 0 <= self.voted_area_centi <= self.total_area_centi):
            raise TurnoutError(
                f"voted {self.voted_heads}/{self.total_heads} heads, {self.voted_area_centi}/{self.total_area_centi}"
            )

    @property
    def _tests(self) -> tuple[ThresholdTest, ThresholdTest]:
        return quorum_tests(self.voted_area_centi, self.voted_heads, self.total_area_centi, self.total_heads)

    @property
    def area_test(self) -> ThresholdTest:
        """At least 2/3 of the area (Art 278 ¶2)."""
        return self._tests[0]

    @property
    def heads_test(self) -> ThresholdTest:
        """At least 2/3 of the heads (Art 278 ¶2)."""
        return self._tests[1]

    @property
    def heads_line(self) -> int:
        """The fewest heads that reach 2/3: ⌈2·total/3⌉ (200 of 300; 2 of 3; 3 of 4)."""
        return self.heads_test.smallest_meeting

    @property
    def area_line_centi(self) -> int:
        """The least area that reaches 2/3, in 0.01 m²: ⌈2·total/3⌉ (666667 of 1000000)."""
        return self.area_test.smallest_meeting

    @property
    def heads_needed(self) -> int:
        """More heads needed to reach 2/3: max(0, ⌈2·total/3⌉ − voted). 199 of 300 → 1."""
        return max(0, self.heads_line - self.voted_heads)

    @property
    def area_needed_centi(self) -> int:
        """More area needed to reach 2/3, in 0.01 m²: max(0, ⌈2·total/3⌉ − voted). 666666 of 1000000 → 1."""
        return max(0, self.area_line_centi - self.voted_area_centi)

    @property
    def meets_heads(self) -> bool:
        return self.heads_test.met

    @property
    def meets_area(self) -> bool:
        return self.area_test.met

    @property
    def meets_quorum(self) -> bool:
        """Both dimensions at least 2/3: participation is sufficient (Art 278 ¶2)."""
        return self.meets_heads and self.meets_area

    @property
    def heads_share(self) -> Fraction:
        """Voted heads as an exact share of all heads (0 when there are none)."""
        return Fraction(self.voted_heads, self.total_heads) if self.total_heads else Fraction(0)

    @property
    def area_share(self) -> Fraction:
        return Fraction(self.voted_area_centi, self.total_area_centi) if self.total_area_centi else Fraction(0)


def combined(parts: Iterable[Participation]) -> Participation:
    """The participation of several disjoint sets of voters (the buildings of a meeting): sums in each dimension."""
    voted_heads = total_heads = voted_area = total_area = 0
    for part in parts:
        voted_heads += part.voted_heads
        total_heads += part.total_heads
        voted_area += part.voted_area_centi
        total_area += part.total_area_centi
    return Participation(voted_heads, total_heads, voted_area, total_area)


def percent_down(share: Fraction, decimals: int = 1) -> str:
    """A share as a percentage for display, rounded down so that the line never looks reached before it is:
    2/3 → "66.6", 199/300 → "66.3", 1 → "100.0". The decision is the exact test, never this text."""
    scale = 10**decimals
    scaled = share.numerator * 100 * scale // share.denominator
    whole, part = divmod(scaled, scale)
    return f"{whole}.{part:0{decimals}d}" if decimals else str(whole)


def scaled_length(share: Fraction, length: int) -> int:
    """A share of ``length`` drawing units, rounded down (a bar of a chart): 2/3 of 270 → 180, 199/300 of 270 → 179."""
    return share.numerator * length // share.denominator
