"""The holiday calendar in force: the years shipped in app/rules/holidays/ plus those added by administrators.

Every working-day computation of the product goes through `current_calendar()`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import g, has_app_context
from flask_babel import gettext
from markupsafe import Markup, escape
from sqlalchemy import select

from app.audit import services as audit
from app.calendar.models import HolidayYear
from app.errors import DomainError
from app.extensions import db
from app.rules.calendar import HolidayCalendar, load_calendar, parse_year_document, provisional_span


def current_calendar() -> HolidayCalendar:
    """The shipped years and the years kept in the database (read once per request or task)."""
    cached: HolidayCalendar | None = g.get("holiday_calendar") if has_app_context() else None
    if cached is None:
        cached = load_calendar(db.session.scalars(select(HolidayYear.document)).all())
        if has_app_context():
            g.holiday_calendar = cached
    return cached


def forget_calendar() -> None:
    """Drop the calendar read for this request, after a year was added."""
    if has_app_context():
        g.pop("holiday_calendar", None)


def is_provisional(first: date | None, last: date | None) -> bool:
    """Whether a date reckoned over the days ``first`` … ``last`` used a year without the official arrangement."""
    if first is None or last is None or last < first:
        return False
    return provisional_span(current_calendar(), first, last)


def notice_is_provisional(starts_on: date | None, ends_on: date | None) -> bool:
    """Whether a notice's last day (`calendar.notice_end` from ``starts_on``) is provisional."""
    return starts_on is not None and is_provisional(starts_on + timedelta(days=1), ends_on)


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
