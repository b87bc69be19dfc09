"""Voting's background work: the voters' letters, a batch at a time, and deleting letters nobody downloaded."""

from __future__ import annotations

from celery import shared_task

from app.extensions import db
from app.voting import letter_batches


@shared_task(name="app.voting.tasks.make_letters", ignore_result=True)
def make_letters(batch_id: int) -> None:
    """Make one batch of letters; a redelivered task finds it finished and does nothing."""
    try:
        letter_batches.run_batch(batch_id)
    except Exception:
        db.session.rollback()
        letter_batches.fail_batch(batch_id)
        raise
    finally:
        db.session.remove()


@shared_task(name="app.voting.tasks.purge_expired_letters")
def purge_expired_letters() -> int:
    """Delete the letters kept 24 hours without a download (for beat, hourly); returns how many were deleted."""
    try:
        deleted = letter_batches.purge_expired()
        db.session.commit()
        return deleted
    finally:
        db.session.remove()


@shared_task(name="app.voting.tasks.send_reminders", ignore_result=True)
def send_reminders(batch_id: int) -> None:
    """Send one round of SMS reminders to the voters who have not voted; a redelivered task does nothing."""
    from app.voting import reminders

    try:
        reminders.run(batch_id)
    except Exception:
        db.session.rollback()
        reminders.fail(batch_id)
        raise
    finally:
        db.session.remove()
