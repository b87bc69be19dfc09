"""The owners' petitions as the staff see them (issue 20 item 5): the community's petitions with who signed (names
masked, units), the counts and the body's clock; the body in office records the meeting it announced in answer."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.errors import DomainError
from app.extensions import db
from app.governance import acting
from app.owners import petitions
from app.owners.forms import ActionForm
from app.owners.models import Petition
from app.preparation.page_helpers import community_in_scope, done, refused
from app.roll.services import today
from app.voting import sms_outbox
from app.voting.models import Meeting
from app.voting.views_meetings import OUTBOX_SIZE

bp = Blueprint("petitions", __name__)


def _announced_meetings(community_id: int) -> list[Meeting]:
    return list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.community_id == community_id, Meeting.announced_on.is_not(None))
            .order_by(Meeting.id.desc())
        )
    )


@bp.get("/communities/<id:community_id>/petitions")
@login_required
def index(community_id: int) -> Any:
    """Every petition of the community, its count, its signatures and, once reached, the body's clock: for the
    preparatory group, the body in office and the township (who act on them), not tellers or observers."""
    community = community_in_scope(community_id)
    if not petitions.may_see_signers(current_user, community):
        abort(403)
    rows = [(p, petitions.count(p)) for p in petitions.of_community(community)]
    return render_template(
        "owners/staff_petitions.html",
        community=community,
        rows=rows,
        today=today(),
        overdue=petitions.overdue,
        can_act=acting.can_act_for_office(current_user, community, chair=True),
        meetings=_announced_meetings(community.id),
        form=ActionForm(),
        kind_labels=petitions.KIND_LABELS,
        status_labels=petitions.STATUS_LABELS,
    )


@bp.post("/petitions/<id:petition_id>/convened")
@login_required
def convened(petition_id: int) -> Any:
    """The body in office records the announced meeting that answers a proposal."""
    petition = db.session.get(Petition, petition_id)
    if petition is None:
        abort(404)
    community = community_in_scope(petition.community_id)
    if not acting.can_act_for_office(current_user, community, chair=True):
        abort(403)
    back = url_for("petitions.index", community_id=community.id)
    if not ActionForm().validate_on_submit():
        abort(400)
    meeting = db.session.get(Meeting, request.form.get("meeting_id", type=int) or 0)
    try:
        if meeting is None:
            raise DomainError("meeting_not_announced", _("Choose an announced meeting of this community."))
        petitions.record_convened(petition, meeting, current_user.id)
    except DomainError as error:
        return refused(error, back)
    return done(_("The meeting is recorded as the answer to the owners' proposal."), back)


@bp.get("/owner-messages")
@login_required
def sign_in_messages() -> Any:
    """The owners' sign-in codes as the SMS backend kept them (messages of no meeting), newest first; a platform
    administrator's page, as with the console backend nothing reaches a phone and codes are read here (docs/owners.md).
    """
    if not current_user.is_admin:
        abort(403)
    messages = sms_outbox.latest(None, OUTBOX_SIZE)
    return render_template(
        "voting/meeting_outbox.html",
        meeting=None,
        community=None,
        messages=messages,
        limit=OUTBOX_SIZE,
        backend=str(current_app.config.get("SMS_BACKEND") or "console"),
    )
