"""/api/v1 owner roll: upload, import report, versions, weights, publish, freeze (the same services as the pages)."""

from __future__ import annotations

import functools
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint

from app import jobs
from app.api.common import check_api_auth
from app.api.schemas import (
    PublishSchema,
    RollImportSchema,
    RollVersionSchema,
    RollWeightsSchema,
)
from app.auth import permissions
from app.errors import DomainError, NotFound
from app.extensions import db
from app.roll import queries, services
from app.roll.models import RollImport, RollVersion
from app.roll.tasks import import_roll
from app.rules.areas import format_area

blp = Blueprint("api_roll", __name__, description="Owner roll (业主名册)")
blp.before_request(check_api_auth)


def _version(version_id: int) -> tuple[RollVersion, Any]:
    version = db.session.get(RollVersion, version_id)
    if version is None:
        raise NotFound("version_not_found", _l("No such roll version."))
    return version, permissions.get_community(current_user, version.community_id)


UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file", "reason"],
                "properties": {
                    "file": {"type": "string", "format": "binary", "description": "the roll, XLSX or CSV"},
                    "reason": {"type": "string", "minLength": 1, "maxLength": 500},
                },
            }
        }
    },
}


@blp.post("/communities/<id:community_id>/roll/imports")
@blp.doc(requestBody=UPLOAD_BODY)
@blp.response(202, RollImportSchema)
def upload(community_id: int) -> Any:
    """Upload a roll file (multipart: `file`, XLSX or CSV, and `reason`); poll the import for its report.

    The caller's right to the community is checked before the upload is read.
    """
    community = permissions.get_community(current_user, community_id)
    permissions.require_prepare_community(current_user, community)
    upload_file = request.files.get("file")
    if upload_file is None or not (upload_file.filename or "").lower().endswith((".xlsx", ".csv")):
        raise DomainError("unsupported_file", _l("Upload an XLSX or CSV file."), field="file")
    roll_import = services.start_import(
        community, upload_file.filename or "roll", upload_file.read(), request.form.get("reason", ""), current_user.id
    )
    import_id = roll_import.id
    db.session.commit()
    jobs.start_or_fail("roll_import", import_id, import_roll, import_id=import_id)  # not queued: failed, never pending
    db.session.expire_all()
    return db.session.get(RollImport, import_id)


def _import(import_id: int) -> RollImport:
    roll_import = db.session.get(RollImport, import_id)
    if roll_import is None:
        raise NotFound("import_not_found", _l("No such import."))
    community = permissions.get_community(current_user, roll_import.community_id)
    permissions.require_prepare_community(current_user, community)  # the report quotes the file's cells
    return roll_import


@blp.get("/roll/imports/<id:import_id>")
@blp.response(200, RollImportSchema)
def get_import(import_id: int) -> Any:
    """An import: its status, progress and report (every problem with row, column, value and code). One silent
    longer than JOB_SILENT_AFTER is failed here (`failure` "silent")."""
    roll_import = _import(import_id)
    jobs.reap_if_silent("roll_import", roll_import)
    return roll_import


@blp.post("/roll/imports/<id:import_id>/cancel")
@blp.response(200, RollImportSchema)
def cancel_import(import_id: int) -> Any:
    """Stop an import that has not ended: nothing is imported and its file is erased (`failure` "cancelled").
    409 `job_ended` once it has ended."""
    roll_import = _import(import_id)
    jobs.cancel("roll_import", roll_import)
    db.session.refresh(roll_import)
    return roll_import


@blp.get("/communities/<id:community_id>/roll/versions")
@blp.response(200, RollVersionSchema(many=True))
def list_versions(community_id: int) -> Any:
    """The community's roll versions, newest first."""
    return queries.versions_of(permissions.get_community(current_user, community_id))


@blp.get("/roll/versions/<id:version_id>")
@blp.response(200, RollVersionSchema)
def get_version(version_id: int) -> Any:
    """One roll version."""
    return _version(version_id)[0]


@blp.get("/roll/versions/<id:version_id>/weights")
@blp.response(200, RollWeightsSchema)
def get_weights(version_id: int) -> Any:
    """Total area and heads of the version, computed by the counting engine, and the merges behind them."""
    weights = queries.weights_of(_version(version_id)[0])
    return {
        "total_area": format_area(weights.total_area_centi),
        "total_heads": weights.total_heads,
        "units": weights.units,
        "developer_units": weights.developer_units,
        "owners_of_several_units": len(weights.several_units),
        "co_owned_units": len(weights.co_owned),
        "by_kind": weights.by_kind,
        "by_status": weights.by_status,
    }


def preparers_only(view: Any) -> Any:
    """Check the caller prepares the version's community before the request body is read (and validated)."""

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        permissions.require_prepare_community(current_user, _version(kwargs["version_id"])[1])
        return view(*args, **kwargs)

    return checked


@blp.post("/roll/versions/<id:version_id>/publish")
@preparers_only
@blp.arguments(PublishSchema)
@blp.response(200, RollVersionSchema)
def publish(data: dict[str, Any], version_id: int) -> Any:
    """Publish the version for objections from `starts_on`, for 5 working days."""
    version = _version(version_id)[0]
    services.publish_version(version, data["starts_on"], current_user.id)
    db.session.commit()
    return version


@blp.post("/roll/versions/<id:version_id>/freeze")
@blp.response(200, RollVersionSchema)
def freeze(version_id: int) -> Any:
    """Freeze the version for the meeting (after its notice period, every objection answered)."""
    version, community = _version(version_id)
    permissions.require_prepare_community(current_user, community)
    services.freeze_version(version, services.today(), current_user.id)
    db.session.commit()
    return version
