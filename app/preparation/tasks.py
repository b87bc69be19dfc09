"""Celery beat: the preparation reminders (`app.preparation.progress.send_reminders`), hourly and idempotent."""

from __future__ import annotations

from celery import shared_task

from app.extensions import db
from app.preparation.progress import send_reminders


@shared_task(name="app.preparation.tasks.send_preparation_reminders")
def send_preparation_reminders() -> int:
    """Write the reminders due today and commit; returns how many were written."""
    try:
        written = send_reminders(commit_each=True)
        db.session.commit()
        return written
    finally:
        db.session.remove()
