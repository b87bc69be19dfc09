"""The results' background work: closing the meetings whose window has ended (beat, every minute; closing twice
changes nothing), and counting a closed meeting a chunk of ballots at a time (app.results.count_runs)."""

from __future__ import annotations

from celery import shared_task

from app.celery_app import enqueue
from app.extensions import db
from app.results import closing, count_runs


@shared_task(name="app.results.tasks.close_due_meetings")
def close_due_meetings() -> list[int]:
    """The ids of the meetings closed now (none if they were closed already)."""
    try:
        closed = closing.close_due()
        db.session.commit()
        return closed
    finally:
        db.session.remove()


def _failing(run_id: int) -> None:
    """The run fails as "error"; the worker's log has the error whole (its message may quote data)."""
    db.session.rollback()
    count_runs.fail(run_id)


@shared_task(name="app.results.tasks.count_meeting", ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def count_meeting(run_id: int) -> None:
    """Start a count run: one task per chunk of ballots (a redelivered task finds the run started, does nothing)."""
    try:
        positions = count_runs.plan(run_id)
    except Exception:
        _failing(run_id)
        raise
    finally:
        db.session.remove()
    for position in positions:
        enqueue(count_chunk, run_id=run_id, position=position)  # a redelivered start queues what is missing


@shared_task(name="app.results.tasks.count_chunk", ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def count_chunk(run_id: int, position: int) -> None:
    """Encrypt one chunk of a count's ballots; the last chunk finishes the package."""
    try:
        count_runs.run_chunk(run_id, position)
    except Exception:
        _failing(run_id)
        raise
    finally:
        db.session.remove()
