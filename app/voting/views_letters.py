"""Pages of the voters' letters (issue 6 item 3): the meeting's buildings and batches, starting a batch (one building
or the whole community), its progress bar, and the one download of its PDF.

Letters hold personal data and every voter's link and code in clear: the pages are for the community's preparers
only (the preparatory group and its township); the download is audited and deletes the PDF from storage.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField

from app import jobs
from app.auth.models import User
from app.communities.models import Community
from app.errors import DomainError
from app.extensions import db
from app.preparation.page_helpers import community_in_scope, refused, require_convener
from app.privacy import mask_name
from app.voting import credentials, letter_batches, letters
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
    return render_template(
        "voting/letters.html",
        meeting=meeting,
        community=community,
        buildings=buildings,
        total=sum(count for _building, count in buildings),
        batches=batches,
        names=_names(batches),
        can_start=meeting.status == "open" and window_state(meeting) not in ("after", "closed"),
        font_available=letters.font_available(),
        status_labels=STATUS_LABELS,
        stranded=credentials.without_second_factor(meeting) if meeting.status != "draft" else [],
        mask_name=mask_name,
    )


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
        batch = letter_batches.start_batch(meeting, building, request.url_root, current_user.id)
    except DomainError as error:
        return refused(error, back)
    batch_id = batch.id
    db.session.commit()
    jobs.start_or_fail("letters", batch_id, make_letters, batch_id=batch_id)
    return redirect(url_for("letters.batch_page", batch_id=batch_id))


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
