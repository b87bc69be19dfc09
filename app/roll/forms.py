"""Forms of the roll pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

STATUS_CHOICES = [
    SelectChoice("delivered", _l("Delivered")),
    SelectChoice("undelivered", _l("Sold, not delivered")),
    SelectChoice("unsold", _l("Unsold")),
]


class ImportForm(FlaskForm):
    file = FileField(
        _l("Roll file (XLSX or CSV)"),
        validators=[FileRequired(), FileAllowed(["xlsx", "csv"], _l("Upload an XLSX or CSV file."))],
    )
    reason = StringField(
        _l("Why this version"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("e.g. housing register export of 2026-11"),
    )


class PublishForm(FlaskForm):
    starts_on = DateField(_l("Notice starts on"), validators=[DataRequired()])


class ObjectionForm(FlaskForm):
    unit_label = StringField(
        _l("Unit"), validators=[DataRequired(), Length(max=100)], description=_l("e.g. 3幢1单元1502")
    )
    objector_name = StringField(_l("Who objects"), validators=[DataRequired(), Length(max=64)])
    description = TextAreaField(_l("What is wrong"), validators=[DataRequired(), Length(max=2000)])


class RejectForm(FlaskForm):
    answer = TextAreaField(_l("Reason for rejecting"), validators=[DataRequired(), Length(max=2000)])


class AcceptForm(FlaskForm):
    answer = TextAreaField(_l("Answer to the owner"), validators=[DataRequired(), Length(max=2000)])
    unit_id = IntegerField(_l("Unit to correct"), validators=[DataRequired()])
    area = StringField(_l("Correct area (m²)"), validators=[DataRequired(), Length(max=20)])
    status = SelectField(_l("Correct status"), choices=STATUS_CHOICES)
