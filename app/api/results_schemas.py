"""Marshmallow schemas of the results API (/api/v1): closing, the paper ballots still to settle, the counted result
and its signed package, objections, the township's decision, and checking a package (issue 7 item 9).

Inputs are bounded like the other APIs' (app.api.preparation_schemas): text within its column and without control
characters, ids within INTEGER. The result's tally is the package's own (`gongjue.tally-result/1` without its roll
statistics, docs/result-package.md), passed through as signed: nothing here recomputes or rounds it.

Secrecy (DOMAIN §8): nothing here carries a ballot's choices, save the package itself, whose ledger publishes them
under the voters' pseudonyms; the paper ballots still to settle are shown without their marks.
"""

from __future__ import annotations

from marshmallow import fields, validate

from app.api.preparation_schemas import MAX_ID, text
from app.api.schemas import Schema
from app.api.voting_schemas import MeetingDetailSchema, PaperEntrySchema, ShanghaiDateTime
from app.results.certification import MAX_TEXT
from app.results.closing import MAX_REASON

#: the longest refusal the results table holds (Result.refusal_reason)
MAX_REFUSAL = 2000
#: the longest objector the results table holds (ResultObjection.objector)
MAX_OBJECTOR = 100


# --- closing and the paper ballots still to settle -----------------------------------------------------------------


class ClosedMeetingSchema(MeetingDetailSchema):
    """The meeting after the request to close it."""

    closed_at = ShanghaiDateTime(allow_none=True)
    closed_now = fields.Boolean(metadata={"description": "false when it was closed (or counted) already"})


class UnsettledPaperSchema(Schema):
    """A voter's paper entries that keep the meeting from being counted: waiting for a second teller (pending), in
    the mismatch queue (mismatch), or in conflict with a ballot cast first by phone or proxy (conflict). Their marks
    are not shown."""

    voter_id = fields.Integer()
    paper_code = fields.String()
    building = fields.String()
    units_label = fields.String()
    holder = fields.String(metadata={"description": "who holds the ballot, masked (the developer by name)"})
    status = fields.String(metadata={"description": "the latest entry's status: pending, mismatch or conflict"})
    entries = fields.List(fields.Nested(PaperEntrySchema))


class PaperExclusionInSchema(Schema):
    """Leave a voter's unsettled paper entries out of the count, with the reason (published in the package)."""

    voter_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID))
    reason = text(MAX_REASON, multiline=True)


class PaperExclusionSchema(Schema):
    voter_id = fields.Integer()
    entries = fields.Integer(metadata={"description": "how many of the voter's entries were left out"})
    unsettled = fields.Integer(metadata={"description": "how many voters' paper ballots are still unsettled"})


# --- the result -----------------------------------------------------------------------------------------------


class ResultObjectionSchema(Schema):
    """An owner's objection to the published result, and the convener's answer."""

    id = fields.Integer()
    result_id = fields.Integer()
    received_on = fields.Date()
    objector = fields.String(metadata={"description": "as the owner gave it; masked unless the caller convenes"})
    text = fields.String()
    answer = fields.String(allow_none=True)
    answered_at = ShanghaiDateTime(allow_none=True)


class SignerSchema(Schema):
    """A signature the package carries, as it says (whether it holds is what verification checks)."""

    role = fields.String(metadata={"description": "platform, convener or township"})
    key = fields.String(metadata={"description": "the key id: SHA-256 of the public key, as /keys.json lists it"})
    signed_at = fields.String()


class OutcomeSchema(Schema):
    """What the result decides for the community once certified (app.rules.outcome)."""

    assembly_established = fields.Boolean()
    committee_formed = fields.Boolean()
    runoff_needed = fields.Boolean()
    committee_pending = fields.Boolean()
    passed = fields.List(fields.String(), metadata={"description": "ids of the motions passed"})
    failed = fields.List(fields.String(), metadata={"description": "ids of the motions not passed"})
    governance = fields.String(metadata={"description": "committee, established or preparing"})


class CountRunSchema(Schema):
    """A count in the background: the ballots encrypted a chunk at a time, then the totals decrypted and the
    package signed (`result_id` once done)."""

    id = fields.Integer()
    meeting_id = fields.Integer()
    status = fields.String(metadata={"description": "pending, running, done or failed"})
    progress = fields.Integer(metadata={"description": "0–100"})
    ballot_count = fields.Integer()
    result_id = fields.Integer(allow_none=True)
    failure = fields.String(
        allow_none=True,
        metadata={"description": "why it failed: error, silent (its worker stopped answering), cancelled, not_started"},
    )
    created_at = ShanghaiDateTime()
    started_at = ShanghaiDateTime(allow_none=True)
    finished_at = ShanghaiDateTime(allow_none=True)


class ResultSchema(Schema):
    """A meeting's result: counted → published (notice for objections) → certified or refused by the township."""

    id = fields.Integer()
    meeting_id = fields.Integer()
    community_id = fields.Integer()
    status = fields.String(metadata={"description": "counted, published, certified or refused"})
    status_label = fields.String()
    package_sha256 = fields.String(metadata={"description": "SHA-256 of the package's body, which the signatures name"})
    counted_at = ShanghaiDateTime()
    published_on = fields.Date(allow_none=True)
    objections_until = fields.Date(allow_none=True, metadata={"description": "the notice's last day"})
    objections_until_provisional = fields.Boolean(
        metadata={"description": "true when reckoned on a year without the official holiday arrangement (DOMAIN §7)"}
    )
    decided_at = ShanghaiDateTime(allow_none=True)
    refusal_reason = fields.String(allow_none=True)
    outcome = fields.Nested(OutcomeSchema)
    governance_label = fields.String()
    signers = fields.List(fields.Nested(SignerSchema))
    objections = fields.List(fields.Nested(ResultObjectionSchema))
    labels = fields.Dict(metadata={"description": "matter titles and candidate names by id, as the package has them"})
    tally = fields.Dict(metadata={"description": "the signed tally (gongjue.tally-result/1), by matter id"})


class ResultObjectionInSchema(Schema):
    """An owner's objection received while the notice runs: who objects (name and unit) and what they say."""

    objector = text(MAX_OBJECTOR, metadata={"example": "张三 1幢1单元101"})
    text = text(MAX_TEXT, multiline=True)


class AnswerInSchema(Schema):
    answer = text(MAX_TEXT, multiline=True)


class RefusalInSchema(Schema):
    reason = text(MAX_REFUSAL, multiline=True)


# --- verification -----------------------------------------------------------------------------------------------


class VerifyQuerySchema(Schema):
    township = fields.Boolean(
        load_default=False, metadata={"description": "require the township's signature too (a certified result)"}
    )


class PackageCheckSchema(Schema):
    """One check of `gongjue verify`; its detail says what is wrong, so it is empty when the check passes."""

    name = fields.String(metadata={"example": "ledger root"})
    name_zh = fields.String(metadata={"example": "账本默克尔根"})
    ok = fields.Boolean()
    detail = fields.String()


class VerificationSchema(Schema):
    """The checks of the package sent, in order; it is sound only if every check passes (`ok`)."""

    ok = fields.Boolean()
    package_sha256 = fields.String(allow_none=True, metadata={"description": "null when the body cannot be hashed"})
    signers = fields.List(fields.Nested(SignerSchema))
    checks = fields.List(fields.Nested(PackageCheckSchema))
