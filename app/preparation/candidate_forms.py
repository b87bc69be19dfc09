"""Forms of the candidate and arrears pages, and the words they show (Shaoxing Arts 13, 17, 22)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.preparation.common import parse_yuan

ROUTE_LABELS: dict[str, Any] = {
    "self": _l("Self-nomination by the owner"),
    "residents_committee": _l("Recommended by the residents' committee"),
    "joint": _l("Recommended jointly by ten or more owners"),
}

STATUS_LABELS: dict[str, Any] = {
    "nominated": _l("nominated, not vetted yet"),
    "accepted": _l("accepted by the group"),
    "rejected": _l("rejected by the group"),
    "withdrawn": _l("withdrawn"),
}

OUTCOME_LABELS: dict[str, Any] = {"pass": _l("passed"), "fail": _l("failing"), "pending": _l("pending")}

REVIEW_LABELS: dict[str, Any] = {
    "pending": _l("under review by the township"),
    "returned": _l("returned by the township"),
    "approved": _l("approved by the township"),
}

ARREARS_KIND_LABELS: dict[str, Any] = {
    "property_fee": _l("Property fees"),
    "maintenance_fund": _l("Maintenance fund"),
}

#: Shaoxing Art 22, items (一)–(十): what a committee member may not do (its Chinese text is the regulation's)
PROHIBITED_ACT_TEXTS: dict[int, Any] = {
    1: _l(
        "(1) Not carrying out the decisions of the owners' assembly or committee; obstructing their powers or the "
        "property service provider's performance of its contract"
    ),
    2: _l("(2) Fabricating, altering, hiding or destroying documents of the property management"),
    3: _l(
        "(3) Refusing or delaying to provide property management documents; obstructing the handover between committees"
    ),
    4: _l("(4) Using the seal of the owners' assembly or committee without authority"),
    5: _l("(5) Signing or changing the property service contract without the assembly's authorisation"),
    6: _l(
        "(6) Misappropriating or seizing the owners' common property or its income, or pledging it without authority"
    ),
    7: _l(
        "(7) Asking for or taking money or benefits from the property service provider, or from others with an "
        "interest in the office"
    ),
    8: _l("(8) Taking part in the property service provider's business"),
    9: _l("(9) Unlawfully disclosing owners' information"),
    10: _l("(10) Other acts infringing the owners' lawful rights and interests"),
}

TIE_CHOICES = [
    SelectChoice("", _l("Not declared yet")),
    SelectChoice("no", _l("No tie with the property company")),
    SelectChoice("yes", _l("Employed by, or in business with, the property company")),
]


def _choices(labels: dict[Any, Any]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


def tie_value(tie: bool | None) -> str:
    """The tie radio's value for a stored declaration (None: not declared)."""
    return "" if tie is None else ("yes" if tie else "no")


def tie_from(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes, one per choice."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


#: the list a candidate stands on, with separate lists (DOMAIN §5)
STANDS_FOR: dict[str, Any] = {
    "label": _l("Stands on the list of"),
    "choices": [
        SelectChoice("", "—"),
        SelectChoice("members", _l("Members")),
        SelectChoice("alternates", _l("Alternates")),
    ],
    "validators": [Optional()],
    "description": _l("The election rules elect members and alternates on separate lists: a candidate stands on one."),
}


class NominationForm(FlaskForm):
    name = StringField(_l("Candidate's name"), validators=[DataRequired(), Length(max=64)])
    id_number = StringField(
        _l("Candidate's ID number"),
        validators=[DataRequired(), Length(max=32)],
        description=_l("Used to find the owner on the roll; it is not shown again."),
    )
    route = SelectField(_l("Nominated by"), choices=_choices(ROUTE_LABELS))
    nominated_on = DateField(_l("Nominated on"), validators=[DataRequired()])
    statement = TextAreaField(_l("Candidate's statement"), validators=[Optional(), Length(max=2000)])
    stands_for = SelectField(**STANDS_FOR)
    cosigners = TextAreaField(
        _l("Co-signers' ID numbers, one per line"),
        validators=[Optional(), Length(max=20000)],
        description=_l(
            "Only for a joint nomination: ten or more owners on the roll, the candidate not among them "
            "(Shaoxing Art 13)."
        ),
    )


class ProfileForm(FlaskForm):
    statement = TextAreaField(_l("Candidate's statement"), validators=[Optional(), Length(max=2000)])
    stands_for = SelectField(**STANDS_FOR)
    party_member = BooleanField(_l("Member of the Communist Party of China"))
    party_congress_deputy = BooleanField(_l("Deputy to a party congress"))
    peoples_congress_deputy = BooleanField(_l("Deputy to a people's congress"))
    cppcc_member = BooleanField(_l("Member of a CPPCC committee"))
    declaration_made = BooleanField(_l("The candidate has signed the declaration on Shaoxing Art 22"))
    under_guardianship = BooleanField(_l("Under guardianship (no full civil capacity)"))
    declared_acts = MultiCheckboxField(
        _l("Items of Shaoxing Art 22 the candidate declared"),
        choices=_choices(PROHIBITED_ACT_TEXTS),
        coerce=int,
        validate_choice=True,
    )
    property_company_tie = RadioField(
        _l("Tie with the property company"), choices=TIE_CHOICES, default="", validate_choice=True
    )


class PhotoForm(FlaskForm):
    photo = FileField(
        _l("Photo (JPEG or PNG, at most 3 MB)"),
        validators=[FileRequired(), FileAllowed(["jpg", "jpeg", "png"], _l("Choose a JPEG or PNG photo."))],
        render_kw={"accept": "image/jpeg,image/png"},
    )


class VetForm(FlaskForm):
    """The group's decision; the button pressed sends decision=accept or decision=reject."""

    decision = StringField(validators=[AnyOf(["accept", "reject"])])
    reason = TextAreaField(
        _l("Reason"),
        validators=[Optional(), Length(max=500)],
        description=_l("Required when rejecting."),
        id="vet-reason",
    )


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        _l("Why the candidate withdraws"), validators=[DataRequired(), Length(max=500)], id="withdraw-reason"
    )


class ReviewForm(FlaskForm):
    """The township's decision; the button pressed sends decision=approve or decision=return."""

    decision = StringField(validators=[AnyOf(["approve", "return"])])
    reasons = TextAreaField(
        _l("Reasons"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Required when returning the list: the group sees them."),
    )


def _amount_in_yuan(form: FlaskForm, field: StringField) -> None:
    if parse_yuan(field.data or "") is None:
        raise ValidationError(_l("Enter the amount in yuan with at most two decimals, e.g. 1280.50."))


class DemandForm(FlaskForm):
    id_number = StringField(
        _l("Owner's ID number"),
        validators=[DataRequired(), Length(max=32)],
        description=_l("Used to find the owner on the roll; it is not shown again."),
    )
    kind = SelectField(_l("Unpaid"), choices=_choices(ARREARS_KIND_LABELS))
    amount = StringField(
        _l("Amount demanded (yuan)"), validators=[DataRequired(), _amount_in_yuan], render_kw={"inputmode": "decimal"}
    )
    demanded_on = DateField(_l("Written demand made on"), validators=[DataRequired()])


class PaymentForm(FlaskForm):
    paid_on = DateField(_l("Paid on"), validators=[DataRequired()])
