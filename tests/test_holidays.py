"""Holiday years added by an administrator: checked, kept in the database, used by every working-day count."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.calendar.services import add_holiday_year, current_calendar
from app.errors import DomainError
from app.extensions import db
from app.rules.calendar import notice_end, provisional_span

#: a made-up year for tests only (the real 2027 arrangement is added when the State Council publishes it)
TEST_YEAR = {
    "year": 2027,
    "source": "test data, not the State Council's notice",
    "days_off": [["2027-01-01", "2027-01-03"]],
    "adjusted_working_days": [],
}


def test_a_year_is_provisional_until_it_is_added(app):
    assert provisional_span(current_calendar(), date(2026, 12, 29), date(2027, 1, 5))
    add_holiday_year(TEST_YEAR)
    assert not provisional_span(current_calendar(), date(2026, 12, 29), date(2027, 1, 5))
    # Tue 29, Wed 30, Thu 31, then Jan 1–3 are days off and Mon 4, Tue 5 count: five working days
    assert notice_end(current_calendar(), date(2026, 12, 28)) == date(2027, 1, 5)
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions[-1] == "calendar.add_year"


def test_a_known_year_or_a_bad_document_is_refused(app):
    with pytest.raises(DomainError) as shipped:
        add_holiday_year({**TEST_YEAR, "year": 2026, "days_off": [["2026-01-01", "2026-01-03"]]})
    assert shipped.value.code == "holiday_year_exists"
    with pytest.raises(DomainError) as bad:
        add_holiday_year({**TEST_YEAR, "days_off": [["2027-01-03", "2027-01-01"]]})
    assert bad.value.code == "invalid_holiday_year"
    assert 2027 not in current_calendar().years


def test_the_command_adds_a_year(app, tmp_path):
    path = tmp_path / "cn-2027.json"
    path.write_text(json.dumps(TEST_YEAR), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["holidays", "add", str(path)])
    assert result.exit_code == 0, result.output
    assert 2027 in current_calendar().years
    listed = app.test_cli_runner().invoke(args=["holidays", "list"])
    assert "2027: test data" in listed.output
    again = app.test_cli_runner().invoke(args=["holidays", "add", str(path)])
    assert again.exit_code != 0
