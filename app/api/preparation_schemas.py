"""Marshmallow schemas of the preparation API (/api/v1): the group, its checklist, notices, candidates and arrears.

Bounds keep every value within what the columns hold (ids within INTEGER, amounts within BIGINT, text within its
column, dates within 2000–2099 so that no date arithmetic overflows) and refuse control characters (PostgreSQL
refuses NUL), so a malformed request is a 422, never a server error. ID numbers are accepted (load-only) to find
people on the roll and are never part of a response.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError, fields, validate, validates_schema

from app.api.schemas import Schema
from app.calendar.services import notice_is_provisional
from app.preparation.candidates import ARREARS_KINDS, LISTS
from app.preparation.checklist import ALTERNATES_LISTS, MEETING_FORMS, RANK_CHOICES
from app.preparation.group import REQUEST_KINDS
from app.preparation.notices import KINDS
from app.privacy import mask_name
from app.rules.candidates import PROHIBITED_ACTS, ROUTES
from app.rules.elections import TIE_RULES
from app.rules.preparation import MAX_SEATS, MIN_SEATS, ROLES, max_alternates_for
from app.text import has_control_characters

FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
#: amounts in fen (0.01 yuan): at most 10 billion yuan, far within BIGINT
MAX_FEN = 10**12
MAX_ID = 2**31 - 1
#: more members than any group has, more co-signers than any joint nomination needs
MAX_MEMBERS = 50
MAX_COSIGNERS = 500
#: more fields than a model text has
MAX_DOCUMENT_FIELDS = 100


class NoControlCharacters(validate.Validator):
    """Refuses control characters (NUL, escapes …); a multi-line text may hold line breaks and tabs."""

    def __init__(self, *, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, value: str) -> str:
        if has_control_characters(value, allow_lines=self.multiline):
            raise ValidationError(_("This text contains characters that cannot be stored."))
        return value


def text(max_length: int, *, required: bool = True, multiline: bool = False, **kwargs: Any) -> fields.String:
    """A string of 1 (0 when optional) to ``max_length`` characters without control characters."""
    checks = [validate.Length(min=1 if required else 0, max=max_length), NoControlCharacters(multiline=multiline)]
    if not required:
        kwargs.setdefault("load_default", "")
    return fields.String(required=required, validate=checks, **kwargs)


def day(**kwargs: Any) -> fields.Date:
    """An ISO date from 2000-01-01 to 2099-12-31."""
    kwargs.setdefault("required", True)
    return fields.Date(validate=validate.Range(min=FIRST_DAY, max=LAST_DAY), **kwargs)


def fen(**kwargs: Any) -> fields.Integer:
    """An amount in fen (0.01 yuan), positive."""
    kwargs.setdefault("required", True)
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_FEN), **kwargs)


# --- the group ------------------------------------------------------------------------------------------------------


class PreparationRequestSchema(Schema):
    """The developer's report or the owners' application (Shaoxing Art 11)."""

    kind = fields.String(required=True, validate=validate.OneOf(REQUEST_KINDS))
    requested_on = day()
    note = text(500, required=False)


class MemberInSchema(Schema):
    """A member as the township names them; an owner representative's ID number finds them on the roll."""

    name = text(64)
    role = fields.String(required=True, validate=validate.OneOf(sorted(ROLES)))
    contact = text(64, required=False)
    id_number = text(32, required=False, load_only=True, metadata={"description": "owner representatives; not stored"})
    is_leader = fields.Boolean(load_default=False)


class FormationSchema(Schema):
    formed_on = day()
    members = fields.List(fields.Nested(MemberInSchema), required=True, validate=validate.Length(max=MAX_MEMBERS))


class MembersChangeSchema(Schema):
    members = fields.List(fields.Nested(MemberInSchema), required=True, validate=validate.Length(max=MAX_MEMBERS))
    reason = text(500)


class ExtensionSchema(Schema):
    extended_on = day()
    reason = text(500)


class DissolutionSchema(Schema):
    dissolved_on = day()
    reason = text(500)


class MemberSchema(Schema):
    """A member as the members' notice shows them (no ID number)."""

    position = fields.Integer()
    name = fields.String()
    role = fields.String()
    is_leader = fields.Boolean()
    contact = fields.String()
    on_roll = fields.Function(lambda member: member.owner_lookup is not None, metadata={"type": "boolean"})
    unit_labels = fields.String()


class ClockSchema(Schema):
    """A legal period (Shaoxing Arts 11, 12, 16): due date, or the calendar year missing to compute it."""

    code = fields.String()
    label = fields.String()
    article = fields.String()
    event_date = fields.Date()
    due = fields.Date(allow_none=True)
    missing_year = fields.Integer(allow_none=True)
    provisional = fields.Boolean(
        metadata={"description": "true when reckoned on a year without the official holiday arrangement (DOMAIN §7)"}
    )
    state = fields.String(allow_none=True, metadata={"description": "due_in, due_today or overdue"})
    days = fields.Integer(allow_none=True)
    done = fields.Boolean()
    overdue = fields.Boolean()


class ChecklistItemSchema(Schema):
    code = fields.String()
    label = fields.String()
    done = fields.Boolean()
    detail = fields.String()


class PlanSchema(Schema):
    """The meeting, the voting and election rules, and whether each document has a text."""

    meeting_starts_on = fields.Date(allow_none=True)
    meeting_ends_on = fields.Date(allow_none=True)
    meeting_form = fields.String()
    meeting_content = fields.String()
    count_parking = fields.Boolean()
    blank_and_invalid_take_part = fields.Boolean()
    rank_by = fields.String()
    seats = fields.Integer()
    max_alternates = fields.Integer()
    min_committee_members = fields.Integer()
    alternates_list = fields.String()
    arrears_bar = fields.Boolean()
    voting_rules_confirmed_at = fields.DateTime(allow_none=True)
    rules_of_procedure_drafted = fields.Function(lambda plan: bool(plan.rules_text), metadata={"type": "boolean"})
    covenant_drafted = fields.Function(lambda plan: bool(plan.covenant_text), metadata={"type": "boolean"})
    scheduled_at = fields.DateTime(allow_none=True)


class FundingSchema(Schema):
    """The developer's first-meeting funding (Shaoxing Art 15), in fen."""

    owed_fen = fields.Integer()
    received_fen = fields.Integer(allow_none=True)
    received_on = fields.Date(allow_none=True)
    reference = fields.String()


class CandidateListReviewSchema(Schema):
    id = fields.Integer()
    #: the pool: the preparatory group's (first meeting), or a later meeting's (exactly one is set)
    group_id = fields.Integer(allow_none=True)
    meeting_id = fields.Integer(allow_none=True)
    candidate_ids = fields.List(fields.Integer())
    submitted_by_id = fields.Integer(allow_none=True)
    submitted_at = fields.DateTime()
    decision = fields.String(metadata={"description": "pending, returned or approved"})
    reasons = fields.String()
    decided_by_id = fields.Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)


class PreparationSchema(Schema):
    """A preparation: the group, its stage, clocks and checklist, and what still stops the meeting."""

    id = fields.Integer()
    community_id = fields.Integer()
    number = fields.Integer()
    request_kind = fields.String()
    requested_on = fields.Date()
    note = fields.String()
    formed_on = fields.Date(allow_none=True)
    members_announced_on = fields.Date(allow_none=True)
    extended_on = fields.Date(allow_none=True)
    dissolved_on = fields.Date(allow_none=True)
    stage = fields.String()
    stage_label = fields.String()
    members = fields.List(fields.Nested(MemberSchema))
    clocks = fields.List(fields.Nested(ClockSchema))
    checklist = fields.List(fields.Nested(ChecklistItemSchema))
    plan = fields.Nested(PlanSchema, allow_none=True)
    funding = fields.Nested(FundingSchema)
    schedule_problems = fields.List(fields.String())
    open_objections = fields.Integer()
    candidate_list = fields.Nested(CandidateListReviewSchema, allow_none=True)


# --- the checklist --------------------------------------------------------------------------------------------------


class MeetingSchema(Schema):
    """The meeting's voting window (both days inclusive), form and content (Shaoxing Art 13 ¶1 (2))."""

    meeting_starts_on = day()
    meeting_ends_on = day()
    meeting_form = fields.String(required=True, validate=validate.OneOf(MEETING_FORMS))
    meeting_content = text(5000, multiline=True)


class RulesSchema(Schema):
    """The voting and election rules (Shaoxing Art 13 ¶1 (4)–(6), Art 18): the counting engine's settings."""

    count_parking = fields.Boolean(required=True)
    blank_and_invalid_take_part = fields.Boolean(required=True)
    rank_by = fields.String(required=True, validate=validate.OneOf(RANK_CHOICES))
    seats = fields.Integer(
        required=True, strict=True, validate=validate.Range(MIN_SEATS, MAX_SEATS), metadata={"description": "odd"}
    )
    max_alternates = fields.Integer(
        required=True, strict=True, validate=validate.Range(0, max_alternates_for(MAX_SEATS))
    )
    min_committee_members = fields.Integer(required=True, strict=True, validate=validate.Range(MIN_SEATS, MAX_SEATS))
    alternates_list = fields.String(required=True, validate=validate.OneOf(ALTERNATES_LISTS))
    #: a rule of procedure: unpaid fees after a written demand bar a candidacy (DOMAIN §6; default on)
    arrears_bar = fields.Boolean(load_default=True)
    #: how a tie for a place is settled (DOMAIN §5): a run-off (default) or lots drawn from the ledger root
    tie_rule = fields.String(load_default="runoff", validate=validate.OneOf(TIE_RULES))


def at_most_fields(values: dict[str, str]) -> None:
    if len(values) > MAX_DOCUMENT_FIELDS:
        raise ValidationError(_("Too many fields."))


class DocumentInSchema(Schema):
    """Either `fields` (draft the document from its model text; fields not sent keep their current value) or `text`
    (save an edited text)."""

    model_fields = fields.Dict(
        data_key="fields",
        keys=fields.String(validate=validate.Length(min=1, max=64)),
        values=fields.String(validate=[validate.Length(max=1000), NoControlCharacters()]),
        validate=at_most_fields,
        metadata={"maxProperties": MAX_DOCUMENT_FIELDS},
    )
    text = fields.String(validate=[validate.Length(min=1, max=50000), NoControlCharacters(multiline=True)])

    @validates_schema
    def fields_or_text(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("model_fields" in data) == ("text" in data):
            raise ValidationError(_("Send either fields or text."), "_schema")


class DocumentSchema(Schema):
    """A document of the checklist: its model text's fields as last filled in (or their defaults) and its text."""

    kind = fields.String()
    model_fields = fields.Dict(data_key="fields", keys=fields.String(), values=fields.String())
    text = fields.String()


class FundingInSchema(Schema):
    amount_fen = fen()
    received_on = day()
    reference = text(100)


# --- notices --------------------------------------------------------------------------------------------------------


class NoticeInSchema(Schema):
    """A document to publish from `starts_on` for 5 working days; `title` and `body` for kind "other" only."""

    kind = fields.String(required=True, validate=validate.OneOf(list(KINDS)))
    starts_on = day()
    title = text(200, required=False)
    body = text(20000, required=False, multiline=True)


class ObjectionInSchema(Schema):
    objector_name = text(64)
    unit_label = text(100)
    description = text(2000, multiline=True)
    candidate_id = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1, max=MAX_ID)
    )


class AnswerSchema(Schema):
    answer = text(2000, multiline=True)


class ObjectionSchema(Schema):
    """An objection to a notice; the objector's name is masked for those who do not prepare the meeting."""

    id = fields.Integer()
    notice_id = fields.Integer()
    candidate_id = fields.Integer(allow_none=True)
    objector_name = fields.String()
    unit_label = fields.String()
    description = fields.String()
    recorded_at = fields.DateTime()
    status = fields.String(metadata={"description": "open or answered"})
    answer = fields.String(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)


class NoticeSummarySchema(Schema):
    id = fields.Integer()
    community_id = fields.Integer()
    group_id = fields.Integer(allow_none=True)
    kind = fields.String()
    title = fields.String()
    body_sha256 = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date(metadata={"description": "the last of the 5 working days (Shaoxing Art 9)"})
    ends_on_provisional = fields.Function(
        lambda notice: notice_is_provisional(notice.starts_on, notice.ends_on),
        metadata={"description": "true when reckoned on a year without the official holiday arrangement (DOMAIN §7)"},
    )
    token = fields.String(metadata={"description": "of the public notice page"})
    published_at = fields.DateTime()


class NoticeSchema(NoticeSummarySchema):
    """A notice as published, its period, the earliest meeting day it allows, and the objections to it."""

    body = fields.String()
    earliest_meeting_on = fields.Date(
        allow_none=True, metadata={"description": "15 days after the start (Art 13 ¶3); null without the calendar"}
    )
    objections = fields.List(fields.Nested(ObjectionSchema))


# --- candidates -----------------------------------------------------------------------------------------------------


class NominationSchema(Schema):
    """A nomination (Shaoxing Art 13 ¶2); a joint one lists the co-signers' ID numbers (checked, not stored)."""

    name = text(64)
    id_number = text(32, load_only=True)
    route = fields.String(required=True, validate=validate.OneOf(ROUTES))
    nominated_on = day()
    cosigner_id_numbers = fields.List(
        text(32, required=False), load_only=True, load_default=list, validate=validate.Length(max=MAX_COSIGNERS)
    )
    statement = text(2000, required=False, multiline=True)
    #: with separate lists (DOMAIN §5): the list the candidate stands on
    stands_for = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LISTS))


class ProfileSchema(Schema):
    """The statement, voluntary declarations and the signed declaration on Shaoxing Art 22."""

    statement = text(2000, required=False, multiline=True)
    party_member = fields.Boolean(required=True)
    peoples_congress_deputy = fields.Boolean(required=True)
    cppcc_member = fields.Boolean(required=True)
    party_congress_deputy = fields.Boolean(load_default=False)
    under_guardianship = fields.Boolean(load_default=False)
    #: with separate lists (DOMAIN §5): the list the candidate stands on; absent keeps it
    stands_for = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LISTS))
    declaration_made = fields.Boolean(required=True)
    declared_acts = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=min(PROHIBITED_ACTS), max=max(PROHIBITED_ACTS))),
        load_default=list,
        validate=validate.Length(max=len(PROHIBITED_ACTS)),
    )
    property_company_tie = fields.Boolean(load_default=None, allow_none=True)


class VettingSchema(Schema):
    accept = fields.Boolean(required=True)
    reason = text(500, required=False, metadata={"description": "required to reject"})


class WithdrawalSchema(Schema):
    reason = text(500)


class ReviewInSchema(Schema):
    approve = fields.Boolean(required=True)
    reasons = text(2000, required=False, multiline=True, metadata={"description": "required to return the list"})


class CosignerSchema(Schema):
    """A co-signer of a joint nomination, the name masked as on the candidate's page."""

    position = fields.Integer()
    name = fields.Function(
        lambda cosigner: mask_name(cosigner.name), metadata={"type": "string", "description": "masked: 张*华"}
    )
    unit_labels = fields.String()


class CandidateSchema(Schema):
    id = fields.Integer()
    #: the pool: the preparatory group's (first meeting), or a later meeting's (exactly one is set)
    group_id = fields.Integer(allow_none=True)
    meeting_id = fields.Integer(allow_none=True)
    name = fields.String()
    unit_labels = fields.String()
    route = fields.String()
    nominated_on = fields.Date()
    statement = fields.String()
    has_photo = fields.Function(lambda candidate: candidate.photo is not None, metadata={"type": "boolean"})
    party_member = fields.Boolean()
    party_congress_deputy = fields.Boolean()
    peoples_congress_deputy = fields.Boolean()
    cppcc_member = fields.Boolean()
    under_guardianship = fields.Boolean()
    stands_for = fields.String(allow_none=True, metadata={"description": "members or alternates (separate lists)"})
    declaration_made = fields.Boolean()
    declared_acts = fields.List(fields.Integer())
    property_company_tie = fields.Boolean(allow_none=True)
    status = fields.String(metadata={"description": "nominated, accepted, rejected or withdrawn"})
    vetting_reason = fields.String()
    vetted_at = fields.DateTime(allow_none=True)
    withdrawal_reason = fields.String()
    withdrawn_at = fields.DateTime(allow_none=True)
    cosigners = fields.List(fields.Nested(CosignerSchema))
    created_at = fields.DateTime()


class CheckSchema(Schema):
    """An eligibility check (Shaoxing Arts 17, 22) and the evidence it rests on."""

    code = fields.String()
    label = fields.String()
    outcome = fields.String(metadata={"description": "pass, fail or pending"})
    evidence = fields.Dict(keys=fields.String())


class CandidateDetailSchema(CandidateSchema):
    checks = fields.List(fields.Nested(CheckSchema))
    eligible = fields.Boolean()


# --- arrears demands ------------------------------------------------------------------------------------------------


class DemandInSchema(Schema):
    """A written demand for unpaid fees (Shaoxing Art 17 ¶2 (3)) to the owner with this ID number."""

    id_number = text(32, load_only=True)
    kind = fields.String(required=True, validate=validate.OneOf(ARREARS_KINDS))
    amount_fen = fen()
    demanded_on = day()


class PaymentSchema(Schema):
    paid_on = day()


class DemandSchema(Schema):
    """A written demand; the owner's name masked, as on the arrears page (the units say who it is to the group)."""

    id = fields.Integer()
    community_id = fields.Integer()
    owner_name = fields.Function(lambda demand: mask_name(demand.owner_name))
    unit_labels = fields.String()
    kind = fields.String()
    amount_fen = fields.Integer()
    demanded_on = fields.Date()
    paid_on = fields.Date(allow_none=True)
    created_at = fields.DateTime()
