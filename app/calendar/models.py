"""A holiday year that an administrator added after the product shipped (e.g. the next year's State Council notice)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class HolidayYear(db.Model):  # type: ignore[name-defined]
    """One year's holiday arrangement, as the document app.rules.calendar.parse_year_document checks."""

    __tablename__ = "holiday_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    #: {"year", "source", "days_off", "adjusted_working_days"} (app/rules/holidays/README.md)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
