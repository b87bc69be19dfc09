"""/api/v1 voting: configuring and opening a meeting, its voters and their credentials, letter batches, paper entry
and the live turnout (issue 6 items 1–3, 5, 8–10), through the same services as the pages. Proxies are not here yet.

Who may do what, as on the pages: whoever sees the community reads its meetings; the convener (the preparatory group
and its township, can_prepare_community) changes them, lists the voters, issues credentials and makes letters; the
community's tellers and the convener enter paper ballots and read the mismatch queue; the convener and the township
follow the turnout. The caller's right is checked before the request body is read. An object outside the caller's
scope is "not found", like one that does not exist.

Secrecy (DOMAIN §8): no response here carries a ballot's choices; only whether a voter has voted. A new link and
code exist in clear in the one response that issues them (no-store), never in the database, the audit log or a URL
path. There is no endpoint to cast a ballot: an organiser never votes on someone else's behalf.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Response, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import func, select

from app import jobs
from app.api.common import check_api_auth
from app.api.voting_schemas import (
    AnnouncementInSchema,
    IssuedCredentialSchema,
    LetterBatchInSchema,
    LetterBatchSchema,
    MatterSchema,
    MeetingConfigurationSchema,
    MeetingDetailSchema,
    MeetingSummarySchema,
    MeetingVoterPageSchema,
    MotionInSchema,
    PaperEntryInSchema,
    PaperEntrySchema,
    PaperMismatchSchema,
    TurnoutSchema,
    VotersQuerySchema,
)
from app.auth import permissions
from app.auth.models import User
from app.communities.models import Community
from app.db_retry import retrying
from app.errors import DomainError, Forbidden, NotFound
from app.extensions import db
from app.governance import acting
from app.preparation.group import current_group
from app.roll import services as roll_services
from app.rules.areas import format_area
from app.rules.model import threshold_for
from app.rules.turnout import Participation, percent_down
from app.voting import announcement, credentials, letter_batches, letters, meetings, paper
from app.voting import turnout as turnouts
from app.voting.letter_batches import LetterBatch
from app.voting.models import Matter, Meeting, MeetingVoter
from app.voting.tasks import make_letters
from app.voting.views_meetings import (
    WINDOW_LABELS,
    ballot_link,
    category_label,
    may_see_turnout,
    threshold_words,
)
from app.voting.views_paper import may_enter as may_enter_paper

blp = Blueprint("api_voting", __name__, description="Voting (表决): meetings, credentials, letters, paper, turnout")
blp.before_request(check_api_auth)

NO_STORE = {"Cache-Control": "no-store"}


# --- loading objects in the caller's scope --------------------------------------------------------------------------


def _community(community_id: int) -> tuple[Community, Community]:
    community = permissions.get_community(current_user, community_id)
    return community, community


def _meeting_in_scope(meeting_id: int | None, error: NotFound) -> tuple[Meeting, Community]:
    meeting = db.session.get(Meeting, meeting_id) if meeting_id is not None else None
    community = db.session.get(Community, meeting.community_id) if meeting is not None else None
    if meeting is None or community is None or not permissions.can_view_community(current_user, community):
        raise error
    return meeting, community


def _of_meeting(obj: Any, error: NotFound) -> tuple[Any, Community]:
    """An object of a meeting (a matter, a voter, a batch) and its community, or ``error``."""
    return obj, _meeting_in_scope(obj.meeting_id if obj is not None else None, error)[1]


def _meeting(meeting_id: int) -> tuple[Meeting, Community]:
    return _meeting_in_scope(meeting_id, NotFound("meeting_not_found", _l("No such meeting.")))


def _matter(matter_id: int) -> tuple[Matter, Community]:
    return _of_meeting(db.session.get(Matter, matter_id), NotFound("matter_not_found", _l("No such matter.")))


def _voter(voter_id: int) -> tuple[MeetingVoter, Community]:
    return _of_meeting(db.session.get(MeetingVoter, voter_id), NotFound("voter_not_found", _l("No such voter.")))


def _batch(batch_id: int) -> tuple[LetterBatch, Community]:
    error = NotFound("letter_batch_not_found", _l("No such batch of letters."))
    return _of_meeting(db.session.get(LetterBatch, batch_id), error)


#: the loader of each path parameter: the object and its community, or NotFound
LOADERS: dict[str, Callable[[int], tuple[Any, Community]]] = {
    "community_id": _community,
    "meeting_id": _meeting,
    "matter_id": _matter,
    "voter_id": _voter,
    "batch_id": _batch,
}


def _meeting_of(loaded: Any) -> Meeting | None:
    """The meeting a loaded path object belongs to (None for a community)."""
    if isinstance(loaded, Meeting):
        return loaded
    meeting_id = getattr(loaded, "meeting_id", None)
    return db.session.get(Meeting, meeting_id) if meeting_id is not None else None


def _require_convener(user: User, community: Community, loaded: Any, *, chair: bool = False) -> None:
    """The meeting's convener (app.governance.acting: a body's own accounts for a meeting it convened; with
    ``chair``, an act that binds the body, its chair's); for a community, its preparers (the first meeting)."""
    meeting = _meeting_of(loaded)
    if meeting is None:
        permissions.require_prepare_community(user, community)
    else:
        acting.require_run(user, meeting, chair=chair)


def _require_teller(user: User, community: Community, loaded: Any) -> None:
    """Who enters the meeting's paper ballots (app.voting.paper.may_enter, checked again where an entry is made)."""
    if not may_enter_paper(community, _meeting_of(loaded)):
        raise Forbidden("forbidden", _l("Only the community's tellers and the convener may enter paper ballots."))


def _require_turnout(user: User, community: Community, loaded: Any) -> None:
    if not may_see_turnout(community, _meeting_of(loaded)):
        raise Forbidden("forbidden", _l("Only the convener and the township follow the turnout."))


def _requiring(require: Callable[[User, Community, Any], None]) -> Callable[[Any], Any]:
    """A view decorator: load the path's object (404) and check the caller's right to its community (403) before
    the request body or query is read and validated (422)."""

    def decorator(view: Any) -> Any:
        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            key = next(key for key in kwargs if key in LOADERS)
            loaded, community = LOADERS[key](kwargs[key])
            require(current_user, community, loaded)
            return view(*args, **kwargs)

        return checked

    return decorator


#: the preparatory group and its township (the convener of the first meeting)
conveners_only = _requiring(_require_convener)
#: the convener's acts that bind it: its chair's for a body (app.governance.acting)
chairs_only = _requiring(functools.partial(_require_convener, chair=True))
#: the community's tellers and the convener
tellers_only = _requiring(_require_teller)
#: the convener and the township's officials and observers
turnout_readers_only = _requiring(_require_turnout)


# --- what a meeting looks like ----------------------------------------------------------------------------------------


def matter_view(matter: Matter) -> dict[str, Any]:
    """A matter with its Art 278 ¶1 category and the threshold that follows (¶2), in words too."""
    return {
        **{name: getattr(matter, name) for name in ("id", "meeting_id", "position", "kind", "category", "title")},
        "category_label": category_label(matter.category),
        "threshold": threshold_for(matter.category).value,
        "threshold_label": threshold_words(matter.category),
        "text": matter.text,
        "seats": matter.seats,
        "max_alternates": matter.max_alternates,
        "candidates": matter.candidates,
        "attachments": matter.attachments,
    }


def _summary(meeting: Meeting) -> dict[str, Any]:
    state = meetings.window_state(meeting)
    return {
        **{name: getattr(meeting, name) for name in ("id", "community_id", "group_id", "title", "status")},
        **{name: getattr(meeting, name) for name in ("opens_at", "closes_at", "created_at")},
        "state": state,
        "state_label": str(WINDOW_LABELS[state]),
    }


def meeting_view(meeting: Meeting) -> dict[str, Any]:
    """The meeting, its window, channels and identity check, its matters and (once open) how many voters it has."""
    voter_count = db.session.scalar(
        select(func.count()).select_from(MeetingVoter).where(MeetingVoter.meeting_id == meeting.id)
    )
    return {
        **_summary(meeting),
        **{name: getattr(meeting, name) for name in ("channels", "second_factor", "allow_change", "settings")},
        **{name: getattr(meeting, name) for name in ("contact_phone", "paper_place")},
        "roll_version_id": meeting.roll_version_id,
        "opened_at": meeting.opened_at,
        "voter_count": voter_count or 0,
        "matters": [matter_view(matter) for matter in meeting.matters],
        "announced_on": meeting.announced_on,
        "announcement_sha256": meeting.announcement_sha256,
        "announcement_changed": announcement.changed_since_announcement(meeting),
        "earliest_opening": announcement.earliest_opening(meeting),
    }


def _committed_view(meeting: Meeting) -> dict[str, Any]:
    db.session.commit()
    return meeting_view(meeting)


# --- meetings ---------------------------------------------------------------------------------------------------------


@blp.get("/communities/<id:community_id>/meetings")
@blp.response(200, MeetingSummarySchema(many=True))
def list_meetings(community_id: int) -> Any:
    """The community's meetings, newest first, with their status and window (Asia/Shanghai)."""
    community = permissions.get_community(current_user, community_id)
    query = select(Meeting).where(Meeting.community_id == community.id)
    found = db.session.scalars(query.order_by(Meeting.created_at.desc(), Meeting.id.desc())).all()
    return [_summary(meeting) for meeting in found]


@blp.post("/communities/<id:community_id>/meetings")
@conveners_only
@blp.response(201, MeetingDetailSchema)
def create_first_meeting(community_id: int) -> Any:
    """Create the first meeting from the preparation: its plan, rules of procedure, covenant and approved candidates.
    409 while the meeting is not planned or scheduled or the list not approved, or once it exists."""
    group = current_group(permissions.get_community(current_user, community_id))
    if group is None:
        raise NotFound("no_preparation", _l("No preparation is under way in this community."))
    return _committed_view(meetings.first_meeting(group, current_user.id))


@blp.get("/meetings/<id:meeting_id>")
@blp.response(200, MeetingDetailSchema)
def get_meeting(meeting_id: int) -> Any:
    """The meeting: matters with their category and threshold, the election's candidates, the window in
    Asia/Shanghai, the channels, the identity check, whether ballots may change, and where voting stands."""
    return meeting_view(_meeting(meeting_id)[0])


@blp.put("/meetings/<id:meeting_id>/configuration")
@chairs_only
@blp.arguments(MeetingConfigurationSchema)
@blp.response(200, MeetingDetailSchema)
def configure(data: dict[str, Any], meeting_id: int) -> Any:
    """Set the window (a time without an offset is Beijing time), the channels, the identity check and whether an
    owner may change a ballot before the close. 409 `meeting_opened` once voting is opened."""
    meeting = _meeting(meeting_id)[0]
    meetings.configure(meeting, user_id=current_user.id, **data)
    return _committed_view(meeting)


@blp.post("/meetings/<id:meeting_id>/matters")
@chairs_only
@blp.arguments(MotionInSchema)
@blp.response(201, MatterSchema)
def add_motion(data: dict[str, Any], meeting_id: int) -> Any:
    """Add a motion with its Civil Code Art 278 ¶1 category (its threshold follows); before voting opens only."""
    meeting = _meeting(meeting_id)[0]
    matter = meetings.add_motion(meeting, data["category"], data["title"], data["text"], current_user.id)
    db.session.commit()
    return matter_view(matter)


@blp.delete("/matters/<id:matter_id>")
@chairs_only
@blp.response(200, MeetingDetailSchema)
def remove_matter(matter_id: int) -> Any:
    """Take a matter off its meeting (before voting opens only); returns the meeting."""
    matter = _matter(matter_id)[0]
    meeting = matter.meeting
    meetings.remove_matter(matter, current_user.id)
    return _committed_view(meeting)


@blp.post("/meetings/<id:meeting_id>/announcement")
@chairs_only
@blp.arguments(AnnouncementInSchema)
@blp.response(200, MeetingDetailSchema)
def announce(data: dict[str, Any], meeting_id: int) -> Any:
    """Announce the meeting as it stands (time, form, matters with their texts, candidates, election rules): voting
    opens at least 15 days later; a change afterwards needs a new announcement. 409 once voting has opened."""
    meeting = _meeting(meeting_id)[0]
    announcement.announce(meeting, data["starts_on"], current_user.id)
    return _committed_view(meeting)


@blp.post("/meetings/<id:meeting_id>/opening")
@chairs_only
@blp.response(200, MeetingDetailSchema)
def open_voting(meeting_id: int) -> Any:
    """Open voting: the roll is frozen and the voters fixed; nothing about the matters, candidates or roll can change
    afterwards. 409 without a matter or a roll whose notice has run, and unless the meeting was announced as it stands
    at least 15 days before its window with every objection answered (`not_announced`, `changed_since_announcement`,
    `announcement_too_recent`, `announcement_objections_open`)."""
    meeting = _meeting(meeting_id)[0]
    meetings.open_voting(meeting, roll_services.today(), current_user.id)
    return _committed_view(meeting)


# --- voters and credentials (personal data: the convener) -------------------------------------------------------


@blp.get("/meetings/<id:meeting_id>/voters")
@conveners_only
@blp.arguments(VotersQuerySchema, location="query")
@blp.response(200, MeetingVoterPageSchema)
def list_voters(query: dict[str, Any], meeting_id: int) -> Any:
    """One page of the meeting's voters in roll order (masked names, units, building, area) with whether each has
    voted, never how; optionally of one building, or only those who have not voted."""
    meeting = _meeting(meeting_id)[0]
    rows, has_next = turnouts.voter_rows(
        meeting, building=query["building"], not_voted_only=query["not_voted"], page=query["page"]
    )
    return {
        "page": query["page"],
        "has_next": has_next,
        "voters": [
            {
                "id": row.voter.id,
                "holder": row.voter.shown_name,
                "units_label": row.voter.units_label,
                "building": row.voter.building,
                "area": format_area(row.voter.area_centi),
                "is_developer": row.voter.is_developer,
                "has_voted": row.has_voted,
                "link_issued_at": row.link_issued_at,
            }
            for row in rows
        ],
    }


@blp.post("/meeting-voters/<id:voter_id>/credential")
@conveners_only
@blp.response(201, IssuedCredentialSchema, headers={"Cache-Control": {"schema": {"type": "string"}}})
def issue_credential(voter_id: int) -> Any:
    """Issue a new link and fallback code for the voter (a new letter); the voter's older links stop working.

    The link and code are in this response only: they are stored as hashes, never logged or audited; keep them as
    you would the letter. 409 before voting is opened."""
    voter = _voter(voter_id)[0]
    issued = credentials.issue(voter, current_user.id)
    db.session.commit()
    body = {
        "voter_id": voter.id,
        "credential_id": issued.credential.id,
        "issued_at": issued.credential.issued_at,
        "link": ballot_link(issued.token),
        "code": credentials.format_code(issued.code),
    }
    return body, NO_STORE


# --- letters ------------------------------------------------------------------------------------------------------


def _batch_view(batch: LetterBatch) -> dict[str, Any]:
    names = ("id", "meeting_id", "building", "status", "progress", "voter_count", "created_at", "started_at")
    return {
        **{name: getattr(batch, name) for name in names},
        **{name: getattr(batch, name) for name in ("finished_at", "downloaded_at", "expires_at", "failure")},
        "is_available": letter_batches.is_available(batch),
    }


@blp.post("/meetings/<id:meeting_id>/letter-batches")
@conveners_only
@blp.arguments(LetterBatchInSchema)
@blp.response(202, LetterBatchSchema)
def start_letters(data: dict[str, Any], meeting_id: int) -> Any:
    """Make the letters of one building, or (`building` null) of the whole community as one PDF, in the background;
    poll the batch for its progress. Each voter of the batch gets a new credential (their older letters stop
    working once the new ones are ready). 409 unless voting is open, or while a batch for the same voters runs;
    409 `letters_in_hand` when some of its voters hold letters in force and `replace` is not true (a reprint is
    confirmed, as on the page); 503 without the Chinese font."""
    meeting = _meeting(meeting_id)[0]
    if not letters.font_available():
        raise DomainError(
            "font_missing",
            _l("The letters need the Chinese font (fonts-noto-cjk), which this server lacks."),
            status=503,
        )
    batch = letter_batches.start_batch(
        meeting, data["building"], request.url_root, current_user.id, replace=data["replace"]
    )
    batch_id = batch.id
    db.session.commit()
    jobs.start_or_fail("letters", batch_id, make_letters, batch_id=batch_id)  # not queued: failed, never pending
    db.session.expire_all()
    return _batch_view(db.session.get_one(LetterBatch, batch_id))


@blp.get("/letter-batches/<id:batch_id>")
@conveners_only
@blp.response(200, LetterBatchSchema)
def get_batch(batch_id: int) -> Any:
    """A batch: its status and progress (0–100), then whether its PDF may still be downloaded. One silent longer
    than JOB_SILENT_AFTER is failed here (`failure` "silent")."""
    batch = _batch(batch_id)[0]
    jobs.reap_if_silent("letters", batch)
    return _batch_view(batch)


@blp.post("/letter-batches/<id:batch_id>/cancel")
@conveners_only
@blp.response(200, LetterBatchSchema)
def cancel_batch(batch_id: int) -> Any:
    """Stop a batch being made: no letter is issued, the letters in hand keep working (`failure` "cancelled").
    409 `job_ended` once it has ended."""
    batch = _batch(batch_id)[0]
    jobs.cancel("letters", batch)
    db.session.refresh(batch)
    return _batch_view(batch)


@blp.get("/letter-batches/<id:batch_id>/pdf")
@conveners_only
@blp.response(200, {"type": "string", "format": "binary"}, content_type="application/pdf")
def download_batch(batch_id: int) -> Any:
    """The batch's letters as one PDF, once: it is deleted from storage as it is sent (audited). 410 when it was
    downloaded already or 24 hours have passed; make the letters again."""
    batch = _batch(batch_id)[0]
    pdf = letter_batches.take_pdf(batch, current_user.id)
    name = f"letters-meeting{batch.meeting_id}-batch{batch.id}.pdf"
    db.session.commit()
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"attachment; filename={name}", **NO_STORE},
    )


# --- paper ballots (the tellers and the convener) ---------------------------------------------------------------


def _entry_view(entry: Any, *, with_marks: bool = False) -> dict[str, Any]:
    names = ("id", "meeting_id", "meeting_voter_id", "teller_id", "status", "image_sha256", "entered_at")
    view = {name: getattr(entry, name) for name in names}
    if with_marks:
        view["choices"] = entry.choices
    return view


@blp.post("/meetings/<id:meeting_id>/paper-entries")
@tellers_only
@blp.arguments(PaperEntryInSchema)
@blp.response(201, PaperEntrySchema)
def enter_paper(data: dict[str, Any], meeting_id: int) -> Any:
    """Record the caller's entry of a returned paper ballot (its code and its marks as on paper). The ballot counts
    when a second, different teller enters it identically (status `matched`); entries that disagree wait in the
    mismatch queue. 409 `same_teller` for a second entry by the same teller; 422 for a code of another meeting."""
    meeting = _meeting(meeting_id)[0]

    def enter() -> dict[str, Any]:
        entry = paper.record_entry(meeting, data["code"], current_user.id, data["choices"])
        db.session.commit()
        return _entry_view(entry)

    return retrying(enter)


@blp.get("/meetings/<id:meeting_id>/paper-queue")
@tellers_only
@blp.response(200, PaperMismatchSchema(many=True))
def paper_queue(meeting_id: int) -> Any:
    """The paper ballots whose entries disagree, each with every entry and its marks, for the tellers to check
    against the paper; a third entry that agrees with one of them settles it."""
    meeting = _meeting(meeting_id)[0]
    return [
        {
            "voter_id": voter.id,
            "paper_code": paper.paper_code(voter),
            "building": voter.building,
            "holder": voter.shown_name,
            "entries": [_entry_view(entry, with_marks=True) for entry in entries],
        }
        for voter, entries in paper.mismatch_queue(meeting)
    ]


# --- turnout (the convener and the township) ----------------------------------------------------------------------


def participation_view(part: Participation) -> dict[str, Any]:
    """Heads and area against the 2/3 line (Art 278 ¶2) and how many more are needed, exactly; percentages rounded
    down so that the line never looks reached before it is."""
    return {
        "voted_heads": part.voted_heads,
        "total_heads": part.total_heads,
        "heads_line": part.heads_line,
        "heads_needed": part.heads_needed,
        "heads_percent": percent_down(part.heads_share),
        "voted_area": format_area(part.voted_area_centi),
        "total_area": format_area(part.total_area_centi),
        "area_line": format_area(part.area_line_centi),
        "area_needed": format_area(part.area_needed_centi),
        "area_percent": percent_down(part.area_share),
        "meets_heads": part.meets_heads,
        "meets_area": part.meets_area,
        "meets_quorum": part.meets_quorum,
    }


@blp.get("/meetings/<id:meeting_id>/turnout")
@turnout_readers_only
@blp.response(200, TurnoutSchema)
def get_turnout(meeting_id: int) -> Any:
    """Who has voted so far, by heads and by area, overall and by building, against the 2/3 line, with how many more
    heads and m² are needed; never how anyone voted. The convener lists who has not voted through the voters."""
    meeting = _meeting(meeting_id)[0]
    counted = turnouts.meeting_turnout(meeting)
    return {
        "meeting_id": meeting.id,
        "state": meetings.window_state(meeting),
        "overall": participation_view(counted.overall),
        "buildings": [{"building": row.building, **participation_view(row.participation)} for row in counted.buildings],
    }
