"""The owners' own pages (/owner…): signing in by mobile number and code, the list of my communities, "my community",
my devices and signing out (issue 20 items 1–2, 6). Chinese first, phone-sized, no script needed."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from app.communities.forms import BODY_KIND_LABELS
from app.errors import DomainError
from app.extensions import db, limiter
from app.governance import transparency
from app.owners import overview as owner_overview
from app.owners import petitions
from app.owners import sign_in as owner_sign_in
from app.owners.forms import CodeForm, PhoneForm, SignOutForm
from app.owners.identity import latest_versions_with, my_communities
from app.owners.objections import KIND_LABELS
from app.owners.web import (
    clear_cookie,
    current_owner,
    owned_community,
    owner_device,
    owner_required,
    set_cookie,
    signed_in,
)
from app.privacy import mask_name, mask_phone
from app.roll.services import today
from app.voting.views_ballot import CHANNEL_WORDS

bp = Blueprint("owners", __name__)

#: the number being signed in with, between the two steps (the session cookie, never the address)
PHONE_KEY = "owner_phone"


def _next() -> str:
    """Where to go after signing in: a path of the owners' pages, never another site."""
    target = request.args.get("next", "")
    return target if target.startswith("/owner") and not target.startswith("//") else url_for("owners.home")


@bp.route("/owner/sign-in", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def sign_in() -> Any:
    """Step one: the mobile number on the roll; a code is sent to it."""
    if current_owner() is not None and request.method == "GET":
        return redirect(_next())
    form = PhoneForm()
    if form.validate_on_submit():
        try:
            owner_sign_in.send_code(form.phone.data or "")
        except DomainError as error:
            db.session.rollback()
            form.phone.errors = [str(error)]
            return render_template("owners/sign_in.html", form=form, not_on_roll=error.code == "phone_not_on_roll"), (
                error.status
            )
        db.session.commit()
        session[PHONE_KEY] = form.phone.data
        return redirect(url_for("owners.enter_code", next=request.args.get("next")))
    status = 422 if request.method == "POST" else 200
    return render_template("owners/sign_in.html", form=form, not_on_roll=False), status


@bp.route("/owner/sign-in/code", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def enter_code() -> Any:
    """Step two: the six digits of the text message; a session opens on this device."""
    phone = session.get(PHONE_KEY)
    if not phone:
        return redirect(url_for("owners.sign_in"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            signed = owner_sign_in.sign_in_by_code(phone, form.code.data or "", owner_device())
        except DomainError as error:
            db.session.commit()  # the failed attempt counts
            form.code.errors = [str(error)]
            return render_template("owners/code.html", form=form, phone=mask_phone(phone)), error.status
        db.session.commit()
        session.pop(PHONE_KEY, None)
        return set_cookie(redirect(_next()), signed.token)
    status = 422 if request.method == "POST" else 200
    return render_template("owners/code.html", form=form, phone=mask_phone(phone)), status


@bp.get("/owner")
@owner_required
def home() -> Any:
    """My communities and my units in each; with one community, its page at once."""
    owner = signed_in()
    communities = my_communities(owner.owner_lookups)
    if len(communities) == 1 and not request.args.get("all"):
        return redirect(url_for("owners.community", community_id=communities[0].community.id))
    return render_template("owners/home.html", owner=owner, communities=communities)


@bp.get("/owner/communities/<id:community_id>")
@owner_required
def community(community_id: int) -> Any:
    """My community: my units, its stage, notices, body, meetings, results, publications, my objections."""
    owner = signed_in()
    mine = owned_community(community_id)
    seen = owner_overview.overview(mine, owner.owner_lookups, today())
    return render_template(
        "owners/community.html",
        owner=owner,
        view=seen,
        stage=owner_overview.stage_words(seen.stage),
        kind_labels=KIND_LABELS,
        standing_labels=owner_overview.STANDING_LABELS,
        area_sources=owner_overview.AREA_SOURCE_LABELS,
        channel_words=CHANNEL_WORDS,
        body_kinds=BODY_KIND_LABELS,
        categories=transparency.CATEGORIES,
        public_record=url_for("transparency.public", token=mine.community.public_token)
        if mine.community.public_token
        else None,
        several=len(latest_versions_with(owner.owner_lookups)) > 1,  # the count only: no units loaded
        greeting=mask_name(mine.name),
        petition_status=petitions.STATUS_LABELS,
        nominations_open=petitions.open_pool(mine.community) is not None,
    )


@bp.get("/owner/sessions")
@owner_required
def sessions() -> Any:
    """Where I am signed in, with a button to sign out here or everywhere."""
    owner = signed_in()
    return render_template(
        "owners/sessions.html", owner=owner, sessions=owner_sign_in.sessions_of(owner), form=SignOutForm()
    )


@bp.post("/owner/sign-out")
@owner_required
def sign_out() -> Any:
    """End this session (or, ticked, every session of mine: a lost phone)."""
    owner = signed_in()
    form = SignOutForm()
    if not form.validate_on_submit():
        return redirect(url_for("owners.sessions"))
    ended = owner_sign_in.sign_out(owner, everywhere=bool(form.everywhere.data))
    db.session.commit()
    flash(_("Signed out (%(n)d sessions ended).", n=ended), "success")
    return clear_cookie(redirect(url_for("owners.sign_in")))
