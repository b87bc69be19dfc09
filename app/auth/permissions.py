"""Who may see and change what. Every view and API endpoint loads objects through these functions.

Scopes: an administrator sees everything; a township official or township observer sees one township and its
communities; a group member, teller or community observer sees one community. Changing is narrower: officials
manage their township's communities and accounts; administrators manage townships and officials. An object
outside the caller's scope is reported as not found (its existence is not disclosed).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select

from app.auth.models import Role, RoleGrant, User
from app.communities.models import Community, Township
from app.db_types import SHANGHAI
from app.errors import Forbidden, NotFound
from app.extensions import db
from app.governance.body_models import GoverningBody


def _grants(user: User, *roles: Role) -> list[Any]:
    return [grant for grant in user.grants if not roles or grant.role in roles]


def township_ids_viewable(user: User) -> set[int] | None:
    """Townships the user may see in full (None: all of them)."""
    if user.is_admin:
        return None
    return {g.township_id for g in _grants(user, Role.TOWNSHIP_OFFICIAL, Role.OBSERVER) if g.community_id is None}


#: the states in which a body (not the preparatory group) acts for the owners
BODY_STATES = ("pmc", "committee", "re_election")


def _bodies_at_work(community: Community) -> bool:
    return (
        db.session.scalar(
            select(GoverningBody.id)
            .where(GoverningBody.community_id == community.id, GoverningBody.dissolved_on.is_(None))
            .limit(1)
        )
        is not None
    )


def grant_in_force(grant: RoleGrant) -> bool:
    """Whether a grant gives its rights today. A body member's lasts while the body is in office and within its term
    (DOMAIN §7 item 10): once the body is dissolved or its term ends, the account keeps its history and loses its
    rights."""
    if grant.role == Role.GROUP_MEMBER:
        # the preparatory group's work ends when a body takes office (its members act then through that body's accounts)
        community = db.session.get(Community, grant.community_id)
        if community is None or community.governance in BODY_STATES:
            return False
        # a run-off of a later election is the convening body's; of the first meeting's, the group's (no body yet)
        return community.governance != "runoff" or not _bodies_at_work(community)
    if grant.role != Role.BODY_MEMBER or grant.body_id is None:
        return True
    body = db.session.get(GoverningBody, grant.body_id)
    on = datetime.now(SHANGHAI).date()
    return body is not None and body.dissolved_on is None and (body.term_ends_on is None or on <= body.term_ends_on)


def acting_body_ids(user: User, community: Community, *, chair: bool = False) -> set[int]:
    """The community's bodies for which the user acts today (their body member grants in force); with ``chair``, only
    those where the user holds the chair (the leader of a re-election group or property management committee)."""
    return {
        g.body_id
        for g in _grants(user, Role.BODY_MEMBER)
        if g.community_id == community.id
        and g.body_id is not None
        and grant_in_force(g)
        and (not chair or g.group_role == "chair")
    }


def can_act_for_body(user: User, body: GoverningBody, *, chair: bool = False) -> bool:
    """The body's own accounts, in force; the township does not act in the body's place (DOMAIN §7 item 10). Acts
    that bind the body (``chair``) are its chair's; its members record the rest (app.governance.acting)."""
    community = db.session.get_one(Community, body.community_id)
    return body.id in acting_body_ids(user, community, chair=chair)


def community_ids_viewable(user: User) -> set[int]:
    """Communities the user sees through a community-scoped grant in force (township scopes come on top)."""
    return {g.community_id for g in user.grants if g.community_id is not None and grant_in_force(g)}


def township_ids_managed(user: User) -> set[int] | None:
    """Townships whose communities and accounts the user may change (None: all of them)."""
    if user.is_admin:
        return None
    return {g.township_id for g in _grants(user, Role.TOWNSHIP_OFFICIAL)}


def visible_townships_query(user: User) -> Select[Any]:
    query = select(Township).order_by(Township.admin_code)
    ids = township_ids_viewable(user)
    if ids is None:
        return query
    reachable = ids | {g.township_id for g in user.grants if g.community_id is not None}
    return query.where(Township.id.in_(reachable))


def visible_communities_query(user: User) -> Select[Any]:
    query = select(Community).order_by(Community.township_id, Community.name)
    township_ids = township_ids_viewable(user)
    if township_ids is None:
        return query
    return query.where(or_(Community.township_id.in_(township_ids), Community.id.in_(community_ids_viewable(user))))


def can_view_township_in_full(user: User, township: Township) -> bool:
    ids = township_ids_viewable(user)
    return ids is None or township.id in ids


def can_manage_township(user: User, township: Township) -> bool:
    """Create communities and staff accounts in this township."""
    ids = township_ids_managed(user)
    return ids is None or township.id in ids


def can_view_community(user: User, community: Community) -> bool:
    ids = township_ids_viewable(user)
    return ids is None or community.township_id in ids or community.id in community_ids_viewable(user)


def can_manage_community(user: User, community: Community) -> bool:
    return can_manage_township(user, community.township)


def can_prepare_community(user: User, community: Community) -> bool:
    """Load and correct the roll, publish it, answer objections: the community's preparatory group, and the
    township that leads it (Shaoxing Arts 11–13)."""
    if can_manage_community(user, community):
        return True
    return any(
        g.role == Role.GROUP_MEMBER and g.community_id == community.id and grant_in_force(g) for g in user.grants
    )


def can_reveal_personal_data(user: User, community: Community) -> bool:
    """See full ID and phone numbers (each reveal audited): the group's leader and the township's officials."""
    if can_manage_community(user, community):
        return True
    return any(
        g.role == Role.GROUP_MEMBER
        and g.community_id == community.id
        and g.group_role == "leader"
        and grant_in_force(g)
        for g in user.grants
    )


def require_prepare_community(user: User, community: Community) -> None:
    if not can_prepare_community(user, community):
        raise Forbidden("forbidden", _l("Only the preparatory group and its township may do this."))


def require_admin(user: User) -> None:
    if not user.is_admin:
        raise Forbidden("forbidden", _l("Only a platform administrator may do this."))


def get_township(user: User, township_id: int) -> Township:
    """The township if the user may see any of it, else NotFound."""
    township = db.session.scalars(visible_townships_query(user).where(Township.id == township_id)).first()
    if township is None:
        raise NotFound("township_not_found", _l("No such township."))
    return township


def get_community(user: User, community_id: int) -> Community:
    community = db.session.get(Community, community_id)
    if community is None or not can_view_community(user, community):
        raise NotFound("community_not_found", _l("No such community."))
    return community


def require_manage_township(user: User, township: Township) -> None:
    if not can_manage_township(user, township):
        raise Forbidden("forbidden", _l("You may not change this township."))


def require_manage_community(user: User, community: Community) -> None:
    if not can_manage_community(user, community):
        raise Forbidden("forbidden", _l("You may not change this community."))
