"""/api/v1/townships: townships and their accounts."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from flask_smorest import Blueprint

from app.api.common import check_api_auth
from app.api.schemas import NewAccountSchema, TownshipSchema, UserSchema
from app.auth import permissions
from app.auth import services as accounts
from app.auth.models import Role
from app.communities import services
from app.extensions import db

blp = Blueprint("api_townships", __name__, description="Townships (镇乡/街道)")
blp.before_request(check_api_auth)


@blp.get("/townships")
@blp.response(200, TownshipSchema(many=True))
def list_townships() -> Any:
    """Townships the caller may see."""
    return db.session.scalars(permissions.visible_townships_query(current_user)).all()


@blp.post("/townships")
@blp.arguments(TownshipSchema)
@blp.response(201, TownshipSchema)
def create_township(data: dict[str, Any]) -> Any:
    """Create a township (administrators)."""
    permissions.require_admin(current_user)
    township = services.create_township(data["name"], data["admin_code"])
    db.session.commit()
    return township


@blp.get("/townships/<id:township_id>")
@blp.response(200, TownshipSchema)
def get_township(township_id: int) -> Any:
    """One township."""
    return permissions.get_township(current_user, township_id)


@blp.post("/townships/<id:township_id>/accounts")
@blp.arguments(NewAccountSchema)
@blp.response(201, UserSchema)
def create_township_account(data: dict[str, Any], township_id: int) -> Any:
    """Create a township official or observer (administrators)."""
    township = permissions.get_township(current_user, township_id)
    permissions.require_admin(current_user)
    user = accounts.create_township_account(
        township, data["username"], data["display_name"], data["password"], Role(data["role"]), phone=data["phone"]
    )
    db.session.commit()
    return user
