"""The holiday calendar in force: the years shipped in app/rules/holidays/ plus those added by administrators.

Every working-day computation of the product goes through `current_calendar()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from flask import g, has_request_context
from flask_babel import gettext
from markupsafe import Markup, escape
from sqlalchemy import select

from app.audit import services as audit
from app.calendar.models import HolidayYear
from app.errors import DomainError
from app.extensions import db
from app.rules.calendar import HolidayCalendar, load_calendar, parse_year_document, provisional_span
from app.rules.provisional_calendar import provisional_year

#: from this day of the year (1 November) administrators are warned while next year's arrangement is missing; the
#: State Council's notice usually comes out in November
WARN_FROM = (11, 1)


def current_calendar() -> HolidayCalendar:
    """The shipped years and the years kept in the database (read once per request)."""
    cached: HolidayCalendar | None = g.get("holiday_calendar") if has_request_context() else None
    if cached is None:
        cached = load_calendar(db.session.scalars(select(HolidayYear.document)).all())
        if has_request_context():
            g.holiday_calendar = cached
    return cached


def forget_calendar() -> None:
    """Drop the calendar read for this request, after a year was added."""
    if has_request_context():
        g.pop("holiday_calendar", None)


def is_provisional(first: date | None, last: date | None) -> bool:
    """Whether a date reckoned over the days ``first`` … ``last`` used a year without the official arrangement."""
    if first is None or last is None or last < first:
        return False
    return provisional_span(current_calendar(), first, last)


def notice_is_provisional(starts_on: date | None, ends_on: date | None) -> bool:
    """Whether a notice's last day (`calendar.notice_end` from ``starts_on``) is provisional."""
    return starts_on is not None and is_provisional(starts_on + timedelta(days=1), ends_on)


#: the sentence printed in a PDF after a provisional date (PDFs are Chinese documents for the notice board)
PROVISIONAL_PDF_NOTE = "截止日期为暂定：该年度国务院节假日安排尚未公布，按对各方最稳妥的方式计算，公布后将重新计算。"


def provisional_pdf_note(provisional: bool) -> str:
    """`PROVISIONAL_PDF_NOTE` with a leading space when ``provisional``, else nothing."""
    return f" {PROVISIONAL_PDF_NOTE}" if provisional else ""


def provisional_mark(provisional: bool) -> Markup:
    """The words shown beside a provisional date, on every page that shows one (DOMAIN §7, "Dates")."""
    if not provisional:
        return Markup("")
    words = gettext("provisional: that year's holiday arrangement is not published yet")
    return Markup(' <span class="badge provisional" data-provisional="true">{}</span>').format(escape(words))


def add_holiday_year(document: dict[str, Any], added_by_id: int | None = None) -> HolidayYear:
    """Check a year document (app/rules/holidays/README.md) and keep it; a year already known is refused."""
    try:
        parsed = parse_year_document(document, origin="the document")
    except ValueError as error:
        raise DomainError("invalid_holiday_year", str(error)) from error
    if parsed.year in current_calendar().years:
        raise DomainError("holiday_year_exists", f"the calendar already has {parsed.year}", status=409)
    year = HolidayYear(year=parsed.year, document=document, added_by_id=added_by_id)
    db.session.add(year)
    db.session.flush()
    forget_calendar()
    audit.record("calendar.add_year", "holiday_year", parsed.year, {"year": parsed.year, "source": parsed.source})
    return year


@dataclass(frozen=True)
class YearState:
    """One year as the calendar knows it: "official" (its arrangement is shipped or was added), "provisional" (only
    the statutory holidays are known: dates reckoned in it are marked provisional) or "missing" (beyond 2100)."""

    year: int
    state: Literal["official", "provisional", "missing"]
    source: str | None = None
    added_at: datetime | None = None
    statutory_days_off: tuple[date, ...] = ()


@dataclass(frozen=True)
class YearOverview:
    rows: tuple[YearState, ...]
    official_years: frozenset[int]


def year_overview(today: date) -> YearOverview:
    """Every year from the first official one (or this year) to next year."""
    cal = current_calendar()
    added = {row.year: row.added_at for row in db.session.scalars(select(HolidayYear))}
    rows = []
    for year in range(min(cal.years | {today.year}), today.year + 2):
        if year in cal.years:
            rows.append(YearState(year, "official", cal.source_for(year), added.get(year)))
            continue
        provisional = provisional_year(year)
        if provisional is None:
            rows.append(YearState(year, "missing"))
        else:
            rows.append(
                YearState(year, "provisional", statutory_days_off=tuple(sorted(provisional.statutory_days_off)))
            )
    return YearOverview(tuple(rows), cal.years)


def missing_next_year(today: date) -> int | None:
    """Next year, from 1 November on, while its official arrangement has not been added (the dashboard's warning)."""
    if (today.month, today.day) < WARN_FROM:
        return None
    return None if today.year + 1 in current_calendar().years else today.year + 1
