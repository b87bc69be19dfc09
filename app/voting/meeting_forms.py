"""Forms of the convener's meeting pages, and the words they show: the Art 278 ¶1 categories and their thresholds.

The voting window is typed as local dates and times in Asia/Shanghai (app.voting.meetings.local turns them into
aware datetimes); the services check everything else (a reversed window, the channels, the identity check).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.rules.model import Threshold

#: Civil Code Art 278 ¶1: the matters the owners decide jointly (the Chinese catalog holds the statute's wording)
CATEGORY_LABELS: dict[int, Any] = {
    1: _l("(1) Making and amending the rules of procedure of the owners' assembly"),
    2: _l("(2) Making and amending the management covenant"),
    3: _l("(3) Electing the owners' committee or replacing its members"),
    4: _l("(4) Hiring and dismissing the property service company or another manager"),
    5: _l("(5) Using the maintenance fund of the buildings and their facilities"),
    6: _l("(6) Raising the maintenance fund of the buildings and their facilities"),
    7: _l("(7) Rebuilding or reconstructing the buildings and their facilities"),
    8: _l("(8) Changing the use of common parts or using them for business"),
    9: _l("(9) Other major matters of common ownership and joint management"),
}

#: Civil Code Art 278 ¶2: who must agree, once at least 2/3 of the area and of the owners have taken part
THRESHOLD_WORDS: dict[Threshold, Any] = {
    Threshold.MORE_THAN_HALF: _l(
        "Passes with more than half of the participating area and more than half of the participating owners."
    ),
    Threshold.THREE_QUARTERS: _l(
        "Passes with at least three quarters of the participating area and of the participating owners."
    ),
}

CHANNEL_LABELS: dict[str, Any] = {
    "phone,paper": _l("Phone and paper"),
    "phone": _l("Phone only"),
    "paper": _l("Paper only"),
}
SECOND_FACTOR_LABELS: dict[str, Any] = {
    "id_last6": _l("The last six characters of the owner's ID number"),
    "sms": _l("A one-time code sent by SMS to the phone on the roll"),
}


class ConfigureForm(FlaskForm):
    """The voting window in Asia/Shanghai, the channels, the identity check, and whether a ballot may be changed."""

    opens_on = DateField(_l("Voting opens on"), validators=[DataRequired()])
    opens_time = TimeField(_l("at (Beijing time)"), validators=[DataRequired()])
    closes_on = DateField(_l("Voting closes on"), validators=[DataRequired()])
    closes_time = TimeField(_l("at (Beijing time)"), validators=[DataRequired()])
    channels = SelectField(
        _l("Ways to vote"), choices=[SelectChoice(value, label) for value, label in CHANNEL_LABELS.items()]
    )
    second_factor = SelectField(
        _l("How voters prove who they are, after opening their link"),
        choices=[SelectChoice(value, label) for value, label in SECOND_FACTOR_LABELS.items()],
    )
    allow_change = BooleanField(_l("An owner may change their ballot until voting closes"))
    contact_phone = StringField(
        _l("Phone for owners' questions"),
        validators=[Optional(), Length(max=32)],
        description=_l("Shown on the ballot's pages, above all when a link is locked after wrong attempts."),
    )
    paper_place = StringField(
        _l("Where owners hand in a paper ballot"),
        validators=[Optional(), Length(max=80)],
        description=_l(
            "For example: the property management office, building 1, ground floor, 8:00 to 17:00. Printed on the "
            "letters with the close of voting; left empty, the letters tell owners to ask the convener."
        ),
    )


class MotionForm(FlaskForm):
    """A matter decided yes or no; its category fixes its threshold (Art 278 ¶2)."""

    category = SelectField(
        _l("Category (Civil Code Art 278)"),
        choices=[SelectChoice(str(number), label) for number, label in CATEGORY_LABELS.items()],
        validators=[InputRequired()],
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    text = TextAreaField(_l("Text put to the vote"), validators=[Optional(), Length(max=20000)])


class AnnounceForm(FlaskForm):
    """The day the meeting's announcement is posted (today, or up to 3 days back for a paper notice)."""

    starts_on = DateField(_l("Posted on"), validators=[DataRequired()])
    confirm = BooleanField(
        _l(
            "I understand: voting opens at least 15 days after this announcement, and any change afterwards needs a "
            "new announcement, from which the 15 days start again"
        ),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )


class OpenVotingForm(FlaskForm):
    """Opening is final: the roll is frozen and nothing about the matters, candidates or roll can change."""

    confirm = BooleanField(
        _l("I understand: the roll is frozen and the matters, candidates and roll cannot change afterwards"),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
