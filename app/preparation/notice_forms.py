"""Forms of the notice pages: publish a notice, record an objection to it, answer an objection (Shaoxing Arts 9, 13)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.preparation.notices import KINDS


class PublishNoticeForm(FlaskForm):
    """A document to publish and the day its notice starts; title and text are typed for "other" only."""

    kind = SelectField(
        _l("Document"),
        choices=[SelectChoice(kind, label) for kind, label in KINDS.items()],
        validators=[DataRequired()],
    )
    starts_on = DateField(_l("Notice starts on"), validators=[DataRequired()])
    title = StringField(
        _l("Title"),
        validators=[Optional(), Length(max=200)],
        description=_l('Only for "Other document": the other documents have their own title and text.'),
    )
    body = TextAreaField(
        _l("Text of the notice"),
        validators=[Optional(), Length(max=20000)],
        description=_l('Only for "Other document".'),
    )


class NoticeObjectionForm(FlaskForm):
    """An owner's objection as the group takes it down (in writing, by phone or at the notice board)."""

    objector_name = StringField(_l("Who objects"), validators=[DataRequired(), Length(max=64)])
    unit_label = StringField(
        _l("Unit"), validators=[DataRequired(), Length(max=100)], description=_l("e.g. 3幢1单元1502")
    )
    description = TextAreaField(_l("The objection"), validators=[DataRequired(), Length(max=2000)])
    #: only on a candidate-list notice; the choices are the group's accepted candidates, "" for the list as a whole
    candidate_id = SelectField(
        _l("About the candidate"), choices=[SelectChoice("", "")], default="", validators=[Optional()]
    )


class AnswerObjectionForm(FlaskForm):
    answer = TextAreaField(_l("Answer to the owner"), validators=[DataRequired(), Length(max=2000)])
