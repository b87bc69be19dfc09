"""Motions through the full tally (Civil Code Art 278 ¶2; DOMAIN §4): the worked numbers, failure named by
dimension, abstain/blank/invalid answers, and the blank-and-invalid setting."""

from __future__ import annotations

import pytest

from app.rules.model import Ballot, Motion, Settings, Threshold
from app.rules.motions import ANSWERS, Weight, classify_motion_answer
from app.rules.tally import tally
from tests.rules.builders import M2, answers, roll_of, tally_motion, uniform_roll

BIG, SMALL = 1000 * M2, 1 * M2
LEAVE_OUT = Settings(blank_and_invalid_take_part=False)


@pytest.mark.parametrize(
    ("participants", "failed_on"),
    [
        pytest.param(200, (), id="200 of 300 heads taking part meets the quorum"),
        pytest.param(199, ("quorum_heads",), id="199 of 300 heads taking part misses the quorum on heads"),
    ],
)
def test_worked_quorum_of_300_heads(participants, failed_on):
    # the voters who take part hold almost all the area, so only headcount is at stake
    roll = roll_of([BIG] * participants + [1] * (300 - participants))
    result, motion = tally_motion(roll, ["yes"] * participants)
    assert (result.participation.heads, roll.total_heads) == (participants, 300)
    assert result.participation.quorum_met == (not failed_on)
    assert motion.failed_on == failed_on
    assert motion.passed == (not failed_on)


@pytest.mark.parametrize(
    ("taking_part", "yes", "category", "failed_on"),
    [
        pytest.param(100, 51, 2, (), id="51 yes of 100 heads passes an ordinary matter"),
        pytest.param(100, 50, 2, ("approval_heads",), id="50 yes of 100 heads fails an ordinary matter"),
        pytest.param(101, 51, 2, (), id="51 yes of 101 heads passes an ordinary matter"),
        pytest.param(101, 50, 2, ("approval_heads",), id="50 yes of 101 heads fails an ordinary matter"),
        pytest.param(100, 75, 6, (), id="75 yes of 100 heads passes a 3/4 matter (6)"),
        pytest.param(100, 74, 6, ("approval_heads",), id="74 yes of 100 heads fails a 3/4 matter (6)"),
        pytest.param(100, 75, 7, (), id="75 yes of 100 heads passes a 3/4 matter (7)"),
        pytest.param(100, 74, 8, ("approval_heads",), id="74 yes of 100 heads fails a 3/4 matter (8)"),
        pytest.param(100, 74, 9, (), id="74 yes of 100 heads passes an ordinary matter (9)"),
    ],
)
def test_worked_approval_in_heads(taking_part, yes, category, failed_on):
    # yes-voters hold big units, so the area dimension passes and only heads is at stake
    roll = roll_of([BIG] * yes + [SMALL] * (taking_part - yes))
    _, motion = tally_motion(roll, answers(yes=yes, no=taking_part - yes), category)
    assert motion.counts["yes"] == Weight(yes * BIG, yes)
    assert motion.failed_on == failed_on
    assert motion.passed == (not failed_on)


@pytest.mark.parametrize(
    ("areas", "failed_on"),
    [
        pytest.param([666666, 1, 333333], (), id="6666.67 of 10000.00 m² taking part meets the quorum"),
        pytest.param([666665, 1, 333334], ("quorum_area",), id="6666.66 of 10000.00 m² taking part misses it on area"),
    ],
)
def test_worked_quorum_of_10000_square_metres(areas, failed_on):
    roll = roll_of(areas)
    result, motion = tally_motion(roll, ["yes", "yes"])
    assert roll.total_area_centi == 1000000
    assert result.participation.area_centi == areas[0] + areas[1]
    assert motion.failed_on == failed_on


@pytest.mark.parametrize(
    ("yes_areas", "no_areas", "category", "failed_on"),
    [
        pytest.param([2500, 2501], [5000], 2, (), id="yes 50.01 of 100.01 m² is more than half of the area"),
        pytest.param([2500, 2500], [5000], 2, ("approval_area",), id="yes on exactly half the area fails on area"),
        pytest.param([2500, 2500, 2500], [2500], 6, (), id="yes on exactly 3/4 of the area passes a 3/4 matter"),
        pytest.param([2500, 2500, 2499], [2501], 6, ("approval_area",), id="yes on 0.01 m² under 3/4 fails on area"),
    ],
)
def test_approval_boundaries_in_area(yes_areas, no_areas, category, failed_on):
    roll = roll_of(yes_areas + no_areas)
    _, motion = tally_motion(roll, answers(yes=len(yes_areas), no=len(no_areas)), category)
    assert motion.failed_on == failed_on


def test_passes_on_area_but_fails_on_heads():
    roll = roll_of([BIG, SMALL, SMALL, SMALL, SMALL])
    _, motion = tally_motion(roll, answers(yes=1, no=4))
    assert not motion.passed
    assert motion.failed_on == ("approval_heads",)


def test_passes_on_heads_but_fails_on_area():
    roll = roll_of([SMALL, SMALL, SMALL, BIG, BIG])
    _, motion = tally_motion(roll, answers(yes=3, no=2))
    assert not motion.passed
    assert motion.failed_on == ("approval_area",)


def test_quorum_failure_is_named_even_when_everyone_says_yes():
    roll = uniform_roll(10)
    _, motion = tally_motion(roll, ["yes"] * 6)
    assert motion.failed_on == ("quorum_area", "quorum_heads")


def test_motion_threshold_follows_the_category():
    roll = uniform_roll(4)
    for category in range(1, 10):
        _, motion = tally_motion(roll, ["yes"] * 3 + ["no"], category)
        expected = Threshold.THREE_QUARTERS if category in (6, 7, 8) else Threshold.MORE_THAN_HALF
        assert motion.threshold == expected
        assert motion.passed  # 3 of 4 is both more than half and exactly 3/4


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        pytest.param("yes", "yes", id="yes is yes"),
        pytest.param("no", "no", id="no is no"),
        pytest.param("abstain", "abstain", id="abstain is an abstention"),
        pytest.param(None, "blank", id="no answer is blank"),
        pytest.param("YES", "invalid", id="YES in capitals is invalid"),
        pytest.param("", "invalid", id="an empty string is invalid"),
        pytest.param("blank", "invalid", id="the word blank is invalid"),
        pytest.param("maybe", "invalid", id="maybe is invalid"),
        pytest.param(True, "invalid", id="true is invalid"),
        pytest.param(1, "invalid", id="a number is invalid"),
        pytest.param(["yes"], "invalid", id="a list is invalid"),
        pytest.param({"yes": 1}, "invalid", id="an object is invalid"),
    ],
)
def test_classify_motion_answer(answer, kind):
    assert classify_motion_answer(answer) == kind


@pytest.mark.parametrize(
    ("others", "kind"),
    [
        pytest.param("abstain", "abstain", id="5 yes and 5 abstentions of 10 fails: abstaining takes part"),
        pytest.param(None, "blank", id="5 yes and 5 blank of 10 fails: blank takes part"),
        pytest.param("maybe", "invalid", id="5 yes and 5 invalid of 10 fails: invalid takes part"),
        pytest.param("no", "no", id="5 yes and 5 no of 10 fails"),
    ],
)
def test_abstain_blank_invalid_take_part_and_are_not_yes(others, kind):
    roll = uniform_roll(10)
    result, motion = tally_motion(roll, ["yes"] * 5 + [others] * 5)
    assert motion.counts[kind] == Weight(5 * 100 * M2, 5)
    assert motion.counts["yes"] == Weight(5 * 100 * M2, 5)
    assert motion.failed_on == ("approval_area", "approval_heads")
    assert motion.tests[2].total == motion.tests[3].total * 100 * M2 == result.participation.area_centi


def test_a_matter_missing_from_a_ballot_is_blank():
    roll = uniform_roll(3)
    ballots = [Ballot(v.unit_ids[0], {"other": "yes"}) for v in roll.voters]
    result = tally(roll, [Motion("m", 2), Motion("other", 2)], ballots, Settings())
    assert result.matters["m"].counts["blank"] == Weight(300 * M2, 3)
    assert not result.matters["m"].passed
    assert result.matters["other"].passed


def test_the_five_counts_sum_to_participation():
    roll = roll_of([100, 200, 300, 400, 500, 600, 700, 800])
    result, motion = tally_motion(roll, ["yes", "no", "abstain", None, "bad", "yes", "no"])
    assert tuple(motion.counts) == ANSWERS
    assert sum(w.heads for w in motion.counts.values()) == result.participation.heads == 7
    assert sum(w.area_centi for w in motion.counts.values()) == result.participation.area_centi == 2800


@pytest.mark.parametrize(
    ("given", "default_failed_on", "left_out_failed_on"),
    [
        pytest.param(
            answers(yes=5, no=2, blank=2, invalid=1),
            ("approval_area", "approval_heads"),
            (),
            id="5 yes 2 no 3 blank-or-invalid of 10: half fails, or 5 of 7 passes when they are left out",
        ),
        pytest.param(
            answers(yes=6, blank=4),
            (),
            ("quorum_area", "quorum_heads"),
            id="6 yes 4 blank of 10: passes, or misses the matter's own quorum when blanks are left out",
        ),
        pytest.param(
            answers(yes=6, invalid=1, abstain=3),
            (),
            (),
            id="6 yes 3 abstain 1 invalid of 10 passes either way: abstentions always take part",
        ),
    ],
)
def test_blank_and_invalid_take_part_setting(given, default_failed_on, left_out_failed_on):
    roll = uniform_roll(10)
    default_result, default = tally_motion(roll, given)
    left_out_result, left_out = tally_motion(roll, given, settings=LEAVE_OUT)
    assert default.failed_on == default_failed_on
    assert left_out.failed_on == left_out_failed_on
    # the top-level participation counts every returned ballot under both settings
    for result in (default_result, left_out_result):
        assert (result.participation.heads, result.participation.quorum_met) == (10, True)
    # the counts are the same; only who takes part in the matter changes
    assert default.counts == left_out.counts
    valid = sum(left_out.counts[k].heads for k in ("yes", "no", "abstain"))
    quorum_heads, approval_heads = left_out.tests[1], left_out.tests[3]
    assert (quorum_heads.name, quorum_heads.value, quorum_heads.total) == ("quorum_heads", valid, 10)
    assert (approval_heads.name, approval_heads.total) == ("approval_heads", valid)
    assert default.tests[:2] == default_result.participation.tests


def test_left_out_blanks_do_not_count_towards_the_matters_quorum_in_area_either():
    # one voter holds 40 % of the area and leaves the matter blank: the rest hold only 60 % < 2/3
    roll = roll_of([4000, 1000, 1000, 1000, 1000, 1000, 1000])
    _, motion = tally_motion(roll, [None] + ["yes"] * 6, settings=LEAVE_OUT)
    assert motion.failed_on == ("quorum_area",)
    _, motion = tally_motion(roll, [None] + ["yes"] * 6)
    assert motion.passed  # by default the blank voter takes part: 60.00 of 100.00 m² yes is more than half
