"""Login, logout, language switch, password change and personal API tokens."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.audit import services as audit
from app.auth import services
from app.auth.forms import ApiTokenForm, LoginForm, PasswordForm
from app.auth.passwords import verify_password
from app.errors import DomainError
from app.extensions import db, limiter
from app.text import has_control_characters

bp = Blueprint("auth", __name__)


def _login_name() -> str:
    """The account as tried from this address: someone guessing from one address slows down their own attempts at
    that account, never the real user's from another (issue 16 item 6: no lock-out of the real user)."""
    account = services.normalise_username(request.form.get("username", ""))[:64]
    return f"account:{account}:{request.remote_addr or ''}"


def _login_failed(response: Any) -> bool:
    """Only failed attempts count against the limits (a successful login redirects)."""
    return bool(request.method == "POST" and response.status_code != 302)


def safe_next(target: str | None) -> str:
    """Follow ?next= only to a path on this site, without control characters (a newline would break the Location
    header: issue 16 item 7)."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not has_control_characters(target)
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per 10 minutes", methods=["POST"], deduct_when=_login_failed)
@limiter.limit("5 per 10 minutes", methods=["POST"], key_func=_login_name, deduct_when=_login_failed)
def login() -> Any:
    """Log in with a login name and password (throttled per address, and per account from that address)."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.username.data or "", form.password.data or "")
        if user is not None:
            locale = session.get("locale")
            session.clear()  # a fresh session on login (no fixation); the language choice survives
            if locale:
                session["locale"] = locale
            login_user(user)
            audit.record("auth.login", "user", user.id, {"username": user.username})
            db.session.commit()
            return redirect(safe_next(request.args.get("next")))
        db.session.commit()  # keep the audit event of the failed attempt
        flash(_("Wrong login name or password."), "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Any:
    """End the session."""
    audit.record("auth.logout", "user", current_user.id, {"username": current_user.username})
    services.end_sessions(current_user)  # a copy of the cookie no longer works (the account's other sessions end too)
    db.session.commit()
    logout_user()
    return redirect(url_for("auth.login"))


@bp.get("/lang/<code>")
def set_language(code: str) -> Any:
    """Switch the interface language (zh_CN or en) for this browser session."""
    if code in ("zh_CN", "en"):
        session["locale"] = code
    return redirect(safe_next(request.args.get("next")))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    """Change one's own password (ends every other session)."""
    form = PasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data or ""):
            form.current_password.errors = [_("The current password is wrong.")]
        else:
            try:
                services.set_password(current_user, form.new_password.data or "")
            except DomainError as error:
                form.new_password.errors = [str(error.message)]
            else:
                db.session.commit()
                login_user(current_user)
                flash(_("Your password has been changed."), "success")
                return redirect(url_for("dashboard.index"))
    return render_template("auth/password.html", form=form)


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def api_tokens() -> Any:
    """List, create and revoke one's personal API tokens."""
    form = ApiTokenForm()
    new_secret = None
    if form.validate_on_submit():
        issued = services.create_api_token(current_user, form.name.data or "")
        db.session.commit()
        new_secret = issued.secret
        form = ApiTokenForm(formdata=None)
    return render_template(
        "auth/tokens.html", form=form, tokens=services.api_tokens_of(current_user), new_secret=new_secret
    )


@bp.post("/account/tokens/<id:token_id>/revoke")
@login_required
def revoke_api_token(token_id: int) -> Any:
    """Revoke one of one's API tokens."""
    services.revoke_api_token(current_user, token_id)
    db.session.commit()
    flash(_("The token has been revoked."), "success")
    return redirect(url_for("auth.api_tokens"))
