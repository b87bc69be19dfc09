"""Forms of the governance pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

CONVERSION_CHOICES = [
    SelectChoice("convert", _l("Convert the preparatory group into a property management committee")),
    SelectChoice("decline", _l("Do not convert: dissolve the group, and form a new one")),
]


class ConversionForm(FlaskForm):
    """The township's decision after a first meeting that established the assembly without a committee."""

    decision = RadioField(_l("Decision"), choices=CONVERSION_CHOICES, validators=[DataRequired()])
    reason = TextAreaField(_l("Reasons"), validators=[DataRequired(), Length(max=2000)])
