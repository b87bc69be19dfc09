"""Forms of the result pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class ExcludePaperForm(FlaskForm):
    voter_id = IntegerField(_l("Voter"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason for leaving it out"), validators=[DataRequired(), Length(max=500)])


class ObjectionForm(FlaskForm):
    objector = StringField(_l("Who objects (name and unit)"), validators=[DataRequired(), Length(max=100)])
    text = TextAreaField(_l("Objection"), validators=[DataRequired(), Length(max=4000)])


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=4000)])


class RefuseForm(FlaskForm):
    reason = TextAreaField(_l("Reasons for refusing"), validators=[DataRequired(), Length(max=2000)])


class ReceiptForm(FlaskForm):
    receipt = StringField(_l("Receipt code or receipt hash"), validators=[DataRequired(), Length(max=100)])


class UploadForm(FlaskForm):
    package = FileField(_l("Result package (JSON)"), validators=[DataRequired()])
