"""Pages of paper ballots (issue 6 item 5; issue 19 item 2): the printable ballots, the tellers' entry of returned
ballots, and the ballots still waiting (the mismatch queue among them).

Two different tellers enter each returned ballot; it counts when their entries agree (`app.voting.paper`). Who may
enter, print the ballots and read what waits: the community's tellers, its preparatory group and its township, and
the meeting's convener (`paper.may_enter`; 404 outside the caller's scope, 403 for other roles). The printable ballots
hold the voters' units and masked names, which a teller sees at every entry anyway. The convener names who makes the
next entry of a ballot in the mismatch queue (`paper.designate`), which is how two tellers alone settle a mismatch.

Secrecy (DOMAIN §8): tellers see the marks of the paper ballots they enter, which cannot be helped, and the queue
shows the disagreeing paper entries side by side, what differs marked; the list of ballots waiting for a second entry
names who entered them and when, never their marks (a teller does not learn an entry before making their own). No
page here reads a ballot's choices (of a phone ballot above all): a conflict is told by the channel of the ballot that
counts, nothing more.
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
from app.auth.models import User
from app.communities.models import Community
from app.db_retry import retrying
from app.errors import DomainError
from app.extensions import db
from app.governance.acting import can_run
from app.preparation.page_helpers import community_in_scope, form_messages, require_convener
from app.voting import letter_batches, letters, paper
from app.voting.models import Ballot, Meeting, MeetingVoter
from app.voting.paper_ballot_pdf import paper_ballots_pdf
from app.voting.paper_forms import (
    MOTION_MARKS,
    DesignateForm,
    PaperEntryForm,
    checked_values,
    designee_choices,
    field_name,
    invalid_name,
    read_marks,
    scan_bytes,
    side_by_side,
)
from app.voting.paper_models import PaperDesignation, PaperEntry
from app.web import id_argument

bp = Blueprint("paper", __name__)

#: what became of an entry: a sign and a word (never colour alone), then the sentence the teller reads
OUTCOMES: dict[str, tuple[str, Any, Any]] = {
    "pending": (
        "…",
        _l("Entered once"),
        _l("Waiting for a second teller: the ballot counts once another teller enters it the same way."),
    ),
    "matched": ("✓", _l("Counted"), _l("Counted: both entries agree.")),
    "mismatch": (
        "≠",
        _l("Entries differ"),
        _l(
            "The entries differ: the ballot waits in the mismatch queue for one more entry, which settles it when it "
            "agrees with one of them."
        ),
    ),
    "conflict": ("!", _l("Not counted: conflict"), ""),
    "excluded": ("✗", _l("Set aside"), _l("The convener has set this ballot aside from the count.")),
}
CONFLICTS: dict[str, Any] = {
    "phone": _l("This owner had voted by phone: the first ballot counts (conflict). This paper ballot is not counted."),
    "proxy": _l(
        "This owner had voted through a proxy: the first ballot counts (conflict). This paper ballot is not counted."
    ),
}
CONFLICT = _l("This owner had voted already: the first ballot counts (conflict). This paper ballot is not counted.")
#: said at the first entry of a paper ballot whose owner has a ballot counted already (DOMAIN §8), followed on the page
#: by what becomes of the paper (app.results.closing: the convener sets a conflict aside before the count)
ALREADY_VOTED: dict[str, Any] = {
    "phone": _l("A ballot of this owner is already counted: they voted by phone."),
    "proxy": _l("A ballot of this owner is already counted: their proxy voted for them."),
}
#: a ballot still waiting, in words
WAITING_WORDS: dict[str, Any] = {
    "pending": _l("Entered once: waiting for a second entry"),
    "mismatch": _l("Entries differ: waiting for one more entry"),
}


# --- loading, with the caller's scope --------------------------------------------------------------------------------


def may_enter(community: Community, meeting: Meeting | None = None) -> bool:
    """Whether the caller enters paper ballots (`paper.may_enter`); without a meeting, in any meeting of the
    community: its tellers, its preparatory group and its township."""
    if meeting is not None:
        return paper.may_enter(current_user, meeting)
    return paper.is_teller(current_user, community) or permissions.can_prepare_community(current_user, community)


def _meeting(meeting_id: int) -> tuple[Meeting, Community]:
    """The meeting, if its community is in the caller's scope (else 404) and the caller enters ballots (else 403)."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    community = community_in_scope(meeting.community_id)
    if not may_enter(community, meeting):
        abort(403)
    return meeting, community


def takes_paper(meeting: Meeting) -> bool:
    return "paper" in meeting.channels.split(",")


def open_for_entry(meeting: Meeting) -> bool:
    """Ballots returned in time are entered until counting starts (`paper.record_entry`)."""
    return meeting.status in ("open", "closed") and takes_paper(meeting)


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


def _names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {u.id: u.display_name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def _holder(voter: MeetingVoter) -> str:
    return voter.shown_name


def _named_for_me(meeting: Meeting) -> list[str]:
    """The codes of the ballots the convener named the caller to enter again, not entered yet."""
    designations = db.session.scalars(
        select(PaperDesignation).where(
            PaperDesignation.meeting_id == meeting.id,
            PaperDesignation.user_id == current_user.id,
            PaperDesignation.entry_id.is_(None),
        )
    ).all()
    return [
        paper.paper_code(db.session.get_one(MeetingVoter, d.meeting_voter_id))
        for d in designations
        if db.session.scalar(
            select(func.count()).where(
                PaperEntry.meeting_voter_id == d.meeting_voter_id, PaperEntry.status == "mismatch"
            )
        )
    ]


# --- the printable ballots -------------------------------------------------------------------------------------------


@bp.get("/meetings/<id:meeting_id>/paper-ballots.pdf")
@login_required
def ballots_pdf(meeting_id: int) -> Any:
    """The paper ballots of one building (``?building=``) or of every voter: one A4 page each (audited). Printed by
    whoever enters ballots: the tellers hand a ballot to an owner who asks for one (Hangzhou Art 20)."""
    meeting, community = _meeting(meeting_id)
    if meeting.status == "draft" or not takes_paper(meeting):
        flash(_("Paper ballots are printed for a meeting open for voting that takes paper ballots."), "error")
        return redirect(url_for("paper.entry", meeting_id=meeting.id))
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
    sign, label, words = OUTCOMES.get(entry.status, ("?", entry.status, ""))
    if entry.status == "conflict":
        channel = db.session.scalar(select(Ballot.channel).where(Ballot.meeting_voter_id == voter.id))
        words = CONFLICTS.get(str(channel), CONFLICT)
    counted = paper.counted_channel(voter) if entry.status in paper.WAITING else None
    entries = db.session.scalars(
        select(PaperEntry).where(PaperEntry.meeting_voter_id == voter.id).order_by(PaperEntry.id)
    ).all()
    next_entry = None
    if entry.status == "mismatch":
        next_entry = paper.EntryMakers.of(meeting).next_entry(
            [e.teller_id for e in entries], "mismatch", paper.designation_of(voter)
        )
    return {
        "status": entry.status,
        "sign": sign,
        "label": str(label),
        "words": str(words),
        "code": paper.paper_code(voter),
        "units": voter.units_label,
        "holder": _holder(voter),
        "already": str(ALREADY_VOTED.get(str(counted), CONFLICT)) if counted and counted != "paper" else None,
        "next_entry": next_entry.words() if next_entry else None,
        # an account named to enter again whose entry agrees only with its own first one: not settled by it
        "own_only": entry.status == "mismatch"
        and any(e.id != entry.id and e.teller_id == entry.teller_id and e.choices == entry.choices for e in entries),
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
    if outcome is None and status == 200:
        # a fresh form: ready for the scanner; after an entry the outcome is read first (no jump past it)
        form.code.render_kw = {**(form.code.render_kw or {}), "autofocus": True}
    page = render_template(
        "voting/paper_entry.html",
        meeting=meeting,
        community=community,
        form=form,
        open_for_entry=open_for_entry(meeting),
        takes_paper=takes_paper(meeting),
        motion_marks=MOTION_MARKS,
        field_name=field_name,
        invalid_name=invalid_name,
        checked=lambda matter: checked_values(formdata, matter),
        errors=errors or {},
        outcome=outcome,
        counts=counts(meeting),
        named_for_me=_named_for_me(meeting),
        buildings=letter_batches.buildings_of(meeting) if takes_paper(meeting) and meeting.status != "draft" else [],
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


# --- what waits: the mismatch queue and the ballots entered once -----------------------------------------------------


def _designate_form(meeting: Meeting, voter: MeetingVoter, entered: set[int], users: list[User]) -> DesignateForm:
    form = DesignateForm(prefix=f"v{voter.id}")
    form.user_id.choices = designee_choices(users, entered)
    return form


@bp.get("/meetings/<id:meeting_id>/paper/queue")
@login_required
def queue(meeting_id: int) -> Any:
    """The ballots still waiting: those whose entries disagree, every entry side by side with what differs marked and
    who may make the next entry (the convener names one there), then every ballot waiting for a second entry, by code,
    without its marks; and the counts of ballots pending, queued, counted and in conflict."""
    meeting, community = _meeting(meeting_id)
    waiting = paper.waiting(meeting)
    queued = paper.mismatch_queue(meeting)
    makers = paper.EntryMakers.of(meeting)
    designating = can_run(current_user, meeting) and open_for_entry(meeting)
    users = paper.designees(meeting) if designating else []
    designations = {w.voter.id: w.designation for w in waiting}
    names = _names(
        {e.teller_id for _voter, entries in queued for e in entries}
        | {t for w in waiting for t in w.teller_ids}
        | {d.designated_by_id for d in designations.values() if d is not None and d.designated_by_id is not None}
    )
    items = []
    for voter, entries in queued:
        entered = {e.teller_id for e in entries}
        designation = designations.get(voter.id)
        next_entry = makers.next_entry([e.teller_id for e in entries], "mismatch", designation)
        named = designation if next_entry.named is not None else None
        items.append(
            {
                "voter": voter,
                "code": paper.paper_code(voter),
                "holder": _holder(voter),
                "entries": entries,
                "rows": side_by_side(meeting, entries),
                "next_entry": next_entry,
                "designated_by": names.get(named.designated_by_id or 0, "") if named else "",
                "designated_at": named.designated_at if named else None,
                "mine": current_user.id not in entered
                or (next_entry.named is not None and next_entry.named.id == current_user.id),
                "form": _designate_form(meeting, voter, entered, users) if designating else None,
            }
        )
    rows = [
        {
            "waiting": w,
            "words": WAITING_WORDS[w.status],
            "mine": current_user.id not in w.teller_ids
            or (
                w.status == "mismatch"
                and w.designation is not None
                and w.designation.entry_id is None
                and w.designation.user_id == current_user.id
            ),
        }
        for w in waiting
    ]
    return render_template(
        "voting/paper_queue.html",
        meeting=meeting,
        community=community,
        items=items,
        rows=rows,
        names=names,
        counts=counts(meeting),
        open_for_entry=open_for_entry(meeting),
    )


@bp.post("/meetings/<id:meeting_id>/paper/<id:voter_id>/next-entry")
@login_required
def designate(meeting_id: int, voter_id: int) -> Any:
    """The convener names who makes the next entry of a ballot in the mismatch queue (audited; `paper.designate`)."""
    meeting, _community = _meeting(meeting_id)
    require_convener(meeting)
    voter = db.session.get(MeetingVoter, voter_id)
    if voter is None or voter.meeting_id != meeting.id:
        abort(404)
    target = url_for("paper.queue", meeting_id=meeting.id) + f"#ballot-{voter.id}"
    entered = set(db.session.scalars(select(PaperEntry.teller_id).where(PaperEntry.meeting_voter_id == voter.id)))
    form = _designate_form(meeting, voter, entered, paper.designees(meeting))
    if not form.validate_on_submit():
        for message in form_messages(form):
            flash(message, "error")
        return redirect(target)

    def name() -> str:
        designation = paper.designate(meeting, voter, form.user_id.data, current_user.id)
        named = db.session.get_one(User, designation.user_id).display_name
        db.session.commit()
        return named

    try:
        named = retrying(name)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(target)
    flash(_("%(name)s makes the next entry of ballot %(code)s.", name=named, code=paper.paper_code(voter)), "success")
    return redirect(target)
