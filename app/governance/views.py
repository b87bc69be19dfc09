"""The township's governance decisions on a community (issue 8; DOMAIN §7). The state and its timeline are shown
on the community page (app/communities/views.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.auth import permissions
from app.communities.models import Community
from app.errors import DomainError
from app.extensions import db
from app.governance import acting, bodies, convening, decisions, reminders
from app.governance.body_models import GoverningBody
from app.governance.forms import (
    ConveneForm,
    ConversionForm,
    ElectionForm,
    FilingForm,
    MemberLeavesForm,
    OfficersForm,
)
from app.governance.reminder_models import GovernanceReminder
from app.preparation.forms import MembersForm
from app.preparation.models import PreparatoryGroup
from app.preparation.page_helpers import community_in_scope, done, invalid, refused, require_convener
from app.preparation.views import member_inputs
from app.roll.services import today
from app.voting.meeting_forms import ActionForm
from app.voting.models import Meeting

bp = Blueprint("governance", __name__)


@bp.post("/communities/<id:community_id>/governance/conversion")
@login_required
def decide_conversion(community_id: int) -> Any:
    """Shaoxing Art 16 ¶3 and city policy item 12: the township records the conversion of the preparatory group into a
    property management committee, with its reasons (declining is refused: `decisions.decide_conversion`)."""
    community = community_in_scope(community_id)
    if not permissions.can_manage_community(current_user, community):
        abort(403)
    back = url_for("communities.community", community_id=community.id) + "#governance"
    form = ConversionForm()
    if not form.validate_on_submit():
        return invalid(form, back)
    convert, reason = form.decision.data == "convert", form.reason.data or ""
    try:
        decisions.decide_conversion(community, convert, reason, today(), current_user.id)
    except DomainError as error:
        return refused(error, back, form)
    return done(_("The preparatory group is now the property management committee."), back)


# --- the body in office: members leaving, officers, filing, the re-election group ------------------------------------


@dataclass(frozen=True)
class BodyView:
    """What the community page shows of the body in office, with its forms (templates/governance/_body.html)."""

    filing_due: date | None
    filing_overdue: bool
    filing_provisional: bool
    re_election_due: date | None
    below_half: bool
    leave_form: MemberLeavesForm
    officers_form: OfficersForm
    filing_form: FilingForm
    action_form: ActionForm
    convene_form: ConveneForm
    reminders: list[GovernanceReminder]
    #: the caller acts for the body in office (its own accounts), or for the convener of the next meeting
    can_act: bool
    can_convene: bool
    #: the township's re-election group while it works (Shaoxing Art 24 ¶3)
    re_election_group: GoverningBody | None
    #: the township may form the re-election group now (the community is in re_election without one, or may be)
    can_form_group: bool


def body_view(community: Community, body: GoverningBody | None) -> BodyView | None:
    if body is None:
        return None
    serving = bodies.serving(body)
    filing_due = bodies.known_filing_due(body)
    facts = decisions.re_election_facts(body, today())
    below_half = body.kind == "committee" and facts.members * 2 < facts.seats
    leave_form, officers_form = MemberLeavesForm(), OfficersForm()
    leave_form.member_id.choices = [SelectChoice(m.id, m.name) for m in body.members if m.left_on is None]
    officers_form.chair.choices = [SelectChoice(m.id, m.name) for m in serving]
    officers_form.vice_chairs.choices = [SelectChoice(m.id, m.name) for m in serving]
    return BodyView(
        filing_due=filing_due,
        filing_overdue=body.filed_on is None and filing_due is not None and today() > filing_due,
        filing_provisional=bodies.filing_due_is_provisional(body),
        re_election_due=bodies.re_election_due(body),
        below_half=below_half,
        leave_form=leave_form,
        officers_form=officers_form,
        filing_form=FilingForm(),
        action_form=ActionForm(),
        convene_form=ConveneForm(),
        reminders=reminders.recent(community),
        can_act=acting.can_act_for_office(current_user, community, chair=True),
        can_convene=acting.can_convene(current_user, community),
        re_election_group=bodies.re_election_group(community),
        can_form_group=bodies.re_election_group(community) is None
        and (
            community.governance == "re_election"
            or (community.governance == "committee" and (below_half or facts.re_election_overdue))
        ),
    )


def _body_action(community_id: int) -> tuple[Community, GoverningBody, str]:
    """The community's body in office, for its own accounts (403 otherwise, 404 without a body): the body acts, the
    township does not act in its place (DOMAIN §7 item 10)."""
    community = community_in_scope(community_id)
    body = bodies.in_office(community)
    if body is None:
        abort(404)
    if not acting.can_act_for_office(current_user, community, chair=True):
        abort(403)
    return community, body, url_for("communities.community", community_id=community.id) + "#body"


@bp.post("/communities/<id:community_id>/body/leaving")
@login_required
def member_leaves(community_id: int) -> Any:
    """A member leaves (resigned, no longer an owner, arrears after a demand …); the first alternate moves up."""
    _community, body, back = _body_action(community_id)
    form = MemberLeavesForm()
    form.member_id.choices = [SelectChoice(m.id, m.name) for m in body.members if m.left_on is None]
    if not form.validate_on_submit() or form.left_on.data is None:
        return invalid(form, back)
    member = next(m for m in body.members if m.id == form.member_id.data)
    try:
        moved = bodies.member_leaves(
            member, form.left_on.data, form.reason.data or "", form.note.data or "", current_user.id
        )
    except DomainError as error:
        return refused(error, back, form)
    if moved is not None:
        return done(_("%(name)s leaves; %(alternate)s takes the seat.", name=member.name, alternate=moved.name), back)
    return done(_("%(name)s leaves; no alternate is left: the seat waits for a by-election.", name=member.name), back)


@bp.post("/communities/<id:community_id>/body/officers")
@login_required
def officers(community_id: int) -> Any:
    """The chair and vice-chairs chosen at the committee's first meeting."""
    _community, body, back = _body_action(community_id)
    form = OfficersForm()
    serving = bodies.serving(body)
    form.chair.choices = [SelectChoice(m.id, m.name) for m in serving]
    form.vice_chairs.choices = [SelectChoice(m.id, m.name) for m in serving]
    if not form.validate_on_submit() or form.chair.data is None:
        return invalid(form, back)
    try:
        bodies.choose_officers(body, form.chair.data, list(form.vice_chairs.data or []), current_user.id)
    except DomainError as error:
        return refused(error, back, form)
    return done(_("The officers are recorded."), back)


@bp.post("/communities/<id:community_id>/body/filing")
@login_required
def filing(community_id: int) -> Any:
    """The committee's filing with the county housing authority (Shaoxing Art 17: within 30 days)."""
    _community, body, back = _body_action(community_id)
    form = FilingForm()
    if not form.validate_on_submit() or form.filed_on.data is None:
        return invalid(form, back)
    try:
        documents = bodies.document_fingerprints(
            (f.filename or "", f.read()) for f in form.documents.data or [] if f and f.filename
        )
        bodies.record_filing(body, form.filed_on.data, form.certificate_on.data, documents, current_user.id)
    except DomainError as error:
        return refused(error, back, form)
    return done(_("The filing is recorded."), back)


def _township_over(community_id: int, kind: str) -> tuple[Community, GoverningBody]:
    """The community's body in office of ``kind``, for one of its township's officials (403 otherwise, 404 without
    such a body)."""
    community = community_in_scope(community_id)
    if not permissions.can_manage_community(current_user, community):
        abort(403)
    body = bodies.in_office(community)
    if body is None or body.kind != kind:
        abort(404)
    return community, body


def _members_submitted(
    form: MembersForm, community: Community, page: str, change: Callable[[list[Any], str], Any], message: str
) -> Any:
    """Validate a members form and apply ``change(members, reason)``; refused with every reason on ``page``."""
    if not form.validate_on_submit():
        return invalid(form, page)
    try:
        change(member_inputs(form), form.reason.data or "")
    except DomainError as error:
        return refused(error, page, form)
    return done(message, url_for("communities.community", community_id=community.id) + "#body")


@bp.route("/communities/<id:community_id>/body/re-election-group", methods=["GET", "POST"])
@login_required
def re_election_group(community_id: int) -> Any:
    """Shaoxing Art 24 ¶3: the township forms a re-election group, composed as a preparatory group (Art 12), when
    fewer than half the seats are filled, the re-election is late, or it called a meeting to re-elect the committee;
    the group then convenes the re-election and the old committee calls no vote on a matter of joint decision."""
    community, body = _township_over(community_id, "committee")
    form = MembersForm()
    form.reason.label.text = _("Why there is no residents' committee member (if so)")
    if request.method == "POST":
        return _members_submitted(
            form,
            community,
            url_for("governance.re_election_group", community_id=community.id),
            lambda members, reason: decisions.form_re_election_group(
                community, body, members, reason, today(), current_user.id
            ),
            _("The re-election group is formed. It prepares and convenes the re-election."),
        )
    return render_template(
        "governance/body_members.html",
        form=form,
        community=community,
        heading=_("Form the re-election group"),
        intro=_(
            "Shaoxing Art 24 ¶3: the township forms a re-election group, composed as a preparatory group (Shaoxing "
            "Art 12): owner representatives (at least half of the group, owners on the roll), the township's "
            "representative (who leads it), the residents' committee's representative. It prepares and convenes the "
            "re-election; until the new committee is elected, the old one calls no vote on a matter of joint decision."
        ),
        reason_help=_(
            "Without a member of the residents' committee, give the reason for this composition: the township "
            "confirms it."
        ),
        button=_("Form the re-election group"),
    )


@bp.route("/communities/<id:community_id>/body/members", methods=["GET", "POST"])
@login_required
def pmc_members(community_id: int) -> Any:
    """The township confirms the property management committee's members after the conversion, replacing a member who
    cannot serve, with the preparatory group's composition checks (Shaoxing Arts 12 and 16 ¶3; city policy item 12)."""
    community, body = _township_over(community_id, "pmc")
    form = MembersForm()
    form.reason.label.text = _("Why the members change")
    if request.method == "POST":
        return _members_submitted(
            form,
            community,
            url_for("governance.pmc_members", community_id=community.id),
            lambda members, reason: bodies.adjust_pmc_members(body, members, reason, today(), current_user.id),
            _("The members are changed."),
        )
    group = db.session.get(PreparatoryGroup, body.group_id) if body.group_id is not None else None
    serving = {m.name for m in bodies.serving(body)}
    # the group's members as they were formed (role, contact, leader), those still serving; ID numbers are not stored
    for entry, member in zip(
        form.members, [m for m in (group.members if group else []) if m.name in serving], strict=False
    ):
        entry.form.name.data, entry.form.role.data = member.name, member.role
        entry.form.contact.data, entry.form.is_leader.data = member.contact, member.is_leader
    return render_template(
        "governance/body_members.html",
        form=form,
        community=community,
        heading=_("The property management committee's members"),
        intro=_(
            "The preparatory group became the property management committee (Shaoxing Art 16 ¶3; city policy item "
            "12). Confirm its members, replacing one who cannot serve: the composition is checked as the group's "
            "(Shaoxing Art 12). Give each member's role, and an owner representative's ID number to find them on "
            "the roll."
        ),
        reason_help=None,
        button=_("Save the members"),
    )


@bp.post("/communities/<id:community_id>/body/meetings")
@login_required
def convene(community_id: int) -> Any:
    """The convening body (the committee or property management committee in office, or the re-election group while it
    works) convenes an assembly meeting, through its own accounts; its matters and candidates come next."""
    community = community_in_scope(community_id)
    if not acting.can_convene(current_user, community):
        abort(403)
    back = url_for("communities.community", community_id=community.id) + "#body"
    form = ConveneForm()
    if not form.validate_on_submit() or form.opens_on.data is None or form.closes_on.data is None:
        return invalid(form, back)
    try:
        meeting = convening.convene(
            community, form.title.data or "", form.opens_on.data, form.closes_on.data, current_user.id
        )
    except DomainError as error:
        return refused(error, back, form)
    target = url_for("meetings.meeting_page", meeting_id=meeting.id)
    return done(_("The meeting is convened: add its matters and candidates, announce it, then open voting."), target)


@bp.post("/meetings/<id:meeting_id>/election")
@login_required
def add_election(meeting_id: int) -> Any:
    """The committee's election on a meeting convened by a body, from its approved candidate list."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    community_in_scope(meeting.community_id)
    if meeting.body_id is None:  # the first meeting's election comes from the preparation
        abort(404)
    require_convener(meeting, chair=True)
    back = url_for("meetings.meeting_page", meeting_id=meeting.id) + "#matters"
    form = ElectionForm()
    if not form.validate_on_submit() or form.seats.data is None:
        return invalid(form, back)
    try:
        seats, alternates = form.seats.data, form.max_alternates.data or 0
        convening.add_election(meeting, seats, alternates, current_user.id, by_election=bool(form.by_election.data))
    except DomainError as error:
        return refused(error, back, form)
    return done(_("The election is added."), back)
