"""The form an administrator fills in to add a year's holiday arrangement (国务院办公厅关于部分节假日安排的通知)."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

#: what may stand between the two ends of a range of days off: "2027-02-05 至 2027-02-11", "… – …", "… ~ …"
_RANGE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*(?:(?:至|到|~|～|–|—|\s)\s*(\d{4}-\d{2}-\d{2}))?\s*$")
_SEPARATORS = re.compile(r"[\s,，、;；]+")
#: the largest document accepted from a file (a year's arrangement is well under 4 KB)
MAX_DOCUMENT_BYTES = 64 * 1024


class HolidayYearForm(FlaskForm):
    """A year typed in from the notice, or a JSON year document (app/rules/holidays/README.md) uploaded."""

    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(2000, 2100)])
    source = StringField(
        _l("Source"),
        validators=[Optional(), Length(max=300)],
        description=_l("The notice's title and date, e.g. 国务院办公厅关于2027年部分节假日安排的通知 (2026-11-…)"),
    )
    days_off = TextAreaField(
        _l("Days off"),
        validators=[Optional(), Length(max=4000)],
        description=_l(
            "One holiday a line: its first and last day, e.g. 2027-02-05 至 2027-02-11; a single day alone."
        ),
    )
    adjusted_working_days = TextAreaField(
        _l("Adjusted working days"),
        validators=[Optional(), Length(max=2000)],
        description=_l("The Saturdays and Sundays that are worked (调休上班), e.g. 2027-02-14 2027-02-20."),
    )
    document_file = FileField(_l("Or upload a year document (JSON)"))


class ConfirmYearForm(FlaskForm):
    """The previewed document, sent back to be added."""

    document = HiddenField()


def document_from_lines(
    year: int | None, source: str, days_off: str, adjusted: str
) -> tuple[dict[str, Any], list[str]]:
    """The year document that the typed lines give, and the lines that are not dates or ranges (by number).

    "2027-02-05 至 2027-02-11" → ["2027-02-05", "2027-02-11"]; "2027-06-09" → ["2027-06-09", "2027-06-09"].
    The document itself is checked afterwards by `app.rules.calendar.parse_year_document`.
    """
    bad: list[str] = []
    ranges: list[list[str]] = []
    for number, line in enumerate(days_off.splitlines(), start=1):
        if not line.strip():
            continue
        match = _RANGE.match(line)
        if match is None:
            bad.append(
                str(_l("Days off, line %(n)d: write a date or a range such as 2027-02-05 至 2027-02-11.", n=number))
            )
            continue
        ranges.append([match.group(1), match.group(2) or match.group(1)])
    worked = [part for part in _SEPARATORS.split(adjusted) if part]
    for part in worked:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", part):
            bad.append(str(_l("Adjusted working days: %(text)s is not a date written YYYY-MM-DD.", text=part[:20])))
    document = {"year": year, "source": source.strip(), "days_off": ranges, "adjusted_working_days": worked}
    return document, bad
