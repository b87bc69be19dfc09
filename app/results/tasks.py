"""Celery beat: close the meetings whose voting window has ended (every minute; closing twice changes nothing)."""

from __future__ import annotations

from celery import shared_task

from app.extensions import db
from app.results import closing


@shared_task(name="app.results.tasks.close_due_meetings")
def close_due_meetings() -> list[int]:
    """The ids of the meetings closed now (none if they were closed already)."""
    try:
        closed = closing.close_due()
        db.session.commit()
        return closed
    finally:
        db.session.remove()
