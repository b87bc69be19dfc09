"""Celery beat: the governance clocks' reminders (app/governance/reminders.py), hourly and idempotent."""

from __future__ import annotations

from celery import shared_task

from app.extensions import db
from app.governance import reminders
from app.roll.services import today


@shared_task(name="app.governance.tasks.send_governance_reminders")
def send_governance_reminders() -> int:
    try:
        written = reminders.send_reminders(today(), commit_each=True)
        db.session.commit()
        return written
    finally:
        db.session.remove()
