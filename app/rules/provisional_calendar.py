"""A provisional calendar for a year whose holiday arrangement is not yet published (DOMAIN §7, "Dates"). PURE.

The State Council publishes each year's arrangement (放假调休) late in the year before, so for some weeks every clock
that reaches the next year needs days that nobody knows yet. Gongjue does not refuse to work then, and does not guess
one arrangement either: it computes with the days that **every plausible arrangement** agrees on, so that each date is
safe for every party, and says that the date is provisional.

What is certain, by law (全国年节及纪念日放假办法, as amended in 2024): the statutory holidays themselves are days off
(元旦 1 January; 春节 the eve and the first three days of the lunar year; 清明节; 劳动节 1–2 May; 端午节; 中秋节;
国庆节 1–3 October). The lunar and solar-term dates come from the ``holidays`` package (its China calendar, without
the arrangements it may carry for known years). What varies from year to year is how the statutory days are joined
to weekends: days off bridged around them (至 … 放假调休) and weekend days worked in exchange (上班).

**decision — the plausible arrangement of each holiday**, drawn wide enough to hold every arrangement of 2024–2026
(tested against them, `tests/rules/test_provisional_calendar.py`):

- the days off of a holiday lie in a window around its statutory days: 元旦 30 December – 3 January; 春节 two days
  before the eve to the eighth day of the lunar year; 清明节, 端午节 and 中秋节 three days either side; 劳动节
  28 April – 6 May; 国庆节 29 September – 8 October;
- the weekend days worked in exchange lie within 14 days before or after such a window.

So in a provisional year a day is **surely a working day** when it is a Monday–Friday outside every window of days
off, and **surely a rest day** when it is a statutory holiday, or a Saturday or Sunday that no arrangement could make a
working day. Every other day may go either way. `app.rules.calendar` counts a minimum period (a notice "at least 5
working days") on the sure working days only, so it ends on the latest date any plausible arrangement could give,
and moves a deadline's last day (Civil Code Art 203) only over sure rest days, so a deadline is shown at the earliest.
Example: 2027 has no arrangement yet; Fri 2027-01-01 is surely a rest day (New Year's Day), Mon 2027-01-04 is
surely a working day, and Sun 2027-01-10 may be worked in exchange for a bridge, so it is neither; nor is
Tue 2027-02-09, which the Spring Festival's days off may take in (the law fixes only 02-05 to 02-08).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from holidays.countries.china import China

#: how far the arrangement's weekend working days (调休上班) may lie from the days off they pay for
EXCHANGE_REACH = timedelta(days=14)
#: the last year the lunar calendar behind the statutory dates covers
LAST_LUNAR_YEAR = 2100
_SATURDAY = 5


@dataclass(frozen=True)
class ProvisionalYear:
    """What every plausible arrangement of ``year`` agrees on (see the module docstring)."""

    year: int
    #: the statutory holidays of the year: days off under every arrangement
    statutory_days_off: frozenset[date]
    #: the Monday–Fridays of the year that some arrangement may give off (statutory ones included)
    possible_days_off: frozenset[date]
    #: the Saturdays and Sundays of the year that some arrangement may make working days
    possible_working_weekends: frozenset[date]

    def surely_working(self, d: date) -> bool:
        """A Monday–Friday that no plausible arrangement gives off."""
        return d.weekday() < _SATURDAY and d not in self.possible_days_off

    def surely_resting(self, d: date) -> bool:
        """A statutory holiday, or a weekend day that no plausible arrangement makes a working day."""
        if d in self.statutory_days_off:
            return True
        return d.weekday() >= _SATURDAY and d not in self.possible_working_weekends


def statutory_days_off(year: int) -> frozenset[date]:
    """The statutory holidays of ``year`` (1 January, the Spring Festival's eve and first three days, …).

    2027: 01-01, 02-05 (eve) … 02-08, 04-05, 05-01, 05-02, 06-09, 09-15, 10-01 … 10-03 (13 days).
    """
    china = China(observed=False)  # type: ignore[no-untyped-call]  # its __init__ takes unannotated **kwargs
    china.has_special_holidays = False  # the yearly arrangements it carries for known years are not statutory
    china.get(date(year, 1, 1))  # looking a day up fills in its year
    return frozenset(d for d in china if d.year == year)


def _window_days(first: date, last: date) -> Iterator[date]:
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


def _windows_of(year: int) -> list[tuple[date, date]]:
    """The windows of days off of ``year``'s holidays (first, last), as the module docstring lists them."""
    statutory = statutory_days_off(year)
    if not statutory:
        return []
    three = timedelta(days=3)
    spring = sorted(d for d in statutory if d.month <= 2 and d != date(year, 1, 1))
    qingming = [d for d in statutory if d.month == 4]
    dragon_boat = [d for d in statutory if d.month in (5, 6) and not (d.month == 5 and d.day <= 3)]
    mid_autumn = [d for d in statutory if d.month in (9, 10) and not (d.month == 10 and d.day <= 3)]
    windows = [
        (date(year - 1, 12, 30), date(year, 1, 3)),
        (date(year, 4, 28), date(year, 5, 6)),
        (date(year, 9, 29), date(year, 10, 8)),
    ]
    if spring:
        windows.append((spring[0] - timedelta(days=2), spring[0] + timedelta(days=9)))
    for festival in (qingming, dragon_boat, mid_autumn):
        windows.extend((d - three, d + three) for d in festival)
    return windows


@lru_cache(maxsize=16)
def provisional_year(year: int) -> ProvisionalYear | None:
    """The provisional calendar of ``year``, or None beyond the lunar calendar's reach (after 2100).

    The windows of the years before and after are included where they reach into ``year`` (the New Year's window of
    2028 starts on 2027-12-30).
    """
    if year > LAST_LUNAR_YEAR or not statutory_days_off(year):
        return None
    possible_off: set[date] = set()
    possible_working: set[date] = set()
    for first, last in (w for y in (year - 1, year, year + 1) for w in _windows_of(y)):
        possible_off.update(_window_days(first, last))
        possible_working.update(_window_days(first - EXCHANGE_REACH, last + EXCHANGE_REACH))
    statutory = statutory_days_off(year)
    return ProvisionalYear(
        year=year,
        statutory_days_off=statutory,
        possible_days_off=frozenset(d for d in possible_off if d.year == year and d.weekday() < _SATURDAY),
        possible_working_weekends=frozenset(
            d for d in possible_working if d.year == year and d.weekday() >= _SATURDAY and d not in statutory
        ),
    )
