"""The public record of a community (Shaoxing Arts 21 ¶3 and 23; app.governance.transparency): the body's page to
record and publish, through its own accounts, and the public page, without login, behind the community's
unguessable address."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.communities.models import Community
from app.errors import DomainError
from app.extensions import db
from app.governance import acting, bodies, transparency
from app.governance.transparency_forms import PublicationForm
from app.governance.transparency_models import Publication
from app.preparation.page_helpers import community_in_scope, done, invalid, refused
from app.results.models import Result
from app.roll.services import today
from app.voting.meeting_forms import ActionForm
from app.voting.models import Meeting

bp = Blueprint("transparency", __name__)


def _certified_results(community: Community) -> list[Result]:
    return list(
        db.session.scalars(
            select(Result)
            .join(Meeting, Meeting.id == Result.meeting_id)
            .where(Meeting.community_id == community.id, Result.status == "certified")
            .order_by(Result.id.desc())
        )
    )


def _words() -> dict[str, Any]:
    return {
        "category_labels": {key: str(label) for key, label in transparency.CATEGORIES.items()},
        "due_on": transparency.due_on,
        "is_late": transparency.is_late,
        "today": today(),
    }


@bp.get("/communities/<id:community_id>/publications")
@login_required
def index(community_id: int) -> Any:
    """Everything the body recorded, published or not, with the 3-day clocks; the forms for its own accounts."""
    community = community_in_scope(community_id)
    can_act = acting.can_act_for_office(current_user, community, chair=True)
    return render_template(
        "governance/publications.html",
        community=community,
        body=bodies.in_office(community),
        items=transparency.items(community, published_only=False),
        can_act=can_act,
        form=PublicationForm(decided_on=today()),
        action_form=ActionForm(),
        public_url=url_for("transparency.public", token=community.public_token) if community.public_token else None,
        **_words(),
    )


def _acting(community_id: int) -> tuple[Community, str]:
    community = community_in_scope(community_id)
    if not acting.can_act_for_office(current_user, community, chair=True):
        abort(403)
    return community, url_for("transparency.index", community_id=community.id)


@bp.post("/communities/<id:community_id>/publications")
@login_required
def record(community_id: int) -> Any:
    """The body records an item of Art 23, or a decision with its day; published at once unless unticked."""
    community, back = _acting(community_id)
    form = PublicationForm()
    if not form.validate_on_submit():
        return invalid(form, back)
    try:
        transparency.record(
            community,
            form.category.data or "",
            form.title.data or "",
            form.text.data or "",
            form.decided_on.data,
            today() if form.publish_now.data else None,
            current_user.id,
        )
        transparency.public_token(community)
    except DomainError as error:
        return refused(error, back, form)
    return done(_("Recorded."), back)


@bp.post("/publications/<id:publication_id>/publish")
@login_required
def publish(publication_id: int) -> Any:
    """Publish an item recorded earlier (late is said on the public page, not refused)."""
    publication = db.session.get(Publication, publication_id)
    if publication is None:
        abort(404)
    community, back = _acting(publication.community_id)
    if not ActionForm().validate_on_submit():
        return invalid(ActionForm(), back)
    try:
        transparency.publish(publication, today(), current_user.id)
        transparency.public_token(community)
    except DomainError as error:
        return refused(error, back)
    return done(_("Published."), back)


@bp.get("/c/<token>")
def public(token: str) -> Any:
    """The community's public record, for owners: what the body published (Art 23), and the certified results."""
    community = db.session.scalars(select(Community).where(Community.public_token == token)).first()
    if community is None:
        abort(404)
    return render_template(
        "governance/public_record.html",
        community=community,
        body=bodies.in_office(community),
        items=transparency.items(community, published_only=True),
        results=_certified_results(community),
        **_words(),
    )
