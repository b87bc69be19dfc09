"""Schemas of the governance API (app/api/governance.py)."""

from __future__ import annotations

from marshmallow import fields, validate

from app.api.preparation_schemas import MAX_MEMBERS, MemberInSchema
from app.api.schemas import Schema
from app.governance.bodies import LEAVING_REASONS
from app.rules.governance import STATES


class GovernanceEventSchema(Schema):
    event = fields.String()
    event_label = fields.String()
    from_state = fields.String()
    to_state = fields.String()
    occurred_on = fields.Date()
    reason = fields.String()
    result_id = fields.Integer(allow_none=True)


class BodyMemberSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    seat = fields.String(metadata={"description": "member or alternate"})
    rank = fields.Integer(metadata={"description": "the election's ranking: alternates move up in this order"})
    office = fields.String(allow_none=True, metadata={"description": "chair, vice_chair or null"})
    joined_on = fields.Date()
    left_on = fields.Date(allow_none=True)
    left_reason = fields.String(allow_none=True)


class BodySchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "committee or pmc"})
    formed_on = fields.Date()
    seats = fields.Integer()
    term_years = fields.Integer(allow_none=True)
    term_ends_on = fields.Date(allow_none=True)
    re_election_due = fields.Date(allow_none=True)
    filing_due = fields.Date(allow_none=True)
    filing_due_provisional = fields.Boolean(
        metadata={"description": "true when reckoned on a year without the official holiday arrangement (DOMAIN §7)"}
    )
    filed_on = fields.Date(allow_none=True)
    filing_certificate_on = fields.Date(allow_none=True)
    duties = fields.String()
    members = fields.List(fields.Nested(BodyMemberSchema))


class GovernanceSchema(Schema):
    community_id = fields.Integer()
    state = fields.String(metadata={"enum": list(STATES)})
    state_label = fields.String()
    assembly_established_on = fields.Date(allow_none=True)
    allowed_events = fields.List(fields.String())
    timeline = fields.List(fields.Nested(GovernanceEventSchema))
    body = fields.Nested(BodySchema, allow_none=True)


class ConversionInSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["convert", "decline"]))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class MemberLeavesInSchema(Schema):
    member_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    reason = fields.String(required=True, validate=validate.OneOf(LEAVING_REASONS))
    left_on = fields.Date(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=500))


class OfficersInSchema(Schema):
    chair = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    vice_chairs = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1)), load_default=list
    )


class FilingInSchema(Schema):
    filed_on = fields.Date(required=True)
    certificate_on = fields.Date(load_default=None, allow_none=True)


class PmcMembersInSchema(Schema):
    members = fields.List(
        fields.Nested(MemberInSchema), required=True, validate=validate.Length(min=1, max=MAX_MEMBERS)
    )
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class ReElectionGroupInSchema(Schema):
    members = fields.List(
        fields.Nested(MemberInSchema), required=True, validate=validate.Length(min=1, max=MAX_MEMBERS)
    )
    #: why the group has no residents' committee member, when it has none (the township confirms the composition)
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class ConveneInSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    opens_on = fields.Date(required=True)
    closes_on = fields.Date(required=True)


class ElectionInSchema(Schema):
    seats = fields.Integer(required=True, validate=validate.Range(min=1, max=99))
    max_alternates = fields.Integer(load_default=0, validate=validate.Range(min=0, max=99))
    by_election = fields.Boolean(load_default=False)


class ConvenedSchema(Schema):
    meeting_id = fields.Integer()
    body_id = fields.Integer(allow_none=True)
