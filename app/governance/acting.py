"""Who acts for the convener of a meeting (DOMAIN §7 item 10): the preparatory group's members and the township
that leads it for the first meeting; for a meeting convened by a body (property management committee, owners'
committee, re-election group) that body's own accounts, in force — the township reviews, certifies and sees, and
does not act in the body's place.

Rights by office: the acts that bind the body — convening, what is put to the vote (window, matters, the election),
the announcement, opening the vote, submitting the candidate list, the committee's officers, members leaving, filing
and publication — are its chair's (a committee's chair, the leader of a property management committee or
re-election group); its members record the rest (nominations, profiles and vetting, voters, letters, proxies, paper
ballots, reminders) and see everything the chair does. This mirrors the preparatory group, whose leader alone reveals
personal data.

A meeting made outside both (only the test and demo builders make one) is run by the preparers of its community.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.auth import permissions
from app.auth.models import User
from app.communities.models import Community
from app.errors import Forbidden
from app.extensions import db
from app.governance import bodies, runoffs
from app.governance.body_models import GoverningBody
from app.results.models import Result
from app.voting.models import Meeting


def can_run(user: User, meeting: Meeting, *, chair: bool = False) -> bool:
    """Whether the user acts for the meeting's convener (with ``chair``: in an act that binds it)."""
    if meeting.body_id is not None:
        return permissions.can_act_for_body(user, db.session.get_one(GoverningBody, meeting.body_id), chair=chair)
    return permissions.can_prepare_community(user, db.session.get_one(Community, meeting.community_id))


def require_run(user: User, meeting: Meeting, *, chair: bool = False) -> None:
    if not can_run(user, meeting, chair=chair):
        raise Forbidden("forbidden", _l("Only the members of the body that convened this meeting may do this."))


def can_convene_runoff(user: User, original: Result) -> bool:
    """Whether the user convenes the run-off of ``original``: the chair of `runoffs.convener_of`, or the preparers of
    the community when it is the preparatory group's."""
    body = runoffs.convener_of(original)
    if body is not None:
        return permissions.can_act_for_body(user, body, chair=True)
    meeting = db.session.get_one(Meeting, original.meeting_id)
    return permissions.can_prepare_community(user, db.session.get_one(Community, meeting.community_id))


def can_convene(user: User, community: Community) -> bool:
    """Whether the user is the chair of the community's convening body (`bodies.convener`)."""
    body = bodies.convener(community)
    return body is not None and permissions.can_act_for_body(user, body, chair=True)


def can_act_for_office(user: User, community: Community, *, chair: bool = False) -> bool:
    """Whether the user acts for the committee or property management committee in office (with ``chair``: its
    officers, members leaving, filing and publications)."""
    body = bodies.in_office(community)
    return body is not None and permissions.can_act_for_body(user, body, chair=chair)
