"""Turnout arithmetic against the 2/3 participation line (Civil Code Art 278 ¶2; DOMAIN §4), pure and exact: the heads
and the area (0.01 m²) still needed are max(0, ⌈2·total/3⌉ − voted), never computed with floats."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules.areas import MAX_AREA_CENTI
from app.rules.turnout import Participation, TurnoutError, combined, percent_down, scaled_length


def heads(voted: int, total: int) -> Participation:
    return Participation(voted, total, 0, 0)


def area(voted: int, total: int) -> Participation:
    return Participation(0, 0, voted, total)


def ceil_two_thirds(total: int) -> int:
    """⌈2·total/3⌉ by integer division alone, independent of the code under test."""
    return -(-2 * total // 3)


# --- worked numbers (DOMAIN §4) -------------------------------------------------------------------------------------


def test_199_of_300_heads_needs_one_more() -> None:
    p = heads(199, 300)
    assert (p.heads_line, p.heads_needed, p.meets_heads) == (200, 1, False)


def test_200_of_300_heads_reaches_the_line() -> None:
    p = heads(200, 300)
    assert (p.heads_needed, p.meets_heads) == (0, True)


def test_exactly_two_thirds_of_the_heads_is_enough() -> None:
    """以上 includes the number itself (Art 1259): 2 of 3 is at least 2/3."""
    assert heads(2, 3).meets_heads
    assert heads(2, 3).heads_needed == 0
    assert not heads(1, 3).meets_heads


def test_6666_66_of_10000_m2_needs_one_hundredth_more() -> None:
    """3 · 666666 < 2 · 1000000 ≤ 3 · 666667."""
    p = area(666_666, 1_000_000)
    assert (p.area_line_centi, p.area_needed_centi, p.meets_area) == (666_667, 1, False)
    assert area(666_667, 1_000_000).meets_area


def test_one_hundredth_short_of_two_thirds_of_300_01_m2() -> None:
    """Three voters of 100.00, 100.00 and 100.01 m²: the first two are 2/3 of the heads but 200.00 of 300.01 m² is
    short of 2/3 (3 · 20000 = 60000 < 60002 = 2 · 30001) by 0.01 m²; 200.01 m² reaches it."""
    short = Participation(2, 3, 20_000, 30_001)
    assert short.meets_heads
    assert not short.meets_area
    assert not short.meets_quorum
    assert (short.heads_needed, short.area_needed_centi) == (0, 1)
    reached = Participation(2, 3, 20_001, 30_001)
    assert reached.meets_quorum
    assert (reached.heads_needed, reached.area_needed_centi) == (0, 0)


def test_both_dimensions_are_needed() -> None:
    assert not Participation(3, 3, 1, 300).meets_quorum
    assert not Participation(1, 3, 300, 300).meets_quorum
    assert Participation(3, 3, 300, 300).meets_quorum


def test_nobody_to_count_needs_nothing() -> None:
    p = Participation(0, 0, 0, 0)
    assert (p.heads_needed, p.area_needed_centi, p.heads_share, p.area_share) == (0, 0, 0, 0)


def test_buildings_combine_by_summing_each_dimension() -> None:
    """1幢: 2 of 3 owners, 180.00 of 270.00 m²; 2幢: 0 of 3, 0 of 300.00 m² → 2 of 6 owners (2 more needed to reach 4)
    and 180.00 of 570.00 m² (200.00 more needed to reach 380.00)."""
    total = combined([Participation(2, 3, 18_000, 27_000), Participation(0, 3, 0, 30_000)])
    assert total == Participation(2, 6, 18_000, 57_000)
    assert (total.heads_needed, total.area_needed_centi) == (2, 20_000)


@pytest.mark.parametrize(
    ("voted_heads", "total_heads", "voted_area", "total_area"),
    [(-1, 3, 0, 0), (4, 3, 0, 0), (0, 0, -1, 5), (0, 0, 6, 5)],
)
def test_impossible_counts_are_refused(voted_heads: int, total_heads: int, voted_area: int, total_area: int) -> None:
    with pytest.raises(TurnoutError):
        Participation(voted_heads, total_heads, voted_area, total_area)


# --- display helpers ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("share", "shown"),
    [
        (Fraction(2, 3), "66.6"),
        (Fraction(199, 300), "66.3"),
        (Fraction(1), "100.0"),
        (Fraction(0), "0.0"),
        (Fraction(1, 8), "12.5"),
    ],
)
def test_percentages_are_rounded_down(share: Fraction, shown: str) -> None:
    assert percent_down(share) == shown


def test_bars_are_rounded_down_and_the_line_falls_on_a_whole_unit() -> None:
    assert scaled_length(Fraction(2, 3), 300) == 200
    assert scaled_length(Fraction(199, 300), 300) == 199
    assert scaled_length(Fraction(666_666, 1_000_000), 300) == 199


# --- properties -----------------------------------------------------------------------------------------------------


@st.composite
def voted_and_total(draw: st.DrawFn, largest: int) -> tuple[int, int]:
    total = draw(st.integers(min_value=0, max_value=largest))
    return draw(st.integers(min_value=0, max_value=total)), total


@given(voted_and_total(1_000_000))
def test_heads_needed_is_the_ceiling_of_two_thirds_less_those_who_voted(counts: tuple[int, int]) -> None:
    voted, total = counts
    p = heads(voted, total)
    assert p.heads_needed == max(0, ceil_two_thirds(total) - voted)
    assert p.meets_heads == (3 * voted >= 2 * total)
    assert p.meets_heads == (p.heads_needed == 0)


@given(voted_and_total(MAX_AREA_CENTI))
def test_area_needed_is_the_ceiling_of_two_thirds_less_the_area_voted(counts: tuple[int, int]) -> None:
    voted, total = counts
    p = area(voted, total)
    assert p.area_needed_centi == max(0, ceil_two_thirds(total) - voted)
    assert p.meets_area == (3 * voted >= 2 * total)


@given(voted_and_total(MAX_AREA_CENTI))
def test_what_is_needed_is_exactly_enough(counts: tuple[int, int]) -> None:
    """Adding what is needed reaches the line; one unit (a head, 0.01 m²) less does not."""
    voted, total = counts
    needed = area(voted, total).area_needed_centi
    assert area(voted + needed, total).meets_area
    if needed:
        assert not area(voted + needed - 1, total).meets_area


@given(voted_and_total(10**9))
def test_a_percentage_never_shows_more_than_the_exact_share(counts: tuple[int, int]) -> None:
    voted, total = counts
    share = heads(voted, total).heads_share
    shown = Fraction(percent_down(share)) / 100
    assert shown <= share < shown + Fraction(1, 1000)
