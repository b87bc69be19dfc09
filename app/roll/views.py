"""Owner-roll pages: import with progress, versions with weights and diffs, notice, objections, freeze."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from app import jobs
from app.audit import services as audit
from app.auth import permissions
from app.communities.models import Community
from app.errors import DomainError, NotFound
from app.extensions import db
from app.privacy import decrypt, mask_id_for_notice, mask_name, mask_phone
from app.roll import documents, queries, services
from app.roll.forms import AcceptForm, ImportForm, ObjectionForm, PublishForm, RejectForm
from app.roll.models import RollImport, RollObjection, RollOwner, RollUnit, RollVersion
from app.roll.services import today
from app.roll.tasks import import_roll
from app.rules.areas import format_area
from app.text import spreadsheet_safe
from app.voting import owner_notices
from app.web import page_number

bp = Blueprint("roll", __name__)

PAGE_SIZE = 100


def _community(community_id: int) -> Community:
    try:
        return permissions.get_community(current_user, community_id)
    except NotFound:
        abort(404)


def _version(version_id: int) -> tuple[RollVersion, Community]:
    version = db.session.get(RollVersion, version_id)
    if version is None:
        abort(404)
    return version, _community(version.community_id)


def _preparer(community: Community) -> None:
    if not permissions.can_prepare_community(current_user, community):
        abort(403)


def _done(message: str, target: str) -> Any:
    db.session.commit()
    flash(message, "success")
    return redirect(target)


def _refused(error: DomainError, target: str) -> Any:
    db.session.rollback()
    flash(str(error), "error")
    return redirect(target)


@bp.get("/communities/<id:community_id>/roll")
@login_required
def index(community_id: int) -> Any:
    """The community's roll: the current version's weights, every version, recent imports, the upload form."""
    community = _community(community_id)
    versions = queries.versions_of(community)
    return render_template(
        "roll/index.html",
        community=community,
        versions=versions,
        weights=queries.weights_of(versions[0]) if versions else None,
        imports=queries.imports_of(community),
        form=ImportForm(),
        can_prepare=permissions.can_prepare_community(current_user, community),
    )


@bp.get("/communities/<id:community_id>/roll/template.xlsx")
@login_required
def template(community_id: int) -> Any:
    """The XLSX template (ID and phone columns typed as text); ?example=1 for a filled example."""
    from app.roll.template import roll_template_xlsx

    _community(community_id)
    example = request.args.get("example") == "1"
    name = "owner-roll-example.xlsx" if example else "owner-roll-template.xlsx"
    return Response(
        roll_template_xlsx(with_example=example),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


@bp.post("/communities/<id:community_id>/roll/imports")
@login_required
def upload(community_id: int) -> Any:
    """Upload a roll file; the import runs in the background and its page shows the progress."""
    community = _community(community_id)
    _preparer(community)
    form = ImportForm()
    back = url_for("roll.index", community_id=community.id)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "error")
        return redirect(back)
    upload_file = form.file.data
    try:
        roll_import = services.start_import(
            community, upload_file.filename or "roll", upload_file.read(), form.reason.data or "", current_user.id
        )
    except DomainError as error:
        return _refused(error, back)
    import_id = roll_import.id
    db.session.commit()
    jobs.start_or_fail("roll_import", import_id, import_roll, import_id=import_id)
    return redirect(url_for("roll.import_page", import_id=import_id))


def _import(import_id: int) -> tuple[RollImport, Community]:
    """An import of a community the caller prepares (its report quotes the file's cells)."""
    roll_import = db.session.get(RollImport, import_id)
    if roll_import is None:
        abort(404)
    community = _community(roll_import.community_id)
    _preparer(community)
    return roll_import, community


@bp.get("/roll/imports/<id:import_id>")
@login_required
def import_page(import_id: int) -> Any:
    """An import: a progress bar while it runs, then every problem found, or the new version (an import silent too
    long is failed here, app.jobs)."""
    roll_import, community = _import(import_id)
    jobs.reap_if_silent("roll_import", roll_import)
    return render_template("roll/import.html", roll_import=roll_import, community=community)


@bp.post("/roll/imports/<id:import_id>/cancel")
@login_required
def cancel_import(import_id: int) -> Any:
    """Stop an import: nothing is imported and its file is erased (audited)."""
    roll_import = _import(import_id)[0]
    back = url_for("roll.import_page", import_id=import_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        jobs.cancel("roll_import", roll_import)
    except DomainError as error:
        return _refused(error, back)
    flash(_("The import was cancelled: nothing was imported, and the file was erased."), "success")
    return redirect(back)


@bp.get("/roll/imports/<id:import_id>/status")
@login_required
def import_status(import_id: int) -> Any:
    """The import's progress as JSON, for the progress bar."""
    roll_import = _import(import_id)[0]
    return jsonify(status=roll_import.status, progress=roll_import.progress)


@bp.get("/roll/versions/<id:version_id>")
@login_required
def version_page(version_id: int) -> Any:
    """A version: weights, changes against the previous one, units (masked), notice, objections, freeze."""
    version, community = _version(version_id)
    page = page_number()
    units = db.session.scalars(
        select(RollUnit)
        .where(RollUnit.roll_version_id == version.id)
        .order_by(RollUnit.id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    ).all()
    latest = queries.versions_of(community)[0]
    return render_template(
        "roll/version.html",
        version=version,
        community=community,
        weights=queries.weights_of(version),
        units=units[:PAGE_SIZE],
        page=page,
        has_next=len(units) > PAGE_SIZE,
        objections=queries.objections_of(version),
        is_latest=latest.id == version.id,
        can_prepare=permissions.can_prepare_community(current_user, community),
        can_reveal=permissions.can_reveal_personal_data(current_user, community),
        publish_form=PublishForm(starts_on=today()),
        objection_form=ObjectionForm(),
        reject_form=RejectForm(),
        accept_form=AcceptForm(),
        today=today(),
        mask_name=mask_name,
    )


@bp.post("/roll/versions/<id:version_id>/publish")
@login_required
def publish(version_id: int) -> Any:
    """Publish the version for objections for 5 working days."""
    version, community = _version(version_id)
    _preparer(community)
    back = url_for("roll.version_page", version_id=version.id)
    form = PublishForm()
    if not form.validate_on_submit() or form.starts_on.data is None:
        flash(_("Give the day the notice starts."), "error")
        return redirect(back)
    try:
        services.publish_version(version, form.starts_on.data, current_user.id)
    except DomainError as error:
        return _refused(error, back)
    return _done(_("Published. The notice stays up until %(day)s.", day=version.notice_ends_on), back)


@bp.post("/roll/versions/<id:version_id>/objections")
@login_required
def record_objection(version_id: int) -> Any:
    """Record an owner's objection."""
    version, community = _version(version_id)
    _preparer(community)
    back = url_for("roll.version_page", version_id=version.id) + "#objections"
    form = ObjectionForm()
    if not form.validate_on_submit():
        flash(_("Fill in the unit, who objects and what is wrong."), "error")
        return redirect(back)
    try:
        services.record_objection(
            version,
            form.unit_label.data or "",
            form.objector_name.data or "",
            form.description.data or "",
            current_user.id,
        )
    except DomainError as error:
        return _refused(error, back)
    return _done(_("The objection is recorded."), back)


def _objection(objection_id: int) -> tuple[RollObjection, RollVersion, Community]:
    objection = db.session.get(RollObjection, objection_id)
    if objection is None:
        abort(404)
    version, community = _version(objection.roll_version_id)
    _preparer(community)
    return objection, version, community


@bp.post("/roll/objections/<id:objection_id>/reject")
@login_required
def reject_objection(objection_id: int) -> Any:
    """Reject an objection with the reason."""
    objection, version = _objection(objection_id)[:2]
    back = url_for("roll.version_page", version_id=version.id) + "#objections"
    form = RejectForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for rejecting."), "error")
        return redirect(back)
    try:
        services.reject_objection(objection, form.answer.data or "", current_user.id)
    except DomainError as error:
        return _refused(error, back)
    return _done(_("The objection is answered."), back)


@bp.post("/roll/objections/<id:objection_id>/accept")
@login_required
def accept_objection(objection_id: int) -> Any:
    """Accept an objection: correct the unit, which makes a new version."""
    objection, version = _objection(objection_id)[:2]
    back = url_for("roll.version_page", version_id=version.id) + "#objections"
    form = AcceptForm()
    if not form.validate_on_submit() or form.unit_id.data is None:
        flash(_("Give the answer, the unit and its correct area and status."), "error")
        return redirect(back)
    try:
        new_version = services.accept_objection(
            objection,
            form.answer.data or "",
            form.unit_id.data,
            form.area.data or "",
            form.status.data or "",
            current_user.id,
        )
    except DomainError as error:
        return _refused(error, back)
    return _done(
        _("Corrected: version %(n)d made. Publish it for objections again.", n=new_version.number),
        url_for("roll.version_page", version_id=new_version.id),
    )


@bp.post("/roll/versions/<id:version_id>/freeze")
@login_required
def freeze(version_id: int) -> Any:
    """Freeze the version for the meeting (after its notice period, with every objection answered)."""
    version, community = _version(version_id)
    _preparer(community)
    back = url_for("roll.version_page", version_id=version.id)
    try:
        services.freeze_version(version, today(), current_user.id)
    except DomainError as error:
        return _refused(error, back)
    return _done(_("The roll is frozen. Its fingerprint is %(f)s.", f=version.fingerprint[:16]), back)


@bp.post("/roll/owners/<id:owner_id>/reveal")
@login_required
def reveal(owner_id: int) -> Any:
    """Show one owner's full ID and phone number (recorded in the audit log)."""
    owner = db.session.get(RollOwner, owner_id)
    if owner is None:
        abort(404)
    unit = db.session.get_one(RollUnit, owner.roll_unit_id)
    version, community = _version(unit.roll_version_id)
    if not permissions.can_reveal_personal_data(current_user, community):
        abort(403)
    audit.record(
        "roll.reveal",
        "roll_owner",
        owner.id,
        {"unit": unit.label, "version": version.number},
        township_id=community.township_id,
        community_id=community.id,
    )
    owner_notices.id_revealed(owner.phone_cipher, community)  # the owner learns of it (issue 16 item 2)
    db.session.commit()
    return render_template(
        "roll/reveal.html",
        owner=owner,
        unit=unit,
        version=version,
        id_number=decrypt(owner.id_number_cipher),
        phone=decrypt(owner.phone_cipher) if owner.phone_cipher else "",
    )


@bp.post("/roll/versions/<id:version_id>/export")
@login_required
def export(version_id: int) -> Any:
    """Export the version with full personal data as CSV (audited; for those who may reveal it)."""
    version, community = _version(version_id)
    if not permissions.can_reveal_personal_data(current_user, community):
        abort(403)
    audit.record(
        "roll.export",
        "roll_version",
        version.id,
        {"number": version.number, "units": len(version.units)},
        township_id=community.township_id,
        community_id=community.id,
    )
    db.session.commit()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            *("楼幢", "单元", "室号", "类型", "面积", "面积来源", "状态", "业主姓名", "证件号码", "手机", "代表人"),
            *("证件类型", "国籍", "单位代表人姓名", "单位代表人证件号码", "单位代表人手机"),
        ]
    )
    for unit in version.units:
        owners: list[RollOwner | None] = list(unit.owners) or [None]
        for owner in owners:
            writer.writerow(  # names and labels come from the uploaded file: no formula runs in a spreadsheet
                spreadsheet_safe(value)
                for value in [
                    unit.building,
                    unit.entrance,
                    unit.room,
                    unit.kind,
                    format_area(unit.area_centi),
                    unit.area_source,
                    unit.status,
                    owner.name if owner else "",
                    decrypt(owner.id_number_cipher) if owner else "",
                    decrypt(owner.phone_cipher) if owner and owner.phone_cipher else "",
                    "是" if owner and owner.is_representative else "",
                    documents.NAMES.get(owner.id_type, owner.id_type) if owner else "",
                    owner.nationality if owner else "",
                    owner.agent_name if owner else "",
                    decrypt(owner.agent_id_cipher) if owner and owner.agent_id_cipher else "",
                    decrypt(owner.agent_phone_cipher) if owner and owner.agent_phone_cipher else "",
                ]
            )
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=roll-v{version.number}.csv"},
    )


# --- the public notice (公示): masked, reachable only through its unguessable link ---------------------------


def _published(token: str) -> tuple[RollVersion, Community]:
    version = db.session.scalar(select(RollVersion).where(RollVersion.notice_token == token))
    if version is None:
        abort(404)
    return version, db.session.get_one(Community, version.community_id)


@bp.get("/notices/roll/<token>")
def notice(token: str) -> Any:
    """The public notice of a roll version: units, areas, masked owners, the fingerprint; a notice superseded by a
    later published version says so first, with a link to it."""
    version, community = _published(token)
    return render_template(
        "roll/notice.html",
        version=version,
        superseded_by=queries.superseded_by(version),
        community=community,
        weights=queries.weights_of(version),
        units=version.units,
        mask_name=mask_name,
        mask_id_for_notice=mask_id_for_notice,
        mask_phone=mask_phone,
        decrypt=decrypt,
    )


@bp.get("/notices/roll/<token>.pdf")
def notice_pdf(token: str) -> Any:
    """The notice as a printable PDF in Chinese: the one kept, else its progress bar while a task makes it
    (app.roll.notice_jobs); after a failure, why, and a button to try again (``?again=1``)."""
    from app.jobs import ACTIVE, failure_words
    from app.roll import notice_jobs
    from app.roll.notice_pdf import CJK_FONT
    from app.web import error_response

    version, community = _published(token)
    if not CJK_FONT.exists():
        message = _("The printable notice needs the Chinese font (fonts-noto-cjk), which this server lacks.")
        return error_response(503, "font_missing", message)
    superseded_by = queries.superseded_by(version)
    job = notice_jobs.latest(version, superseded_by)
    if job is None or job.status in ACTIVE or (job.status == "failed" and request.args.get("again") == "1"):
        job = notice_jobs.request_pdf(version, superseded_by)
    if job.status == "done" and job.pdf is not None:
        return Response(
            job.pdf,
            mimetype="application/pdf",
            headers={"Content-Disposition": f"inline; filename=roll-notice-v{version.number}.pdf"},
        )
    page = render_template(
        "roll/notice_pdf_progress.html",
        version=version,
        community=community,
        job=job,
        failure=failure_words(job) if job.status == "failed" else None,
    )
    return page, 202 if job.status != "failed" else 200


@bp.get("/notices/roll/<token>.pdf/status")
def notice_pdf_status(token: str) -> Any:
    """The notice PDF's progress as JSON, for its progress bar (nothing about the roll itself)."""
    from app.roll import notice_jobs

    version, _community = _published(token)
    job = notice_jobs.latest(version, queries.superseded_by(version))
    if job is None:
        abort(404)
    return jsonify(status=job.status, progress=job.progress)
