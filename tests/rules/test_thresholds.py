"""Threshold arithmetic (Civil Code Arts 278 and 1259; DOMAIN §4): every worked number, each boundary on both
sides, in both dimensions, for both approval classes, with exact margins."""

from __future__ import annotations

from fractions import Fraction

import pytest

from app.rules.model import CATEGORIES, THREE_QUARTER_CATEGORIES, Threshold, threshold_for
from app.rules.thresholds import (
    ONE_HALF,
    THREE_QUARTERS,
    TWO_THIRDS,
    Comparison,
    Dimension,
    approval_tests,
    quorum_tests,
    run_test,
    smallest_meeting,
)

AT_LEAST, MORE_THAN = Comparison.AT_LEAST, Comparison.MORE_THAN
AREA, HEADS = Dimension.AREA, Dimension.HEADS


@pytest.mark.parametrize(
    ("dimension", "value", "total", "fraction", "comparison", "met", "smallest", "margin"),
    [
        # DOMAIN §4 worked numbers
        pytest.param(HEADS, 200, 300, TWO_THIRDS, AT_LEAST, True, 200, 0, id="200 of 300 heads meets 2/3"),
        pytest.param(HEADS, 199, 300, TWO_THIRDS, AT_LEAST, False, 200, 1, id="199 of 300 heads misses 2/3"),
        pytest.param(HEADS, 51, 100, ONE_HALF, MORE_THAN, True, 51, 0, id="51 yes of 100 heads is more than half"),
        pytest.param(HEADS, 50, 100, ONE_HALF, MORE_THAN, False, 51, 1, id="50 yes of 100 heads is only half"),
        pytest.param(HEADS, 51, 101, ONE_HALF, MORE_THAN, True, 51, 0, id="51 yes of 101 heads is more than half"),
        pytest.param(HEADS, 50, 101, ONE_HALF, MORE_THAN, False, 51, 1, id="50 yes of 101 heads is not"),
        pytest.param(HEADS, 75, 100, THREE_QUARTERS, AT_LEAST, True, 75, 0, id="75 yes of 100 heads meets 3/4"),
        pytest.param(HEADS, 74, 100, THREE_QUARTERS, AT_LEAST, False, 75, 1, id="74 yes of 100 heads misses 3/4"),
        pytest.param(
            AREA, 666667, 1000000, TWO_THIRDS, AT_LEAST, True, 666667, 0, id="6666.67 of 10000.00 m² meets 2/3"
        ),
        pytest.param(
            AREA, 666666, 1000000, TWO_THIRDS, AT_LEAST, False, 666667, 1, id="6666.66 of 10000.00 m² misses 2/3"
        ),
        # the margin example of the issue and of the thresholds module
        pytest.param(
            AREA,
            900000,
            1234567,
            TWO_THIRDS,
            AT_LEAST,
            True,
            823045,
            76955,
            id="9000.00 of 12345.67 m² meets 2/3 with 769.55 to spare",
        ),
        pytest.param(
            AREA, 823045, 1234567, TWO_THIRDS, AT_LEAST, True, 823045, 0, id="8230.45 of 12345.67 m² just meets 2/3"
        ),
        pytest.param(
            AREA, 823044, 1234567, TWO_THIRDS, AT_LEAST, False, 823045, 1, id="8230.44 of 12345.67 m² misses 2/3"
        ),
        # exactly 2/3, 1/2 and 3/4 in the area dimension
        pytest.param(AREA, 20000, 30000, TWO_THIRDS, AT_LEAST, True, 20000, 0, id="exactly 2/3 of the area meets"),
        pytest.param(AREA, 19999, 30000, TWO_THIRDS, AT_LEAST, False, 20000, 1, id="0.01 m² under 2/3 misses"),
        pytest.param(AREA, 5000, 10000, ONE_HALF, MORE_THAN, False, 5001, 1, id="exactly half of the area fails"),
        pytest.param(AREA, 5001, 10000, ONE_HALF, MORE_THAN, True, 5001, 0, id="0.01 m² over half passes"),
        pytest.param(AREA, 7500, 10000, THREE_QUARTERS, AT_LEAST, True, 7500, 0, id="exactly 3/4 of the area meets"),
        pytest.param(AREA, 7499, 10000, THREE_QUARTERS, AT_LEAST, False, 7500, 1, id="0.01 m² under 3/4 misses"),
        # totals that do not divide evenly
        pytest.param(HEADS, 67, 100, TWO_THIRDS, AT_LEAST, True, 67, 0, id="67 of 100 heads meets 2/3"),
        pytest.param(HEADS, 66, 100, TWO_THIRDS, AT_LEAST, False, 67, 1, id="66 of 100 heads misses 2/3"),
        pytest.param(HEADS, 8, 10, THREE_QUARTERS, AT_LEAST, True, 8, 0, id="8 of 10 heads meets 3/4"),
        pytest.param(HEADS, 7, 10, THREE_QUARTERS, AT_LEAST, False, 8, 1, id="7 of 10 heads misses 3/4"),
        pytest.param(HEADS, 1, 1, ONE_HALF, MORE_THAN, True, 1, 0, id="1 of 1 head is more than half"),
        # far from the boundary: margins count whole units
        pytest.param(
            HEADS, 300, 300, TWO_THIRDS, AT_LEAST, True, 200, 100, id="300 of 300 heads meets with 100 to spare"
        ),
        pytest.param(HEADS, 0, 300, TWO_THIRDS, AT_LEAST, False, 200, 200, id="nobody of 300 heads is 200 short"),
        # zero totals
        pytest.param(HEADS, 0, 0, TWO_THIRDS, AT_LEAST, True, 0, 0, id="2/3 of nothing is met by nothing"),
        pytest.param(HEADS, 0, 0, ONE_HALF, MORE_THAN, False, 1, 1, id="more than half of nothing needs one"),
        pytest.param(AREA, 0, 0, THREE_QUARTERS, AT_LEAST, True, 0, 0, id="3/4 of nothing is met by nothing"),
    ],
)
def test_run_test(dimension, value, total, fraction, comparison, met, smallest, margin):
    test = run_test("t", dimension, value, total, fraction, comparison)
    assert (test.met, test.smallest_meeting, test.margin) == (met, smallest, margin)
    assert (test.name, test.dimension, test.value, test.total) == ("t", dimension, value, total)
    assert (test.fraction, test.comparison) == (fraction, comparison)


@pytest.mark.parametrize(
    ("total", "fraction", "comparison", "smallest"),
    [
        pytest.param(300, TWO_THIRDS, AT_LEAST, 200, id="at least 2/3 of 300 is 200"),
        pytest.param(301, TWO_THIRDS, AT_LEAST, 201, id="at least 2/3 of 301 is 201"),
        pytest.param(100, ONE_HALF, MORE_THAN, 51, id="more than half of 100 is 51"),
        pytest.param(101, ONE_HALF, MORE_THAN, 51, id="more than half of 101 is 51"),
        pytest.param(100, THREE_QUARTERS, AT_LEAST, 75, id="at least 3/4 of 100 is 75"),
        pytest.param(101, THREE_QUARTERS, AT_LEAST, 76, id="at least 3/4 of 101 is 76"),
        pytest.param(100, ONE_HALF, AT_LEAST, 50, id="at least half of 100 would be 50 (以上 includes it)"),
        pytest.param(300, TWO_THIRDS, MORE_THAN, 201, id="more than 2/3 of 300 would be 201 (超过 excludes it)"),
    ],
)
def test_smallest_meeting(total, fraction, comparison, smallest):
    assert smallest_meeting(total, fraction, comparison) == smallest


@pytest.mark.parametrize(
    ("area", "heads", "total_area", "total_heads", "area_met", "heads_met"),
    [
        pytest.param(200, 200, 300, 300, True, True, id="quorum: 2/3 in both dimensions meets both"),
        pytest.param(200, 199, 300, 300, True, False, id="quorum: one head short fails on heads only"),
        pytest.param(199, 200, 300, 300, False, True, id="quorum: 0.01 m² short fails on area only"),
        pytest.param(666667, 2, 1000000, 3, True, True, id="quorum: 6666.67 of 10000.00 m² and 2 of 3 heads"),
        pytest.param(666666, 3, 1000000, 3, False, True, id="quorum: 6666.66 of 10000.00 m² fails on area"),
        pytest.param(1000000, 1, 1000000, 3, True, False, id="quorum: all the area but 1 of 3 heads fails"),
    ],
)
def test_quorum_tests_both_dimensions(area, heads, total_area, total_heads, area_met, heads_met):
    area_test, heads_test = quorum_tests(area, heads, total_area, total_heads)
    assert (area_test.name, area_test.dimension, area_test.value, area_test.total) == (
        "quorum_area",
        AREA,
        area,
        total_area,
    )
    assert (heads_test.name, heads_test.dimension, heads_test.value, heads_test.total) == (
        "quorum_heads",
        HEADS,
        heads,
        total_heads,
    )
    for test in (area_test, heads_test):
        assert (test.fraction, test.comparison) == (TWO_THIRDS, AT_LEAST)
    assert (area_test.met, heads_test.met) == (area_met, heads_met)


@pytest.mark.parametrize(
    ("yes_area", "yes_heads", "area", "heads", "three_quarters", "area_met", "heads_met"),
    [
        # more than half
        pytest.param(5001, 51, 10000, 100, False, True, True, id="half+: 50.01 % and 51 of 100 pass"),
        pytest.param(5000, 51, 10000, 100, False, False, True, id="half+: exactly half the area fails on area"),
        pytest.param(5001, 50, 10000, 100, False, True, False, id="half+: exactly half the heads fails on heads"),
        pytest.param(5000, 50, 10000, 100, False, False, False, id="half+: exactly half in both fails on both"),
        pytest.param(5051, 51, 10101, 101, False, True, True, id="half+: 51 of 101 heads passes"),
        pytest.param(5051, 50, 10101, 101, False, True, False, id="half+: 50 of 101 heads fails"),
        # at least three quarters
        pytest.param(7500, 75, 10000, 100, True, True, True, id="3/4: exactly 3/4 in both dimensions passes"),
        pytest.param(7499, 75, 10000, 100, True, False, True, id="3/4: 0.01 m² under 3/4 fails on area"),
        pytest.param(7500, 74, 10000, 100, True, True, False, id="3/4: 74 of 100 heads fails on heads"),
        pytest.param(7499, 74, 10000, 100, True, False, False, id="3/4: under in both fails on both"),
        pytest.param(5001, 51, 10000, 100, True, False, False, id="3/4: a bare majority is not enough"),
        # zero participants
        pytest.param(0, 0, 0, 0, False, False, False, id="half+: nobody taking part passes nothing"),
    ],
)
def test_approval_tests_both_dimensions_both_classes(
    yes_area, yes_heads, area, heads, three_quarters, area_met, heads_met
):
    area_test, heads_test = approval_tests(yes_area, yes_heads, area, heads, three_quarters=three_quarters)
    assert (area_test.name, heads_test.name) == ("approval_area", "approval_heads")
    assert (area_test.dimension, heads_test.dimension) == (AREA, HEADS)
    assert (area_test.value, area_test.total, heads_test.value, heads_test.total) == (yes_area, area, yes_heads, heads)
    expected = (THREE_QUARTERS, AT_LEAST) if three_quarters else (ONE_HALF, MORE_THAN)
    assert (area_test.fraction, area_test.comparison) == expected
    assert (heads_test.fraction, heads_test.comparison) == expected
    assert (area_test.met, heads_test.met) == (area_met, heads_met)


def test_approval_tests_name_prefix():
    area_test, heads_test = approval_tests(1, 1, 1, 1, three_quarters=False, prefix="candidate")
    assert (area_test.name, heads_test.name) == ("candidate_area", "candidate_heads")


@pytest.mark.parametrize(
    ("value", "total", "fraction", "comparison", "margin"),
    [
        pytest.param(250, 300, TWO_THIRDS, AT_LEAST, 50, id="met: 250 of 300 could lose 50 and still meet 2/3"),
        pytest.param(150, 300, TWO_THIRDS, AT_LEAST, 50, id="not met: 150 of 300 needs 50 more for 2/3"),
        pytest.param(60, 100, ONE_HALF, MORE_THAN, 9, id="met: 60 of 100 could lose 9 and stay over half"),
        pytest.param(40, 100, ONE_HALF, MORE_THAN, 11, id="not met: 40 of 100 needs 11 more to be over half"),
        pytest.param(90, 100, THREE_QUARTERS, AT_LEAST, 15, id="met: 90 of 100 could lose 15 and keep 3/4"),
        pytest.param(70, 100, THREE_QUARTERS, AT_LEAST, 5, id="not met: 70 of 100 needs 5 more for 3/4"),
    ],
)
def test_margin_is_what_could_be_lost_or_is_still_needed(value, total, fraction, comparison, margin):
    test = run_test("t", HEADS, value, total, fraction, comparison)
    assert test.margin == margin
    shifted = value - margin if test.met else value + margin
    assert run_test("t", HEADS, shifted, total, fraction, comparison).met
    beyond = shifted - 1
    assert not run_test("t", HEADS, beyond, total, fraction, comparison).met


def test_thresholds_are_exact_fractions():
    assert (Fraction(2, 3), Fraction(1, 2), Fraction(3, 4)) == (TWO_THIRDS, ONE_HALF, THREE_QUARTERS)


@pytest.mark.parametrize(
    ("category", "threshold"),
    [
        pytest.param(
            c,
            Threshold.THREE_QUARTERS if c in (6, 7, 8) else Threshold.MORE_THAN_HALF,
            id=f"category ({c}) needs {'3/4' if c in (6, 7, 8) else 'more than half'}",
        )
        for c in range(1, 10)
    ],
)
def test_threshold_for_each_art_278_category(category, threshold):
    assert threshold_for(category) == threshold


def test_three_quarter_categories_are_6_7_8():
    assert {6, 7, 8} == THREE_QUARTER_CATEGORIES
    assert frozenset(range(1, 10)) == CATEGORIES
