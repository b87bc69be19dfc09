"""What every API endpoint shares: token authentication and turning scope errors into JSON."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.errors import DomainError


def check_api_auth() -> Any:
    """Refuse requests without a valid API token (401, JSON)."""
    if not current_user.is_authenticated:
        raise DomainError("unauthenticated", _l("Send a valid API token: Authorization: Bearer <token>."), status=401)
    return None
