"""The convener's and the township's result pages: close, settle paper, count, publish, objections, certify
(issue 7 items 1, 2, 5 and 6; DOMAIN §9). Every change is for the meeting's convener (app.governance.acting: the
preparatory group and its township for the first meeting, the convening body's own accounts for a later one; acts
that bind it are its chair's), certification for a township official other than the one who counted; each is
audited by its service. A certified election whose ties wait for a run-off offers the convener to convene it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app import jobs
from app.auth import permissions
from app.communities.models import Community
from app.errors import DomainError
from app.extensions import db
from app.governance import acting, runoffs
from app.governance.forms import ConveneForm as RunoffForm
from app.preparation.page_helpers import community_in_scope, done, invalid, refused, require_convener
from app.privacy import mask_name
from app.results import certification, closing, count_runs
from app.results.forms import AnswerForm, ExcludePaperForm, ObjectionForm, RefuseForm
from app.results.models import CountRun, Result, ResultObjection
from app.results.presentation import result_view
from app.results.tasks import count_meeting
from app.roll.services import today
from app.voting.meeting_forms import ActionForm
from app.voting.meetings import window_state
from app.voting.models import Meeting

bp = Blueprint("results", __name__)


def _meeting(meeting_id: int) -> tuple[Meeting, Community]:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    return meeting, community_in_scope(meeting.community_id)


def _count_run(run_id: int) -> CountRun:
    run = db.session.get(CountRun, run_id)
    if run is None:
        abort(404)
    return run


def _result(result_id: int) -> tuple[Result, Meeting, Community]:
    result = db.session.get(Result, result_id)
    if result is None:
        abort(404)
    meeting, community = _meeting(result.meeting_id)
    return result, meeting, community


def _back(meeting: Meeting) -> str:
    return url_for("results.result_page", meeting_id=meeting.id)


def _result_of(meeting: Meeting) -> Result | None:
    return db.session.scalars(select(Result).where(Result.meeting_id == meeting.id)).first()


@bp.get("/meetings/<id:meeting_id>/result")
@login_required
def result_page(meeting_id: int) -> Any:
    """Closing, the paper ballots still to settle, counting; then the result, its notice, objections, decision."""
    meeting, community = _meeting(meeting_id)
    result = _result_of(meeting)
    count_run = count_runs.latest(meeting)
    if count_run is not None and jobs.reap_if_silent("count", count_run):
        db.session.refresh(meeting)
    return render_template(
        "results/result.html",
        meeting=meeting,
        community=community,
        result=result,
        view=result_view(result) if result is not None else None,
        unsettled=closing.unsettled(meeting) if meeting.status in ("open", "closed") else [],
        count_run=count_run,
        everyone_voted=meeting.status == "open" and closing.everyone_voted(meeting),
        window_over=window_state(meeting) == "after",
        can_convene=acting.can_run(current_user, meeting, chair=True),
        can_record=acting.can_run(current_user, meeting),
        runoff=_runoff_view(result),
        runoff_form=RunoffForm(title=f"{meeting.title}（另行选举）", opens_on=today() + timedelta(days=20)),
        can_decide=permissions.can_manage_community(current_user, community),
        took_part=result is not None and certification.took_part(result, current_user.id),
        action_form=ActionForm(),
        exclude_form=ExcludePaperForm(),
        objection_form=ObjectionForm(),
        answer_form=AnswerForm(),
        refuse_form=RefuseForm(),
        today=today(),
        mask_name=mask_name,
    )


def _runoff_view(result: Result | None) -> dict[str, Any] | None:
    """The ties still waiting for a run-off of a certified election, and the run-off under way, if any."""
    if result is None or result.status != "certified":
        return None
    community = db.session.get_one(Community, db.session.get_one(Meeting, result.meeting_id).community_id)
    if runoffs.waiting_for(community) is not result:
        return None
    pending = runoffs.committee_of(result).pending
    return {
        "ties": pending,
        "under_way": runoffs.under_way(result),
        "can_convene": acting.can_convene_runoff(current_user, result),
    }


def _convener_action(meeting_id: int) -> tuple[Meeting, Community, str]:
    meeting, community = _meeting(meeting_id)
    require_convener(meeting, chair=True)
    return meeting, community, _back(meeting)


@bp.post("/results/<id:result_id>/runoff")
@login_required
def convene_runoff(result_id: int) -> Any:
    """The election's convener convenes the run-off among the tied candidates (DOMAIN §5)."""
    result, meeting, _community = _result(result_id)
    if not acting.can_convene_runoff(current_user, result):
        abort(403)
    back = _back(meeting) + "#runoff"
    form = RunoffForm()
    if not form.validate_on_submit() or form.opens_on.data is None or form.closes_on.data is None:
        return invalid(form, back)
    try:
        runoff = runoffs.convene_runoff(
            result, form.title.data or "", form.opens_on.data, form.closes_on.data, current_user.id
        )
    except DomainError as error:
        return refused(error, back, form)
    target = url_for("meetings.meeting_page", meeting_id=runoff.id)
    return done(_("The run-off is convened among the tied candidates: announce it, then open voting."), target)


@bp.post("/meetings/<id:meeting_id>/close")
@login_required
def close(meeting_id: int) -> Any:
    """Close before the window's end (only once every voter has voted); beat closes at the end by itself."""
    meeting, _community, back = _convener_action(meeting_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return invalid(form, back)
    try:
        closing.close(meeting, early=True)
    except DomainError as error:
        return refused(error, back)
    return done(_("Voting is closed."), back)


@bp.post("/meetings/<id:meeting_id>/paper-exclusions")
@login_required
def exclude_paper(meeting_id: int) -> Any:
    meeting, _community, back = _convener_action(meeting_id)
    form = ExcludePaperForm()
    if not form.validate_on_submit():
        return invalid(form, back + "#paper")
    try:
        closing.exclude_paper(meeting, int(form.voter_id.data or 0), form.reason.data or "")
    except DomainError as error:
        return refused(error, back + "#paper", form)
    return done(_("The paper ballot is left out of the count, with the reason."), back + "#paper")


@bp.post("/meetings/<id:meeting_id>/count")
@login_required
def count(meeting_id: int) -> Any:
    meeting, _community, back = _convener_action(meeting_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return invalid(form, back)
    try:
        run_id = count_runs.start(meeting, current_user.id).id
    except DomainError as error:
        return refused(error, back)
    db.session.commit()
    if jobs.start_or_fail("count", run_id, count_meeting, run_id=run_id):
        flash(_("Counting has started: the result appears on this page when it is ready."), "success")
    return redirect(back + "#count")


@bp.post("/count-runs/<id:run_id>/cancel")
@login_required
def cancel_count(run_id: int) -> Any:
    """Stop a count: nothing is published, and the meeting is closed again, ready to be counted (audited)."""
    run = _count_run(run_id)
    _meeting_row, _community, back = _convener_action(run.meeting_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        jobs.cancel("count", run)
    except DomainError as error:
        return refused(error, back + "#count")
    flash(_("The count was cancelled: nothing was published. The meeting can be counted again."), "success")
    return redirect(back + "#count")


@bp.get("/count-runs/<id:run_id>/status")
@login_required
def count_status(run_id: int) -> Any:
    """A count's progress as JSON, for the progress bar of the result page."""
    run = _count_run(run_id)
    _meeting(run.meeting_id)
    return jsonify(status=run.status, progress=run.progress, ballots=run.ballot_count)


@bp.post("/results/<id:result_id>/publish")
@login_required
def publish(result_id: int) -> Any:
    result, meeting, _community = _result(result_id)
    require_convener(meeting, chair=True)
    form = ActionForm()
    if not form.validate_on_submit():
        return invalid(form, _back(meeting))
    try:
        certification.publish(result, today(), current_user.id)
    except DomainError as error:
        return refused(error, _back(meeting))
    return done(_("The preliminary result is published for objections."), _back(meeting))


@bp.post("/results/<id:result_id>/objections")
@login_required
def record_objection(result_id: int) -> Any:
    result, meeting, _community = _result(result_id)
    require_convener(meeting)
    back = _back(meeting) + "#objections"
    form = ObjectionForm()
    if not form.validate_on_submit():
        return invalid(form, back)
    try:
        certification.record_objection(result, form.objector.data or "", form.text.data or "", today(), current_user.id)
    except DomainError as error:
        return refused(error, back, form)
    return done(_("The objection is recorded."), back)


@bp.post("/result-objections/<id:objection_id>/answer")
@login_required
def answer_objection(objection_id: int) -> Any:
    objection = db.session.get(ResultObjection, objection_id)
    if objection is None:
        abort(404)
    _result_row, meeting, _community = _result(objection.result_id)
    require_convener(meeting)
    back = _back(meeting) + "#objections"
    form = AnswerForm()
    if not form.validate_on_submit():
        return invalid(form, back)
    try:
        certification.answer_objection(objection, form.answer.data or "", current_user.id)
    except DomainError as error:
        return refused(error, back, form)
    return done(_("The answer is recorded."), back)


def _township_decision(result_id: int) -> tuple[Result, Meeting, str]:
    result, meeting, community = _result(result_id)
    if not permissions.can_manage_community(current_user, community):
        abort(403)
    return result, meeting, _back(meeting) + "#decision"


@bp.post("/results/<id:result_id>/certify")
@login_required
def certify(result_id: int) -> Any:
    result, _meeting_row, back = _township_decision(result_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return invalid(form, back)
    try:
        certification.certify(result, today(), current_user.id)
    except DomainError as error:
        return refused(error, back)
    return done(_("The result is certified."), back)


@bp.post("/results/<id:result_id>/refuse")
@login_required
def refuse(result_id: int) -> Any:
    result, _meeting_row, back = _township_decision(result_id)
    form = RefuseForm()
    if not form.validate_on_submit():
        return invalid(form, back)
    try:
        certification.refuse(result, form.reason.data or "", today(), current_user.id)
    except DomainError as error:
        return refused(error, back, form)
    flash(_("The result is refused; the community's state does not change."), "success")
    db.session.commit()
    return redirect(back)
