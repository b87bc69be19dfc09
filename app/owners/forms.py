"""Forms of the owners' own pages: signing in by number and code, and filing an objection."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from app.preparation.candidate_forms import STANDS_FOR


def _without_spaces(value: str | None) -> str | None:
    return None if value is None else "".join(value.split())


class PhoneForm(FlaskForm):
    phone = StringField(
        _l("Your mobile number"),
        filters=[_without_spaces],
        validators=[DataRequired(_l("Enter your mobile number.")), Length(max=20)],
        description=_l("The number your community's owner roll has for you."),
        render_kw={"inputmode": "tel", "autocomplete": "tel", "maxlength": 20},
    )


class CodeForm(FlaskForm):
    code = StringField(
        _l("The code in the text message"),
        filters=[_without_spaces],
        validators=[DataRequired(_l("Enter the six digits of the text message.")), Length(max=10)],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}", "maxlength": 6},
    )


class SignOutForm(FlaskForm):
    everywhere = BooleanField(_l("Also on my other phones and computers"))


class ObjectionForm(FlaskForm):
    unit_label = SelectField(_l("Your unit concerned"), choices=[], validate_choice=True)
    text = TextAreaField(
        _l("What is wrong, and what it should be"),
        validators=[DataRequired(_l("Say what you object to.")), Length(max=2000)],
        render_kw={"rows": 5, "maxlength": 2000},
    )
    photo = FileField(
        _l("A photo (optional)"),
        description=_l(
            "For example your property certificate or the page of your contract: JPEG or PNG, at most 3 MB."
        ),
        render_kw={"accept": "image/jpeg,image/png"},
    )


class ProposalForm(FlaskForm):
    title = StringField(
        _l("What the meeting should decide"),
        validators=[DataRequired(_l("Say what you propose.")), Length(max=200)],
        render_kw={"maxlength": 200},
    )
    text = TextAreaField(
        _l("Why, in a few lines"), validators=[Length(max=4000)], render_kw={"rows": 6, "maxlength": 4000}
    )


class NominationForm(FlaskForm):
    route = SelectField(
        _l("How you stand"),
        choices=[
            SelectChoice("self", _l("I nominate myself")),
            SelectChoice("joint", _l("Ten owners nominate me: I collect their signatures here")),
        ],
    )
    statement = TextAreaField(
        _l("Your statement to the owners"), validators=[Length(max=2000)], render_kw={"rows": 6, "maxlength": 2000}
    )
    stands_for = SelectField(**STANDS_FOR)
    party_member = BooleanField(_l("Member of the Communist Party of China"))
    party_congress_deputy = BooleanField(_l("Deputy to a party congress"))
    peoples_congress_deputy = BooleanField(_l("Deputy to a people's congress"))
    cppcc_member = BooleanField(_l("Member of a CPPCC committee"))


class ActionForm(FlaskForm):
    """A button that changes something (sign, withdraw, hand in): its CSRF token only."""
