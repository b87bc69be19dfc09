"""Township and community pages: lists, creation, and the staff accounts in each scope."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth import permissions
from app.auth import services as accounts
from app.auth.models import BodyOffice, GroupRole, Role
from app.calendar import recompute
from app.communities import queries, services
from app.communities.forms import (
    GROUP_ROLE_LABELS,
    OFFICE_LABELS,
    ROLE_LABELS,
    CommunityForm,
    TownshipForm,
    community_account_form,
    township_account_form,
)
from app.dashboard.stage import community_stage
from app.errors import DomainError, NotFound
from app.extensions import db
from app.governance import bodies
from app.governance import services as governance
from app.governance.forms import ConversionForm
from app.governance.reminders import CLOCK_LABELS
from app.governance.views import body_view
from app.roll.queries import open_objections_in
from app.roll.services import today
from app.voting.meeting_forms import ActionForm

bp = Blueprint("communities", __name__)

#: how long the community page lists the dates that the holiday arrangement of a year moved
RECOMPUTED_SHOWN_FOR = timedelta(days=90)


def _visible_township(township_id: int) -> Any:
    try:
        return permissions.get_township(current_user, township_id)
    except NotFound:
        abort(404)


def _visible_community(community_id: int) -> Any:
    try:
        return permissions.get_community(current_user, community_id)
    except NotFound:
        abort(404)


def _show_error(form: Any, error: DomainError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, str(error.message)]
    else:
        flash(str(error.message), "error")


def _submitted(
    form: Any, create: Callable[[], Any], message: Callable[[Any], str], target: Callable[[Any], str]
) -> Any:
    """On a valid submission run `create`, commit, flash `message(obj)` and redirect to `target(obj)`.

    A refused change (DomainError) is rolled back and shown next to its field; None means: show the form again.
    """
    if not form.validate_on_submit():
        return None
    try:
        created = create()
    except DomainError as error:
        db.session.rollback()
        _show_error(form, error)
        return None
    db.session.commit()
    flash(message(created), "success")
    return redirect(target(created))


@bp.get("/townships")
@login_required
def townships() -> Any:
    """The townships the user may see."""
    rows = db.session.scalars(permissions.visible_townships_query(current_user)).all()
    return render_template("communities/townships.html", townships=rows)


@bp.route("/townships/new", methods=["GET", "POST"])
@login_required
def new_township() -> Any:
    """Create a township (administrators)."""
    if not current_user.is_admin:
        abort(403)
    form = TownshipForm()
    done = _submitted(
        form,
        lambda: services.create_township(form.name.data or "", form.admin_code.data or ""),
        lambda township: _("Township %(name)s created.", name=township.name),
        lambda township: url_for("communities.township", township_id=township.id),
    )
    if done:
        return done
    return render_template("communities/township_new.html", form=form)


@bp.get("/townships/<id:township_id>")
@login_required
def township(township_id: int) -> Any:
    """A township: its communities and (for those who manage it) its accounts."""
    township = _visible_township(township_id)
    communities = db.session.scalars(
        permissions.visible_communities_query(current_user).where(permissions.Community.township_id == township.id)
    ).all()
    return render_template(
        "communities/township.html",
        township=township,
        communities=communities,
        accounts=queries.accounts_in(township=township)
        if permissions.can_manage_township(current_user, township)
        else [],
        can_manage=permissions.can_manage_township(current_user, township),
        can_view_in_full=permissions.can_view_township_in_full(current_user, township),
        role_labels=ROLE_LABELS,
        objections=open_objections_in(township.id)
        if permissions.can_view_township_in_full(current_user, township)
        else [],
    )


@bp.route("/townships/<id:township_id>/accounts/new", methods=["GET", "POST"])
@login_required
def new_township_account(township_id: int) -> Any:
    """Create a township official or township observer (administrators)."""
    township = _visible_township(township_id)
    if not current_user.is_admin:
        abort(403)
    form = township_account_form()
    done = _submitted(
        form,
        lambda: accounts.create_township_account(
            township,
            form.username.data or "",
            form.display_name.data or "",
            form.password.data or "",
            Role(form.role.data),
            phone=form.phone.data,
        ),
        lambda user: _("Account %(name)s created.", name=user.username),
        lambda _user: url_for("communities.township", township_id=township.id),
    )
    if done:
        return done
    return render_template(
        "communities/account_new.html",
        form=form,
        scope_name=township.name,
        back=url_for("communities.township", township_id=township.id),
    )


@bp.route("/townships/<id:township_id>/communities/new", methods=["GET", "POST"])
@login_required
def new_community(township_id: int) -> Any:
    """Create a community in a township (its officials, or administrators)."""
    township = _visible_township(township_id)
    if not permissions.can_manage_township(current_user, township):
        abort(403)
    form = CommunityForm()
    done = _submitted(
        form,
        lambda: services.create_community(
            township,
            form.name.data or "",
            form.address.data or "",
            form.developer_name.data or "",
            services.parse_area_centi(form.total_floor_area.data or ""),
        ),
        lambda community: _("Community %(name)s created.", name=community.name),
        lambda community: url_for("communities.community", community_id=community.id),
    )
    if done:
        return done
    return render_template("communities/community_new.html", form=form, township=township)


@bp.get("/communities/<id:community_id>")
@login_required
def community(community_id: int) -> Any:
    """A community: its facts, its stage (app/dashboard/stage.py: its meeting under way, else its preparation's stage
    and clocks), its roll in brief, and its staff accounts."""
    community = _visible_community(community_id)
    can_manage = permissions.can_manage_community(current_user, community)
    body = bodies.in_office(community)
    return render_template(
        "communities/community.html",
        community=community,
        stage=community_stage(community, today()),
        roll=queries.roll_overview(community),
        accounts=queries.accounts_in(community=community),
        can_manage=can_manage,
        role_labels=ROLE_LABELS,
        group_role_labels=GROUP_ROLE_LABELS,
        office_labels=OFFICE_LABELS,
        grant_in_force=permissions.grant_in_force,
        timeline=governance.timeline(community),
        state_labels=governance.STATE_LABELS,
        event_labels=governance.EVENT_LABELS,
        conversion_form=ConversionForm(),
        body=body,
        body_view=body_view(community, body),
        reminder_labels=CLOCK_LABELS,
        recomputed=recompute.recent_moves(community, today() - RECOMPUTED_SHOWN_FOR),
    )


@bp.post("/communities/<id:community_id>/accounts/<id:user_id>/active")
@login_required
def set_account_active(community_id: int, user_id: int) -> Any:
    """The township deactivates an account of the community (it can no longer log in; its sessions and API tokens
    end; its history stays) or reactivates it (issue 16 item 6)."""
    community = _visible_community(community_id)
    if not permissions.can_manage_community(current_user, community):
        abort(403)
    user = next((u for u, _grant in queries.accounts_in(community=community) if u.id == user_id), None)
    if user is None:
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    accounts.set_active(user, active, current_user.id)
    db.session.commit()
    flash(
        _("Account %(name)s reactivated.", name=user.username)
        if active
        else _("Account %(name)s deactivated: it can no longer log in.", name=user.username),
        "success",
    )
    return redirect(url_for("communities.community", community_id=community.id) + "#accounts")


@bp.post("/communities/<id:community_id>/accounts/<id:user_id>/roles/<id:grant_id>/remove")
@login_required
def remove_account_role(community_id: int, user_id: int, grant_id: int) -> Any:
    """The township takes one role off an account of the community (its sessions end and its API tokens are revoked);
    the account's last role is refused (deactivate it instead). The box "confirm" must be ticked."""
    community = _visible_community(community_id)
    if not permissions.can_manage_community(current_user, community):
        abort(403)
    found = next(
        ((u, g) for u, g in queries.accounts_in(community=community) if u.id == user_id and g.id == grant_id), None
    )
    if found is None:
        abort(404)
    user, grant = found
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    back = url_for("communities.community", community_id=community.id) + "#accounts"
    if request.form.get("confirm") != "y":
        flash(_("Tick the box to confirm."), "error")
        return redirect(back)
    role = str(ROLE_LABELS.get(Role(grant.role), grant.role))
    try:
        accounts.remove_grant(grant, current_user.id)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(back)
    db.session.commit()
    flash(
        _(
            "Role %(role)s removed from account %(name)s: its sessions ended and its API tokens were revoked.",
            role=role,
            name=user.username,
        ),
        "success",
    )
    return redirect(back)


@bp.route("/communities/<id:community_id>/accounts/new", methods=["GET", "POST"])
@login_required
def new_community_account(community_id: int) -> Any:
    """Create a preparatory-group member, teller, observer or body member account (township officials, who invite the
    bodies' members: the bodies then act through these accounts, DOMAIN §7 item 10)."""
    community = _visible_community(community_id)
    if not permissions.can_manage_community(current_user, community):
        abort(403)
    form = community_account_form(accounts.bodies_at_work(community))
    done = _submitted(
        form,
        lambda: accounts.create_community_account(
            community,
            form.username.data or "",
            form.display_name.data or "",
            form.password.data or "",
            Role(form.role.data),
            GroupRole(form.group_role.data) if form.group_role.data else None,
            body_id=int(form.body_id.data) if form.role.data == Role.BODY_MEMBER and form.body_id.data else None,
            office=(
                BodyOffice(form.body_office.data)
                if form.role.data == Role.BODY_MEMBER and form.body_office.data
                else None
            ),
            phone=form.phone.data,
        ),
        lambda user: _("Account %(name)s created.", name=user.username),
        lambda _user: url_for("communities.community", community_id=community.id),
    )
    if done:
        return done
    return render_template(
        "communities/account_new.html",
        form=form,
        scope_name=community.name,
        back=url_for("communities.community", community_id=community.id),
    )
