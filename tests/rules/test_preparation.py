"""The preparatory group: composition, clocks, the 15-day announcement and the funding (Shaoxing Arts 9–16;
DOMAIN §7). Pure: no app, no database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules.calendar import CalendarMissing, HolidayCalendar, days_before, is_working_day, load_calendar
from app.rules.preparation import (
    Clock,
    ClockState,
    Member,
    check_composition,
    clock_state,
    earliest_meeting,
    first_meeting_funding_fen,
    latest_announcement,
    meeting_allowed,
    owner_representatives_needed,
    preparation_clocks,
)

CAL = load_calendar()
M2 = 100  #: one square metre in 0.01 m²

TOWNSHIP = Member("township", is_owner_on_roll=False)
OWNER = Member("owner_representative", is_owner_on_roll=True)
NOT_ON_ROLL = Member("owner_representative", is_owner_on_roll=False)
RESIDENTS = Member("residents_committee", is_owner_on_roll=False)
DEVELOPER = Member("developer", is_owner_on_roll=False)


def codes(members: list[Member], leader: int | None = 0) -> list[str]:
    return [p.code for p in check_composition(members, leader)]


# --- composition ----------------------------------------------------------------------------------------------------


def test_valid_group_has_no_problems() -> None:
    assert check_composition([TOWNSHIP, RESIDENTS, DEVELOPER, OWNER, OWNER, OWNER, OWNER], 0) == ()


def test_developer_absent_is_allowed() -> None:
    assert check_composition([TOWNSHIP, RESIDENTS, OWNER, OWNER], 0) == ()


def test_exactly_half_owners_passes_and_one_fewer_fails() -> None:
    assert codes([TOWNSHIP, RESIDENTS, DEVELOPER, OWNER, OWNER, OWNER]) == []  # 3 of 6
    problems = check_composition([TOWNSHIP, RESIDENTS, DEVELOPER, RESIDENTS, OWNER, OWNER, OWNER], 0)  # 3 of 7
    assert [p.code for p in problems] == ["owner_representatives_below_half"]
    assert problems[0].detail == "3 owner representatives of 7 members; at least 4 needed"


@pytest.mark.parametrize(("total", "needed"), [(0, 0), (1, 1), (2, 1), (6, 3), (7, 4), (8, 4)])
def test_owner_representatives_needed(total: int, needed: int) -> None:
    assert owner_representatives_needed(total) == needed


def test_no_members() -> None:
    assert codes([], None) == ["no_members", "no_leader", "no_township_representative"]


def test_no_leader() -> None:
    problems = check_composition([TOWNSHIP, OWNER], None)
    assert [p.code for p in problems] == ["no_leader"]


def test_leader_not_township() -> None:
    problems = check_composition([TOWNSHIP, OWNER], 1)
    assert [p.code for p in problems] == ["leader_not_township"]
    assert "member 2" in problems[0].detail
    assert "owner representative" in problems[0].detail


def test_owner_representative_not_on_roll_one_problem_each() -> None:
    problems = check_composition([TOWNSHIP, NOT_ON_ROLL, OWNER, NOT_ON_ROLL], 0)
    assert [p.code for p in problems] == ["owner_representative_not_on_roll"] * 2
    assert [p.detail.split(" is ")[0] for p in problems] == ["member 2", "member 4"]


def test_no_township_representative() -> None:
    assert codes([RESIDENTS, OWNER], 0) == ["leader_not_township", "no_township_representative"]


def test_every_problem_at_once() -> None:
    assert codes([DEVELOPER, RESIDENTS, NOT_ON_ROLL], 2) == [
        "leader_not_township",
        "owner_representatives_below_half",
        "owner_representative_not_on_roll",
        "no_township_representative",
    ]


def test_bad_role_and_bad_leader_index_are_errors() -> None:
    with pytest.raises(ValueError, match="unknown preparatory-group role"):
        Member("mayor", is_owner_on_roll=False)
    with pytest.raises(ValueError, match="leader_index"):
        check_composition([TOWNSHIP], 1)
    with pytest.raises(ValueError, match="leader_index"):
        check_composition([TOWNSHIP], -1)


# --- clocks ---------------------------------------------------------------------------------------------------------


def by_code(clocks: tuple[Clock, ...]) -> dict[str, Clock]:
    return {c.code: c for c in clocks}


def test_form_group_ending_on_national_day_rolls_forward() -> None:
    (clock,) = preparation_clocks(CAL, reported_on=date(2026, 8, 2), formed_on=None, extended=False)
    assert clock.code == "form_group"
    assert (clock.event_date, clock.days, clock.counted_in) == (date(2026, 8, 2), 60, "days")
    assert date(2026, 8, 2) + timedelta(days=60) == date(2026, 10, 1)
    assert clock.due == date(2026, 10, 8)
    assert clock.missing_year is None
    assert "Art 11" in clock.article


def test_form_group_ending_on_adjusted_working_saturday_stays() -> None:
    (clock,) = preparation_clocks(CAL, reported_on=date(2026, 8, 11), formed_on=None, extended=False)
    assert clock.due == date(2026, 10, 10)
    assert clock.due.weekday() == 5
    assert is_working_day(CAL, clock.due)


def test_formation_clocks() -> None:
    clocks = preparation_clocks(CAL, reported_on=None, formed_on=date(2026, 6, 1), extended=False)
    assert [c.code for c in clocks] == ["announce_members", "first_meeting"]
    found = by_code(clocks)
    assert found["announce_members"].due == date(2026, 6, 4)
    assert found["announce_members"].days == 3
    assert "Art 12" in found["announce_members"].article
    # day 90 is Sun 2026-08-30 → Mon 2026-08-31
    assert found["first_meeting"].due == date(2026, 8, 31)
    assert found["first_meeting"].days == 90
    assert "Art 16" in found["first_meeting"].article


def test_announce_members_rolls_over_national_day() -> None:
    found = by_code(preparation_clocks(CAL, reported_on=None, formed_on=date(2026, 9, 28), extended=False))
    assert found["announce_members"].due == date(2026, 10, 8)


def test_extension_replaces_first_meeting_with_180_days() -> None:
    clocks = preparation_clocks(CAL, reported_on=date(2026, 3, 2), formed_on=date(2026, 6, 1), extended=True)
    assert [c.code for c in clocks] == ["form_group", "announce_members", "first_meeting_extended"]
    extended = by_code(clocks)["first_meeting_extended"]
    assert extended.days == 180
    assert extended.due == date(2026, 11, 30)  # day 180 is Sat 2026-11-28
    assert "Art 16" in extended.article


def test_no_events_no_clocks() -> None:
    assert preparation_clocks(CAL, reported_on=None, formed_on=None, extended=True) == ()


def test_a_clock_in_a_year_without_the_arrangement_is_provisional_not_missing() -> None:
    """Formed Fri 2026-10-02, extended: day 180 is Wed 2027-03-31, surely a working day whatever 2027's arrangement."""
    found = by_code(preparation_clocks(CAL, reported_on=None, formed_on=date(2026, 10, 2), extended=True))
    assert found["announce_members"].due == date(2026, 10, 8)
    assert not found["announce_members"].provisional
    clock = found["first_meeting_extended"]
    assert (clock.due, clock.missing_year, clock.provisional) == (date(2027, 3, 31), None, True)
    assert clock_state(clock, date(2026, 11, 1)).days == 150


def test_a_clock_beyond_the_lunar_tables_reports_its_missing_year() -> None:
    found = by_code(preparation_clocks(CAL, reported_on=None, formed_on=date(2100, 10, 2), extended=True))
    clock = found["first_meeting_extended"]
    assert (clock.due, clock.missing_year) == (None, 2101)
    assert "2101" in str(CalendarMissing(2101))
    with pytest.raises(CalendarMissing) as caught:
        clock_state(clock, date(2100, 11, 1))
    assert caught.value.year == 2101


def test_a_provisional_last_day_rolls_only_over_sure_rest_days() -> None:
    # day 60 is Thu 2026-12-31; a calendar without 2026 cannot know whether a New Year's bridge gives it off, so
    # the deadline stays on it (the earliest it can be) and is provisional
    only_2027 = HolidayCalendar(days_off=frozenset(), adjusted_working_days=frozenset(), years=frozenset({2027}))
    (clock,) = preparation_clocks(only_2027, reported_on=date(2026, 11, 1), formed_on=None, extended=False)
    assert (clock.due, clock.missing_year, clock.provisional) == (date(2026, 12, 31), None, True)


def test_clock_needs_due_or_missing_year() -> None:
    with pytest.raises(ValueError, match="either"):
        Clock("form_group", date(2026, 1, 5), None, 60, "days", "Shaoxing Art 11 ¶3")
    with pytest.raises(ValueError, match="either"):
        Clock("form_group", date(2026, 1, 5), date(2026, 3, 6), 60, "days", "Shaoxing Art 11 ¶3", 2027)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 10, 1), ClockState("due_in", 7)),
        (date(2026, 10, 7), ClockState("due_in", 1)),
        (date(2026, 10, 8), ClockState("due_today", 0)),
        (date(2026, 10, 9), ClockState("overdue", 1)),
        (date(2026, 10, 20), ClockState("overdue", 12)),
    ],
)
def test_clock_state_around_the_due_day(today: date, expected: ClockState) -> None:
    (clock,) = preparation_clocks(CAL, reported_on=date(2026, 8, 2), formed_on=None, extended=False)
    assert clock_state(clock, today) == expected


# --- the 15-day announcement ----------------------------------------------------------------------------------------


def test_earliest_meeting_example() -> None:
    assert earliest_meeting(CAL, date(2026, 10, 1)) == date(2026, 10, 17)
    assert meeting_allowed(CAL, date(2026, 10, 1), date(2026, 10, 17))
    assert not meeting_allowed(CAL, date(2026, 10, 1), date(2026, 10, 16))
    assert latest_announcement(date(2026, 10, 17)) == date(2026, 10, 1)


def test_earliest_meeting_across_a_year_without_the_arrangement() -> None:
    """Announced 2026-12-28: the notice term ends 2027-01-05 at the latest; the 15 days give 2027-01-13."""
    assert earliest_meeting(CAL, date(2026, 12, 28)) == date(2027, 1, 13)


@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 15)))
def test_earliest_meeting_agrees_with_days_before(announced: date) -> None:
    meeting = earliest_meeting(CAL, announced)
    assert days_before(meeting, 15) >= announced
    assert days_before(meeting - timedelta(days=1), 15) < announced
    assert meeting_allowed(CAL, announced, meeting)
    assert not meeting_allowed(CAL, announced, meeting - timedelta(days=1))
    # in 2026 the 15-day rule is always the binding one
    assert meeting == announced + timedelta(days=16)


# --- funding --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("area_centi", "fen"),
    [
        (12_345_678, 12_345_678),  # 123,456.78 m² → 123,456.78 yuan
        (30_000 * M2, 5_000_000),  # the 50,000-yuan minimum
        (50_000 * M2, 5_000_000),
        (50_000 * M2 - 1, 5_000_000),
        (50_000 * M2 + 1, 5_000_001),
        (0, 5_000_000),
    ],
)
def test_funding(area_centi: int, fen: int) -> None:
    assert first_meeting_funding_fen(area_centi) == fen


def test_funding_rejects_negative_area() -> None:
    with pytest.raises(ValueError, match="negative"):
        first_meeting_funding_fen(-1)


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=10**9))
def test_funding_never_below_minimum_and_monotone(area: int, more: int) -> None:
    low, high = first_meeting_funding_fen(area), first_meeting_funding_fen(area + more)
    assert low >= 5_000_000
    assert high >= low
    assert low == max(area, 5_000_000)
