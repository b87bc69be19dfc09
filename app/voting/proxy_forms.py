"""Forms of the convener's proxy pages: recording a written authorisation, and revoking a proxy (DOMAIN §8).

The matters an authorisation covers and the owner's directions depend on the meeting, so they are plain controls
read by `read_matters` ("matters" ticked; "direction-<matter id>"; an election's "candidates-<matter id>"); every
rule about them lives in app.voting.proxies.record_proxy.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from app.voting.models import Meeting

#: how a motion's direction reads on the form ("" = the proxy decides)
MOTION_DIRECTIONS: dict[str, Any] = {
    "": _l("No direction: the proxy decides"),
    "yes": _l("Vote for"),
    "no": _l("Vote against"),
    "abstain": _l("Abstain"),
}
#: an election's direction: none, or the candidates ticked
ELECTION_DIRECTIONS: dict[str, Any] = {
    "": _l("No direction: the proxy decides"),
    "listed": _l("Vote for the candidates ticked below"),
}
SCAN_TYPES = ["pdf", "jpg", "jpeg", "png"]


class ProxyForm(FlaskForm):
    """The written authorisation: whose it is, who the proxy is, its scan and the declaration on property staff."""

    unit = StringField(
        _l("The owner's unit"),
        validators=[DataRequired(_l("Type the owner's unit.")), Length(max=100)],
        description=_l("As written on the roll, for example 1幢1单元101."),
    )
    proxy_name = StringField(
        _l("The proxy's name"), validators=[DataRequired(_l("Type the proxy's name.")), Length(max=64)]
    )
    proxy_phone = StringField(
        _l("The proxy's mobile number"),
        validators=[DataRequired(_l("Type the proxy's mobile number.")), Length(max=20)],
        description=_l("The proxy receives the codes of their link by text message at this number."),
        render_kw={"inputmode": "tel"},
    )
    scan = FileField(
        _l("Scan of the signed written authorisation (PDF, JPEG or PNG)"),
        validators=[
            FileRequired(_l("Attach the scan of the signed written authorisation.")),
            FileAllowed(SCAN_TYPES, _l("Choose a PDF, JPEG or PNG file.")),
        ],
        description=_l(
            "Only its SHA-256 is kept, to show later which document was recorded; a scan already recorded for "
            "another owner's proxy is refused. Keep the paper."
        ),
        render_kw={"accept": "application/pdf,image/jpeg,image/png"},
    )
    declared_not_property_staff = BooleanField(
        _l("I have checked that the proxy is not on the staff of the property company (a rule of this platform)")
    )


class ConfirmForm(FlaskForm):
    """The code the owner read back (sent to their phone on the roll): it confirms the proxy."""

    code = StringField(
        _l("Code the owner read back"),
        validators=[DataRequired(_l("Type the code the owner received.")), Length(max=12)],
        description=_l("Six digits, sent by text message to the owner's phone on the roll."),
    )


class RevokeForm(FlaskForm):
    reason = StringField(
        _l("Why the proxy is revoked"),
        validators=[DataRequired(_l("Say why the proxy is revoked.")), Length(max=200)],
        description=_l("For example: the owner withdrew the authorisation in writing."),
    )


def _candidate_id(raw: str) -> int | str:
    """A candidate id as sent; anything else stays text, for the service to refuse."""
    return int(raw) if raw.isdigit() and len(raw) <= 9 else raw


def read_matters(meeting: Meeting, formdata: MultiDict[str, str]) -> tuple[list[str], dict[str, Any]]:
    """The matter ids ticked as covered, and the directions given: matter id (text) → a motion's answer, or the
    candidate ids ticked under an election directed "listed"."""
    directions: dict[str, Any] = {}
    for matter in meeting.matters:
        chosen = formdata.get(f"direction-{matter.id}") or ""
        if matter.kind == "motion" and chosen:
            directions[str(matter.id)] = chosen
        elif matter.kind == "election" and chosen == "listed":
            directions[str(matter.id)] = [_candidate_id(raw) for raw in formdata.getlist(f"candidates-{matter.id}")]
    return formdata.getlist("matters"), directions
