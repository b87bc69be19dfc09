"""Pages of the preparation: the overview with its clocks and checklist, the group's members, the meeting and its
rules, the model documents, the funding, the term; and the township's view of every preparation.

Who may do what (Shaoxing Arts 11–16): the township records the request, forms the group, changes its members,
extends or dissolves it; the group (and the township that leads it) prepares everything else.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth import permissions
from app.communities.models import Community
from app.errors import DomainError, NotFound
from app.extensions import db
from app.preparation import checklist, model_texts, progress
from app.preparation import group as groups
from app.preparation.common import parse_yuan_fen, today
from app.preparation.documents import yuan
from app.preparation.forms import (
    ROLE_LABELS,
    ConfirmCompositionForm,
    DocumentTextForm,
    FundingForm,
    MeetingForm,
    MembersForm,
    RequestForm,
    RulesForm,
    ScheduleForm,
    TermForm,
)
from app.preparation.models import PreparatoryGroup
from app.preparation.notices import latest_notices
from app.preparation.page_helpers import community_in_scope, done, form_messages, refused

bp = Blueprint("preparation", __name__)


def _group(group_id: int) -> tuple[PreparatoryGroup, Community]:
    group = db.session.get(PreparatoryGroup, group_id)
    if group is None:
        abort(404)
    return group, community_in_scope(group.community_id)


def _require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def _overview_url(community: Community, anchor: str = "") -> str:
    return url_for("preparation.index", community_id=community.id) + (f"#{anchor}" if anchor else "")


def _attempt(change: Any, success: str, target: str) -> Any:
    """Run a service call, then `done` or, when the service refuses, `refused`; both redirect to ``target``."""
    try:
        change()
    except DomainError as error:
        return refused(error, target)
    return done(success, target)


def _form_errors(form: Any) -> None:
    for message in form_messages(form):
        flash(message, "error")


@bp.get("/communities/<id:community_id>/preparation")
@login_required
def index(community_id: int) -> Any:
    """The community's preparation: stage, clocks, members, checklist, funding, and what to do next."""
    community = community_in_scope(community_id)
    group = groups.current_group(community)
    can_manage = permissions.can_manage_community(current_user, community)
    context: dict[str, Any] = {
        "community": community,
        "group": group,
        "can_manage": can_manage,
        "can_prepare": permissions.can_prepare_community(current_user, community),
        "request_form": RequestForm(requested_on=today()),
        "extend_form": TermForm(prefix="extend", on=today()),
        "dissolve_form": TermForm(prefix="dissolve", on=today()),
        "clock_labels": progress.CLOCK_LABELS,
        "waiting_labels": progress.WAITING_LABELS,
        "schedule_form": ScheduleForm(),
        "confirm_form": ConfirmCompositionForm(),
        "funding_form": FundingForm(received_on=today()),
        "role_labels": ROLE_LABELS,
        "stages": progress.STAGES,
        "yuan": yuan,
    }
    if group is not None:
        context.update(
            overview=progress.overview(group),
            needs_confirmation=groups.needs_composition_confirmation(group),
            reminders=progress.reminders_of(group),
            funding_owed=checklist.funding_owed_fen(community),
        )
        if group.formed_on is not None:
            context.update(
                items=checklist.checklist(group),
                schedule_problems=checklist.schedule_problems(group),
                notices=latest_notices(group),
            )
    return render_template("preparation/index.html", **context)


@bp.post("/communities/<id:community_id>/preparation/request")
@login_required
def record_request(community_id: int) -> Any:
    """Record the developer's report or the owners' application (Shaoxing Art 11)."""
    community = community_in_scope(community_id)
    _require(permissions.can_manage_community(current_user, community))
    form = RequestForm()
    if not form.validate_on_submit() or form.requested_on.data is None:
        _form_errors(form)
        return redirect(_overview_url(community))
    return _attempt(
        lambda: groups.record_request(
            community, form.kind.data or "", form.requested_on.data, form.note.data or "", current_user.id
        ),
        _("Recorded. The group is to be formed within 60 days."),
        _overview_url(community),
    )


def member_inputs(form: MembersForm) -> list[groups.MemberInput]:
    rows = []
    for entry in form.members:
        row = entry.form
        if not (row.name.data or "").strip() and not row.role.data:
            continue
        rows.append(
            groups.MemberInput(
                name=row.name.data or "",
                role=row.role.data or "",
                contact=row.contact.data or "",
                id_number=row.id_number.data or "",
                is_leader=bool(row.is_leader.data),
            )
        )
    return rows


@bp.route("/preparation/<id:group_id>/members", methods=["GET", "POST"])
@login_required
def members(group_id: int) -> Any:
    """Form the group, or change its members: the composition is checked (Shaoxing Art 12) and refused with every
    reason when it breaks the rules."""
    group, community = _group(group_id)
    _require(permissions.can_manage_community(current_user, community))
    if group.dissolved_on is not None:
        abort(404)
    form = MembersForm()
    if request.method == "GET":
        form = MembersForm(formed_on=today())
        for entry, member in zip(form.members, group.members, strict=False):
            entry.form.name.data, entry.form.role.data = member.name, member.role
            entry.form.contact.data, entry.form.is_leader.data = member.contact, member.is_leader
    elif form.validate_on_submit():
        inputs = member_inputs(form)
        try:
            if group.formed_on is None:
                if form.formed_on.data is None:
                    raise DomainError("formed_on_missing", _("Give the day the group was formed."), field="formed_on")
                groups.form_group(group, form.formed_on.data, inputs, current_user.id)
                message = _("The group is formed. Publish its members within 3 days (Shaoxing Art 12).")
            else:
                groups.replace_members(group, inputs, form.reason.data or "", current_user.id)
                message = _("The members are changed.")
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(_overview_url(community, "members"))
    else:
        _form_errors(form)
    return render_template(
        "preparation/members.html", form=form, group=group, community=community, role_labels=ROLE_LABELS
    )


def _term_change(group_id: int, change: Any, success: str, prefix: str) -> Any:
    group, community = _group(group_id)
    _require(permissions.can_manage_community(current_user, community))
    form = TermForm(prefix=prefix)
    if not form.validate_on_submit() or form.on.data is None:
        _form_errors(form)
        return redirect(_overview_url(community))
    day: date = form.on.data
    return _attempt(
        lambda: change(group, day, form.reason.data or "", current_user.id), success, _overview_url(community)
    )


@bp.post("/preparation/<id:group_id>/composition-confirmation")
@login_required
def confirm_composition(group_id: int) -> Any:
    """The township confirms a group without a residents' committee member (Shaoxing Art 12 ¶1), with its reason."""
    group, community = _group(group_id)
    _require(permissions.can_manage_community(current_user, community))
    form = ConfirmCompositionForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return redirect(_overview_url(community))
    return _attempt(
        lambda: groups.confirm_composition(group, form.reason.data or "", current_user.id),
        _("The group's composition is confirmed."),
        _overview_url(community),
    )


@bp.post("/preparation/<id:group_id>/extend")
@login_required
def extend(group_id: int) -> Any:
    """The first meeting did not adopt the rules and covenant: extend the term by 90 days, once (Art 16 ¶2)."""
    return _term_change(group_id, groups.extend_term, _("The term is extended by 90 days."), "extend")


@bp.post("/preparation/<id:group_id>/dissolve")
@login_required
def dissolve(group_id: int) -> Any:
    """Dissolve the group (Art 16 ¶2); a new request starts a new group."""
    return _term_change(group_id, groups.dissolve, _("The group is dissolved."), "dissolve")


@bp.route("/preparation/<id:group_id>/plan", methods=["GET", "POST"])
@login_required
def plan(group_id: int) -> Any:
    """The meeting's time, form and content (Art 13 ¶1 (2)); the voting and election rules (Art 13 ¶1 (4)–(6))."""
    group, community = _group(group_id)
    can_prepare = permissions.can_prepare_community(current_user, community)
    if group.plan is None:
        abort(404)
    current = group.plan
    meeting_form = MeetingForm(prefix="meeting", obj=current)
    rules_form = RulesForm(prefix="rules", obj=current)
    if request.method == "POST":
        _require(can_prepare)
        target = url_for("preparation.plan", group_id=group.id)
        if "meeting-meeting_content" in request.form:
            if meeting_form.validate_on_submit():
                starts, ends = meeting_form.meeting_starts_on.data, meeting_form.meeting_ends_on.data
                if starts is None or ends is None:  # DataRequired has checked; this tells the type checker
                    abort(400)
                return _attempt(
                    lambda: checklist.update_meeting(
                        group,
                        starts,
                        ends,
                        meeting_form.meeting_form.data or "",
                        meeting_form.meeting_content.data or "",
                        current_user.id,
                    ),
                    _("The meeting is saved. Publish it as a notice."),
                    target,
                )
        elif rules_form.validate_on_submit():
            return _attempt(
                lambda: checklist.update_rules(
                    group,
                    count_parking=bool(rules_form.count_parking.data),
                    blank_and_invalid_take_part=bool(rules_form.blank_and_invalid_take_part.data),
                    rank_by=rules_form.rank_by.data or "",
                    seats=rules_form.seats.data or 0,
                    max_alternates=rules_form.max_alternates.data or 0,
                    min_committee_members=rules_form.min_committee_members.data or 0,
                    alternates_list=rules_form.alternates_list.data or "",
                    user_id=current_user.id,
                    arrears_bar=bool(rules_form.arrears_bar.data),
                    tie_rule=rules_form.tie_rule.data or "",
                ),
                _("The voting and election rules are saved. Publish them as notices."),
                target,
            )
        _form_errors(meeting_form if "meeting-meeting_content" in request.form else rules_form)
    return render_template(
        "preparation/plan.html",
        group=group,
        community=community,
        meeting_form=meeting_form,
        rules_form=rules_form,
        can_prepare=can_prepare,
    )


@bp.route("/preparation/<id:group_id>/documents/<any(rules_of_procedure, covenant):kind>", methods=["GET", "POST"])
@login_required
def document(group_id: int, kind: str) -> Any:
    """A draft document (Art 14): fill in the model text's fields to produce it, then edit the text if needed."""
    group, community = _group(group_id)
    can_prepare = permissions.can_prepare_community(current_user, community)
    if group.plan is None:
        abort(404)
    target = url_for("preparation.document", group_id=group.id, kind=kind)
    text_form = DocumentTextForm(prefix="doc")
    if request.method == "POST":
        _require(can_prepare)
        if "doc-text" in request.form:
            if text_form.validate_on_submit():
                return _attempt(
                    lambda: checklist.edit_document(group, kind, text_form.text.data or "", current_user.id),
                    _("The text is saved."),
                    target,
                )
            _form_errors(text_form)
        else:
            ScheduleForm().validate_on_submit()  # CSRF for the fields form
            posted = {
                f.key: request.form[f"field-{f.key}"]
                for f in model_texts.MODEL_TEXTS[kind].fields
                if f"field-{f.key}" in request.form
            }
            fields = {**checklist.document_fields(group, kind), **posted}  # a field not sent keeps its value
            return _attempt(
                lambda: checklist.draft_document(group, kind, fields, current_user.id),
                _("The draft is produced from the model text. Read it and edit it where needed."),
                target,
            )
    stored = group.plan.rules_text if kind == "rules_of_procedure" else group.plan.covenant_text
    text_form.text.data = text_form.text.data or stored
    return render_template(
        "preparation/document.html",
        group=group,
        community=community,
        kind=kind,
        model=model_texts.MODEL_TEXTS[kind],
        values=checklist.document_fields(group, kind),
        text_form=text_form,
        csrf_form=ScheduleForm(),
        can_prepare=can_prepare,
    )


@bp.post("/preparation/<id:group_id>/funding")
@login_required
def funding(group_id: int) -> Any:
    """Record the developer's first-meeting funding as received (Shaoxing Art 15)."""
    group, community = _group(group_id)
    _require(permissions.can_prepare_community(current_user, community))
    form = FundingForm()
    if not form.validate_on_submit() or form.received_on.data is None:
        _form_errors(form)
        return redirect(_overview_url(community, "funding"))
    received_on: date = form.received_on.data
    return _attempt(
        lambda: checklist.record_funding(
            group, parse_yuan_fen(form.amount.data or ""), received_on, form.reference.data or "", current_user.id
        ),
        _("The funding received is recorded."),
        _overview_url(community, "funding"),
    )


@bp.post("/preparation/<id:group_id>/schedule")
@login_required
def schedule(group_id: int) -> Any:
    """Confirm the meeting: refused while any announcement has not run its 15 days and 5 working days."""
    group, community = _group(group_id)
    _require(permissions.can_prepare_community(current_user, community))
    if not ScheduleForm().validate_on_submit():
        abort(400)
    return _attempt(
        lambda: checklist.schedule(group, current_user.id),
        _("The meeting is scheduled."),
        _overview_url(community, "schedule"),
    )


@bp.get("/townships/<id:township_id>/preparations")
@login_required
def township(township_id: int) -> Any:
    """Every preparation of the township: stage, clocks (overdue first), what waits for the township, and the share
    of party members and deputies among approved candidates (seed item 13)."""
    try:
        township_ = permissions.get_township(current_user, township_id)
    except NotFound:
        abort(404)
    _require(permissions.can_view_township_in_full(current_user, township_))
    rows = progress.township_overviews(township_.id)
    approved = sum(row.approved for row in rows)
    return render_template(
        "preparation/township.html",
        township=township_,
        rows=rows,
        stages=progress.STAGES,
        waiting_labels=progress.WAITING_LABELS,
        approved=approved,
        party_members=sum(row.party_members for row in rows),
        deputies=sum(row.deputies for row in rows),
    )
