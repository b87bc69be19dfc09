"""Pages of the township's supervision (the city policy's item 15; docs/supervision.md).

Everyone who sees the community sees its supervision acts (the section on the community page and the pages here);
only an official of the community's township acts (403 for the others, 404 outside their scope). A revocation's
notice to the owners is public, without login, behind its unguessable token, with a printable PDF in Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.auth import permissions
from app.communities.models import Community
from app.errors import DomainError
from app.extensions import db
from app.governance import bodies, supervision
from app.governance.supervision_forms import ComplianceForm, CorrectionOrderForm, ReElectionCallForm, RevocationForm
from app.governance.supervision_models import SupervisionAction
from app.preparation.page_helpers import community_in_scope, done, invalid, refused
from app.roll.services import today

bp = Blueprint("supervision", __name__)

BODY_LABELS: dict[str, Any] = {
    "committee": _l("Owners' committee"),
    "pmc": _l("Property management committee"),
}


# --- what the pages show ---------------------------------------------------------------------------------------------


def state_text(action: SupervisionAction, on: date) -> str:
    """Where an order stands, in words (never by colour alone); empty for the other kinds."""
    if action.kind != "order":
        return ""
    state = supervision.order_state(action, on)
    if state.state == "complied":
        if state.days:
            return _("complied with on %(d)s, %(n)d days late", d=action.resolved_on, n=state.days)
        return _("complied with on %(d)s", d=action.resolved_on)
    if state.state == "revoked":
        return _("not corrected: the decision was revoked on %(d)s", d=action.resolved_on)
    if state.state == "overdue":
        return _("overdue by %(n)d days: to be corrected by %(d)s", n=state.days, d=action.due_on)
    if state.days == 0:
        return _("to be corrected today (%(d)s)", d=action.due_on)
    return _("open: to be corrected by %(d)s (%(n)d days left)", d=action.due_on, n=state.days)


def kind_label(kind: str) -> str:
    return str(supervision.KIND_LABELS.get(kind, kind))


@dataclass(frozen=True)
class Section:
    """The data of the community page's supervision section and of the supervision page."""

    community: Community
    actions: list[SupervisionAction]
    overdue: int
    can_act: bool
    #: the committee or property management committee in office, which an order or revocation concerns
    body: Any
    #: a call to re-elect is possible: a committee in office and no re-election under way
    can_call_re_election: bool
    today: date


def section(community: Community) -> Section:
    day = today()
    found = supervision.actions(community)
    body = bodies.in_office(community)
    return Section(
        community=community,
        actions=found,
        overdue=sum(1 for a in found if a.kind == "order" and supervision.order_state(a, day).state == "overdue"),
        can_act=permissions.can_manage_community(current_user, community),
        body=body,
        can_call_re_election=body is not None and body.kind == "committee" and community.governance == "committee",
        today=day,
    )


@bp.app_context_processor
def supervision_helpers() -> dict[str, Any]:
    """`supervision_of(community)` for the community page's section (templates/governance/_supervision.html), and
    the labels it shows."""
    return {
        "supervision_of": section,
        "supervision_state": state_text,
        "supervision_order_state": supervision.order_state,
        "supervision_kind": kind_label,
        "supervision_body": lambda kind: str(BODY_LABELS.get(kind, kind)),
    }


def _revocation_form(community: Community) -> RevocationForm:
    form = RevocationForm()
    form.order_id.choices = [SelectChoice("", _("None: a decision of the body in office"))] + [
        SelectChoice(str(o.id), _("Order of %(on)s: %(decision)s", on=o.acted_on, decision=o.decision))
        for o in supervision.open_orders(community)
    ]
    return form


def _action(supervision_id: int) -> tuple[SupervisionAction, Community]:
    action = db.session.get(SupervisionAction, supervision_id)
    if action is None:
        abort(404)
    return action, community_in_scope(action.community_id)


def _require_township(community: Community) -> None:
    if not permissions.can_manage_community(current_user, community):
        abort(403)


def _index_url(community: Community) -> str:
    return url_for("supervision.index", community_id=community.id)


# --- the community's supervision --------------------------------------------------------------------------------------


@bp.get("/communities/<id:community_id>/supervision")
@login_required
def index(community_id: int) -> Any:
    """Every supervision act of the community, and for its township the forms of the three acts."""
    community = community_in_scope(community_id)
    return render_template(
        "governance/supervision_index.html",
        community=community,
        view=section(community),
        order_form=CorrectionOrderForm(),
        revocation_form=_revocation_form(community),
        re_election_form=ReElectionCallForm(),
    )


@bp.post("/communities/<id:community_id>/supervision/orders")
@login_required
def order(community_id: int) -> Any:
    """责令限期改正: the body in office must correct a decision by a day."""
    community = community_in_scope(community_id)
    _require_township(community)
    back = _index_url(community)
    form = CorrectionOrderForm()
    if not form.validate_on_submit():
        return invalid(form, back)
    try:
        made = supervision.order_correction(
            community,
            form.decision.data or "",
            form.decision_on.data,
            form.findings.data or "",
            form.due_on.data,
            current_user.id,
        )
    except DomainError as error:
        return refused(error, back, form)
    target = url_for("supervision.action", supervision_id=made.id)
    return done(_("The order is recorded."), target)


@bp.post("/communities/<id:community_id>/supervision/revocations")
@login_required
def revoke(community_id: int) -> Any:
    """撤销: the township revokes a decision, with its legal ground, and publishes the notice to the owners."""
    community = community_in_scope(community_id)
    _require_township(community)
    back = _index_url(community)
    form = _revocation_form(community)
    if not form.validate_on_submit():
        return invalid(form, back)
    order_id = form.order_id.data or ""
    try:
        made = supervision.revoke(
            community,
            form.decision.data or "",
            form.decision_on.data,
            form.findings.data or "",
            form.legal_ground.data or "",
            current_user.id,
            order=db.session.get(SupervisionAction, int(order_id)) if order_id else None,
        )
    except DomainError as error:
        return refused(error, back, form)
    target = url_for("supervision.action", supervision_id=made.id)
    return done(_("The decision is revoked, and the notice to the owners is published."), target)


@bp.post("/communities/<id:community_id>/supervision/re-election")
@login_required
def call_re_election(community_id: int) -> Any:
    """组织召开临时业主大会会议重新选举: the community moves to re-election."""
    community = community_in_scope(community_id)
    _require_township(community)
    back = _index_url(community)
    form = ReElectionCallForm()
    if not form.validate_on_submit():
        return invalid(form, back)
    try:
        made = supervision.call_re_election(community, form.reasons.data or "", current_user.id)
    except DomainError as error:
        return refused(error, back, form)
    target = url_for("supervision.action", supervision_id=made.id)
    return done(
        _("The temporary meeting to re-elect the committee is called; the re-election group is formed."), target
    )


# --- one act ----------------------------------------------------------------------------------------------------------


@bp.get("/supervision/<id:supervision_id>")
@login_required
def action(supervision_id: int) -> Any:
    """One act as recorded; an open order's compliance form for the township; a revocation's notice."""
    act, community = _action(supervision_id)
    day = today()
    return render_template(
        "governance/supervision_action.html",
        act=act,
        community=community,
        state=state_text(act, day),
        overdue=act.kind == "order" and supervision.order_state(act, day).state == "overdue",
        can_act=permissions.can_manage_community(current_user, community),
        compliance_form=ComplianceForm(complied_on=day),
        revocation=_revocation_of(act),
        public_url=url_for("supervision.public", token=act.notice_token, _external=True) if act.notice_token else None,
    )


def _revocation_of(order: SupervisionAction) -> SupervisionAction | None:
    """The revocation that followed an order, if any."""
    if order.kind != "order" or order.status != "revoked":
        return None
    return db.session.scalar(
        select(SupervisionAction).where(SupervisionAction.order_id == order.id).order_by(SupervisionAction.id)
    )


@bp.post("/supervision/<id:supervision_id>/compliance")
@login_required
def compliance(supervision_id: int) -> Any:
    """The body corrected the decision: recorded with a note (late compliance is recorded as late)."""
    act, community = _action(supervision_id)
    _require_township(community)
    back = url_for("supervision.action", supervision_id=act.id)
    form = ComplianceForm()
    if not form.validate_on_submit():
        return invalid(form, back)
    try:
        supervision.record_compliance(act, form.complied_on.data, form.note.data or "", current_user.id)
    except DomainError as error:
        return refused(error, back, form)
    return done(_("The compliance is recorded."), back)


# --- the public notice: no login, behind its unguessable token --------------------------------------------------------


def _published(token: str) -> tuple[SupervisionAction, Community]:
    act = supervision.by_token(token)
    if act is None:
        abort(404)
    return act, db.session.get_one(Community, act.community_id)


@bp.get("/supervision-notices/<token>")
def public(token: str) -> Any:
    """The revocation's notice as the owners read it, in Chinese, with its period and hash."""
    act, community = _published(token)
    return render_template("governance/supervision_public.html", act=act, community=community)


@bp.get("/supervision-notices/<token>.pdf")
def public_pdf(token: str) -> Any:
    """The notice as a printable A4 PDF in Chinese, with its hash and the link to the public page."""
    from app.roll.notice_pdf import MissingFont
    from app.web import error_response

    act, community = _published(token)
    try:
        pdf = supervision.revocation_pdf(act, community, url_for("supervision.public", token=token, _external=True))
    except MissingFont:
        message = _("The printable notice needs the Chinese font (fonts-noto-cjk), which this server lacks.")
        return error_response(503, "font_missing", message)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"inline; filename=supervision-notice-{act.id}.pdf"},
    )
