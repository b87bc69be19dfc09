"""Gongjue (共决): owners' assemblies and owners' committee elections.

This package file imports nothing heavy, so that the pure `app.rules` can be imported (by the offline
verifier, `gongjue tally`, the tests) without Flask or SQLAlchemy. The factory lives in app.factory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the web application (see app.factory.create_app)."""
    from app.factory import create_app as build

    return build(config)
