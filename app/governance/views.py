"""The township's governance decisions on a community (issue 8; DOMAIN §7). The state and its timeline are shown
on the community page (app/communities/views.py)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.auth import permissions
from app.errors import DomainError
from app.governance import bodies, services
from app.governance.forms import ConversionForm
from app.preparation.group import current_group, dissolve
from app.preparation.page_helpers import community_in_scope, done, invalid, refused
from app.roll.services import today

bp = Blueprint("governance", __name__)


@bp.post("/communities/<id:community_id>/governance/conversion")
@login_required
def decide_conversion(community_id: int) -> Any:
    """Shaoxing Art 16 ¶3: the township converts the preparatory group into a property management committee, or
    declines (a new group is formed), with its reasons."""
    community = community_in_scope(community_id)
    if not permissions.can_manage_community(current_user, community):
        abort(403)
    back = url_for("communities.community", community_id=community.id) + "#governance"
    form = ConversionForm()
    if not form.validate_on_submit():
        return invalid(form, back)
    convert, reason = form.decision.data == "convert", form.reason.data or ""
    try:
        group = current_group(community)
        if group is None:
            raise DomainError("no_group", _l("The community has no preparatory group."), status=409)
        if convert:
            services.transition(community, "convert_to_pmc", today(), reason=reason, user_id=current_user.id)
            bodies.pmc_from_group(community, group, today(), reason, current_user.id)
        else:  # the group is dissolved; the township forms a new one
            dissolve(group, today(), reason, current_user.id)
    except DomainError as error:
        return refused(error, back, form)
    if convert:
        return done(_("The preparatory group is now the property management committee."), back)
    return done(_("The preparatory group is dissolved; a new one can be formed."), back)
