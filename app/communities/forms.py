"""Forms for townships, communities and the staff accounts created in them."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp

from app.auth.models import BodyOffice, GroupRole, Role
from app.governance.body_models import GoverningBody


class TownshipForm(FlaskForm):
    name = StringField(_l("Township name"), validators=[DataRequired(), Length(max=100)])
    admin_code = StringField(
        _l("Administrative code"),
        validators=[
            DataRequired(),
            Regexp(r"^[0-9]{9}([0-9]{3})?$", message=_l("An administrative code has 9 or 12 digits.")),
        ],
        description=_l("9 or 12 digits, e.g. 330681001"),
    )


class CommunityForm(FlaskForm):
    name = StringField(_l("Community name"), validators=[DataRequired(), Length(max=100)])
    address = StringField(_l("Address"), validators=[DataRequired(), Length(max=200)])
    developer_name = StringField(_l("Developer"), validators=[DataRequired(), Length(max=200)])
    total_floor_area = StringField(
        _l("Total floor area (m²)"),
        validators=[DataRequired(), Length(max=20)],
        description=_l("e.g. 123456.78"),
    )


class AccountForm(FlaskForm):
    """A new staff account; the role choices depend on where it is created."""

    display_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    username = StringField(_l("Login name"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(min=10, max=200)])
    phone = StringField(
        _l("Mobile number (optional)"),
        validators=[Length(max=20)],
        description=_l("Kept as a keyed hash only: an owner's proxy may not have a staff member's number."),
    )
    role = SelectField(_l("Role"), validators=[DataRequired()])
    group_role = SelectField(_l("Role in the preparatory group"), default="")
    body_id = SelectField(_l("Body (for a body member)"), default="")
    body_office = SelectField(_l("Office in the body"), default="")


ROLE_LABELS = {
    Role.ADMIN: _l("Platform administrator"),
    Role.TOWNSHIP_OFFICIAL: _l("Township official"),
    Role.GROUP_MEMBER: _l("Preparatory group member"),
    Role.TELLER: _l("Teller"),
    Role.OBSERVER: _l("Observer (read-only)"),
    Role.BODY_MEMBER: _l("Member of a committee, property management committee or re-election group"),
}

BODY_KIND_LABELS = {
    "committee": _l("Owners' committee"),
    "pmc": _l("Property management committee"),
    "re_election_group": _l("Re-election group"),
}

OFFICE_LABELS = {
    BodyOffice.CHAIR: _l("Chair or leader"),
    BodyOffice.MEMBER: _l("Member"),
}

GROUP_ROLE_LABELS = {
    GroupRole.LEADER: _l("Leader (township representative)"),
    GroupRole.OWNER_REPRESENTATIVE: _l("Owner representative"),
    GroupRole.RESIDENTS_COMMITTEE: _l("Residents' committee representative"),
    GroupRole.DEVELOPER: _l("Developer representative"),
}


def township_account_form() -> AccountForm:
    form = AccountForm()
    form.role.choices = [SelectChoice(r.value, ROLE_LABELS[r]) for r in (Role.TOWNSHIP_OFFICIAL, Role.OBSERVER)]
    form.group_role.choices = [SelectChoice("", "—")]
    del form.body_id
    del form.body_office
    return form


def community_account_form(bodies: Sequence[GoverningBody] = ()) -> AccountForm:
    """The community's roles; a body member's account is opened for one of the ``bodies`` at work, with an office."""
    form = AccountForm()
    roles = (Role.GROUP_MEMBER, Role.TELLER, Role.OBSERVER, *((Role.BODY_MEMBER,) if bodies else ()))
    form.role.choices = [SelectChoice(r.value, ROLE_LABELS[r]) for r in roles]
    form.group_role.choices = [SelectChoice("", "—")] + [
        SelectChoice(g.value, label) for g, label in GROUP_ROLE_LABELS.items()
    ]
    form.body_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(b.id), f"{BODY_KIND_LABELS[b.kind]} · {b.formed_on}") for b in bodies
    ]
    form.body_office.choices = [SelectChoice("", "—")] + [
        SelectChoice(o.value, label) for o, label in OFFICE_LABELS.items()
    ]
    return form
