"""The provisional calendar (DOMAIN §7, "Dates"): safe for every party against every real arrangement we know.

The State Council's arrangements of 2024, 2025 and 2026 are plausible arrangements by definition. Treating each of
those years as if its arrangement were not yet published, a minimum period must never end earlier than the real one,
and a deadline must never end later. Pure: no app, no database.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules.calendar import (
    HolidayCalendar,
    add_working_days,
    deadline,
    is_working_day,
    load_calendar,
    notice_end,
    notice_served,
    provisional_span,
    roll_forward,
)
from app.rules.provisional_calendar import provisional_year, statutory_days_off

#: the State Council General Office's notices, typed in from their texts (2023-10-25 for 2024, 2024-11-12 for 2025);
#: 2026 is shipped with the product (app/rules/holidays/cn-2026.json)
ARRANGEMENT_2024 = {
    "year": 2024,
    "source": "国务院办公厅关于2024年部分节假日安排的通知",
    "days_off": [
        ["2024-01-01", "2024-01-01"],
        ["2024-02-10", "2024-02-17"],
        ["2024-04-04", "2024-04-06"],
        ["2024-05-01", "2024-05-05"],
        ["2024-06-10", "2024-06-10"],
        ["2024-09-15", "2024-09-17"],
        ["2024-10-01", "2024-10-07"],
    ],
    "adjusted_working_days": [
        "2024-02-04",
        "2024-02-18",
        "2024-04-07",
        "2024-04-28",
        "2024-05-11",
        "2024-09-14",
        "2024-09-29",
        "2024-10-12",
    ],
}
ARRANGEMENT_2025 = {
    "year": 2025,
    "source": "国务院办公厅关于2025年部分节假日安排的通知",
    "days_off": [
        ["2025-01-01", "2025-01-01"],
        ["2025-01-28", "2025-02-04"],
        ["2025-04-04", "2025-04-06"],
        ["2025-05-01", "2025-05-05"],
        ["2025-05-31", "2025-06-02"],
        ["2025-10-01", "2025-10-08"],
    ],
    "adjusted_working_days": ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"],
}

#: 2024–2026 with their real arrangements, and the same years with none (every day reckoned provisionally)
OFFICIAL = load_calendar([ARRANGEMENT_2024, ARRANGEMENT_2025])
NONE = HolidayCalendar.from_years([])
FIRST, LAST = date(2024, 1, 1), date(2026, 11, 30)  # starts whose periods stay inside 2024–2026


def test_the_statutory_days_follow_the_lunar_calendar():
    """2027 (no arrangement yet): the Spring Festival is on 2027-02-06, so its eve is 02-05; Qingming 04-05, the
    Dragon Boat Festival 06-09, Mid-Autumn 09-15 (the 2024 amendment added the eve and a second day of May)."""
    assert sorted(statutory_days_off(2027)) == [
        date(2027, 1, 1),
        *(date(2027, 2, d) for d in (5, 6, 7, 8)),
        date(2027, 4, 5),
        date(2027, 5, 1),
        date(2027, 5, 2),
        date(2027, 6, 9),
        date(2027, 9, 15),
        *(date(2027, 10, d) for d in (1, 2, 3)),
    ]
    assert provisional_year(2101) is None  # beyond the lunar tables


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_every_real_day_off_and_exchanged_weekend_was_plausible(year):
    """What the provisional calendar calls sure was so in the real arrangement, every day of the year."""
    provisional = provisional_year(year)
    assert provisional is not None
    first = date(year, 1, 1)
    for d in (first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)):
        if provisional.surely_working(d):
            assert is_working_day(OFFICIAL, d), f"{d} was called surely a working day but was off"
        if provisional.surely_resting(d):
            assert not is_working_day(OFFICIAL, d), f"{d} was called surely a rest day but was worked"
    assert statutory_days_off(year) <= OFFICIAL.days_off


@given(start=st.dates(min_value=FIRST, max_value=LAST), n=st.integers(1, 20))
def test_a_minimum_period_never_ends_before_the_real_one(start, n):
    """A notice "at least n working days" (Shaoxing Art 9) reckoned without the arrangement ends on or after the day
    it really ends, so nobody takes it down too early; and on the real end day it has not been served provisionally
    if the provisional end is later."""
    provisional_end = add_working_days(NONE, start, n)
    real_end = add_working_days(OFFICIAL, start, n)
    assert provisional_end >= real_end
    assert provisional_span(NONE, start, provisional_end)
    assert not notice_served(NONE, start, provisional_end, n)
    assert notice_served(NONE, start, provisional_end + timedelta(days=1), n)


@given(event=st.dates(min_value=FIRST, max_value=LAST), days=st.integers(1, 60))
def test_a_deadline_is_never_shown_after_the_real_one(event, days):
    """ "Within N days" (Civil Code Arts 201, 203) reckoned without the arrangement ends on or before the real last
    day, so whoever must act is never told they have longer than they have."""
    assert deadline(NONE, event, days) <= deadline(OFFICIAL, event, days)


def test_the_done_when_example_a_notice_of_2026_12_28():
    """Published Mon 2026-12-28 without the 2027 arrangement: 2027-01-05 at the latest, marked provisional."""
    cal = load_calendar()
    assert notice_end(cal, date(2026, 12, 28)) == date(2027, 1, 5)
    assert provisional_span(cal, date(2026, 12, 29), date(2027, 1, 5))
    assert roll_forward(cal, date(2027, 2, 6)) == date(2027, 2, 9)  # Spring Festival: only the statutory days are sure
