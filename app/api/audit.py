"""/api/v1/audit: the audit log in the caller's scope, and chain verification."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint

from app.api.common import check_api_auth
from app.api.schemas import AuditEventSchema, AuditQuerySchema, ChainCheckSchema, TaskSchema
from app.audit import services
from app.audit.models import AuditEvent
from app.audit.tasks import verify_audit_chain
from app.audit.views import events_query_for
from app.auth import permissions
from app.celery_app import enqueue
from app.errors import NotFound
from app.extensions import db

blp = Blueprint("api_audit", __name__, description="Audit log")
blp.before_request(check_api_auth)


@blp.get("/audit/events")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditEventSchema(many=True))
def list_events(query: dict[str, Any]) -> Any:
    """Events in the caller's scope, newest first; page with before_seq."""
    statement = events_query_for(current_user)
    if query["before_seq"]:
        statement = statement.where(AuditEvent.seq < query["before_seq"])
    return db.session.scalars(statement.limit(query["limit"])).all()


@blp.post("/audit/verifications")
@blp.response(202, TaskSchema)
def start_verification() -> Any:
    """Verify the whole chain in the background (administrators)."""
    permissions.require_admin(current_user)
    requested_by = current_user.username
    services.record("audit.verify_requested", "audit_chain", None, {})
    db.session.commit()
    result = enqueue(verify_audit_chain, triggered_by=requested_by)
    return {"task_id": result.id}


@blp.get("/audit/verifications/latest")
@blp.response(200, ChainCheckSchema)
def latest_verification() -> Any:
    """The outcome of the latest verification (administrators)."""
    permissions.require_admin(current_user)
    check = services.latest_check()
    if check is None:
        raise NotFound("no_verification", _l("The chain has not been verified yet."))
    return check
