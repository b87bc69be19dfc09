"""The election rules' numbers (Shaoxing Art 18: 5 to 11 members, odd; DOMAIN §5: alternates at most 50%, the committee
formed with at least 5 members) and the preparation clocks' holiday cases that tests/rules/test_preparation.py lacks.
Pure: no app, no database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules.calendar import is_working_day, load_calendar
from app.rules.preparation import (
    ElectionRuleProblem,
    check_election_rules,
    max_alternates_for,
    preparation_clocks,
)

CAL = load_calendar()


def codes(seats: int, alternates: int, min_members: int) -> list[str]:
    return [p.code for p in check_election_rules(seats, alternates, min_members)]


# --- seats ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seats", "expected"),
    [
        (4, ["seats_out_of_range"]),
        (5, []),
        (6, ["seats_even"]),
        (7, []),
        (11, []),
        (12, ["seats_out_of_range"]),
        (13, ["seats_out_of_range"]),
    ],
)
def test_seats(seats: int, expected: list[str]) -> None:
    assert codes(seats, 0, 5) == expected


def test_seats_problems_carry_their_numbers() -> None:
    assert check_election_rules(4, 0, 5) == (
        ElectionRuleProblem("seats_out_of_range", {"seats": 4, "min": 5, "max": 11}),
    )
    assert check_election_rules(13, 0, 5) == (
        ElectionRuleProblem("seats_out_of_range", {"seats": 13, "min": 5, "max": 11}),
    )
    assert check_election_rules(6, 0, 5) == (ElectionRuleProblem("seats_even", {"seats": 6}),)


# --- alternates -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("seats", "most"), [(5, 2), (7, 3), (9, 4), (11, 5), (6, 3), (0, 0), (1, 0)])
def test_max_alternates_is_half_rounded_down(seats: int, most: int) -> None:
    assert max_alternates_for(seats) == most


def test_alternates_exactly_half_rounded_down_pass_one_more_is_refused() -> None:
    assert check_election_rules(7, 3, 5) == ()
    assert check_election_rules(7, 4, 5) == (
        ElectionRuleProblem("too_many_alternates", {"alternates": 4, "max": 3, "seats": 7}),
    )


def test_no_alternates_pass() -> None:
    assert check_election_rules(7, 0, 5) == ()


def test_negative_alternates_are_refused() -> None:
    assert codes(7, -1, 5) == ["too_many_alternates"]


def test_alternates_for_negative_seats_do_not_crash() -> None:
    assert codes(-3, 0, 5) == ["seats_out_of_range"]
    assert codes(-3, 1, 5) == ["seats_out_of_range", "too_many_alternates"]


# --- minimum members ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seats", "min_members", "ok"),
    [
        (7, 4, False),
        (7, 5, True),
        (7, 7, True),  # the seats
        (7, 8, False),  # seats + 1
        (5, 5, True),
        (5, 6, False),
        (11, 11, True),
        (11, 12, False),
    ],
)
def test_min_members(seats: int, min_members: int, ok: bool) -> None:
    expected = [] if ok else ["min_members_out_of_range"]
    assert codes(seats, 0, min_members) == expected


def test_min_members_problem_carries_its_numbers() -> None:
    assert check_election_rules(7, 3, 8) == (
        ElectionRuleProblem("min_members_out_of_range", {"min_members": 8, "seats": 7}),
    )


def test_every_problem_at_once() -> None:
    assert codes(12, 7, 4) == ["seats_out_of_range", "too_many_alternates", "min_members_out_of_range"]


@given(
    seats=st.integers(min_value=-2, max_value=15),
    alternates=st.integers(min_value=-2, max_value=10),
    min_members=st.integers(min_value=-1, max_value=15),
)
def test_valid_iff_the_numbers_are_in_range(seats: int, alternates: int, min_members: int) -> None:
    valid = 5 <= seats <= 11 and seats % 2 == 1 and 0 <= alternates <= seats // 2 and 5 <= min_members <= seats
    assert (check_election_rules(seats, alternates, min_members) == ()) == valid


# --- clocks: the holiday cases not covered by test_preparation.py ---------------------------------------------------


def _clocks(formed_on: date, extended: bool = False) -> dict[str, date | None]:
    return {c.code: c.due for c in preparation_clocks(CAL, reported_on=None, formed_on=formed_on, extended=extended)}


def test_first_meeting_ending_on_a_holiday_rolls_to_the_next_working_day() -> None:
    # formed Fri 2026-07-03: day 90 is Thu 2026-10-01 (National Day, off until Wed 10-07) → Thu 2026-10-08
    formed = date(2026, 7, 3)
    assert formed + timedelta(days=90) == date(2026, 10, 1)
    assert _clocks(formed)["first_meeting"] == date(2026, 10, 8)


def test_first_meeting_ending_on_an_adjusted_working_saturday_stays() -> None:
    formed = date(2026, 7, 12)
    assert formed + timedelta(days=90) == date(2026, 10, 10)
    due = _clocks(formed)["first_meeting"]
    assert due == date(2026, 10, 10)
    assert due.weekday() == 5
    assert is_working_day(CAL, due)


def test_announce_members_ending_on_the_mid_autumn_holiday_rolls_over_the_weekend() -> None:
    # formed Tue 2026-09-22: day 3 is Fri 09-25 (Mid-Autumn, 09-25–27 off) → Mon 2026-09-28
    assert _clocks(date(2026, 9, 22))["announce_members"] == date(2026, 9, 28)


def test_announce_members_ending_on_the_adjusted_working_sunday_stays() -> None:
    # formed Thu 2026-09-17: day 3 is Sun 2026-09-20, an adjusted working day
    due = _clocks(date(2026, 9, 17))["announce_members"]
    assert due == date(2026, 9, 20)
    assert due.weekday() == 6


def test_extended_term_ending_on_a_holiday_rolls_forward() -> None:
    # formed Sat 2026-04-04: day 180 is Thu 2026-10-01 → Thu 2026-10-08
    formed = date(2026, 4, 4)
    assert formed + timedelta(days=180) == date(2026, 10, 1)
    assert _clocks(formed, extended=True)["first_meeting_extended"] == date(2026, 10, 8)


def test_form_group_ending_on_an_ordinary_sunday_rolls_to_monday() -> None:
    # reported Wed 2026-05-06: day 60 is Sun 2026-07-05 → Mon 2026-07-06
    reported = date(2026, 5, 6)
    assert (reported + timedelta(days=60)).weekday() == 6
    (clock,) = preparation_clocks(CAL, reported_on=reported, formed_on=None, extended=False)
    assert clock.due == date(2026, 7, 6)
