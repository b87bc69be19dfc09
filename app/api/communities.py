"""/api/v1/communities: communities and their staff accounts."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields

from app.api.common import check_api_auth
from app.api.dashboards import stage_document
from app.api.schemas import AccountActiveSchema, CommunitySchema, NewAccountSchema, UserSchema
from app.auth import permissions
from app.auth import services as accounts
from app.auth.models import BodyOffice, GroupRole, Role
from app.communities import queries, services
from app.communities.models import Community
from app.dashboard.stage import community_stage
from app.errors import NotFound
from app.extensions import db
from app.roll.services import today

blp = Blueprint("api_communities", __name__, description="Communities (住宅小区)")
blp.before_request(check_api_auth)


@blp.get("/townships/<id:township_id>/communities")
@blp.response(200, CommunitySchema(many=True))
def list_communities(township_id: int) -> Any:
    """Communities of a township that the caller may see."""
    township = permissions.get_township(current_user, township_id)
    return db.session.scalars(
        permissions.visible_communities_query(current_user).where(Community.township_id == township.id)
    ).all()


@blp.post("/townships/<id:township_id>/communities")
@blp.arguments(CommunitySchema)
@blp.response(201, CommunitySchema)
def create_community(data: dict[str, Any], township_id: int) -> Any:
    """Create a community (the township's officials)."""
    township = permissions.get_township(current_user, township_id)
    permissions.require_manage_township(current_user, township)
    community = services.create_community(
        township,
        data["name"],
        data["address"],
        data["developer_name"],
        services.parse_area_centi(data["total_floor_area"]),
    )
    db.session.commit()
    return community


class CommunityWithStageSchema(CommunitySchema):
    stage = fields.Method(
        "dump_stage",
        metadata={"type": "object", "description": "where it stands now: the fields of the township dashboard's stage"},
    )

    def dump_stage(self, community: Community) -> dict[str, Any]:
        return stage_document(community_stage(community, today()))


@blp.get("/communities/<id:community_id>")
@blp.response(200, CommunityWithStageSchema)
def get_community(community_id: int) -> Any:
    """One community, with where it stands now: its meeting under way (with the live turnout while voting), else its
    preparation's stage, else its legal state (the same as its page and the township's dashboard)."""
    return permissions.get_community(current_user, community_id)


@blp.get("/communities/<id:community_id>/accounts")
@blp.response(200, UserSchema(many=True))
def list_community_accounts(community_id: int) -> Any:
    """Staff accounts scoped to the community (the township's officials)."""
    community = permissions.get_community(current_user, community_id)
    permissions.require_manage_community(current_user, community)
    return [user for user, _grant in queries.accounts_in(community=community)]


@blp.post("/communities/<id:community_id>/accounts/<id:user_id>/active")
@blp.arguments(AccountActiveSchema)
@blp.response(200, UserSchema)
def set_account_active(data: dict[str, Any], community_id: int, user_id: int) -> Any:
    """The township deactivates an account of the community (`active: false`: no login, its sessions end, its API
    tokens are revoked and answer 401; its history stays) or reactivates it; audited. 404 for an account that is not
    the community's."""
    community = permissions.get_community(current_user, community_id)
    permissions.require_manage_community(current_user, community)
    user = next((u for u, _grant in queries.accounts_in(community=community) if u.id == user_id), None)
    if user is None:
        raise NotFound("account_not_found", _l("No such account in this community."))
    accounts.set_active(user, data["active"], current_user.id)
    db.session.commit()
    return user


@blp.delete("/communities/<id:community_id>/accounts/<id:user_id>/roles/<id:grant_id>")
@blp.response(200, UserSchema)
def remove_account_role(community_id: int, user_id: int, grant_id: int) -> Any:
    """The township takes one role (`grant_id`, from the account's `grants`) off an account of the community: its
    sessions end and its API tokens are revoked (401); audited. Returns the account with its remaining roles. 409
    `last_role` for the account's only role (deactivate it instead); 404 for a role that is not this account's in
    this community."""
    community = permissions.get_community(current_user, community_id)
    permissions.require_manage_community(current_user, community)
    grant = next((g for u, g in queries.accounts_in(community=community) if u.id == user_id and g.id == grant_id), None)
    if grant is None:
        raise NotFound("role_not_found", _l("No such role of this account in this community."))
    user = grant.user
    accounts.remove_grant(grant, current_user.id)
    db.session.commit()
    return user


@blp.post("/communities/<id:community_id>/accounts")
@blp.arguments(NewAccountSchema)
@blp.response(201, UserSchema)
def create_community_account(data: dict[str, Any], community_id: int) -> Any:
    """Create a preparatory-group member, teller, observer or body member (`body_id` and `office`: chair or member),
    by the township's officials, who invite the bodies' members (DOMAIN §7 item 10)."""
    community = permissions.get_community(current_user, community_id)
    permissions.require_manage_community(current_user, community)
    user = accounts.create_community_account(
        community,
        data["username"],
        data["display_name"],
        data["password"],
        Role(data["role"]),
        GroupRole(data["group_role"]) if data.get("group_role") else None,
        body_id=data["body_id"],
        office=BodyOffice(data["office"]) if data.get("office") else None,
        phone=data["phone"],
    )
    db.session.commit()
    return user
