"""Voting's background work: the voters' letters, a batch at a time, and deleting letters nobody downloaded."""

from __future__ import annotations

from celery import shared_task

from app import jobs
from app.extensions import db
from app.voting import letter_batches


@shared_task(name="app.voting.tasks.make_letters", ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def make_letters(batch_id: int) -> None:
    """Make one batch of letters. Acknowledged when done and requeued if its worker dies: nothing is issued before
    the PDF exists, so a redelivered task starts the batch again; one that finds it ended does nothing."""
    jobs.run_task(letter_batches.run_batch, letter_batches.fail_batch, batch_id)


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

    jobs.run_task(reminders.run, reminders.fail, batch_id)
