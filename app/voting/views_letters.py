"""Pages of the voters' letters (issue 6 item 3): the meeting's buildings and batches, starting a batch (one building
or the whole community), its progress bar, and the one download of its PDF.

Letters hold personal data and every voter's link and code in clear: the pages are for the meeting's convener only
(app.governance.acting.can_run: the preparatory group — its leader and every member — and the township that leads
it for the first meeting, the convening body's accounts for a later one); the download is audited and deletes the
PDF from storage. A reprint (voters who already hold letters) goes through a page that says how many letters stop
working once the new ones are ready, and a box to tick (issue 19 item 5); the service refuses it without.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import Length, Optional

from app import jobs
from app.auth.models import User
from app.communities.models import Community
from app.errors import DomainError
from app.extensions import db
from app.governance import acting
from app.preparation.page_helpers import community_in_scope, done, form_messages, refused, require_convener
from app.privacy import mask_name
from app.voting import credentials, letter_batches, letters, meetings
from app.voting.letter_batches import LetterBatch
from app.voting.meetings import window_state
from app.voting.models import Meeting
from app.voting.tasks import make_letters

bp = Blueprint("letters", __name__)

STATUS_LABELS: dict[str, Any] = {
    "pending": _l("waiting"),
    "running": _l("being made"),
    "done": _l("ready"),
    "failed": _l("failed"),
}


class StartLettersForm(FlaskForm):
    #: a building of the meeting, or empty for the whole community
    building = HiddenField()
    #: a reprint: the caller confirms that the voters' letters in force stop working once the new ones are ready
    replace = BooleanField(
        _l("I understand: the letters these owners hold stop working once the new letters are ready")
    )


class OwnerHelpForm(FlaskForm):
    """What every letter tells owners besides the vote: the phone to call, where to hand in a paper ballot."""

    contact_phone = StringField(_l("Phone for owners' questions"), validators=[Optional(), Length(max=32)])
    paper_place = StringField(
        _l("Where owners hand in a paper ballot"),
        validators=[Optional(), Length(max=80)],
        description=_l("For example: the property management office, building 1, ground floor, 8:00 to 17:00."),
    )


def _meeting(meeting_id: int) -> tuple[Meeting, Community]:
    """A meeting of a community the caller prepares (404 outside their scope, 403 for other roles)."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    community = community_in_scope(meeting.community_id)
    require_convener(meeting)
    return meeting, community


def _batch(batch_id: int) -> tuple[LetterBatch, Meeting, Community]:
    batch = db.session.get(LetterBatch, batch_id)
    if batch is None:
        abort(404)
    meeting, community = _meeting(batch.meeting_id)
    return batch, meeting, community


def _font_missing() -> Any:
    from app.web import error_response

    message = _("The letters need the Chinese font (fonts-noto-cjk), which this server lacks.")
    return error_response(503, "font_missing", message)


def _names(batches: list[LetterBatch]) -> dict[int, str]:
    ids = {b.created_by_id for b in batches} | {b.downloaded_by_id for b in batches}
    ids.discard(None)
    if not ids:
        return {}
    return {u.id: u.display_name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


@bp.get("/meetings/<id:meeting_id>/letters")
@login_required
def index(meeting_id: int) -> Any:
    """The meeting's buildings with their voters, the batches made, and a button per building and for all."""
    meeting, community = _meeting(meeting_id)
    if letter_batches.purge_expired():
        db.session.commit()
    batches = letter_batches.batches_of(meeting)
    buildings = letter_batches.buildings_of(meeting)
    held = letter_batches.holders_by_building(meeting)
    return render_template(
        "voting/letters.html",
        meeting=meeting,
        community=community,
        buildings=buildings,
        held=held,
        held_total=sum(held.values()),
        total=sum(count for _building, count in buildings),
        batches=batches,
        names=_names(batches),
        can_start=meeting.status == "open" and window_state(meeting) not in ("after", "closed"),
        font_available=letters.font_available(),
        status_labels=STATUS_LABELS,
        stranded=credentials.without_second_factor(meeting) if meeting.status != "draft" else [],
        mask_name=mask_name,
        help_form=OwnerHelpForm(data={"contact_phone": meeting.contact_phone, "paper_place": meeting.paper_place}),
        can_bind=acting.can_run(current_user, meeting, chair=True),
        letter_help=letters.help_text(meeting),
        letter_paper=letters.paper_text(meeting, letters.convener_of(meeting), letters.help_phone(meeting)),
    )


@bp.post("/meetings/<id:meeting_id>/letters/owner-help")
@login_required
def owner_help(meeting_id: int) -> Any:
    """Set the phone and the paper drop-off place the letters print (the convener's chair for a body, as the
    meeting's other settings); allowed until the window ends."""
    meeting = _meeting(meeting_id)[0]
    require_convener(meeting, chair=True)
    back = url_for("letters.index", meeting_id=meeting.id) + "#owner-help"
    form = OwnerHelpForm()
    if not form.validate_on_submit():
        for message in form_messages(form) or [_("The form has expired. Please reload the page and try again.")]:
            flash(message, "error")
        return redirect(back)
    try:
        meetings.set_owner_help(
            meeting,
            contact_phone=form.contact_phone.data or "",
            paper_place=form.paper_place.data or "",
            user_id=current_user.id,
        )
    except DomainError as error:
        return refused(error, back, form)
    return done(_("Saved: the letters made from now on say so."), back)


@bp.post("/meetings/<id:meeting_id>/letters")
@login_required
def start(meeting_id: int) -> Any:
    """Start a batch for one building, or (an empty building) for the whole community as one PDF."""
    meeting = _meeting(meeting_id)[0]
    back = url_for("letters.index", meeting_id=meeting.id)
    form = StartLettersForm()
    if not form.validate_on_submit():
        flash(_("The form has expired. Please reload the page and try again."), "error")
        return redirect(back)
    if not letters.font_available():
        return _font_missing()
    building = (form.building.data or "").strip() or None
    try:
        batch = letter_batches.start_batch(
            meeting, building, request.url_root, current_user.id, replace=bool(form.replace.data)
        )
    except DomainError as error:
        if error.code == "letters_in_hand":  # a reprint not (or not yet) confirmed: the page that asks
            return refused(error, url_for("letters.again", meeting_id=meeting.id, building=building or ""))
        return refused(error, back)
    batch_id = batch.id
    db.session.commit()
    jobs.start_or_fail("letters", batch_id, make_letters, batch_id=batch_id)
    return redirect(url_for("letters.batch_page", batch_id=batch_id))


@bp.get("/meetings/<id:meeting_id>/letters/again")
@login_required
def again(meeting_id: int) -> Any:
    """Confirm a reprint for one building (``?building=``) or the whole community (empty): how many voters hold
    letters that stop working once the new ones are ready, and the box to tick; without holders, the plain start."""
    meeting, community = _meeting(meeting_id)
    building = (request.args.get("building") or "").strip() or None
    buildings = dict(letter_batches.buildings_of(meeting))
    if building is not None and building not in buildings:
        abort(404)
    return render_template(
        "voting/letters_again.html",
        meeting=meeting,
        community=community,
        building=building,
        voters=buildings[building] if building is not None else sum(buildings.values()),
        holding=letter_batches.holders_of(meeting, building),
        can_start=meeting.status == "open" and window_state(meeting) not in ("after", "closed"),
        form=StartLettersForm(data={"building": building or ""}),
    )


@bp.get("/letter-batches/<id:batch_id>")
@login_required
def batch_page(batch_id: int) -> Any:
    """A batch: a progress bar while it is made, then its download (once), or what became of it (a batch silent
    too long is failed here, app.jobs)."""
    batch, meeting, community = _batch(batch_id)
    jobs.reap_if_silent("letters", batch)
    return render_template(
        "voting/letters_batch.html",
        batch=batch,
        meeting=meeting,
        community=community,
        is_available=letter_batches.is_available(batch),
        names=_names([batch]),
        status_labels=STATUS_LABELS,
    )


@bp.post("/letter-batches/<id:batch_id>/cancel")
@login_required
def cancel(batch_id: int) -> Any:
    """Stop a batch being made: nothing is issued, the letters in hand keep working (audited)."""
    batch = _batch(batch_id)[0]
    back = url_for("letters.batch_page", batch_id=batch_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        jobs.cancel("letters", batch)
    except DomainError as error:
        return refused(error, back)
    flash(
        _("The letters were cancelled: no letter was issued, and the letters already delivered still work."), "success"
    )
    return redirect(back)


@bp.get("/letter-batches/<id:batch_id>/status")
@login_required
def status(batch_id: int) -> Any:
    """The batch's progress as JSON, for the progress bar."""
    batch = _batch(batch_id)[0]
    return jsonify(status=batch.status, progress=batch.progress, voters=batch.voter_count)


@bp.get("/letter-batches/<id:batch_id>/download")
@login_required
def download(batch_id: int) -> Any:
    """The batch's PDF, once: it is deleted from storage as it is sent (audited)."""
    batch, meeting = _batch(batch_id)[:2]
    try:
        pdf = letter_batches.take_pdf(batch, current_user.id)
    except DomainError as error:
        return refused(error, url_for("letters.batch_page", batch_id=batch.id))
    db.session.commit()
    name = f"letters-meeting{meeting.id}-batch{batch.id}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"attachment; filename={name}", "Cache-Control": "no-store"},
    )
