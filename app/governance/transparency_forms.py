"""The form of the public record (Shaoxing Arts 21 ¶3 and 23)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.governance.transparency import CATEGORIES


class PublicationForm(FlaskForm):
    category = SelectField(_l("What is published"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    text = TextAreaField(_l("Text"), validators=[Optional(), Length(max=20000)])
    decided_on = DateField(
        _l("Decided on (a decision)"),
        validators=[Optional()],
        description=_l("A decision is published within 3 days of this day (Shaoxing Art 21)."),
    )
    publish_now = BooleanField(_l("Publish today"), default=True)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = [SelectChoice(key, label) for key, label in CATEGORIES.items()]
