"""Pages of the SMS reminders to voters who have not voted (issue 6 item 9): start a round, watch its progress."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app import jobs
from app.errors import DomainError
from app.extensions import db
from app.preparation.page_helpers import community_in_scope, refused, require_convener
from app.voting import reminders
from app.voting.models import Meeting
from app.voting.reminder_models import ReminderBatch
from app.voting.tasks import send_reminders

bp = Blueprint("reminders", __name__)


def _meeting(meeting_id: int) -> tuple[Meeting, Any]:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    community = community_in_scope(meeting.community_id)
    require_convener(meeting)
    return meeting, community


def _batch(batch_id: int) -> tuple[ReminderBatch, Meeting, Any]:
    batch = db.session.get(ReminderBatch, batch_id)
    if batch is None:
        abort(404)
    meeting, community = _meeting(batch.meeting_id)
    return batch, meeting, community


@bp.post("/meetings/<id:meeting_id>/reminders")
@login_required
def start(meeting_id: int) -> Any:
    """Send a round of SMS reminders to every voter who has not voted yet (the convener)."""
    meeting, _community = _meeting(meeting_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        batch = reminders.start(meeting, current_user.id)
    except DomainError as error:
        return refused(error, url_for("meetings.turnout", meeting_id=meeting.id))
    batch_id = batch.id
    db.session.commit()
    jobs.start_or_fail("reminders", batch_id, send_reminders, batch_id=batch_id)
    return redirect(url_for("reminders.batch_page", batch_id=batch_id))


@bp.get("/reminder-batches/<id:batch_id>")
@login_required
def batch_page(batch_id: int) -> Any:
    """A round of reminders: a progress bar while it runs, then how many were sent and how many have no phone (a
    round silent too long is failed here, app.jobs)."""
    batch, meeting, community = _batch(batch_id)
    jobs.reap_if_silent("reminders", batch)
    return render_template("voting/reminders_batch.html", batch=batch, meeting=meeting, community=community)


@bp.post("/reminder-batches/<id:batch_id>/cancel")
@login_required
def cancel(batch_id: int) -> Any:
    """Stop a round of reminders: the messages sent so far stay sent (audited)."""
    batch = _batch(batch_id)[0]
    back = url_for("reminders.batch_page", batch_id=batch_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        jobs.cancel("reminders", batch)
    except DomainError as error:
        return refused(error, back)
    return redirect(back)


@bp.get("/reminder-batches/<id:batch_id>/status")
@login_required
def status(batch_id: int) -> Any:
    batch = _batch(batch_id)[0]
    return jsonify(status=batch.status, progress=batch.progress, sent=batch.sent)
