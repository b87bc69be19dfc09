"""Working days and legal periods on the Chinese holiday calendar (Civil Code Arts 200–204; DOMAIN §7). PURE.

The calendar is data, one JSON document per year (``app/rules/holidays/cn-YYYY.json``, see the README there), taken
from the State Council General Office's yearly notice (国务院办公厅关于部分节假日安排的通知, usually published in
November of the year before). More years can be passed in as documents of the same shape, e.g. from the database,
so that an administrator can add next year's notice without a release.

A year without the official arrangement (it is published late in the year before) is **provisional**
(`app.rules.provisional_calendar`): its statutory holidays are known, its bridges and exchanged weekends are not. Every
period is then computed on the safe side for every party: a minimum period (`add_working_days`, `notice_end`,
`notice_served`) counts only the days that are surely working days, so it ends on the latest date any plausible
arrangement could give; a deadline (`deadline`, `roll_forward`) moves its last day only over days that are surely rest
days, so it is shown at the earliest. `provisional_span` tells whether a date was reckoned so; the
product says "provisional" beside it and recomputes it when the official year is added. In an official year the sure
and the actual working days are the same, so nothing changes there. Only a year the lunar calendar does not reach
(after 2100) raises `CalendarMissing`.

Working day (工作日): a Monday–Friday that is not a day off (放假), or a weekend day declared an adjusted working day
(调休上班). In 2026: Thu 2026-10-01 – Wed 2026-10-07 are days off (National Day), Sun 2026-09-20 and Sat 2026-10-10
are working days, Sat 2026-10-03 and an ordinary Saturday such as 2026-09-12 are not.

Counting rules:

- Civil Code Art 201: 按照年、月、日计算期间的，开始的当日不计入，自下一日开始计算 — the day of the event is not
  counted; the day after it is day 1. The same is used for working-day counts (a notice posted on Thursday starts
  counting on Friday), as in the reference's worked example.
- Civil Code Art 203: 期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日 — if the last day is a
  statutory rest day, the period ends on the day after the rest ends, i.e. on the next working day. The period ends at
  24:00 of its last day (Art 203 ¶2).
- Days that fall *inside* a period count whatever they are; only the last day is moved (Art 203 speaks of the last
  day only).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date, timedelta
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable

from app.rules.provisional_calendar import ProvisionalYear, provisional_year

ONE_DAY = timedelta(days=1)

#: the folder, inside this package, that holds one ``cn-YYYY.json`` per year
HOLIDAY_FOLDER = "holidays"
#: the keys of a year document, all required
DOCUMENT_KEYS = frozenset({"year", "source", "days_off", "adjusted_working_days"})

_PACKAGE = __name__.rpartition(".")[0]
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_FILE_NAME = re.compile(r"cn-(\d{4})\.json")
_SATURDAY = 5


class CalendarMissing(ValueError):
    """A computation needs a day in a year that neither an official arrangement nor the provisional calendar covers.

    The provisional calendar reaches every year up to 2100, so in practice this is only `is_working_day` asked about
    a provisional year, where the question has no answer yet. ``year`` is the first such year met.
    """

    def __init__(self, year: int) -> None:
        super().__init__(year)  # args == (year,): pickles and re-raises faithfully
        self.year = year

    def __str__(self) -> str:
        return (
            f"no holiday calendar for {self.year} yet: working days and deadlines in {self.year} cannot be computed "
            f"until the State Council's {self.year} holiday arrangement is added"
        )


@dataclass(frozen=True)
class CalendarYear:
    """One year's arrangement, as validated from its document."""

    year: int
    source: str
    days_off: frozenset[date]
    adjusted_working_days: frozenset[date]


@dataclass(frozen=True)
class HolidayCalendar:
    """Days off and adjusted working days for the covered ``years``; build it with `load_calendar`.

    ``sources`` names, per year, the notice the data comes from (for display next to a computed date).
    """

    days_off: frozenset[date]
    adjusted_working_days: frozenset[date]
    years: frozenset[int]
    sources: tuple[tuple[int, str], ...] = ()

    def __post_init__(self) -> None:
        outside = sorted(d for d in self.days_off | self.adjusted_working_days if d.year not in self.years)
        if outside:
            raise ValueError(f"holiday calendar: {outside[0].isoformat()} lies in a year the calendar does not cover")
        both = sorted(self.days_off & self.adjusted_working_days)
        if both:
            raise ValueError(f"holiday calendar: {both[0].isoformat()} is both a day off and an adjusted working day")
        weekday = sorted(d for d in self.adjusted_working_days if d.weekday() < _SATURDAY)
        if weekday:
            raise ValueError(f"holiday calendar: adjusted working day {weekday[0].isoformat()} is not a weekend day")

    def covers(self, d: date) -> bool:
        """Whether ``d`` lies in a year with the official arrangement."""
        return d.year in self.years

    def require(self, d: date) -> None:
        """Raise `CalendarMissing` unless ``d`` lies in a year with the official arrangement."""
        if d.year not in self.years:
            raise CalendarMissing(d.year)

    def source_for(self, year: int) -> str | None:
        return dict(self.sources).get(year)

    @classmethod
    def from_years(cls, years: Iterable[CalendarYear]) -> HolidayCalendar:
        """Combine validated years; the same year twice is accepted only when both say exactly the same."""
        by_year: dict[int, CalendarYear] = {}
        for item in years:
            known = by_year.get(item.year)
            if known is None:
                by_year[item.year] = item
            elif (known.days_off, known.adjusted_working_days) != (item.days_off, item.adjusted_working_days):
                raise ValueError(
                    f"holiday calendar: two different arrangements for {item.year} "
                    f"({known.source!r} and {item.source!r}); remove or correct one of them"
                )
        ordered = [by_year[y] for y in sorted(by_year)]
        return cls(
            days_off=frozenset(d for y in ordered for d in y.days_off),
            adjusted_working_days=frozenset(d for y in ordered for d in y.adjusted_working_days),
            years=frozenset(by_year),
            sources=tuple((y.year, y.source) for y in ordered),
        )


# --- loading and validating the data ------------------------------------------------------------------------------


def parse_year_document(doc: Mapping[str, object], *, origin: str = "holiday calendar document") -> CalendarYear:
    """Validate one year document and return its days; raise ValueError naming ``origin`` and the fault.

    Shape (all keys required, no others)::

        {"year": 2026,
         "source": "国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)",
         "days_off": [["2026-01-01", "2026-01-03"], ["2026-02-15", "2026-02-23"], ...],
         "adjusted_working_days": ["2026-01-04", "2026-02-14", ...]}

    ``days_off`` are inclusive ranges (a single day is ``["2026-06-19", "2026-06-19"]``). Checked: dates written
    YYYY-MM-DD and inside ``year``; ranges not reversed and not overlapping; adjusted working days are Saturdays or
    Sundays, listed once, and not inside a range of days off.
    """

    def fail(message: str) -> ValueError:
        return ValueError(f"{origin}: {message}")

    if not isinstance(doc, Mapping):
        raise fail("must be a JSON object")
    keys = set(doc)
    if keys != DOCUMENT_KEYS:
        missing, unknown = sorted(DOCUMENT_KEYS - keys), sorted(str(k) for k in keys - DOCUMENT_KEYS)
        raise fail(f"keys must be {sorted(DOCUMENT_KEYS)}; missing {missing}, unknown {unknown}")

    year = doc["year"]
    if not isinstance(year, int) or isinstance(year, bool) or not MINYEAR < year < MAXYEAR:
        raise fail(f"year must be an integer year, not {year!r}")
    source = doc["source"]
    if not isinstance(source, str) or not source.strip():
        raise fail("source must name the notice the data comes from")

    def day(value: object, where: str) -> date:
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            raise fail(f"{where}: {value!r} is not a date written YYYY-MM-DD")
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            raise fail(f"{where}: {value!r} is not a valid date") from None
        if parsed.year != year:
            raise fail(f"{where}: {value} lies outside {year}")
        return parsed

    ranges = doc["days_off"]
    if not isinstance(ranges, list):
        raise fail("days_off must be a list of [first, last] date ranges")
    days_off: dict[date, int] = {}
    for index, pair in enumerate(ranges):
        where = f"days_off[{index}]"
        if not isinstance(pair, list) or len(pair) != 2:
            raise fail(f"{where} must be a [first, last] pair of dates, not {pair!r}")
        first, last = day(pair[0], where), day(pair[1], where)
        if last < first:
            raise fail(f"{where}: range {first} – {last} ends before it starts")
        for d in _days(first, last):
            if d in days_off:
                raise fail(f"{where} overlaps days_off[{days_off[d]}] on {d}")
            days_off[d] = index

    listed = doc["adjusted_working_days"]
    if not isinstance(listed, list):
        raise fail("adjusted_working_days must be a list of dates")
    adjusted: set[date] = set()
    for index, value in enumerate(listed):
        where = f"adjusted_working_days[{index}]"
        d = day(value, where)
        if d in adjusted:
            raise fail(f"{where}: {d} is listed twice")
        if d in days_off:
            raise fail(f"{where}: {d} is also a day off (days_off[{days_off[d]}])")
        if d.weekday() < _SATURDAY:
            raise fail(f"{where}: {d} is a {d:%A}; adjusted working days are weekend days")
        adjusted.add(d)

    return CalendarYear(year, source.strip(), frozenset(days_off), frozenset(adjusted))


def read_year_files(folder: Traversable) -> tuple[CalendarYear, ...]:
    """Every ``*.json`` in ``folder``, each a year document named ``cn-<year>.json``; other files are ignored."""
    found: list[CalendarYear] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        origin = f"{folder.name}/{entry.name}"
        try:
            doc = json.loads(entry.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{origin}: not valid JSON ({exc})") from None
        parsed = parse_year_document(doc, origin=origin)
        named = _FILE_NAME.fullmatch(entry.name)
        if named is None or int(named.group(1)) != parsed.year:
            raise ValueError(f"{origin}: the file for {parsed.year} must be named cn-{parsed.year}.json")
        found.append(parsed)
    return tuple(found)


@lru_cache(maxsize=1)
def shipped_years() -> tuple[CalendarYear, ...]:
    """The years shipped with the product in app/rules/holidays/ (read once per process)."""
    return read_year_files(resources.files(_PACKAGE).joinpath(HOLIDAY_FOLDER))


def load_calendar(extra: Iterable[Mapping[str, object]] = ()) -> HolidayCalendar:
    """The shipped years plus ``extra`` year documents (e.g. entered by an administrator and kept in the database).

    Every document is validated (`parse_year_document`); a year given twice must say the same both times.
    Raises ValueError on bad data; an uncovered year is not an error here but in the computations that need it.
    """
    added = [parse_year_document(doc, origin=f"extra holiday calendar document {i}") for i, doc in enumerate(extra)]
    return HolidayCalendar.from_years([*shipped_years(), *added])


# --- working days -------------------------------------------------------------------------------------------------


def _days(first: date, last: date) -> Iterator[date]:
    """first, first + 1, …, last (inclusive; empty when last < first)."""
    d = first
    while d <= last:
        yield d
        d += ONE_DAY


def is_working_day(cal: HolidayCalendar, d: date) -> bool:
    """A Monday–Friday that is not a day off, or an adjusted working day, in a year with the official arrangement.

    2026: Fri 2026-09-18 → True; Sun 2026-09-20 (adjusted) → True; Fri 2026-09-25 (Mid-Autumn) → False;
    Sat 2026-10-10 (adjusted) → True; Sat 2026-10-17 → False. In a provisional year the question has no answer yet
    (2027-01-04 → CalendarMissing(2027)); periods use `surely_working` and `surely_resting`, which always answer.
    """
    cal.require(d)
    if d in cal.adjusted_working_days:
        return True
    if d in cal.days_off:
        return False
    return d.weekday() < _SATURDAY


def _provisional(d: date) -> ProvisionalYear:
    found = provisional_year(d.year)
    if found is None:
        raise CalendarMissing(d.year)
    return found


def surely_working(cal: HolidayCalendar, d: date) -> bool:
    """A working day under the official arrangement, or under every plausible one in a provisional year.

    Fri 2026-09-18 → True; Mon 2027-01-04 (no 2027 arrangement) → True; Tue 2027-02-09, which the Spring Festival's
    days off may take in → False.
    """
    if cal.covers(d):
        return is_working_day(cal, d)
    return _provisional(d).surely_working(d)


def surely_resting(cal: HolidayCalendar, d: date) -> bool:
    """A rest day under the official arrangement, or under every plausible one in a provisional year.

    Sat 2026-10-17 → True; Sat 2026-10-10 (adjusted working day) → False; Fri 2027-01-01 → True (New Year's Day);
    Sun 2027-01-10, which may be worked in exchange for a bridge → False.
    """
    if cal.covers(d):
        return not is_working_day(cal, d)
    return _provisional(d).surely_resting(d)


def provisional_span(cal: HolidayCalendar, first: date, last: date) -> bool:
    """Whether any day of ``first`` … ``last`` lies in a provisional year, so that a date reckoned over them is
    provisional. 2026-12-29 … 2027-01-05 → True while 2027 has no arrangement; 2026-12-01 … 2026-12-31 → False."""
    return any(year not in cal.years for year in range(first.year, last.year + 1))


def roll_forward(cal: HolidayCalendar, d: date) -> date:
    """``d`` unless it is a rest day, else the next day that is not (the Art 203 move of a period's last day).

    Thu 2026-10-01 → Thu 2026-10-08; Sun 2026-02-15 → Tue 2026-02-24; Sat 2026-10-10 (adjusted) → itself. In a
    provisional year only sure rest days are passed over, so the day is the earliest any arrangement could give:
    Fri 2027-01-01 → Sat 2027-01-02 (it may yet be declared a working day).
    """
    while surely_resting(cal, d):
        d += ONE_DAY
    return d


def add_working_days(cal: HolidayCalendar, start: date, n: int) -> date:
    """The n-th working day after ``start``, ``start`` itself not counted (Art 201); ``n == 0`` gives ``start``.

    Only the days after ``start`` are looked up, and in a provisional year only sure working days count, so the result
    is the latest any plausible arrangement could give. Examples:
    Thu 2026-09-17 + 5 → Wed 2026-09-23 (Fri 18, Sun 20 adjusted, Mon 21, Tue 22, Wed 23);
    Wed 2026-09-30 + 5 → Tue 2026-10-13 (Oct 1–7 off; Thu 8, Fri 9, Sat 10 adjusted, Mon 12, Tue 13);
    Mon 2026-12-28 + 5 → Tue 2027-01-05 without the 2027 arrangement (Tue 29, Wed 30, Thu 31; 01-01 is a holiday
    and the weekend of 01-02/03 may or may not be worked, so neither counts; Mon 4, Tue 5): provisional.
    """
    if n < 0:
        raise ValueError(f"number of working days must not be negative, not {n}")
    d = start
    while n:
        d += ONE_DAY
        if surely_working(cal, d):
            n -= 1
    return d


def working_days_between(cal: HolidayCalendar, start: date, end: date) -> int:
    """The number of working days in (start, end]: after ``start``, up to and including ``end``.

    The inverse of `add_working_days`: ``working_days_between(cal, s, add_working_days(cal, s, n)) == n``.
    Thu 2026-09-17 → Wed 2026-09-23: 5; Wed 2026-09-30 → Fri 2026-10-09: 2; a day to itself: 0.
    """
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    return sum(1 for d in _days(start + ONE_DAY, end) if surely_working(cal, d))


def notice_end(cal: HolidayCalendar, posted: date, working_days: int = 5) -> date:
    """The last day a notice posted on ``posted`` must stay up (at least 5 working days: Shaoxing Art 9, DOMAIN §7).

    The posting day is not counted (Art 201); the notice stays up through the returned day and may come down the day
    after (`notice_served`). Examples from 2026:

    - posted Thu 2026-09-17 → Wed 2026-09-23 (the reference's worked example; Sun 09-20 is an adjusted working day);
    - posted Thu 2026-09-24 → Fri 2026-10-09 (Mid-Autumn 09-25–27 and National Day 10-01–07 are skipped:
      Mon 28, Tue 29, Wed 30, Thu 10-08, Fri 10-09);
    - posted Wed 2026-09-30 → Tue 2026-10-13 (Thu 8, Fri 9, Sat 10-10 adjusted, Mon 12, Tue 13).
    """
    if working_days < 1:
        raise ValueError(f"a notice must stay up at least one working day, not {working_days}")
    return add_working_days(cal, posted, working_days)


def notice_served(cal: HolidayCalendar, posted: date, on: date, working_days: int = 5) -> bool:
    """Whether, on day ``on``, a notice posted on ``posted`` has stayed up its full term and may come down.

    Posted Thu 2026-09-17: on Wed 2026-09-23 → False (the last required day), on Thu 2026-09-24 → True.
    """
    if on <= posted:
        return False
    if working_days < 1:
        raise ValueError(f"a notice must stay up at least one working day, not {working_days}")
    return working_days_between(cal, posted, on - ONE_DAY) >= working_days


def deadline(cal: HolidayCalendar, event: date, days: int) -> date:
    """The last day of a period "within ``days`` days" of ``event`` (e.g. "within 60 days", "within 30 days").

    Civil Code Art 201: the day of the event is not counted; the day after it is day 1, so the nominal last day is
    ``event + days``. Days inside the period count whatever they are.

    Civil Code Art 203: if the last day is a 法定休假日, the period ends on the day after that rest ends. Our reading:
    法定休假日 covers the weekly rest days as well as the public holidays, as in Chinese practice (the State Council's
    Provisions on Workers' Working Hours, 国务院关于职工工作时间的规定, make Saturday and Sunday the weekly rest
    days; the SPC's 1988 opinion on the General Principles of Civil Law, Art 198, since repealed, said
    "星期日或者其他法定休假日" and, where rest days are shifted, took the actual rest day, "以实际休假日的次日");
    and an adjusted working day (调休上班) is a working day, not a rest day. So the last day rolls forward to the next
    working day when it is a day off or an ordinary weekend day, and stays when it is a working day, including an
    adjusted working Saturday or Sunday. The period ends at 24:00 of that day (Art 203 ¶2).

    Examples (2026):

    - event Wed 2026-09-01, 30 days → Thu 10-01 is National Day → Thu 2026-10-08;
    - event Sun 2026-08-02, 60 days → Thu 10-01 → Thu 2026-10-08 (Sep 25–27, inside the period, do not matter);
    - event Tue 2026-08-11, 60 days → Sat 2026-10-10, an adjusted working day: stays;
    - event Thu 2026-09-10, 10 days → Sun 2026-09-20, an adjusted working day: stays;
    - event Wed 2026-09-02, 10 days → Sat 09-12, an ordinary Saturday → Mon 2026-09-14;
    - event Fri 2026-01-16, 30 days → Sun 02-15, Spring Festival (02-15–23) → Tue 2026-02-24;
    - event Sun 2026-12-20, 30 days → Tue 2027-01-19, surely a working day whatever 2027's arrangement: stays, and
      is provisional until the 2027 arrangement is added (`provisional_span`).
    """
    if days < 1:
        raise ValueError(f"a period must be at least one day, not {days}")
    return roll_forward(cal, event + timedelta(days=days))


def days_before(meeting: date, days: int) -> date:
    """The latest day to announce something that must be announced "at least ``days`` days before" ``meeting``.

    Counting: ``days`` whole days must lie between the announcement and the meeting, neither counted — the
    announcement day is not counted (Art 201: the period starts the day after), and the meeting day is not a day
    *before* the meeting. So the latest announcement day is ``meeting - (days + 1)``. This is the stricter of the two
    readings found in practice (some count the announcement day, giving ``meeting - days``); announcing one day
    earlier never makes an announcement invalid, so the product uses it.

    No holiday roll applies (Art 203 moves the end of a period forward, which here would be the meeting itself) and
    no calendar is needed. Example: a meeting on Sat 2026-10-17 with 15 days' notice → announce by Thu 2026-10-01
    (Oct 2 … Oct 16 are the 15 days); that the latest day is a holiday does not move it.
    """
    if days < 1:
        raise ValueError(f"days must be at least one, not {days}")
    return meeting - timedelta(days=days + 1)
