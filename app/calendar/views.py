"""Holiday years on a page (administrators): which years are official, provisional or missing; add a year's
arrangement, typed in or uploaded, after a preview of the open clocks it moves (DOMAIN §7, "Dates")."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app.calendar import recompute
from app.calendar.forms import MAX_DOCUMENT_BYTES, ConfirmYearForm, HolidayYearForm, document_from_lines
from app.calendar.services import current_calendar, year_overview
from app.communities.models import Community
from app.errors import DomainError
from app.extensions import db
from app.roll.services import today

bp = Blueprint("calendar", __name__, url_prefix="/admin/holidays")


def _admin_only() -> None:
    if not current_user.is_admin:
        abort(403)


def _page(form: HolidayYearForm, **extra: Any) -> Any:
    return render_template("calendar/holidays.html", form=form, years=year_overview(today()), **extra)


def _submitted_document(form: HolidayYearForm) -> tuple[dict[str, Any] | None, list[str]]:
    """The year document the form gives (from the uploaded file when there is one), or None with the problems."""
    upload = form.document_file.data
    if isinstance(upload, FileStorage) and upload.filename:
        raw = upload.read(MAX_DOCUMENT_BYTES + 1)
        if len(raw) > MAX_DOCUMENT_BYTES:
            return None, [gettext("The file is too large for a year's arrangement.")]
        try:
            loaded = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None, [gettext("The file is not a JSON year document (app/rules/holidays/README.md).")]
        return (loaded, []) if isinstance(loaded, dict) else (None, [gettext("The file is not a JSON year document.")])
    document, bad = document_from_lines(
        form.year.data, form.source.data or "", form.days_off.data or "", form.adjusted_working_days.data or ""
    )
    return (None, bad) if bad else (document, [])


@bp.get("")
@login_required
def years() -> Any:
    """Every year from the first shipped one to next year, with its state, and the form to add one."""
    _admin_only()
    return _page(HolidayYearForm())


@bp.post("/preview")
@login_required
def preview() -> Any:
    """The year that was entered, checked, and the open clocks it would move; nothing is stored yet. A refused entry
    shows the form again with its problems (200, as every form of the site)."""
    _admin_only()
    form = HolidayYearForm()
    if not form.validate_on_submit():
        return _page(form)
    document, problems = _submitted_document(form)
    if document is None:
        return _page(form, problems=problems)
    known = document.get("year")
    if isinstance(known, int) and known in current_calendar().years:
        return _page(form, problems=[gettext("The calendar already has %(year)d.", year=known)])
    try:
        year, moves = recompute.preview_year(document, today())
    except ValueError as error:
        problems = [gettext("This arrangement cannot be used: %(detail)s", detail=str(error))]
        return _page(form, problems=problems)
    ids = {m.community_id for m in moves}
    names = {
        row.id: row.name
        for row in db.session.execute(select(Community.id, Community.name).where(Community.id.in_(ids)))
    }
    confirm = ConfirmYearForm(document=json.dumps(document, ensure_ascii=False))
    return _page(form, preview_year=year, moves=moves, names=names, confirm=confirm, document=document)


@bp.post("/confirm")
@login_required
def confirm() -> Any:
    """Add the previewed year, recompute the open clocks it moves, and record both (audit log)."""
    _admin_only()
    form = ConfirmYearForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        document = json.loads(form.document.data or "")
    except json.JSONDecodeError:
        abort(400)
    if not isinstance(document, dict):
        abort(400)
    try:
        moves = recompute.add_year_and_recompute(document, today(), current_user.id)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("calendar.years"))
    db.session.commit()
    flash(
        gettext("%(year)s added; %(n)d open dates were recomputed.", year=document.get("year"), n=len(moves)),
        "success",
    )
    return redirect(url_for("calendar.years"))
