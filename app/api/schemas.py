"""Marshmallow schemas of the API (they also produce the OpenAPI document)."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, fields, validate
from marshmallow import Schema as MarshmallowSchema

from app.auth.models import BodyOffice, GroupRole, Role
from app.calendar.services import notice_is_provisional
from app.rules.areas import format_area


class Schema(MarshmallowSchema):
    """Unknown fields in a request body are ignored (clients may send more than one version knows)."""

    class Meta:
        unknown = EXCLUDE


class ErrorSchema(Schema):
    """Every error: a stable code to test, a message in the user's language, sometimes details."""

    code = fields.String(required=True, metadata={"example": "township_not_found"})
    message = fields.String(required=True)
    details = fields.Raw(metadata={"description": "field errors, or the field that was refused"})


class GrantSchema(Schema):
    #: the role's id, to remove it (DELETE /communities/{id}/accounts/{user_id}/roles/{grant_id})
    id = fields.Integer()
    role = fields.String()
    township_id = fields.Integer(allow_none=True)
    community_id = fields.Integer(allow_none=True)
    group_role = fields.String(allow_none=True)
    #: a body member's body (its office is in group_role: chair or member)
    body_id = fields.Integer(allow_none=True)


class UserSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    is_active = fields.Boolean()
    grants = fields.List(fields.Nested(GrantSchema))


class AccountActiveSchema(Schema):
    active = fields.Boolean(required=True, metadata={"description": "false deactivates, true reactivates"})


class TownshipSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    admin_code = fields.String(required=True, validate=validate.Regexp(r"^[0-9]{9}([0-9]{3})?$"))
    created_at = fields.DateTime(dump_only=True)


class CommunitySchema(Schema):
    id = fields.Integer(dump_only=True)
    township_id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    address = fields.String(required=True, validate=validate.Length(min=1, max=200))
    developer_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    total_floor_area = fields.Method(
        "dump_area",
        deserialize="load_area",
        required=True,
        metadata={"type": "string", "example": "123456.78", "description": "m², at most two decimals"},
    )
    created_at = fields.DateTime(dump_only=True)

    def dump_area(self, community: Any) -> str:
        return format_area(community.total_floor_area_centi)

    def load_area(self, value: Any) -> str:
        return str(value)


class NewAccountSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=10, max=200))
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role if r != Role.ADMIN]))
    group_role = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf([g.value for g in GroupRole])
    )
    #: a body member's body (one of the community's bodies at work) and office
    body_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    office = fields.String(load_default=None, allow_none=True, validate=validate.OneOf([o.value for o in BodyOffice]))
    #: the staff member's mobile number, kept as a keyed hash only: an owner's proxy may not have it
    phone = fields.String(load_default=None, allow_none=True, load_only=True, validate=validate.Length(max=20))


class ApiTokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class AuditEventSchema(Schema):
    seq = fields.Integer()
    occurred_at = fields.DateTime()
    actor_label = fields.String()
    actor_role = fields.String()
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String(allow_none=True)
    township_id = fields.Integer(allow_none=True)
    community_id = fields.Integer(allow_none=True)
    summary = fields.Dict()
    previous_hash = fields.String()
    hash = fields.String()


class AuditQuerySchema(Schema):
    before_seq = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class ChainCheckSchema(Schema):
    id = fields.Integer()
    checked_at = fields.DateTime()
    is_ok = fields.Boolean()
    links_checked = fields.Integer()
    first_broken_seq = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)
    triggered_by = fields.String()


class TaskSchema(Schema):
    task_id = fields.String()


class RollImportSchema(Schema):
    id = fields.Integer()
    community_id = fields.Integer()
    filename = fields.String()
    file_sha256 = fields.String()
    status = fields.String(metadata={"description": "pending, running, done or failed"})
    progress = fields.Integer()
    report = fields.Dict(metadata={"description": "rows_read, errors and warnings (row, column, value, code, message)"})
    roll_version_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    failure = fields.String(
        allow_none=True,
        metadata={"description": "why it failed: error, silent (its worker stopped answering), cancelled, not_started"},
    )


class RollVersionSchema(Schema):
    id = fields.Integer()
    community_id = fields.Integer()
    number = fields.Integer()
    reason = fields.String()
    source = fields.String()
    created_at = fields.DateTime()
    fingerprint = fields.String()
    diff = fields.Dict()
    notice_starts_on = fields.Date(allow_none=True)
    notice_ends_on = fields.Date(allow_none=True)
    notice_ends_on_provisional = fields.Function(
        lambda version: notice_is_provisional(version.notice_starts_on, version.notice_ends_on),
        metadata={"description": "true when reckoned on a year without the official holiday arrangement (DOMAIN §7)"},
    )
    notice_token = fields.String(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    frozen_at = fields.DateTime(allow_none=True)


class RollWeightsSchema(Schema):
    total_area = fields.String(metadata={"example": "125849.28"})
    total_heads = fields.Integer()
    units = fields.Integer()
    developer_units = fields.Integer()
    owners_of_several_units = fields.Integer()
    co_owned_units = fields.Integer()
    by_kind = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())


class PublishSchema(Schema):
    starts_on = fields.Date(required=True)
