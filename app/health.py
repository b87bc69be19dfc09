"""What the app depends on, and whether each answers (issue 18 item 6; docs/deploy.md "What fails when").

Used by /healthz: the database (a `SELECT 1`), the rate-limit storage and the task broker (Redis in production),
each checked with a short timeout so that the check itself never hangs.
"""

from __future__ import annotations

import socket
import threading
from typing import Any
from urllib.parse import urlparse

from flask import current_app
from sqlalchemy import text

from app.extensions import db

TIMEOUT_S = 2.0


def _database() -> str:
    """`SELECT 1` on a connection of its own in a thread, waited for at most TIMEOUT_S: a frozen server (which
    accepts connections and answers nothing) must not hang the check."""
    engine = db.engine
    answer: list[str] = []

    def ask() -> None:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            answer.append("ok")
        except Exception:
            answer.append("down")

    thread = threading.Thread(target=ask, name="healthz-database", daemon=True)
    thread.start()
    thread.join(TIMEOUT_S)
    return answer[0] if answer else "down"


def _reachable(url: str) -> str:
    """A Redis or AMQP URL: whether its host accepts a connection (in-memory and eager setups: not used)."""
    parsed = urlparse(url)
    if parsed.scheme not in ("redis", "rediss", "amqp", "amqps") or not parsed.hostname:
        return "not used"
    default = {"redis": 6379, "rediss": 6379, "amqp": 5672, "amqps": 5671}[parsed.scheme]
    try:
        with socket.create_connection((parsed.hostname, parsed.port or default), timeout=TIMEOUT_S):
            return "ok"
    except OSError:
        return "down"


def dependencies() -> dict[str, Any]:
    config = current_app.config
    eager = bool(config["CELERY"].get("task_always_eager"))
    return {
        "database": _database(),
        "ratelimit_storage": _reachable(str(config.get("RATELIMIT_STORAGE_URI") or "")),
        "task_broker": "not used" if eager else _reachable(str(config["CELERY"].get("broker_url") or "")),
    }
