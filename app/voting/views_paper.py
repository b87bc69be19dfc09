"""Pages of paper ballots (issue 6 item 5): the printable ballots, the tellers' entry of returned ballots and the
mismatch queue.

Two different tellers enter each returned ballot; it counts when their entries agree (`app.voting.paper`). Who may
enter: the community's tellers, its preparatory group and its township (404 outside the caller's scope, 403 for
other roles). The printable ballots hold the voters' units and masked names: the preparers only.

Secrecy (DOMAIN §8): tellers see the marks of the paper ballots they enter, which cannot be helped, and the queue
shows the disagreeing paper entries side by side; no page here reads a ballot's choices (of a phone ballot above
all): a conflict is told by the channel of the ballot that counts, nothing more.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.audit import services as audit
from app.auth import permissions
from app.auth.models import Role, User
from app.communities.models import Community
from app.db_retry import retrying
from app.errors import DomainError
from app.extensions import db
from app.preparation.page_helpers import community_in_scope, form_messages, require_convener
from app.voting import letter_batches, letters, paper
from app.voting.models import Ballot, Meeting, MeetingVoter
from app.voting.paper_ballot_pdf import paper_ballots_pdf
from app.voting.paper_forms import (
    MOTION_MARKS,
    PaperEntryForm,
    checked_values,
    field_name,
    invalid_name,
    read_marks,
    scan_bytes,
    side_by_side,
)
from app.voting.paper_models import PaperEntry
from app.web import id_argument

bp = Blueprint("paper", __name__)

#: what became of an entry, in words (the teller reads it right after submitting)
OUTCOMES: dict[str, Any] = {
    "pending": _l("Waiting for a second teller: the ballot counts once another teller enters it the same way."),
    "matched": _l("Counted: both entries agree."),
    "mismatch": _l("The entries differ: the ballot is in the queue, where a third teller settles it."),
}
CONFLICTS: dict[str, Any] = {
    "phone": _l("This owner had voted by phone: the first ballot counts (conflict). This paper ballot is not counted."),
    "proxy": _l(
        "This owner had voted through a proxy: the first ballot counts (conflict). This paper ballot is not counted."
    ),
}
CONFLICT = _l("This owner had voted already: the first ballot counts (conflict). This paper ballot is not counted.")


# --- loading, with the caller's scope --------------------------------------------------------------------------------


def may_enter(community: Community) -> bool:
    """The community's tellers, its preparatory group and its township enter paper ballots (issue 6 item 5)."""
    if permissions.can_prepare_community(current_user, community):
        return True
    return any(g.role == Role.TELLER and g.community_id == community.id for g in current_user.grants)


def _meeting(meeting_id: int) -> tuple[Meeting, Community]:
    """The meeting, if its community is in the caller's scope (else 404) and the caller enters ballots (else 403)."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    community = community_in_scope(meeting.community_id)
    if not may_enter(community):
        abort(403)
    return meeting, community


def takes_paper(meeting: Meeting) -> bool:
    return "paper" in meeting.channels.split(",")


def counts(meeting: Meeting) -> dict[str, int]:
    """Ballots (not entries) by where they stand: pending (one entry), mismatch (in the queue), matched (counted),
    conflict (the voter had voted already)."""
    rows = db.session.execute(
        select(PaperEntry.status, func.count(func.distinct(PaperEntry.meeting_voter_id)))
        .where(PaperEntry.meeting_id == meeting.id)
        .group_by(PaperEntry.status)
    ).all()
    found = {str(status): int(n) for status, n in rows}
    return {status: found.get(status, 0) for status in ("pending", "mismatch", "matched", "conflict")}


def _teller_names(entries: list[PaperEntry]) -> dict[int, str]:
    ids = {entry.teller_id for entry in entries}
    if not ids:
        return {}
    return {u.id: u.display_name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def _holder(voter: MeetingVoter) -> str:
    return voter.shown_name


# --- the printable ballots -------------------------------------------------------------------------------------------


@bp.get("/meetings/<id:meeting_id>/paper-ballots.pdf")
@login_required
def ballots_pdf(meeting_id: int) -> Any:
    """The paper ballots of one building (``?building=``) or of every voter: one A4 page each (audited)."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    community = community_in_scope(meeting.community_id)
    require_convener(meeting)
    if meeting.status == "draft" or not takes_paper(meeting):
        flash(_("Paper ballots are printed for a meeting open for voting that takes paper ballots."), "error")
        return redirect(url_for("meetings.meeting_page", meeting_id=meeting.id))
    building = request.args.get("building", "").strip() or None
    ids = letter_batches.voter_ids_of(meeting, building)
    if not ids:
        abort(404)
    if not letters.font_available():
        from app.web import error_response

        return error_response(
            503, "font_missing", _("The ballots need the Chinese font (fonts-noto-cjk), which this server lacks.")
        )
    voters = {v.id: v for v in db.session.scalars(select(MeetingVoter).where(MeetingVoter.id.in_(ids)))}
    pdf = paper_ballots_pdf(meeting, (voters[i] for i in ids))
    audit.record(
        "paper.ballots_pdf",
        "meeting",
        meeting.id,
        {"building": building, "voters": len(ids)},
        township_id=community.township_id,
        community_id=community.id,
    )
    db.session.commit()
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f"attachment; filename=paper-ballots-meeting{meeting.id}.pdf",
            "Cache-Control": "no-store",
        },
    )


# --- the tellers' entry ----------------------------------------------------------------------------------------------


def _outcome(meeting: Meeting, entered: int | None) -> dict[str, Any] | None:
    """What became of the caller's entry ``entered`` (now: a later entry may have settled it since)."""
    entry = db.session.get(PaperEntry, entered) if entered else None
    if entry is None or entry.meeting_id != meeting.id or entry.teller_id != current_user.id:
        return None
    voter = db.session.get_one(MeetingVoter, entry.meeting_voter_id)
    if entry.status == "conflict":
        channel = db.session.scalar(select(Ballot.channel).where(Ballot.meeting_voter_id == voter.id))
        words = str(CONFLICTS.get(str(channel), CONFLICT))
    else:
        words = str(OUTCOMES.get(entry.status, entry.status))
    return {
        "status": entry.status,
        "words": words,
        "code": paper.paper_code(voter),
        "units": voter.units_label,
        "holder": _holder(voter),
    }


def _entry_page(
    meeting: Meeting,
    community: Community,
    form: PaperEntryForm,
    *,
    formdata: Any = None,
    errors: dict[int, str] | None = None,
    outcome: dict[str, Any] | None = None,
    status: int = 200,
) -> Any:
    can_prepare = permissions.can_prepare_community(current_user, community)
    if outcome is None and status == 200:
        # a fresh form: ready for the scanner; after an entry the outcome is read first (no jump past it)
        form.code.render_kw = {**(form.code.render_kw or {}), "autofocus": True}
    page = render_template(
        "voting/paper_entry.html",
        meeting=meeting,
        community=community,
        form=form,
        open_for_entry=meeting.status == "open" and takes_paper(meeting),
        takes_paper=takes_paper(meeting),
        motion_marks=MOTION_MARKS,
        field_name=field_name,
        invalid_name=invalid_name,
        checked=lambda matter: checked_values(formdata, matter),
        errors=errors or {},
        outcome=outcome,
        counts=counts(meeting),
        can_prepare=can_prepare,
        buildings=letter_batches.buildings_of(meeting) if can_prepare else [],
    )
    return page, status


@bp.route("/meetings/<id:meeting_id>/paper", methods=["GET", "POST"])
@login_required
def entry(meeting_id: int) -> Any:
    """Enter one returned paper ballot: its code, its marks as on paper, an optional scan (only its hash is kept).
    After the entry the page says what became of the ballot; a refusal is shown and nothing is stored."""
    meeting, community = _meeting(meeting_id)
    if request.method == "GET":
        form = PaperEntryForm(formdata=None, data={"code": request.args.get("code", "")})
        return _entry_page(meeting, community, form, outcome=_outcome(meeting, id_argument("entered")))
    form = PaperEntryForm()
    valid = form.validate_on_submit()
    marks, errors = read_marks(meeting, request.form)
    if not valid or errors:
        for message in [*form_messages(form), *errors.values()]:
            flash(message, "error")
        return _entry_page(meeting, community, form, formdata=request.form, errors=errors, status=422)
    scan = scan_bytes(form)

    def enter() -> int:
        entered = paper.record_entry(meeting, form.code.data or "", current_user.id, marks, scan)
        entry_id = entered.id
        db.session.commit()
        return entry_id

    try:
        entry_id = retrying(enter)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        if error.field == "code":
            form.code.errors = [str(error)]
        return _entry_page(meeting, community, form, formdata=request.form, status=error.status)
    return redirect(url_for("paper.entry", meeting_id=meeting.id, entered=entry_id) + "#outcome")


# --- the mismatch queue ----------------------------------------------------------------------------------------------


@bp.get("/meetings/<id:meeting_id>/paper/queue")
@login_required
def queue(meeting_id: int) -> Any:
    """The ballots whose entries disagree, every entry side by side with the differing matters named, and the counts
    of ballots pending, queued, counted and in conflict."""
    meeting, community = _meeting(meeting_id)
    queued = paper.mismatch_queue(meeting)
    names = _teller_names([entry for _voter, entries in queued for entry in entries])
    items = [
        {
            "voter": voter,
            "code": paper.paper_code(voter),
            "holder": _holder(voter),
            "entries": entries,
            "rows": side_by_side(meeting, entries),
        }
        for voter, entries in queued
    ]
    return render_template(
        "voting/paper_queue.html",
        meeting=meeting,
        community=community,
        items=items,
        names=names,
        counts=counts(meeting),
    )
