"""The audit log pages: events in the user's scope; chain verification for administrators."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from app.audit import services
from app.audit.models import AuditEvent
from app.audit.tasks import verify_audit_chain
from app.auth import permissions
from app.celery_app import enqueue
from app.extensions import db
from app.web import page_number

bp = Blueprint("audit", __name__)

PAGE_SIZE = 50


def events_query_for(user: Any) -> Any:
    """Events the user may read: all for administrators, their townships' for officials and observers."""
    query = select(AuditEvent).order_by(AuditEvent.seq.desc())
    township_ids = permissions.township_ids_viewable(user)
    if township_ids is None:
        return query
    community_ids = permissions.community_ids_viewable(user)
    return query.where(or_(AuditEvent.township_id.in_(township_ids), AuditEvent.community_id.in_(community_ids)))


@bp.get("/audit")
@login_required
def events() -> Any:
    """The audit log, newest first, in pages of 50."""
    page = page_number()
    rows = db.session.scalars(events_query_for(current_user).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    return render_template(
        "audit/events.html",
        events=rows[:PAGE_SIZE],
        page=page,
        has_next=len(rows) > PAGE_SIZE,
        latest_check=services.latest_check() if current_user.is_admin else None,
    )


@bp.post("/audit/verify")
@login_required
def verify() -> Any:
    """Ask the background worker to verify the whole chain now (administrators)."""
    if not current_user.is_admin:
        abort(403)
    requested_by = current_user.username
    services.record("audit.verify_requested", "audit_chain", None, {})
    db.session.commit()
    enqueue(verify_audit_chain, triggered_by=requested_by)
    flash(_("Verification started. Reload this page in a moment to see the outcome."), "success")
    return redirect(url_for("audit.events"))
