"""Forms of the township's supervision (the city policy's item 15): an order to correct a decision by a day, its
compliance, a revocation with its legal ground, a call to re-elect the committee."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

PUBLISHED = _l("Published to all owners: no personal details.")


class CorrectionOrderForm(FlaskForm):
    """责令限期改正: the decision concerned, what is wrong with it, the day to correct it by."""

    decision = StringField(
        _l("Decision concerned"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("As the committee recorded it, e.g. its title and number."),
    )
    decision_on = DateField(_l("Decision made on"), validators=[DataRequired()])
    findings = TextAreaField(_l("What is wrong with it"), validators=[DataRequired(), Length(max=2000)])
    due_on = DateField(_l("To be corrected by"), validators=[DataRequired()])


class ComplianceForm(FlaskForm):
    """The body corrected the decision: when, and how (the note)."""

    complied_on = DateField(_l("Corrected on"), validators=[DataRequired()])
    note = TextAreaField(_l("How it was corrected"), validators=[DataRequired(), Length(max=2000)])


class RevocationForm(FlaskForm):
    """撤销: the decision (or the order it was not corrected under), what is wrong, the legal ground."""

    order_id = SelectField(
        _l("Order not complied with"),
        choices=[],
        validators=[Optional()],
        description=_l("If you choose an order, the decision and its day are taken from it."),
    )
    decision = StringField(_l("Decision concerned"), validators=[Optional(), Length(max=500)], description=PUBLISHED)
    decision_on = DateField(_l("Decision made on"), validators=[Optional()])
    findings = TextAreaField(
        _l("What is wrong with it"), validators=[DataRequired(), Length(max=2000)], description=PUBLISHED
    )
    legal_ground = TextAreaField(
        _l("Legal ground"),
        validators=[DataRequired(), Length(max=1000)],
        description=_l("The provisions of law, regulation, rules of procedure or covenant the decision breaks."),
    )


class ReElectionCallForm(FlaskForm):
    """组织召开临时业主大会会议重新选举: how the committee seriously harms the owners' interests."""

    reasons = TextAreaField(
        _l("How the committee seriously harms the owners' interests"),
        validators=[DataRequired(), Length(max=2000)],
    )
