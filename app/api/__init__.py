"""The JSON API under /api/v1 (flask-smorest), documented at /api/v1/openapi.json.

Authentication is a personal API token only (`Authorization: Bearer gjt_…`), or for the owners' own operations
(/api/v1/owner…, app.api.owners) an owner's token (`Bearer gjo_…`); browser session cookies are not accepted here,
so the API needs no CSRF token and cannot be driven by a forged page.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api

from app.api.schemas import ErrorSchema
from app.extensions import csrf


class GongjueApi(Api):  # type: ignore[misc]
    """flask-smorest's Api without its app-wide error handler (app.web renders JSON or HTML by path), documenting
    the error body that app.web really sends."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        return None


def register_api(app: Flask) -> None:
    from app.api import (
        accounts,
        audit,
        communities,
        dashboards,
        governance,
        owners,
        preparation,
        results,
        roll,
        townships,
        voting,
        voting_proxies,
    )
    from app.web import IdConverter

    api = GongjueApi(
        app,
        spec_kwargs={
            "info": {"description": "Gongjue: owners' assemblies and committee elections."},
            "components": {
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer", "description": "a staff API token (gjt_…)"},
                    "owner": {"type": "http", "scheme": "bearer", "description": "an owner's token (gjo_…)"},
                }
            },
            "security": [{"bearer": []}],
        },
    )
    api.register_converter(
        IdConverter, lambda converter: {"type": "integer", "minimum": converter.min, "maximum": converter.max}
    )
    for module in (
        accounts,
        townships,
        communities,
        audit,
        roll,
        preparation,
        voting,
        voting_proxies,
        results,
        governance,
        dashboards,
        owners,
    ):
        blueprint: Any = module.blp
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint, url_prefix="/api/v1")
    csrf.exempt(owners.staff_blp)
    api.register_blueprint(owners.staff_blp, url_prefix="/api/v1")
