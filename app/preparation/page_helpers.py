"""What the preparation pages share: loading a community in the caller's scope, refusing a role, and the three
endings of a form post (done, refused by a service, invalid form), each followed by a redirect."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect
from flask_login import current_user

from app.auth import permissions
from app.communities.models import Community
from app.errors import DomainError, NotFound
from app.extensions import db
from app.voting.models import Meeting


def community_in_scope(community_id: int) -> Community:
    """The community if the caller may see it, else 404 (its existence is not disclosed)."""
    try:
        return permissions.get_community(current_user, community_id)
    except NotFound:
        abort(404)


def require_preparer(community: Community) -> None:
    """403 unless the caller is of the community's preparatory group or its township (Shaoxing Arts 11–13)."""
    if not permissions.can_prepare_community(current_user, community):
        abort(403)


def require_convener(meeting: Meeting, *, chair: bool = False) -> None:
    """403 unless the caller acts for the meeting's convener (app.governance.acting: the preparatory group and its
    township for the first meeting, the convening body's own accounts for a later one; ``chair``: an act that binds
    the body, its chair's)."""
    from app.governance.acting import can_run

    if not can_run(current_user, meeting, chair=chair):
        abort(403)


def done(message: str, target: str) -> Any:
    """Commit, say so, go to ``target``."""
    db.session.commit()
    flash(message, "success")
    return redirect(target)


def refused(error: DomainError, target: str, form: Any = None) -> Any:
    """Roll back and show why a service refused. A generic message about one field ("invalid_<field>": required,
    too long …) is prefixed with that field's form label, so that the person knows which one."""
    db.session.rollback()
    field = form._fields.get(error.field) if form is not None and error.field else None
    generic = error.code == f"invalid_{error.field}"
    flash(f"{field.label.text}: {error}" if field is not None and generic else str(error), "error")
    return redirect(target)


def form_messages(form: Any) -> list[str]:
    """A form's validation messages with their labels (never the values typed), rows of a FieldList included."""

    def walk(label: str, errors: Any) -> list[str]:
        if isinstance(errors, dict):
            return [m for value in errors.values() for m in walk(label, value)]
        if isinstance(errors, list):
            return [m for value in errors for m in walk(label, value)]
        return [f"{label}: {errors}" if label else str(errors)]

    messages = [m for name, errors in form.errors.items() for m in walk(_label(form, name), errors)]
    return list(dict.fromkeys(messages))


def _label(form: Any, name: str) -> str:
    field = form._fields.get(name)
    return "" if field is None or field.type in ("FieldList", "CSRFTokenField") else str(field.label.text)


def invalid(form: Any, target: str) -> Any:
    """Show a form's validation messages and go back."""
    for message in form_messages(form):
        flash(message, "error")
    return redirect(target)
