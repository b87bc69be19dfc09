"""Pages of the preparation: preparation."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("preparation", __name__)
