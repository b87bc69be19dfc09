"""Forms of the governance pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

#: the conversion is the rule (city policy item 12): the township records it, it does not decline it
CONVERSION_CHOICES = [
    SelectChoice("convert", _l("Convert the preparatory group into a property management committee")),
]


class ConversionForm(FlaskForm):
    """The township's decision after a first meeting that established the assembly without a committee."""

    decision = RadioField(_l("Decision"), choices=CONVERSION_CHOICES, validators=[DataRequired()])
    reason = TextAreaField(_l("Reasons"), validators=[DataRequired(), Length(max=2000)])


LEAVING_CHOICES = [
    SelectChoice("resigned", _l("Resigned")),
    SelectChoice("lost_ownership", _l("No longer an owner")),
    SelectChoice("arrears", _l("Fees unpaid after a written demand")),
    SelectChoice("removed", _l("Removed by the assembly")),
    SelectChoice("other", _l("Other")),
]


class MemberLeavesForm(FlaskForm):
    """A member leaves the committee; the first alternate in vote order takes the seat."""

    member_id = SelectField(_l("Member"), coerce=int, validators=[DataRequired()])
    reason = SelectField(_l("Why"), choices=LEAVING_CHOICES, validators=[DataRequired()])
    left_on = DateField(_l("On"), validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class OfficersForm(FlaskForm):
    """The chair and vice-chairs chosen at the committee's first meeting."""

    chair = SelectField(_l("Chair"), coerce=int, validators=[DataRequired()])
    vice_chairs = SelectMultipleField(_l("Vice-chairs"), coerce=int)


class FilingForm(FlaskForm):
    """The committee's filing with the county housing authority (Shaoxing Art 17)."""

    filed_on = DateField(_l("Filed on"), validators=[DataRequired()])
    certificate_on = DateField(_l("Filing certificate dated"), validators=[Optional()])
    documents = MultipleFileField(_l("Documents filed (scans; their fingerprints are kept)"))


class ConveneForm(FlaskForm):
    """An assembly meeting convened by the committee or property management committee in office."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    opens_on = DateField(_l("Voting opens on"), validators=[DataRequired()])
    closes_on = DateField(_l("Voting closes on"), validators=[DataRequired()])


class ElectionForm(FlaskForm):
    """The committee's election on a meeting after the first (the first meeting's comes from the preparation)."""

    by_election = BooleanField(_l("A by-election for the committee's vacant seats (no alternate left)"))
    seats = IntegerField(
        _l("Members to elect (5 to 11, odd; a by-election: the vacant seats)"), validators=[DataRequired()]
    )
    max_alternates = IntegerField(_l("Alternates, at most"), validators=[Optional()])
