"""Schemas of the owners' API (/api/v1/owner…, app.api.owners): sign-in, my communities, objections, petitions."""

from __future__ import annotations

from marshmallow import fields, validate

from app.api.schemas import Schema
from app.owners.petitions import ATTRIBUTES


class OwnerPhoneInSchema(Schema):
    phone = fields.String(required=True, validate=validate.Length(max=20), metadata={"example": "13812345678"})


class OwnerSignInSchema(OwnerPhoneInSchema):
    code = fields.String(required=True, validate=validate.Length(max=10), metadata={"example": "123456"})


class OwnerCodeSentSchema(Schema):
    sent = fields.Boolean()
    expires_in = fields.Integer(metadata={"description": "seconds the code is valid"})


class OwnerTokenSchema(Schema):
    token = fields.String(metadata={"description": "send as Authorization: Bearer <token> (starts with gjo_)"})
    expires_at = fields.DateTime()


class OwnerSignOutInSchema(Schema):
    everywhere = fields.Boolean(load_default=False)


class OwnerSignedOutSchema(Schema):
    ended = fields.Integer()


class OwnerCoOwnerSchema(Schema):
    name = fields.String(metadata={"description": "masked"})
    is_representative = fields.Boolean()


class OwnerMyUnitSchema(Schema):
    label = fields.String()
    kind = fields.String()
    area = fields.String(metadata={"description": "m², exact to 0.01", "example": "89.32"})
    area_source = fields.String()
    status = fields.String()
    i_represent = fields.Boolean()
    co_owners = fields.List(fields.Nested(OwnerCoOwnerSchema))


class OwnerMyCommunitySummarySchema(Schema):
    id = fields.Integer()
    name = fields.String()
    roll_version = fields.Integer()
    units = fields.List(fields.Nested(OwnerMyUnitSchema))


class OwnerMeSchema(Schema):
    name = fields.String(metadata={"description": "masked"})
    method = fields.String(metadata={"description": "sms or letter"})
    expires_at = fields.DateTime()
    communities = fields.List(fields.Nested(OwnerMyCommunitySummarySchema))


class OwnerStageSchema(Schema):
    code = fields.String()
    label = fields.String()
    state = fields.String()
    opens_at = fields.DateTime(allow_none=True)
    closes_at = fields.DateTime(allow_none=True)
    objections_until = fields.Date(allow_none=True)


class OwnerMyBallotSchema(Schema):
    channel = fields.String()
    cast_at = fields.DateTime()
    receipt_code = fields.String()
    receipt_sha256 = fields.String()


class OwnerMyMeetingSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    opens_at = fields.DateTime()
    closes_at = fields.DateTime()
    standing = fields.String(
        metadata={"description": "announced, vote_now, voted, not_voted, counting, published, certified, refused"}
    )
    ballot = fields.Nested(OwnerMyBallotSchema, allow_none=True)
    result_digest = fields.String(
        allow_none=True, metadata={"description": "the published package's SHA-256: /r/<digest>"}
    )
    objections_open = fields.Boolean()
    result_id = fields.Integer(allow_none=True)


class OwnerNoticeSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    url = fields.String()


class OwnerMemberSchema(Schema):
    name = fields.String()
    office = fields.String(allow_none=True)


class OwnerBodySchema(Schema):
    kind = fields.String()
    formed_on = fields.Date()
    term_ends_on = fields.Date(allow_none=True)
    members = fields.List(fields.Nested(OwnerMemberSchema))


class OwnerPublicationSchema(Schema):
    id = fields.Integer()
    category = fields.String()
    title = fields.String()
    text = fields.String()
    published_on = fields.Date()


class OwnerFiledObjectionSchema(Schema):
    number = fields.String(metadata={"example": "MC-12"})
    kind = fields.String(metadata={"description": "roll, notice or result"})
    id = fields.Integer()
    subject = fields.String()
    unit_label = fields.String()
    text = fields.String()
    status = fields.String(metadata={"description": "open, answered, accepted or rejected"})
    answer = fields.String(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)
    has_photo = fields.Boolean()


class OwnerPetitionSummarySchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    status = fields.String()


class OwnerRollNoticeSchema(Schema):
    version = fields.Integer()
    ends_on = fields.Date()


class OwnerCommunityViewSchema(OwnerMyCommunitySummarySchema):
    stage = fields.Nested(OwnerStageSchema)
    roll_notice = fields.Nested(
        OwnerRollNoticeSchema, allow_none=True, metadata={"description": "objections are taken"}
    )
    notices = fields.List(fields.Nested(OwnerNoticeSchema), metadata={"description": "notices taking objections"})
    body = fields.Nested(OwnerBodySchema, allow_none=True)
    meetings = fields.List(fields.Nested(OwnerMyMeetingSchema))
    publications = fields.List(fields.Nested(OwnerPublicationSchema))
    objections = fields.List(fields.Nested(OwnerFiledObjectionSchema))
    petitions = fields.List(fields.Nested(OwnerPetitionSummarySchema))
    nominations_open = fields.Boolean()


class OwnerObjectionInSchema(Schema):
    about = fields.String(required=True, validate=validate.OneOf(("roll", "notice", "result")))
    subject_id = fields.Integer(
        load_default=None, metadata={"description": "the notice's or the result's id (not for the roll)"}
    )
    unit_label = fields.String(required=True, validate=validate.Length(max=100))
    text = fields.String(required=True, validate=validate.Length(max=2000))
    photo_base64 = fields.String(
        load_default=None, validate=validate.Length(max=4_300_000), metadata={"description": "JPEG or PNG, ≤ 3 MB"}
    )


class OwnerProposalInSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(("interim_meeting", "audit")))
    title = fields.String(required=True, validate=validate.Length(max=200))
    text = fields.String(load_default="", validate=validate.Length(max=4000))


class OwnerNominationInSchema(Schema):
    route = fields.String(required=True, validate=validate.OneOf(("self", "joint")))
    statement = fields.String(load_default="", validate=validate.Length(max=2000))
    stands_for = fields.String(load_default=None, validate=validate.OneOf(("members", "alternates")))
    declared = fields.List(fields.String(validate=validate.OneOf(ATTRIBUTES)), load_default=list)


class OwnerNominatedSchema(Schema):
    candidate_id = fields.Integer(allow_none=True, metadata={"description": "a self-nomination, handed in"})
    petition_id = fields.Integer(allow_none=True, metadata={"description": "a joint nomination to co-sign"})


class OwnerSignatureSchema(Schema):
    name = fields.String(metadata={"description": "masked"})
    unit_labels = fields.String()
    signed_at = fields.DateTime()


class OwnerPetitionSchema(OwnerPetitionSummarySchema):
    community_id = fields.Integer()
    text = fields.String()
    heads = fields.Integer(metadata={"description": "heads the signatures hold (DOMAIN §3)"})
    needed = fields.Integer()
    total = fields.Integer(metadata={"description": "heads of the roll it is counted on"})
    reached_on = fields.Date(allow_none=True)
    convene_by = fields.Date(allow_none=True)
    i_signed = fields.Boolean()
    i_drafted = fields.Boolean()
    candidate_id = fields.Integer(allow_none=True)


class StaffPetitionSchema(OwnerPetitionSchema):
    signatures = fields.List(fields.Nested(OwnerSignatureSchema))
    overdue = fields.Boolean()


class OwnerConvenedInSchema(Schema):
    meeting_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
