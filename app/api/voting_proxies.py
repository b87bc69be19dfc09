"""/api/v1 proxies (委托投票, issue 6 items 6 and 10): the convener lists a meeting's proxies, records an owner's
written authorisation, issues the proxy's own link and revokes a proxy, through the services of the pages
(app.voting.proxies; DOMAIN §8; Shanghai Art 18; Zhoushan Art 17).

Only the convener (the preparatory group and its township, can_prepare_community) may do any of it; the caller's
right is checked before the body is read, and a meeting or proxy outside the caller's scope is "not found".

Secrecy (DOMAIN §8): the owner's directions are sent once and never shown again (the list says only whether there
are any); names and phone numbers are masked. The proxy's link and code exist in clear in the one response that
issues them (no-store), never in the database, the audit log or a URL path.

The scan of the written authorisation: `record_proxy` keeps only its SHA-256, which it computes from the scan's bytes
itself, so a JSON request carries the scan base64-encoded (`scan_base64`), at most SCAN_LIMIT bytes once decoded.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import ValidationError, fields, validate, validates_schema
from sqlalchemy import select

from app.api.common import check_api_auth
from app.api.preparation_schemas import MAX_ID, text
from app.api.schemas import Schema
from app.api.voting import LOADERS, NO_STORE, _meeting, _of_meeting, _requiring, conveners_only
from app.api.voting_schemas import MAX_CANDIDATES, MAX_MATTERS, ShanghaiDateTime
from app.auth import permissions
from app.auth.models import User
from app.communities.models import Community
from app.errors import DomainError, Forbidden, NotFound
from app.extensions import db
from app.privacy import decrypt, mask_name, mask_phone
from app.voting import assisted, credentials, proxies
from app.voting.ballots import MOTION_ANSWERS
from app.voting.models import Meeting, MeetingVoter
from app.voting.proxy_models import Proxy
from app.voting.views_meetings import ballot_link

blp = Blueprint("api_voting_proxies", __name__, description="Voting (表决): proxies (委托投票)")
blp.before_request(check_api_auth)

#: the largest scan accepted through JSON (decoded); the whole request stays under MAX_CONTENT_LENGTH (32 MB)
SCAN_LIMIT = 16 * 1024 * 1024


def _proxy(proxy_id: int) -> tuple[Proxy, Community]:
    return _of_meeting(db.session.get(Proxy, proxy_id), NotFound("proxy_not_found", _l("No such proxy.")))


#: the loader of the proxy path parameter, for `conveners_only` (404 outside the caller's scope)
LOADERS["proxy_id"] = _proxy


# --- schemas -----------------------------------------------------------------------------------------------------


class Direction(fields.Field):
    """The owner's direction on one matter: "yes", "no" or "abstain" on a motion, candidate ids on the election,
    or null (none: the proxy decides)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str) and value in MOTION_ANSWERS:
            return value
        if (
            isinstance(value, list)
            and len(value) <= MAX_CANDIDATES
            and all(type(item) is int and 1 <= item <= MAX_ID for item in value)
        ):
            return value
        raise ValidationError(_("Not a valid direction."))


def at_most_matters(directions: dict[str, Any]) -> None:
    if len(directions) > MAX_MATTERS:
        raise ValidationError(_("Too many matters."))


class Base64Scan(fields.String):
    """The scan's bytes, base64 (standard alphabet, padded), at most SCAN_LIMIT bytes decoded."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        encoded = super()._deserialize(value, attr, data, **kwargs)
        if len(encoded) > (SCAN_LIMIT + 2) // 3 * 4:
            raise ValidationError(_("The scan is too large."))
        try:
            return base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as error:
            raise ValidationError(_("The scan is not valid base64.")) from error


class ProxyInSchema(Schema):
    """A written authorisation: the principal (one of their units as on the roll, or their voter id), the proxy,
    the matters covered, the owner's directions (matter id → answer) and the scan."""

    principal_unit = text(64, required=False, load_default=None, metadata={"example": "1幢1单元101"})
    principal_voter_id = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1, max=MAX_ID)
    )
    proxy_name = text(proxies.NAME_LIMIT)
    proxy_phone = text(20, metadata={"description": "a mainland mobile number", "example": "13900001111"})
    matter_ids = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID)),
        required=True,
        validate=validate.Length(max=MAX_MATTERS),
    )
    directions = fields.Dict(
        load_default=dict,
        keys=fields.String(validate=validate.Regexp(r"^[0-9]{1,10}$")),
        values=Direction(
            allow_none=True,
            metadata={
                "oneOf": [
                    {"type": "string", "enum": list(MOTION_ANSWERS)},
                    {
                        "type": "array",
                        "items": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                        "maxItems": MAX_CANDIDATES,
                    },
                ],
                "nullable": True,
            },
        ),
        validate=at_most_matters,
        metadata={"maxProperties": MAX_MATTERS},
    )
    scan_base64 = Base64Scan(
        required=True,
        metadata={
            "description": "the scan of the signed authorisation (PDF, JPEG or PNG), base64; only its SHA-256 is kept"
        },
    )
    declared_not_property_staff = fields.Boolean(
        required=True, metadata={"description": "the convener declares the proxy is not property-company staff"}
    )

    @validates_schema
    def _one_principal(self, data: dict[str, Any], **kwargs: Any) -> None:
        if (data.get("principal_unit") is None) == (data.get("principal_voter_id") is None):
            raise ValidationError(_("Give either the principal's unit or their voter id."), "principal_unit")


class ProxySchema(Schema):
    """A proxy as the convener sees it: masked names and phone, never the owner's directions."""

    id = fields.Integer()
    meeting_id = fields.Integer()
    principal_voter_id = fields.Integer()
    principal = fields.String(metadata={"description": "the owner, masked"})
    principal_units = fields.String(metadata={"example": "1幢1单元101"})
    proxy_name = fields.String(metadata={"description": "masked"})
    proxy_phone = fields.String(metadata={"description": "masked", "example": "139****1111"})
    matter_ids = fields.List(fields.Integer())
    has_directions = fields.Boolean(metadata={"description": "whether the owner gave directions (never which)"})
    confirmed_via = fields.String(
        allow_none=True,
        metadata={"description": "owner_sms or second_staff once the owner's confirmation is recorded; null before"},
    )
    status = fields.String(metadata={"description": "active, used, revoked, or owner_voted (revoked in effect)"})
    recorded_at = ShanghaiDateTime()
    revoked_at = ShanghaiDateTime(allow_none=True)


class ConfirmationInSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=12))


class RevocationInSchema(Schema):
    reason = text(proxies.REASON_LIMIT)


class IssuedProxyCredentialSchema(Schema):
    """The proxy's own link and fallback code: shown in this response only (never stored in clear)."""

    proxy_id = fields.Integer()
    credential_id = fields.Integer()
    issued_at = ShanghaiDateTime()
    link = fields.String(metadata={"description": "the proxy's personal link, /v?t=<token>"})
    code = fields.String(metadata={"description": "the typed fallback code", "example": "ABCD-EFGH-JKMN"})


class AssistedBallotSchema(Schema):
    """A ballot that a staff action made possible (issue 16 item 2): who, how, and the staff; never the choices."""

    voter_id = fields.Integer()
    units = fields.String(metadata={"example": "1幢1单元101"})
    holder = fields.String(metadata={"description": "masked"})
    kind = fields.String(metadata={"description": "proxy, or reissue (cast with a letter that replaced another)"})
    channel = fields.String()
    cast_at = ShanghaiDateTime()
    staff = fields.String(metadata={"description": "who recorded the proxy, or issued the letter"})
    confirmed_via = fields.String(allow_none=True, metadata={"description": "owner_sms, second_staff or null"})
    confirmed_by = fields.String(allow_none=True)
    earlier_letters = fields.Integer()


def _require_township(user: User, community: Community, loaded: Any) -> None:
    if not permissions.can_manage_community(user, community):
        raise Forbidden("forbidden", _l("Only the township sees the ballots that staff made possible."))


# --- views -------------------------------------------------------------------------------------------------------


def proxy_view(proxy: Proxy, voted_themselves: set[int]) -> dict[str, Any]:
    """A proxy, its status "owner_voted" while still marked active once its owner voted (DOMAIN §8 decision)."""
    in_effect = proxy.status == "active" and proxy.meeting_voter_id in voted_themselves
    return {
        **{name: getattr(proxy, name) for name in ("id", "meeting_id", "matter_ids", "recorded_at", "revoked_at")},
        "principal_voter_id": proxy.meeting_voter_id,
        "principal": mask_name(proxy.principal.holder_name),
        "principal_units": proxy.principal.units_label,
        "proxy_name": mask_name(proxy.proxy_name),
        "proxy_phone": mask_phone(decrypt(proxy.proxy_phone_cipher)),
        "has_directions": bool(proxy.directions),
        "confirmed_via": proxy.confirmed_via,
        "status": "owner_voted" if in_effect else proxy.status,
    }


def _principal(meeting: Meeting, data: dict[str, Any]) -> MeetingVoter:
    if data["principal_unit"] is not None:
        return proxies.voter_by_unit(meeting, data["principal_unit"])
    voter = db.session.get(MeetingVoter, data["principal_voter_id"])
    if voter is None or voter.meeting_id != meeting.id:
        raise DomainError("unknown_voter", _l("This voter is not of this meeting."), field="principal_voter_id")
    return voter


@blp.get("/meetings/<id:meeting_id>/proxies")
@conveners_only
@blp.response(200, ProxySchema(many=True))
def list_proxies(meeting_id: int) -> Any:
    """The meeting's proxies, newest first: masked names and phone, the principal's units, the matters covered,
    whether there are directions (never which), and where each stands."""
    meeting = _meeting(meeting_id)[0]
    found = db.session.scalars(
        select(Proxy).where(Proxy.meeting_id == meeting.id).order_by(Proxy.recorded_at.desc(), Proxy.id.desc())
    )
    voted = proxies.voted_themselves(meeting)
    return [proxy_view(proxy, voted) for proxy in found]


@blp.post("/meetings/<id:meeting_id>/proxies")
@conveners_only
@blp.arguments(ProxyInSchema)
@blp.response(201, ProxySchema)
def record_proxy(data: dict[str, Any], meeting_id: int) -> Any:
    """Record a written authorisation (DOMAIN §8). 409 while the meeting is not open, when the owner has voted or
    has a proxy in force, or when the proxy represents as many owners as the meeting allows (`proxy_cap`, 3 unless
    the rules say otherwise); 422 without the declaration on property staff or with directions on matters not
    covered."""
    meeting = _meeting(meeting_id)[0]
    proxy = proxies.record_proxy(
        meeting,
        _principal(meeting, data),
        proxy_name=data["proxy_name"],
        proxy_phone=data["proxy_phone"],
        matter_ids=data["matter_ids"],
        directions=data["directions"],
        scan=data["scan_base64"],
        declared_not_property_staff=data["declared_not_property_staff"],
        user_id=current_user.id,
    )
    db.session.commit()
    return proxy_view(proxy, set())


@blp.post("/proxies/<id:proxy_id>/credential")
@conveners_only
@blp.response(201, IssuedProxyCredentialSchema, headers={"Cache-Control": {"schema": {"type": "string"}}})
def issue_proxy_credential(proxy_id: int) -> Any:
    """Issue the proxy's own link and fallback code (its second factor is a code sent by SMS to the proxy); the
    proxy's older links stop working, the owner's do not. In this response only. 409 when the proxy was revoked or
    used, or its owner has voted (which revokes it)."""
    proxy = _proxy(proxy_id)[0]
    try:
        issued = proxies.issue_proxy_credential(proxy, current_user.id)
    except DomainError as error:
        if error.code == "owner_voted":  # the revocation it made is kept (app.voting.proxies._usable)
            db.session.commit()
        raise
    db.session.commit()
    body = {
        "proxy_id": proxy.id,
        "credential_id": issued.credential.id,
        "issued_at": issued.credential.issued_at,
        "link": ballot_link(issued.token),
        "code": credentials.format_code(issued.code),
    }
    return body, NO_STORE


@blp.post("/proxies/<id:proxy_id>/revocation")
@conveners_only
@blp.arguments(RevocationInSchema)
@blp.response(200, ProxySchema)
def revoke_proxy(data: dict[str, Any], proxy_id: int) -> Any:
    """Revoke a proxy in force, with the reason; its links stop working at once. 409 once used or revoked."""
    proxy = _proxy(proxy_id)[0]
    proxies.revoke_proxy(proxy, data["reason"], current_user.id)
    db.session.commit()
    return proxy_view(proxy, set())


@blp.get("/meetings/<id:meeting_id>/assisted-ballots")
@_requiring(_require_township)
@blp.response(200, AssistedBallotSchema(many=True))
def list_assisted_ballots(meeting_id: int) -> Any:
    """For the township: the meeting's ballots cast by a proxy or with a letter that replaced an earlier one, with
    the staff behind each (app.voting.assisted); who, never how."""
    meeting = _meeting(meeting_id)[0]
    return [
        {
            "voter_id": row.voter.id,
            "units": row.voter.units_label,
            "holder": row.voter.shown_name,
            "kind": row.kind,
            "channel": row.channel,
            "cast_at": row.cast_at,
            "staff": row.staff,
            "confirmed_via": row.confirmed_via,
            "confirmed_by": row.confirmed_by,
            "earlier_letters": row.earlier,
        }
        for row in assisted.assisted_ballots(meeting)
    ]


@blp.post("/proxies/<id:proxy_id>/confirmation-code")
@conveners_only
@blp.response(202, ProxySchema)
def send_confirmation_code(proxy_id: int) -> Any:
    """Send the owner, at their phone on the roll, the code that confirms the proxy (issue 16 item 2). 409 when
    no text message can reach the owner (then a second staff member approves), or the proxy is confirmed already."""
    proxy = _proxy(proxy_id)[0]
    proxies.send_owner_code(proxy, current_user.id)
    db.session.commit()
    return proxy_view(proxy, set())


@blp.post("/proxies/<id:proxy_id>/confirmation")
@conveners_only
@blp.arguments(ConfirmationInSchema)
@blp.response(200, ProxySchema)
def confirm_proxy(data: dict[str, Any], proxy_id: int) -> Any:
    """The code the owner read back confirms the proxy; 422 for a wrong or expired code (counted: five wrong
    answers void the code)."""
    proxy = _proxy(proxy_id)[0]
    try:
        proxies.confirm_with_owner_code(proxy, data["code"], current_user.id)
    except DomainError as error:
        if error.code == "wrong_confirmation":
            db.session.commit()  # the wrong answer counts
        raise
    db.session.commit()
    return proxy_view(proxy, set())


@blp.post("/proxies/<id:proxy_id>/approval")
@conveners_only
@blp.response(200, ProxySchema)
def approve_proxy(proxy_id: int) -> Any:
    """A second staff member approves the written authorisation; 409 for the staff member who recorded it."""
    proxy = _proxy(proxy_id)[0]
    proxies.approve_by_second_staff(proxy, current_user.id)
    db.session.commit()
    return proxy_view(proxy, set())
