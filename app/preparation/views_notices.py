"""Pages of the preparation: notices (公示/公告) of its documents, the owners' objections and their answers.

Shaoxing Art 9: a notice stays up at least 5 working days. Art 13 ¶3: the meeting's content is announced at least 15
days before the first meeting; the group records the owners' objections and answers them. The staff pages are for
anyone who sees the community (changes for the group and its township); the public page and its PDF are reachable
without login through the notice's unguessable token, with objectors' names masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.auth import permissions
from app.calendar.services import current_calendar
from app.communities.models import Community
from app.errors import DomainError
from app.extensions import db
from app.preparation import notices
from app.preparation.common import today
from app.preparation.group import current_group
from app.preparation.models import Candidate, Notice, NoticeObjection, PreparatoryGroup
from app.preparation.notice_forms import AnswerObjectionForm, NoticeObjectionForm, PublishNoticeForm
from app.preparation.page_helpers import community_in_scope, done, invalid, refused, require_preparer
from app.privacy import mask_name
from app.rules.calendar import CalendarMissing, notice_end
from app.rules.preparation import NOTICE_WORKING_DAYS, earliest_meeting

bp = Blueprint("notices", __name__)

#: where a notice stands on a given day
STATE_LABELS: dict[str, Any] = {
    "upcoming": _l("not started yet"),
    "running": _l("on display"),
    "served": _l("served its term"),
}


# --- loading, with the caller's scope -------------------------------------------------------------------------------


def _notice(notice_id: int) -> tuple[Notice, Community]:
    notice = db.session.get(Notice, notice_id)
    if notice is None:
        abort(404)
    return notice, community_in_scope(notice.community_id)


def _objection(objection_id: int) -> tuple[NoticeObjection, Notice, Community]:
    objection = db.session.get(NoticeObjection, objection_id)
    if objection is None:
        abort(404)
    notice, community = _notice(objection.notice_id)
    return objection, notice, community


def _published(token: str) -> tuple[Notice, Community]:
    notice = db.session.scalar(select(Notice).where(Notice.token == token))
    if notice is None:
        abort(404)
    return notice, db.session.get_one(Community, notice.community_id)


# --- what the pages show ---------------------------------------------------------------------------------------------


def state_of(notice: Notice, on: date) -> str:
    """upcoming before its first day, running through ``ends_on`` (the last of its 5 working days), then served."""
    if on < notice.starts_on:
        return "upcoming"
    return "running" if on <= notice.ends_on else "served"


@dataclass(frozen=True)
class RulePreview:
    """The Art 9 and Art 13 ¶3 rule worked out for a notice starting on ``starts_on`` (None: no calendar yet)."""

    starts_on: date
    ends_on: date | None
    meeting_from: date | None


def rule_preview(starts_on: date) -> RulePreview:
    try:
        calendar = current_calendar()
        return RulePreview(
            starts_on, notice_end(calendar, starts_on, NOTICE_WORKING_DAYS), earliest_meeting(calendar, starts_on)
        )
    except CalendarMissing:
        return RulePreview(starts_on, None, None)


@dataclass(frozen=True)
class Announcement:
    """One document Art 13 ¶3 requires 15 days before the meeting, its latest notice, and the meeting day it allows."""

    kind: str
    notice: Notice | None
    meeting_from: date | None


def announcements(group: PreparatoryGroup) -> list[Announcement]:
    latest = notices.latest_notices(group)
    rows = []
    for kind in notices.ANNOUNCED_BEFORE_MEETING:
        notice = latest.get(kind)
        rows.append(Announcement(kind, notice, notices.earliest_meeting_after(notice) if notice else None))
    return rows


def group_notices(group: PreparatoryGroup) -> list[Notice]:
    """The group's notices, the latest start first."""
    return list(
        db.session.scalars(
            select(Notice).where(Notice.group_id == group.id).order_by(Notice.starts_on.desc(), Notice.id.desc())
        )
    )


def accepted_candidates(notice: Notice) -> list[Candidate]:
    """Whom an objection to a candidate-list notice may be about: the group's accepted candidates."""
    if notice.kind != "candidate_list" or notice.group_id is None:
        return []
    return list(
        db.session.scalars(
            select(Candidate)
            .where(Candidate.group_id == notice.group_id, Candidate.status == "accepted")
            .order_by(Candidate.id)
        )
    )


def candidate_names(notice: Notice) -> dict[int, str]:
    ids = {o.candidate_id for o in notice.objections if o.candidate_id is not None}
    if not ids:
        return {}
    return {c.id: c.name for c in db.session.scalars(select(Candidate).where(Candidate.id.in_(ids)))}


def _objection_form(notice: Notice) -> NoticeObjectionForm:
    form = NoticeObjectionForm()
    form.candidate_id.choices = [SelectChoice("", _("The list as a whole"))] + [
        SelectChoice(str(c.id), f"{c.name}（{c.unit_labels}）") for c in accepted_candidates(notice)
    ]
    return form


def kind_name(kind: str) -> str:
    return str(notices.LABELS.get(kind, kind))


# --- answers of the POSTs --------------------------------------------------------------------------------------------


# --- the community's notices -----------------------------------------------------------------------------------------


@bp.get("/communities/<id:community_id>/notices")
@login_required
def index(community_id: int) -> Any:
    """Every notice of the community's current group, the documents still to announce, and the publish form."""
    community = community_in_scope(community_id)
    group = current_group(community)
    day = today()
    return render_template(
        "preparation/notices.html",
        community=community,
        group=group,
        notices=group_notices(group) if group else [],
        announcements=announcements(group) if group else [],
        open_objections=notices.open_objection_count(group) if group else 0,
        can_prepare=permissions.can_prepare_community(current_user, community),
        form=PublishNoticeForm(starts_on=day),
        preview=rule_preview(day),
        today=day,
        state_of=state_of,
        state_labels=STATE_LABELS,
        kind_name=kind_name,
        earliest_meeting_after=notices.earliest_meeting_after,
        announced_kinds=notices.ANNOUNCED_BEFORE_MEETING,
    )


@bp.post("/communities/<id:community_id>/notices")
@login_required
def publish(community_id: int) -> Any:
    """Publish a document as a notice from the given day (at least 5 working days, Art 9)."""
    community = community_in_scope(community_id)
    require_preparer(community)
    back = url_for("notices.index", community_id=community.id)
    group = current_group(community)
    if group is None:
        flash(_("No preparation is under way in this community."), "error")
        return redirect(back)
    form = PublishNoticeForm()
    if not form.validate_on_submit() or form.starts_on.data is None:
        return invalid(form, back)
    try:
        notice = notices.publish(
            group,
            form.kind.data or "",
            form.starts_on.data,
            current_user.id,
            title=form.title.data or "",
            body=form.body.data or "",
        )
    except DomainError as error:
        return refused(error, back, form)
    notice_id, ends_on = notice.id, notice.ends_on
    return done(
        _("Published. The notice stays up until %(day)s.", day=ends_on),
        url_for("notices.notice_page", notice_id=notice_id),
    )


# --- one notice, for the staff ---------------------------------------------------------------------------------------


@bp.get("/notices/<id:notice_id>/manage")
@login_required
def notice_page(notice_id: int) -> Any:
    """A notice as published (text, hash, period), the meeting day it allows, its objections and their answers."""
    notice, community = _notice(notice_id)
    can_prepare = permissions.can_prepare_community(current_user, community)
    return render_template(
        "preparation/notice.html",
        notice=notice,
        community=community,
        kind_name=kind_name(notice.kind),
        state=STATE_LABELS[state_of(notice, today())],
        meeting_from=notices.earliest_meeting_after(notice),
        announced_before_meeting=notice.kind in notices.ANNOUNCED_BEFORE_MEETING,
        public_url=url_for("notices.public", token=notice.token, _external=True),
        candidate_names=candidate_names(notice),
        can_prepare=can_prepare,
        objection_form=_objection_form(notice),
        answer_form=AnswerObjectionForm(),
        mask_name=mask_name,
    )


@bp.post("/notices/<id:notice_id>/objections")
@login_required
def record_objection(notice_id: int) -> Any:
    """Record an owner's objection to the notice, or to one candidate on a candidate-list notice (Art 13 ¶3)."""
    notice, community = _notice(notice_id)
    require_preparer(community)
    back = url_for("notices.notice_page", notice_id=notice.id) + "#objections"
    form = _objection_form(notice)
    if not form.validate_on_submit():
        return invalid(form, back)
    candidate = form.candidate_id.data or ""
    try:
        notices.record_objection(
            notice,
            form.objector_name.data or "",
            form.unit_label.data or "",
            form.description.data or "",
            current_user.id,
            candidate_id=int(candidate) if candidate else None,
        )
    except DomainError as error:
        return refused(error, back, form)
    return done(_("The objection is recorded."), back)


@bp.post("/notice-objections/<id:notice_objection_id>/answer")
@login_required
def answer_objection(notice_objection_id: int) -> Any:
    """Answer an open objection; the answer is shown with the notice (Art 13 ¶3: 记录并作出答复)."""
    objection, notice, community = _objection(notice_objection_id)
    require_preparer(community)
    back = url_for("notices.notice_page", notice_id=notice.id) + "#objections"
    form = AnswerObjectionForm()
    if not form.validate_on_submit():
        return invalid(form, back)
    try:
        notices.answer_objection(objection, form.answer.data or "", current_user.id)
    except DomainError as error:
        return refused(error, back, form)
    return done(_("The objection is answered."), back)


# --- the public notice: no login, behind its unguessable token -------------------------------------------------------


@bp.get("/notices/<token>")
def public(token: str) -> Any:
    """The notice as owners read it: text, period, hash, how to object, and how many objections were recorded and
    answered (not their text, which can hold personal details; the staff page shows them)."""
    notice, community = _published(token)
    return render_template(
        "preparation/notice_public.html",
        notice=notice,
        community=community,
        state=STATE_LABELS[state_of(notice, today())],
    )


@bp.get("/notices/<token>.pdf")
def public_pdf(token: str) -> Any:
    """The notice as a printable A4 PDF in Chinese, with its hash and the link to the public page."""
    from app.preparation.notice_pdf import MissingFont, notice_pdf
    from app.web import error_response

    notice, community = _published(token)
    try:
        pdf = notice_pdf(notice, community, url_for("notices.public", token=notice.token, _external=True))
    except MissingFont:
        message = _("The printable notice needs the Chinese font (fonts-noto-cjk), which this server lacks.")
        return error_response(503, "font_missing", message)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"inline; filename=notice-{notice.id}.pdf"},
    )
