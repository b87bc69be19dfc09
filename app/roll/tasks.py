"""The roll import as a background task (a 20,000-row file takes seconds; the page shows a progress bar)."""

from __future__ import annotations

from celery import shared_task

from app.extensions import db
from app.roll import services


@shared_task(name="app.roll.tasks.import_roll", ignore_result=True)
def import_roll(import_id: int) -> None:
    """Run one import; a redelivered task finds it finished and does nothing."""
    try:
        services.run_import(import_id)
    except Exception:
        db.session.rollback()
        services.fail_import(import_id)
        raise
    finally:
        db.session.remove()
