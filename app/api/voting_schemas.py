"""Marshmallow schemas of the voting API (/api/v1): meetings, their voters and credentials, letter batches, paper
entries and the turnout (issue 6 items 1–3, 5, 8–10).

Inputs are bounded like the preparation API's (app.api.preparation_schemas): text within its column and without
control characters, the voting window within 2000–2099, a paper ballot's marks a small map of matter ids to known
marks or short lists of ids within INTEGER. Times are shown in Asia/Shanghai (+08:00), as owners and conveners read
them; a window sent without an offset is read in Asia/Shanghai too.

No schema here has a field for a ballot's choices: organisers see who has voted, never how (DOMAIN §8). The one
place marks appear is the tellers' mismatch queue, which shows what two tellers typed from a paper ballot in their
hands (issue 6 item 5). A credential's link and code appear in the one response that issues them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError, fields, validate

from app.api.preparation_schemas import MAX_ID, NoControlCharacters, text
from app.api.schemas import Schema
from app.db_types import SHANGHAI
from app.voting.ballots import MOTION_ANSWERS
from app.voting.meetings import CHANNELS, SECOND_FACTORS
from app.voting.paper import INVALID

FIRST_MOMENT = datetime(2000, 1, 1, tzinfo=SHANGHAI)
LAST_MOMENT = datetime(2099, 12, 31, 23, 59, 59, tzinfo=SHANGHAI)
#: more matters than any meeting has, more candidates than any election, more pages than any community's voters fill
MAX_MATTERS = 100
MAX_CANDIDATES = 100
MAX_PAGE = 10_000
#: a paper ballot's marks on a motion (None, blank, is allowed too)
PAPER_MARKS = (*MOTION_ANSWERS, INVALID)


class ShanghaiDateTime(fields.DateTime):
    """A moment shown in Asia/Shanghai with its offset: 2026-12-01T08:00:00+08:00."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return super()._serialize(value.astimezone(SHANGHAI) if value is not None else None, attr, obj, **kwargs)


def moment(**kwargs: Any) -> fields.AwareDateTime:
    """An ISO date-time from 2000 to 2099; without an offset it is read in Asia/Shanghai."""
    kwargs.setdefault("required", True)
    return fields.AwareDateTime(
        default_timezone=SHANGHAI,
        validate=validate.Range(min=FIRST_MOMENT, max=LAST_MOMENT),
        metadata={"example": "2026-12-01T08:00:00+08:00"},
        **kwargs,
    )


# --- meetings -------------------------------------------------------------------------------------------------


class MatterCandidateSchema(Schema):
    """A candidate on the election's ballot (from the township-approved list)."""

    id = fields.Integer()
    position = fields.Integer()
    name = fields.String()
    unit_labels = fields.String()
    statement = fields.String()


class MatterAttachmentSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    sha256 = fields.String()


class MatterSchema(Schema):
    """A matter put to the vote, its Civil Code Art 278 ¶1 category and the threshold that follows (¶2)."""

    id = fields.Integer()
    meeting_id = fields.Integer()
    position = fields.Integer()
    kind = fields.String(metadata={"description": "motion or election"})
    category = fields.Integer(metadata={"description": "Civil Code Art 278 ¶1 (1)–(9)"})
    category_label = fields.String()
    threshold = fields.String(metadata={"description": "more_than_half or three_quarters (Art 278 ¶2)"})
    threshold_label = fields.String()
    title = fields.String()
    text = fields.String()
    seats = fields.Integer(allow_none=True)
    max_alternates = fields.Integer(allow_none=True)
    candidates = fields.List(fields.Nested(MatterCandidateSchema))
    attachments = fields.List(fields.Nested(MatterAttachmentSchema))


class MeetingSummarySchema(Schema):
    id = fields.Integer()
    community_id = fields.Integer()
    group_id = fields.Integer(allow_none=True)
    title = fields.String()
    status = fields.String(metadata={"description": "draft, open or closed"})
    state = fields.String(metadata={"description": "not_open, before, open, after or closed"})
    state_label = fields.String()
    opens_at = ShanghaiDateTime()
    closes_at = ShanghaiDateTime()
    created_at = ShanghaiDateTime()


class MeetingDetailSchema(MeetingSummarySchema):
    """A meeting: its window in Asia/Shanghai, channels, identity check, whether a ballot may change, its matters."""

    channels = fields.String(metadata={"description": "phone,paper, phone or paper"})
    second_factor = fields.String(metadata={"description": "id_last6 or sms"})
    allow_change = fields.Boolean()
    contact_phone = fields.String()
    paper_place = fields.String(metadata={"description": "where owners hand in a paper ballot (on the letters)"})
    settings = fields.Dict(metadata={"description": "the counting engine's settings, from the voting rules"})
    roll_version_id = fields.Integer(allow_none=True)
    opened_at = ShanghaiDateTime(allow_none=True)
    voter_count = fields.Integer()
    matters = fields.List(fields.Nested(MatterSchema))
    announced_on = fields.Date(allow_none=True, metadata={"description": "the day the meeting was announced (公告)"})
    announcement_sha256 = fields.String(allow_none=True, metadata={"description": "SHA-256 of the announced content"})
    announcement_changed = fields.Boolean(metadata={"description": "changed after its announcement: announce again"})
    earliest_opening = fields.Date(
        allow_none=True, metadata={"description": "the first day voting may open: 15 days after the announcement"}
    )


class AnnouncementInSchema(Schema):
    """The day the announcement is posted: today, or up to 3 days back for a paper notice."""

    starts_on = fields.Date(required=True)


class MeetingConfigurationSchema(Schema):
    """The voting window (Asia/Shanghai unless an offset is given), channels, identity check, ballot changes."""

    opens_at = moment()
    closes_at = moment()
    channels = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    second_factor = fields.String(required=True, validate=validate.OneOf(SECOND_FACTORS))
    allow_change = fields.Boolean(required=True)
    #: the phone owners call about the vote (omitted: unchanged)
    contact_phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    #: where owners hand in a paper ballot, printed on the letters (omitted: unchanged)
    paper_place = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=80))


class MotionInSchema(Schema):
    """A matter decided yes or no; its category (Civil Code Art 278 ¶1) fixes its threshold."""

    category = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=9))
    title = text(200)
    text = text(20000, required=False, multiline=True)


# --- voters and credentials -------------------------------------------------------------------------------------


class VotersQuerySchema(Schema):
    building = text(32, required=False, metadata={"description": "one building only (as on the roll)"})
    not_voted = fields.Boolean(load_default=False, metadata={"description": "only voters who have not voted"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))


class MeetingVoterSchema(Schema):
    """A voter as the convener sees them: whether they have voted (never how)."""

    id = fields.Integer()
    holder = fields.String(metadata={"description": "who holds the credential, masked"})
    units_label = fields.String()
    building = fields.String()
    area = fields.String(metadata={"description": "m²", "example": "89.50"})
    is_developer = fields.Boolean()
    has_voted = fields.Boolean()
    link_issued_at = ShanghaiDateTime(allow_none=True)


class MeetingVoterPageSchema(Schema):
    page = fields.Integer()
    has_next = fields.Boolean()
    voters = fields.List(fields.Nested(MeetingVoterSchema))


class IssuedCredentialSchema(Schema):
    """A new link and fallback code: shown in this response only (never stored in clear, never shown again)."""

    voter_id = fields.Integer()
    credential_id = fields.Integer()
    issued_at = ShanghaiDateTime()
    link = fields.String(metadata={"description": "the voter's personal link, /v?t=<token>"})
    code = fields.String(metadata={"description": "the typed fallback code", "example": "ABCD-EFGH-JKMN"})


# --- letters ---------------------------------------------------------------------------------------------------


class LetterBatchInSchema(Schema):
    building = fields.String(
        load_default=None,
        allow_none=True,
        validate=[validate.Length(min=1, max=32), NoControlCharacters()],
        metadata={"description": "a building of the meeting, or null for the whole community"},
    )
    replace = fields.Boolean(
        load_default=False,
        metadata={
            "description": "true to confirm a reprint: the letters some of these voters hold stop working once the new "
            "ones are ready (without it, 409 letters_in_hand)"
        },
    )


class LetterBatchSchema(Schema):
    id = fields.Integer()
    meeting_id = fields.Integer()
    building = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "pending, running, done or failed"})
    progress = fields.Integer(metadata={"description": "0–100"})
    voter_count = fields.Integer()
    created_at = ShanghaiDateTime()
    started_at = ShanghaiDateTime(allow_none=True)
    finished_at = ShanghaiDateTime(allow_none=True)
    downloaded_at = ShanghaiDateTime(allow_none=True)
    expires_at = ShanghaiDateTime(allow_none=True)
    is_available = fields.Boolean(metadata={"description": "whether the PDF may be downloaded (once)"})
    failure = fields.String(
        allow_none=True,
        metadata={"description": "why it failed: error, silent (its worker stopped answering), cancelled, not_started"},
    )


# --- paper ballots ---------------------------------------------------------------------------------------------

CANDIDATE_IDS = {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "maxItems": 100}


class PaperMark(fields.Field):
    """One matter's mark as on paper: "yes", "no", "abstain", "invalid" or null (blank); for the election a list of
    candidate ids (more than the seats makes it invalid) or "invalid"."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str) and value in PAPER_MARKS:
            return value
        if (
            isinstance(value, list)
            and len(value) <= MAX_CANDIDATES
            and all(type(item) is int and 1 <= item <= MAX_ID for item in value)
        ):
            return value
        raise ValidationError(_("Not a mark of a paper ballot."))


def at_most_matters(marks: dict[str, Any]) -> None:
    if len(marks) > MAX_MATTERS:
        raise ValidationError(_("Too many matters."))


class PaperEntryInSchema(Schema):
    """One teller's entry of one returned paper ballot: its code and the marks, matter id → mark."""

    code = fields.String(
        required=True,
        validate=validate.Regexp(r"^[0-9A-Za-z-]{1,20}$"),
        metadata={"description": "the ballot's paper code", "example": "1234-K7QF"},
    )
    choices = fields.Dict(
        required=True,
        keys=fields.String(validate=validate.Regexp(r"^[0-9]{1,10}$")),
        values=PaperMark(
            allow_none=True,
            metadata={"oneOf": [{"type": "string", "enum": list(PAPER_MARKS)}, CANDIDATE_IDS], "nullable": True},
        ),
        validate=at_most_matters,
        metadata={"maxProperties": MAX_MATTERS},
    )


class PaperEntrySchema(Schema):
    """A teller's entry: pending (a second teller must enter it), matched (the ballot counts), mismatch (in the
    queue) or conflict (the voter had voted already; the first ballot counts). Its marks are not repeated."""

    id = fields.Integer()
    meeting_id = fields.Integer()
    voter_id = fields.Integer(attribute="meeting_voter_id")
    teller_id = fields.Integer()
    status = fields.String()
    image_sha256 = fields.String(allow_none=True)
    entered_at = ShanghaiDateTime()


class QueuedEntrySchema(PaperEntrySchema):
    choices = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True))


class PaperMismatchSchema(Schema):
    """A paper ballot whose entries disagree, with every entry side by side; a third entry settles it."""

    voter_id = fields.Integer()
    paper_code = fields.String()
    building = fields.String()
    holder = fields.String(metadata={"description": "who holds the ballot, masked (the developer by name)"})
    entries = fields.List(fields.Nested(QueuedEntrySchema))


# --- turnout ---------------------------------------------------------------------------------------------------


class ParticipationSchema(Schema):
    """Heads and area (m²) of the voters who have voted, against the 2/3 line of Civil Code Art 278 ¶2."""

    voted_heads = fields.Integer()
    total_heads = fields.Integer()
    heads_line = fields.Integer(metadata={"description": "the fewest heads that reach 2/3"})
    heads_needed = fields.Integer()
    heads_percent = fields.String(metadata={"description": "rounded down", "example": "66.3"})
    voted_area = fields.String(metadata={"example": "8123.45"})
    total_area = fields.String()
    area_line = fields.String()
    area_needed = fields.String()
    area_percent = fields.String()
    meets_heads = fields.Boolean()
    meets_area = fields.Boolean()
    meets_quorum = fields.Boolean()


class BuildingTurnoutSchema(ParticipationSchema):
    building = fields.String()


class TurnoutSchema(Schema):
    meeting_id = fields.Integer()
    state = fields.String()
    overall = fields.Nested(ParticipationSchema)
    buildings = fields.List(fields.Nested(BuildingTurnoutSchema))
