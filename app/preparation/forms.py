"""Forms of the preparation pages: the request, the group's members, the meeting, the rules, funding, term."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, FieldList, FormField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

#: rows of the members form: Shaoxing Art 12 fixes no size; eleven rows cover the groups we have seen
MEMBER_ROWS = 11

REQUEST_KIND_CHOICES = [
    SelectChoice("developer_report", _l("Developer's report")),
    SelectChoice("owners_application", _l("Owners' application")),
]
ROLE_CHOICES = [
    SelectChoice("", _l("(empty row)")),
    SelectChoice("township", _l("Township representative")),
    SelectChoice("owner_representative", _l("Owner representative")),
    SelectChoice("residents_committee", _l("Residents' committee representative")),
    SelectChoice("developer", _l("Developer representative")),
]
ROLE_LABELS = {choice.value: choice.label for choice in ROLE_CHOICES if choice.value}
FORM_CHOICES = [
    SelectChoice("both", _l("Online and paper")),
    SelectChoice("online", _l("Online")),
    SelectChoice("paper", _l("Paper")),
]
RANK_CHOICES = [
    SelectChoice("heads,area", _l("Yes votes by heads, then by area")),
    SelectChoice("area,heads", _l("Yes votes by area, then by heads")),
    SelectChoice("heads", _l("Yes votes by heads only")),
    SelectChoice("area", _l("Yes votes by area only")),
]
ALTERNATES_CHOICES = [
    SelectChoice("one_list", _l("One list: the next-placed become alternates")),
    SelectChoice("separate", _l("Separate lists for members and alternates")),
]


class RequestForm(FlaskForm):
    kind = SelectField(_l("What was received"), choices=REQUEST_KIND_CHOICES)
    requested_on = DateField(_l("Received on"), validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class MemberRow(FlaskForm):
    """One member; CSRF lives on the enclosing form."""

    class Meta:
        csrf = False

    name = StringField(_l("Full name"), validators=[Optional(), Length(max=64)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default="")
    contact = StringField(_l("Contact"), validators=[Optional(), Length(max=64)])
    id_number = StringField(
        _l("ID number (owner representatives)"),
        validators=[Optional(), Length(max=32)],
        description=_l("Used to find the owner on the roll; not stored."),
    )
    is_leader = BooleanField(_l("Leader"))


class MembersForm(FlaskForm):
    formed_on = DateField(_l("Formed on"), validators=[Optional()])
    reason = StringField(_l("Why the members change"), validators=[Optional(), Length(max=500)])
    members = FieldList(FormField(MemberRow), min_entries=MEMBER_ROWS, max_entries=MEMBER_ROWS)


class MeetingForm(FlaskForm):
    meeting_starts_on = DateField(_l("Voting opens on"), validators=[DataRequired()])
    meeting_ends_on = DateField(_l("Voting closes on"), validators=[DataRequired()])
    meeting_form = SelectField(_l("Form of the meeting"), choices=FORM_CHOICES)
    meeting_content = TextAreaField(
        _l("Content of the meeting"),
        validators=[DataRequired(), Length(max=5000)],
        description=_l("e.g. adopt the rules of procedure and the covenant; elect the owners' committee"),
    )


class RulesForm(FlaskForm):
    count_parking = BooleanField(_l("Parking spaces registered as exclusive parts count in area and heads"))
    blank_and_invalid_take_part = BooleanField(_l("Blank and invalid ballots count as taking part"))
    rank_by = SelectField(_l("Ranking of candidates"), choices=RANK_CHOICES)
    seats = IntegerField(
        _l("Members of the committee"),
        validators=[DataRequired(), NumberRange(min=1, max=99)],
        description=_l("5 to 11, an odd number (Shaoxing Art 18)"),
    )
    max_alternates = IntegerField(
        _l("Alternates at most"),
        validators=[Optional(), NumberRange(min=0, max=99)],
        description=_l("At most half of the members"),
    )
    min_committee_members = IntegerField(
        _l("Members needed for the committee to be formed"),
        validators=[DataRequired(), NumberRange(min=1, max=99)],
        description=_l("At least 5, and more than half of the seats must be filled"),
    )
    alternates_list = SelectField(_l("How alternates are elected"), choices=ALTERNATES_CHOICES)
    tie_rule = SelectField(
        _l("How a tie for a place is settled"),
        choices=[
            SelectChoice("runoff", _l("A run-off among the tied candidates (另行选举)")),
            SelectChoice("lots", _l("Lots drawn from the signed ledger's root (抽签)")),
        ],
        default="runoff",
    )
    arrears_bar = BooleanField(
        _l("Owners with unpaid fees after a written demand cannot stand (a rule of procedure)"), default=True
    )


class FundingForm(FlaskForm):
    amount = StringField(
        _l("Amount received (yuan)"), validators=[DataRequired(), Length(max=20)], description=_l("e.g. 123456.78")
    )
    received_on = DateField(_l("Received on"), validators=[DataRequired()])
    reference = StringField(_l("Bank receipt number"), validators=[DataRequired(), Length(max=100)])


class TermForm(FlaskForm):
    """Extending or dissolving the group."""

    on = DateField(_l("Date"), validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class ConfirmCompositionForm(FlaskForm):
    """The township confirms a group without a residents' committee member (Shaoxing Art 12 ¶1)."""

    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class DocumentTextForm(FlaskForm):
    text = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=50000)])


class ScheduleForm(FlaskForm):
    """A confirmation button (CSRF only)."""
