"""The owner roll's workflow: import, publish for objections (公示), answer objections, correct, freeze.

Services flush; the request or the task commits. Every change is audited. A file with any error imports nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import jobs
from app.audit import services as audit
from app.calendar.services import current_calendar
from app.communities.models import Community
from app.db_types import SHANGHAI, utcnow
from app.errors import DomainError
from app.extensions import db
from app.privacy import mask_id_number, mask_phone
from app.roll.models import RollImport, RollObjection, RollUnit, RollVersion
from app.roll.versions import create_version, latest_version
from app.rules.calendar import CalendarMissing, notice_end, notice_served
from app.text import required_text

#: the notice period of a roll (Shaoxing Art 9: a public notice stays up at least 5 working days)
NOTICE_WORKING_DAYS = 5


def today() -> date:
    """Today in the communities' time zone (notice periods are counted in days there)."""
    return datetime.now(SHANGHAI).date()


def _scope(community_id: int) -> dict[str, Any]:
    community = db.session.get(Community, community_id)
    return {"township_id": community.township_id if community else 0, "community_id": community_id}


# --- import ---------------------------------------------------------------------------------------------------


def start_import(community: Community, filename: str, data: bytes, reason: str, author_id: int | None) -> RollImport:
    """Keep an uploaded roll file for the import task (which the caller enqueues after committing)."""
    if not data:
        raise DomainError("empty_file", _l("The file is empty."), field="file")
    roll_import = RollImport(
        community_id=community.id,
        author_id=author_id,
        filename=(filename or "roll")[:200],
        file_sha256=hashlib.sha256(data).hexdigest(),
        file_data=data,
        reason=required_text(reason, "reason", 500),
    )
    db.session.add(roll_import)
    db.session.flush()
    audit.record(
        "roll.import_start",
        "roll_import",
        roll_import.id,
        {"filename": roll_import.filename, "sha256": roll_import.file_sha256, "bytes": len(data)},
        **_scope(community.id),
    )
    return roll_import


def _both_languages(message: Any) -> dict[str, str]:
    texts = {}
    for locale in ("zh_CN", "en"):
        with force_locale(locale):
            texts[locale] = str(message)
    return texts


def _shown_value(problem: Any) -> str:
    """The cell as the report keeps it: ID and phone numbers masked (reports outlive the import)."""
    value = str(problem.value)[:100]
    field = getattr(problem, "field", "") or ""
    if "id_number" in field:
        return mask_id_number(value)
    if "phone" in field:
        return mask_phone(value)
    return value


def _problem_record(problem: Any) -> dict[str, Any]:
    return {
        "row": problem.row,
        "column": problem.column,
        "value": _shown_value(problem),
        "code": problem.code,
        "message": _both_languages(problem.message),
    }


def _set_progress(roll_import: RollImport, status: str, progress: int) -> None:
    """Move the progress bar (and the heartbeat) and commit; `Cancelled` if the import was failed meanwhile."""
    jobs.still_running(roll_import)
    roll_import.status = status
    roll_import.progress = progress
    jobs.beat(roll_import)
    db.session.commit()


def run_import(import_id: int) -> RollImport | None:
    """Read, check and (when the file has no error) store the roll as a new version, in one transaction.

    Commits its progress (the task's own session), so that the page's progress bar moves: 10% reading,
    50% checked, 100% stored or failed. The file is dropped once processed: it holds personal data in clear.
    """
    from app.roll.parsing import RollFileError, read_roll_file
    from app.roll.validation import validate_roll

    roll_import = db.session.get(RollImport, import_id)
    if roll_import is None or roll_import.status in ("done", "failed"):
        return roll_import  # a redelivered task: nothing to do
    _set_progress(roll_import, "running", 10)
    report: dict[str, Any]
    try:
        table = read_roll_file(roll_import.filename, roll_import.file_data or b"")
    except RollFileError as error:
        report = {"rows_read": 0, "errors": [_problem_record(_FileProblem(error))], "warnings": []}
        return _finish(roll_import, "failed", report)
    checked = validate_roll(table)
    report = {
        "rows_read": checked.rows_read,
        "errors": [_problem_record(p) for p in checked.errors],
        "warnings": [_problem_record(p) for p in checked.warnings],
    }
    _set_progress(roll_import, "running", 50)
    if checked.errors:
        return _finish(roll_import, "failed", report)
    community = db.session.get_one(Community, roll_import.community_id)
    version = create_version(community, checked.units, roll_import.reason, roll_import.author_id, "import")
    roll_import.roll_version_id = version.id
    report["units"] = len(checked.units)
    return _finish(roll_import, "done", report)


def fail_import(import_id: int, reason: str = "error") -> None:
    """Mark an import that crashed, went silent or was cancelled as failed (``reason``: app.jobs.FAILURES) and erase
    its file (it holds personal data in clear); nothing was imported."""
    roll_import = db.session.get(RollImport, import_id)
    if roll_import is None or roll_import.status in ("done", "failed"):
        return
    roll_import.failure = reason
    error = DomainError("import_crashed", _l("The import stopped on an unexpected error; nothing was imported."))
    _finish(roll_import, "failed", {"rows_read": 0, "errors": [_problem_record(_FileProblem(error))], "warnings": []})


class _FileProblem:
    """A file that cannot be read at all, reported like a row problem (row 0)."""

    def __init__(self, error: Any):
        self.row, self.column, self.value = 0, "", ""
        self.code, self.message = error.code, error.message


def _finish(roll_import: RollImport, status: str, report: dict[str, Any]) -> RollImport:
    """End the import, however it ends, and erase its file."""
    roll_import.status = status
    roll_import.progress = 100
    roll_import.report = report
    roll_import.file_data = None
    roll_import.finished_at = utcnow()
    audit.record(
        "roll.import_" + status,
        "roll_import",
        roll_import.id,
        {
            "rows": report.get("rows_read", 0),
            "errors": len(report.get("errors", [])),
            "warnings": len(report.get("warnings", [])),
            "roll_version_id": roll_import.roll_version_id,
        },
        **_scope(roll_import.community_id),
    )
    db.session.commit()
    return roll_import


# --- publication, objections, corrections, freezing -------------------------------------------------------


def _calendar_error(error: CalendarMissing) -> DomainError:
    return DomainError(
        "calendar_missing",
        _l("There is no holiday calendar for %(year)d yet, so working days cannot be counted.", year=error.year),
    )


def _require_latest(version: RollVersion) -> None:
    community = db.session.get(Community, version.community_id)
    latest = latest_version(community) if community else None
    if latest is None or latest.id != version.id:
        raise DomainError(
            "not_latest_version", _l("A newer version of this roll exists; work on that one."), status=409
        )


def publish_version(version: RollVersion, starts_on: date, user_id: int | None) -> RollVersion:
    """Publish a version for objections (公示) from `starts_on` for 5 working days (Shaoxing Art 9).

    `starts_on` may lie in the past: a notice is often posted on paper first and recorded here afterwards. The
    audit event keeps both the day claimed and the day it was recorded.
    """
    _require_latest(version)
    if version.published_at is not None:
        raise DomainError("already_published", _l("This version has been published already."), status=409)
    try:
        ends_on = notice_end(current_calendar(), starts_on, NOTICE_WORKING_DAYS)
    except CalendarMissing as error:
        raise _calendar_error(error) from error
    version.notice_starts_on, version.notice_ends_on = starts_on, ends_on
    version.notice_token = secrets.token_urlsafe(16)
    version.published_at, version.published_by_id = utcnow(), user_id
    db.session.flush()
    audit.record(
        "roll.publish",
        "roll_version",
        version.id,
        {"number": version.number, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
        **_scope(version.community_id),
    )
    return version


def open_objections(version: RollVersion) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(RollObjection)
            .where(RollObjection.roll_version_id == version.id, RollObjection.status == "open")
        )
        or 0
    )


def record_objection(
    version: RollVersion, unit_label: str, objector_name: str, description: str, user_id: int | None
) -> RollObjection:
    """Record an owner's objection to a published version (staff enter it for the owner)."""
    if version.published_at is None:
        raise DomainError("not_published", _l("Objections are recorded against a published version."), status=409)
    if version.frozen_at is not None:
        raise DomainError("already_frozen", _l("This version is frozen already."), status=409)
    objection = RollObjection(
        roll_version_id=version.id,
        unit_label=required_text(unit_label, "unit_label", 100),
        objector_name=required_text(objector_name, "objector_name", 64),
        description=required_text(description, "description", 2000, multiline=True),
        recorded_by_id=user_id,
    )
    db.session.add(objection)
    db.session.flush()
    audit.record(
        "roll.objection_record",
        "roll_objection",
        objection.id,
        {"version": version.number, "unit": objection.unit_label},
        **_scope(version.community_id),
    )
    return objection


def _answer(objection: RollObjection, status: str, answer: str, user_id: int | None) -> None:
    if objection.status != "open":
        raise DomainError("objection_answered", _l("This objection has been answered already."), status=409)
    objection.status = status
    objection.answer = required_text(answer, "answer", 2000)
    objection.answered_by_id, objection.answered_at = user_id, utcnow()


def reject_objection(objection: RollObjection, answer: str, user_id: int | None) -> RollObjection:
    """Reject an objection, giving the reason (it stays on record with the version)."""
    _answer(objection, "rejected", answer, user_id)
    version = db.session.get(RollVersion, objection.roll_version_id)
    db.session.flush()
    audit.record(
        "roll.objection_reject",
        "roll_objection",
        objection.id,
        {"unit": objection.unit_label},
        **_scope(version.community_id if version else 0),
    )
    return objection


def accept_objection(
    objection: RollObjection, answer: str, unit_id: int, area_text: str, status: str, user_id: int | None
) -> RollVersion:
    """Accept an objection by correcting one unit's area or status: a new version is made (and must be published
    again before it can be frozen)."""
    from app.roll.corrections import corrected_version

    version = db.session.get(RollVersion, objection.roll_version_id)
    if version is None:
        raise DomainError("version_not_found", _l("No such roll version."), status=404)
    _require_latest(version)
    _answer(objection, "accepted", answer, user_id)
    new_version = corrected_version(version, unit_id, area_text, status, f"更正：{objection.answer}"[:500], user_id)
    objection.correction_version_id = new_version.id
    db.session.flush()
    audit.record(
        "roll.objection_accept",
        "roll_objection",
        objection.id,
        {"unit": objection.unit_label, "correction_version": new_version.number},
        **_scope(version.community_id),
    )
    return new_version


def freeze_version(version: RollVersion, today: date, user_id: int | None) -> RollVersion:
    """Freeze a published version whose notice period is over and whose objections are all answered."""
    _require_latest(version)
    if version.frozen_at is not None:
        raise DomainError("already_frozen", _l("This version is frozen already."), status=409)
    if version.published_at is None or version.notice_starts_on is None:
        raise DomainError("not_published", _l("Publish the version and let its notice period run first."), status=409)
    try:
        served = notice_served(current_calendar(), version.notice_starts_on, today, NOTICE_WORKING_DAYS)
    except CalendarMissing as error:
        raise _calendar_error(error) from error
    if not served:
        raise DomainError(
            "notice_running",
            _l("The notice period runs until %(day)s; the roll can be frozen after it.", day=version.notice_ends_on),
            status=409,
        )
    if open_objections(version):
        raise DomainError("objections_open", _l("Answer every objection before freezing the roll."), status=409)
    version.frozen_at, version.frozen_by_id = utcnow(), user_id
    db.session.flush()
    audit.record(
        "roll.freeze",
        "roll_version",
        version.id,
        {"number": version.number, "fingerprint": version.fingerprint},
        **_scope(version.community_id),
    )
    return version


def units_of(version: RollVersion) -> list[RollUnit]:
    return list(version.units)
