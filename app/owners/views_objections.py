"""An owner's objections from their phone (issue 20 item 3; app.owners.objections), and the photo an objection carries,
for its owner and for the staff who answer it in their existing queues."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.audit import services as audit
from app.auth import permissions
from app.errors import DomainError
from app.extensions import db, limiter
from app.governance import acting
from app.owners import objections
from app.owners.forms import ObjectionForm
from app.owners.identity import MyCommunity
from app.owners.web import owned_community, owner_required, signed_in
from app.preparation.page_helpers import community_in_scope
from app.roll.services import today

bp = Blueprint("owner_objections", __name__)


def _subject(mine: MyCommunity, about: str) -> tuple[str, int | None, str]:
    """What ``about`` names ("roll", "notice-<id>", "result-<id>") if it takes objections today: kind, id, title."""
    day = today()
    kind, _dash, number = about.partition("-")
    if kind == "roll":
        version = objections.roll_under_notice(mine.community.id, day)
        if version is not None:
            return "roll", version.id, _("Owner roll, version %(n)d", n=version.number)
    elif kind == "notice" and number.isdigit():
        notice = next((n for n in objections.notices_open(mine.community.id, day) if n.id == int(number)), None)
        if notice is not None:
            return "notice", notice.id, notice.title
    elif kind == "result" and number.isdigit():
        result = next((r for r in objections.results_open(mine.community.id, day) if r.id == int(number)), None)
        if result is not None:
            return "result", result.id, _("The preliminary result")
    abort(404)


def _form(mine: MyCommunity) -> ObjectionForm:
    form = ObjectionForm()
    form.unit_label.choices = [SelectChoice(unit.label, unit.label) for unit in mine.units]
    return form


@bp.route("/owner/communities/<id:community_id>/objections/<about>", methods=["GET", "POST"])
@owner_required
@limiter.limit("20 per hour", methods=["POST"])
def file(community_id: int, about: str) -> Any:
    """The objection form (GET) and filing it (POST): a number is given, the answer comes on my page."""
    mine = owned_community(community_id)
    kind, subject_id, title = _subject(mine, about)
    form = _form(mine)
    if form.validate_on_submit():
        photo = form.photo.data.read() if form.photo.data else None
        try:
            if kind == "roll":
                filed: Any = objections.file_roll_objection(
                    mine, form.unit_label.data or "", form.text.data or "", photo, today()
                )
            elif kind == "notice":
                filed = objections.file_notice_objection(
                    mine, subject_id or 0, form.unit_label.data or "", form.text.data or "", photo, today()
                )
            else:
                filed = objections.file_result_objection(
                    mine, subject_id or 0, form.unit_label.data or "", form.text.data or "", photo, today()
                )
        except DomainError as error:
            db.session.rollback()
            (form.photo if error.field == "photo" else form.text).errors = [str(error)]
            return _page(mine, kind, title, form), error.status
        number = objections.objection_number(kind, filed.id)
        db.session.commit()
        flash(_("Your objection %(number)s is filed. The answer will be shown on this page.", number=number), "success")
        return redirect(url_for("owners.community", community_id=community_id, _anchor="my-objections"))
    return _page(mine, kind, title, form), 422 if request.method == "POST" else 200


def _page(mine: MyCommunity, kind: str, title: str, form: ObjectionForm) -> str:
    return render_template(
        "owners/objection.html",
        mine=mine,
        kind=kind,
        title=title,
        form=form,
        units=mine.units if kind == "roll" else (),
    )


def _photo_response(objection: Any) -> Any:
    if objection is None or objection.photo is None:
        abort(404)
    sent = make_response(objection.photo)
    sent.headers["Content-Type"] = objection.photo_type or "image/jpeg"
    sent.headers["Cache-Control"] = "private, no-store"
    return sent


@bp.get("/owner/objections/<kind>/<id:objection_id>/photo")
@owner_required
def my_photo(kind: str, objection_id: int) -> Any:
    """The photo of an objection of mine."""
    model = objections.MODELS.get(kind)
    objection = db.session.get(model, objection_id) if model is not None else None
    if objection is None or objection.owner_lookup not in signed_in().owner_lookups:
        abort(404)
    return _photo_response(objection)


@bp.get("/objections/<kind>/<id:objection_id>/photo")
@login_required
def staff_photo(kind: str, objection_id: int) -> Any:
    """The photo of an owner's objection (a certificate, a contract: full ID numbers), for those who may see personal
    data, each view audited: the group's leader, the body's chair, the township."""
    model = objections.MODELS.get(kind)
    objection = db.session.get(model, objection_id) if model is not None else None
    if objection is None:
        abort(404)
    community = community_in_scope(objections.community_of_objection(kind, objection))
    if not (
        permissions.can_reveal_personal_data(current_user, community)
        or acting.can_act_for_office(current_user, community, chair=True)
    ):
        abort(403)
    audit.record(
        "objection.photo_view",
        f"{kind}_objection",
        objection.id,
        {},
        township_id=community.township_id,
        community_id=community.id,
    )
    db.session.commit()
    return _photo_response(objection)
