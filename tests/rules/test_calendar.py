"""The holiday calendar and date arithmetic (Civil Code Arts 201 and 203; DOMAIN §7), against the 2026 table of
shared/reference/cn-public-holidays.md. Pure: no app, no database."""

from __future__ import annotations

import copy
import json
import pickle
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules import calendar as calendar_module
from app.rules.calendar import (
    CalendarMissing,
    HolidayCalendar,
    add_working_days,
    days_before,
    deadline,
    is_working_day,
    load_calendar,
    notice_end,
    notice_served,
    parse_year_document,
    provisional_span,
    read_year_files,
    roll_forward,
    working_days_between,
)

HOLIDAY_DIR = Path(calendar_module.__file__).parent / "holidays"

# The reference table, typed in again here independently of the JSON file: (first, last) of each holiday, with the
# weekday the reference states for each end, and the adjusted working days with theirs (0 = Monday).
REFERENCE_DAYS_OFF = [
    ("New Year", date(2026, 1, 1), 3, date(2026, 1, 3), 5),
    ("Spring Festival", date(2026, 2, 15), 6, date(2026, 2, 23), 0),
    ("Qingming", date(2026, 4, 4), 5, date(2026, 4, 6), 0),
    ("Labour Day", date(2026, 5, 1), 4, date(2026, 5, 5), 1),
    ("Dragon Boat", date(2026, 6, 19), 4, date(2026, 6, 21), 6),
    ("Mid-Autumn", date(2026, 9, 25), 4, date(2026, 9, 27), 6),
    ("National Day", date(2026, 10, 1), 3, date(2026, 10, 7), 2),
]
REFERENCE_ADJUSTED = [
    (date(2026, 1, 4), 6),
    (date(2026, 2, 14), 5),
    (date(2026, 2, 28), 5),
    (date(2026, 5, 9), 5),
    (date(2026, 9, 20), 6),
    (date(2026, 10, 10), 5),
]


def _span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


OFF_2026 = frozenset(d for _, first, _, last, _ in REFERENCE_DAYS_OFF for d in _span(first, last))
ADJUSTED_2026 = frozenset(d for d, _ in REFERENCE_ADJUSTED)
ORDINARY_WEEKEND_2026 = sorted(
    d for d in _span(date(2026, 1, 1), date(2026, 12, 31)) if d.weekday() >= 5 and d not in OFF_2026 | ADJUSTED_2026
)


def oracle_working(d: date) -> bool:
    """The reference's definition, written out independently of the module under test."""
    assert d.year == 2026
    return d in ADJUSTED_2026 or (d.weekday() < 5 and d not in OFF_2026)


CAL = load_calendar()


def doc(**changes: object) -> dict[str, object]:
    """A valid fictional year document (test data only, not a real arrangement), with ``changes`` applied."""
    base: dict[str, object] = {
        "year": 2031,
        "source": "test fixture, not a real notice",
        "days_off": [["2031-01-01", "2031-01-01"], ["2031-10-01", "2031-10-07"]],
        "adjusted_working_days": ["2031-09-28"],
    }
    base.update(changes)
    return base


# --- the shipped data --------------------------------------------------------------------------------------------


def test_the_reference_weekdays_are_the_real_ones():
    for _, first, first_weekday, last, last_weekday in REFERENCE_DAYS_OFF:
        assert (first.weekday(), last.weekday()) == (first_weekday, last_weekday)
    for d, weekday in REFERENCE_ADJUSTED:
        assert d.weekday() == weekday
    assert len(OFF_2026) == 3 + 9 + 3 + 5 + 3 + 3 + 7


def test_shipped_calendar_is_exactly_the_reference_table():
    assert CAL.years == frozenset({2026})
    assert CAL.days_off == OFF_2026
    assert CAL.adjusted_working_days == ADJUSTED_2026
    assert "2026年部分节假日安排" in (CAL.source_for(2026) or "")
    assert "2025-11-04" in (CAL.source_for(2026) or "")


def test_shipped_file_is_the_transcription_and_2027_is_not_invented():
    files = sorted(p.name for p in HOLIDAY_DIR.glob("*.json"))
    assert files == ["cn-2026.json"]
    data = json.loads((HOLIDAY_DIR / "cn-2026.json").read_text(encoding="utf-8"))
    assert data["days_off"] == [[first.isoformat(), last.isoformat()] for _, first, _, last, _ in REFERENCE_DAYS_OFF]
    assert data["adjusted_working_days"] == [d.isoformat() for d, _ in REFERENCE_ADJUSTED]
    assert (HOLIDAY_DIR / "README.md").is_file()


@pytest.mark.parametrize("day", sorted(OFF_2026), ids=str)
def test_every_day_off_is_not_a_working_day(day):
    assert not is_working_day(CAL, day)


@pytest.mark.parametrize("day", sorted(ADJUSTED_2026), ids=str)
def test_every_adjusted_working_day_is_a_working_day(day):
    assert day.weekday() >= 5
    assert is_working_day(CAL, day)


@pytest.mark.parametrize("day", [date(2026, 9, 12), date(2026, 9, 13), date(2026, 10, 11), date(2026, 12, 26)], ids=str)
def test_an_ordinary_weekend_is_not_a_working_day(day):
    assert not is_working_day(CAL, day)


def test_every_day_of_2026_agrees_with_the_reference_definition():
    days = _span(date(2026, 1, 1), date(2026, 12, 31))
    assert [d for d in days if is_working_day(CAL, d) != oracle_working(d)] == []
    assert all(not is_working_day(CAL, d) for d in ORDINARY_WEEKEND_2026)
    # 261 weekdays; 19 days off fall on weekdays (2 + 6 + 1 + 3 + 1 + 1 + 5); 6 weekend days are worked
    assert sum(is_working_day(CAL, d) for d in days) == sum(d.weekday() < 5 for d in days) - 19 + 6 == 248


@pytest.mark.parametrize("day", [date(2025, 12, 31), date(2027, 1, 1), date(2027, 1, 4), date(2027, 10, 1)], ids=str)
def test_days_outside_covered_years_raise_calendar_missing(day):
    with pytest.raises(CalendarMissing) as caught:
        is_working_day(CAL, day)
    assert caught.value.year == day.year
    assert f"no holiday calendar for {day.year} yet" in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_calendar_missing_survives_pickling():
    again = pickle.loads(pickle.dumps(CalendarMissing(2027)))  # noqa: S301 (our own object)
    assert isinstance(again, CalendarMissing)
    assert again.year == 2027


# --- working-day counts and notices ------------------------------------------------------------------------------


def test_reference_worked_example():
    """Posted Thu 2026-09-17, 5 working days: Fri 18, Sun 20 (adjusted), Mon 21, Tue 22, Wed 23."""
    posted = date(2026, 9, 17)
    assert notice_end(CAL, posted) == date(2026, 9, 23)
    assert [add_working_days(CAL, posted, n) for n in range(1, 6)] == [
        date(2026, 9, 18),
        date(2026, 9, 20),
        date(2026, 9, 21),
        date(2026, 9, 22),
        date(2026, 9, 23),
    ]
    assert working_days_between(CAL, posted, date(2026, 9, 23)) == 5
    assert not notice_served(CAL, posted, date(2026, 9, 23))
    assert notice_served(CAL, posted, date(2026, 9, 24))


@pytest.mark.parametrize(
    ("posted", "working_days", "end"),
    [
        (date(2026, 9, 24), 5, date(2026, 10, 9)),  # Mid-Autumn and National Day skipped
        (date(2026, 9, 30), 5, date(2026, 10, 13)),  # Oct 10 (Sat) is worked, Oct 11 (Sun) is not
        (date(2026, 10, 1), 5, date(2026, 10, 13)),  # posted on a holiday: counting starts the next working day
        (date(2026, 2, 13), 5, date(2026, 2, 27)),  # Feb 14 worked, Feb 15–23 off, then Feb 24, 25, 26, 27
        (date(2026, 2, 13), 6, date(2026, 2, 28)),  # …and the adjusted Saturday Feb 28
        (date(2026, 12, 24), 5, date(2026, 12, 31)),  # Fri 25, Mon 28, Tue 29, Wed 30, Thu 31: stays in 2026
        (date(2025, 12, 31), 1, date(2026, 1, 4)),  # start day is not looked up; Jan 1–3 off, Sun Jan 4 worked
    ],
    ids=str,
)
def test_notice_end_around_holidays(posted, working_days, end):
    assert notice_end(CAL, posted, working_days) == end
    assert working_days_between(CAL, posted, end) == working_days


def test_a_notice_reaching_2027_is_provisional_and_ends_at_the_latest():
    """Tue 29, Wed 30, Thu 31; Fri 2027-01-01 is New Year's Day, the weekend after may be worked or not (not counted),
    then Mon 4 and Tue 5 are working days under any arrangement."""
    end = notice_end(CAL, date(2026, 12, 28))
    assert end == date(2027, 1, 5)
    assert provisional_span(CAL, date(2026, 12, 29), end)
    assert not provisional_span(CAL, date(2026, 12, 1), date(2026, 12, 31))


def test_notice_served_before_or_on_posting_day():
    assert not notice_served(CAL, date(2026, 9, 17), date(2026, 9, 17))
    assert not notice_served(CAL, date(2026, 9, 17), date(2026, 9, 1))


def test_add_working_days_zero_and_negative():
    assert add_working_days(CAL, date(2026, 10, 3), 0) == date(2026, 10, 3)
    with pytest.raises(ValueError, match="negative"):
        add_working_days(CAL, date(2026, 10, 3), -1)
    with pytest.raises(ValueError, match="at least one"):
        notice_end(CAL, date(2026, 10, 3), 0)
    with pytest.raises(ValueError, match="before start"):
        working_days_between(CAL, date(2026, 10, 3), date(2026, 10, 2))
    assert working_days_between(CAL, date(2026, 10, 3), date(2026, 10, 3)) == 0


def test_roll_forward():
    assert roll_forward(CAL, date(2026, 10, 1)) == date(2026, 10, 8)
    assert roll_forward(CAL, date(2026, 2, 15)) == date(2026, 2, 24)
    assert roll_forward(CAL, date(2026, 10, 10)) == date(2026, 10, 10)
    assert roll_forward(CAL, date(2026, 9, 19)) == date(2026, 9, 20)  # Sat → the adjusted Sunday


# --- deadlines (Arts 201 and 203) --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "days", "last_day"),
    [
        (date(2026, 9, 1), 30, date(2026, 10, 8)),  # nominal Oct 1 (National Day) → Thu Oct 8
        (date(2026, 8, 2), 60, date(2026, 10, 8)),  # nominal Oct 1; Sep 25–27 inside the period do not matter
        (date(2026, 9, 30), 3, date(2026, 10, 8)),  # nominal Oct 3, a Saturday inside the holiday
        (date(2026, 1, 16), 30, date(2026, 2, 24)),  # nominal Sun Feb 15, Spring Festival → Tue Feb 24
        (date(2026, 9, 16), 10, date(2026, 9, 28)),  # nominal Sat Sep 26, Mid-Autumn → Mon Sep 28
        (date(2026, 6, 11), 10, date(2026, 6, 22)),  # nominal Sun Jun 21, Dragon Boat → Mon Jun 22
        (date(2026, 9, 2), 10, date(2026, 9, 14)),  # nominal Sat Sep 12, an ordinary weekend → Mon Sep 14
        (date(2026, 11, 26), 30, date(2026, 12, 28)),  # nominal Sat Dec 26 → Mon Dec 28
        (date(2026, 4, 21), 10, date(2026, 5, 6)),  # nominal May 1 → Wed May 6
    ],
    ids=str,
)
def test_deadline_ending_on_a_rest_day_rolls_forward(event, days, last_day):
    assert event + timedelta(days=days) != last_day
    assert deadline(CAL, event, days) == last_day


@pytest.mark.parametrize(
    ("event", "days", "last_day"),
    [
        (date(2026, 8, 11), 60, date(2026, 10, 10)),  # adjusted working Saturday: stays
        (date(2026, 9, 10), 10, date(2026, 9, 20)),  # adjusted working Sunday: stays
        (date(2026, 2, 18), 10, date(2026, 2, 28)),  # adjusted Saturday; the event fell inside the holiday
        (date(2026, 4, 29), 10, date(2026, 5, 9)),  # adjusted Saturday after Labour Day
        (date(2025, 12, 5), 30, date(2026, 1, 4)),  # adjusted Sunday; the event's year need not be covered
        (date(2026, 9, 17), 1, date(2026, 9, 18)),  # Art 201: the day after the event is day 1
        (date(2026, 12, 1), 30, date(2026, 12, 31)),  # Thu Dec 31, a working day
    ],
    ids=str,
)
def test_deadline_ending_on_a_working_day_stays(event, days, last_day):
    assert event + timedelta(days=days) == last_day
    assert deadline(CAL, event, days) == last_day


@pytest.mark.parametrize(
    ("event", "days", "due"),
    [
        (date(2026, 12, 20), 30, date(2027, 1, 19)),  # a Tuesday that no arrangement gives off: stays
        (date(2026, 12, 2), 30, date(2027, 1, 2)),  # New Year's Day is off; Sat 01-02 might be worked: earliest
        (date(2026, 9, 1), 365, date(2027, 9, 1)),  # an ordinary Wednesday
    ],
    ids=str,
)
def test_a_deadline_in_a_year_without_the_arrangement_is_shown_at_the_earliest(event, days, due):
    assert deadline(CAL, event, days) == due
    assert provisional_span(CAL, event + timedelta(days=days), due)


def test_a_deadline_rolling_over_a_year_end_passes_only_sure_rest_days():
    """Fictional data: Dec 31 of a covered year is a day off and the next year has no arrangement: Jan 1 is New Year's
    Day (surely off), Fri Jan 2 may not be bridged, so the deadline is Jan 2 at the earliest."""
    cal = load_calendar([doc(days_off=[["2031-12-31", "2031-12-31"]], adjusted_working_days=[])])
    assert not is_working_day(cal, date(2031, 12, 31))
    assert deadline(cal, date(2031, 12, 1), 30) == date(2032, 1, 2)


def test_deadline_rejects_non_positive_periods():
    with pytest.raises(ValueError, match="at least one day"):
        deadline(CAL, date(2026, 9, 1), 0)


# --- announcements before a meeting ------------------------------------------------------------------------------


def test_days_before():
    """15 clear days between announcement and meeting: a meeting on Sat Oct 17 → announce by Thu Oct 1."""
    latest = days_before(date(2026, 10, 17), 15)
    assert latest == date(2026, 10, 1)
    assert len(_span(latest + timedelta(days=1), date(2026, 10, 16))) == 15
    assert days_before(date(2027, 3, 1), 15) == date(2027, 2, 13)  # no calendar needed
    with pytest.raises(ValueError, match="at least one"):
        days_before(date(2026, 10, 17), 0)


# --- loading and validation --------------------------------------------------------------------------------------


def test_extra_documents_add_years():
    cal = load_calendar([doc()])
    assert cal.years == frozenset({2026, 2031})
    assert cal.source_for(2031) == "test fixture, not a real notice"
    assert not is_working_day(cal, date(2031, 10, 1))
    assert is_working_day(cal, date(2031, 9, 28))  # a Sunday, adjusted
    assert is_working_day(CAL, date(2026, 9, 20))  # the shipped year is still there
    with pytest.raises(CalendarMissing):
        is_working_day(cal, date(2030, 6, 3))


def test_the_same_year_twice_must_agree():
    shipped = json.loads((HOLIDAY_DIR / "cn-2026.json").read_text(encoding="utf-8"))
    again = dict(shipped, source="entered again by an administrator")
    assert load_calendar([again]) == CAL  # identical data: accepted (the shipped source is kept)
    different = dict(shipped, adjusted_working_days=shipped["adjusted_working_days"][:-1])
    with pytest.raises(ValueError, match="two different arrangements for 2026"):
        load_calendar([different])


BAD_DOCUMENTS = [
    ("not an object", ["2031"], "must be a JSON object"),
    ("missing key", {k: v for k, v in doc().items() if k != "source"}, "missing \\['source'\\]"),
    ("unknown key", doc(adjusted_workdays=[]), "unknown \\['adjusted_workdays'\\]"),
    ("year as string", doc(year="2031"), "year must be an integer"),
    ("year as bool", doc(year=True), "year must be an integer"),
    ("empty source", doc(source="  "), "source must name"),
    ("days_off not a list", doc(days_off="2031-01-01"), "days_off must be a list"),
    ("range not a pair", doc(days_off=[["2031-01-01"]]), "days_off\\[0\\] must be a \\[first, last\\] pair"),
    ("range as string", doc(days_off=["2031-01-01"]), "days_off\\[0\\] must be a \\[first, last\\] pair"),
    ("bad date format", doc(days_off=[["2031-1-1", "2031-01-02"]]), "not a date written YYYY-MM-DD"),
    ("compact date", doc(days_off=[["20310101", "2031-01-02"]]), "not a date written YYYY-MM-DD"),
    ("impossible date", doc(days_off=[["2031-02-29", "2031-03-01"]]), "not a valid date"),
    ("date not a string", doc(days_off=[[20310101, "2031-01-02"]]), "not a date written YYYY-MM-DD"),
    ("range outside year", doc(days_off=[["2031-12-31", "2032-01-02"]]), "2032-01-02 lies outside 2031"),
    ("range before year", doc(days_off=[["2030-12-31", "2031-01-01"]]), "2030-12-31 lies outside 2031"),
    ("reversed range", doc(days_off=[["2031-10-07", "2031-10-01"]]), "ends before it starts"),
    (
        "overlapping ranges",
        doc(days_off=[["2031-10-01", "2031-10-07"], ["2031-10-07", "2031-10-08"]]),
        "days_off\\[1\\] overlaps days_off\\[0\\] on 2031-10-07",
    ),
    ("adjusted not a list", doc(adjusted_working_days="2031-09-28"), "adjusted_working_days must be a list"),
    ("adjusted outside year", doc(adjusted_working_days=["2032-01-03"]), "lies outside 2031"),
    (
        "adjusted inside days off",
        doc(days_off=[["2031-09-27", "2031-09-28"]], adjusted_working_days=["2031-09-28"]),
        "2031-09-28 is also a day off",
    ),
    ("adjusted on a weekday", doc(adjusted_working_days=["2031-09-29"]), "adjusted working days are weekend days"),
    ("adjusted twice", doc(adjusted_working_days=["2031-09-28", "2031-09-28"]), "listed twice"),
]


@pytest.mark.parametrize(
    ("bad", "message"), [(d, m) for _, d, m in BAD_DOCUMENTS], ids=[n for n, _, _ in BAD_DOCUMENTS]
)
def test_bad_documents_are_rejected(bad, message):
    with pytest.raises(ValueError, match=message):
        parse_year_document(bad)
    with pytest.raises(ValueError, match="^extra holiday calendar document 0: .*" + message):
        load_calendar([copy.deepcopy(bad)])


def test_a_hand_built_inconsistent_calendar_is_rejected():
    day = date(2026, 10, 10)
    with pytest.raises(ValueError, match="both a day off and an adjusted working day"):
        HolidayCalendar(frozenset({day}), frozenset({day}), frozenset({2026}))
    with pytest.raises(ValueError, match="does not cover"):
        HolidayCalendar(frozenset({date(2027, 1, 1)}), frozenset(), frozenset({2026}))
    with pytest.raises(ValueError, match="not a weekend day"):
        HolidayCalendar(frozenset(), frozenset({date(2026, 10, 9)}), frozenset({2026}))


def test_year_files_are_checked(tmp_path):
    folder = tmp_path / "holidays"
    folder.mkdir()
    (folder / "notes.txt").write_text("ignored", encoding="utf-8")
    (folder / "cn-2031.json").write_text(json.dumps(doc()), encoding="utf-8")
    assert [y.year for y in read_year_files(folder)] == [2031]
    (folder / "cn-2030.json").write_text(json.dumps(doc()), encoding="utf-8")
    with pytest.raises(ValueError, match=r"holidays/cn-2030\.json: the file for 2031 must be named cn-2031\.json"):
        read_year_files(folder)
    (folder / "cn-2030.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match=r"holidays/cn-2030\.json: not valid JSON"):
        read_year_files(folder)
    (folder / "cn-2030.json").write_text(json.dumps(doc(year=2030, days_off=[["2031-01-01", "2031-01-01"]])))
    with pytest.raises(ValueError, match=r"holidays/cn-2030\.json: days_off\[0\]: 2031-01-01 lies outside 2030"):
        read_year_files(folder)


# --- properties --------------------------------------------------------------------------------------------------


@given(start=st.dates(min_value=date(2025, 12, 31), max_value=date(2026, 12, 31)), n=st.integers(1, 80))
def test_add_working_days_lands_on_the_nth_working_day(start, n):
    following = _span(start + timedelta(days=1), date(2026, 12, 31))
    available = [d for d in following if oracle_working(d)]
    if len(available) < n:  # reaches 2027, which has no arrangement: provisional
        assert provisional_span(CAL, start + timedelta(days=1), add_working_days(CAL, start, n))
        return
    result = add_working_days(CAL, start, n)
    assert result == available[n - 1]
    assert is_working_day(CAL, result)
    assert working_days_between(CAL, start, result) == n
    assert sum(oracle_working(d) for d in _span(start + timedelta(days=1), result)) == n


@given(event=st.dates(min_value=date(2025, 11, 1), max_value=date(2026, 12, 31)), days=st.integers(1, 120))
def test_deadline_is_the_first_working_day_on_or_after_the_nominal_last_day(event, days):
    nominal = event + timedelta(days=days)
    later = [d for d in _span(nominal, date(2026, 12, 31)) if oracle_working(d)] if nominal.year == 2026 else []
    if not later:  # reaches a year without the arrangement: provisional
        assert provisional_span(CAL, nominal, deadline(CAL, event, days))
        return
    result = deadline(CAL, event, days)
    assert result == later[0]
    assert is_working_day(CAL, result)
    assert all(not oracle_working(d) for d in _span(nominal, result - timedelta(days=1)))
