"""Pages of the preparation: notices."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("notices", __name__)
