"""/api/v1/me and /api/v1/tokens: the caller's own account and API tokens."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from flask_smorest import Blueprint

from app.api.common import check_api_auth
from app.api.schemas import ApiTokenSchema, UserSchema
from app.auth import services
from app.extensions import db

blp = Blueprint("api_accounts", __name__, description="The caller's account and API tokens")
blp.before_request(check_api_auth)


@blp.get("/me")
@blp.response(200, UserSchema)
def me() -> Any:
    """The account behind the token, with its roles and scopes."""
    return current_user


@blp.get("/tokens")
@blp.response(200, ApiTokenSchema(many=True))
def tokens() -> Any:
    """The caller's API tokens (never the secrets)."""
    return services.api_tokens_of(current_user)


@blp.delete("/tokens/<id:token_id>")
@blp.response(200, ApiTokenSchema)
def revoke_token(token_id: int) -> Any:
    """Revoke one of the caller's API tokens (also the one in use)."""
    token = services.revoke_api_token(current_user, token_id)
    db.session.commit()
    return token
