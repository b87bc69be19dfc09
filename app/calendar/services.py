"""The holiday calendar in force: the years shipped in app/rules/holidays/ plus those added by administrators.

Every working-day computation of the product goes through `current_calendar()`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.audit import services as audit
from app.calendar.models import HolidayYear
from app.errors import DomainError
from app.extensions import db
from app.rules.calendar import HolidayCalendar, load_calendar, parse_year_document


def current_calendar() -> HolidayCalendar:
    """The shipped years and the years kept in the database."""
    return load_calendar(db.session.scalars(select(HolidayYear.document)).all())


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
    audit.record("calendar.add_year", "holiday_year", parsed.year, {"year": parsed.year, "source": parsed.source})
    return year
