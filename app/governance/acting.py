"""Who acts for the convener of a meeting (DOMAIN §7 item 10): the preparatory group's members and the township
that leads it for the first meeting; for a meeting convened by a body (property management committee, owners'
committee, re-election group) that body's own accounts, in force — the township reviews, certifies and sees, and
does not act in the body's place.

A meeting made outside both (only the test and demo builders make one) is run by the preparers of its community.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.auth import permissions
from app.auth.models import User
from app.communities.models import Community
from app.errors import Forbidden
from app.extensions import db
from app.governance import bodies
from app.governance.body_models import GoverningBody
from app.voting.models import Meeting


def can_run(user: User, meeting: Meeting) -> bool:
    """Whether the user acts for the meeting's convener: its matters, candidates, announcement, voters and letters."""
    community = db.session.get_one(Community, meeting.community_id)
    if meeting.body_id is not None:
        return permissions.can_act_for_body(user, db.session.get_one(GoverningBody, meeting.body_id))
    return permissions.can_prepare_community(user, community)


def require_run(user: User, meeting: Meeting) -> None:
    if not can_run(user, meeting):
        raise Forbidden("forbidden", _l("Only the members of the body that convened this meeting may do this."))


def can_convene(user: User, community: Community) -> bool:
    """Whether the user acts for the community's convening body (`bodies.convener`)."""
    body = bodies.convener(community)
    return body is not None and permissions.can_act_for_body(user, body)


def can_act_for_office(user: User, community: Community) -> bool:
    """Whether the user acts for the committee or property management committee in office (its officers, its
    members leaving, its filing, its publications)."""
    body = bodies.in_office(community)
    return body is not None and permissions.can_act_for_body(user, body)
