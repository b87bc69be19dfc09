"""Dashboards: what each role sees first, with empty states that say what to do next."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.audit import services as audit
from app.auth import permissions
from app.extensions import db

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@login_required
def index() -> Any:
    """The signed-in user's dashboard."""
    townships = db.session.scalars(permissions.visible_townships_query(current_user)).all()
    communities = db.session.scalars(permissions.visible_communities_query(current_user)).all()
    return render_template(
        "dashboard/index.html",
        townships=townships,
        communities=communities,
        latest_check=audit.latest_check() if current_user.is_admin else None,
    )
