"""Background jobs that finish or fail, never hang (issue 18 items 1 and 2; docs/deploy.md "What fails when").

Five kinds of work run in the Celery worker behind a progress bar: a batch of letters, a roll import, a round of SMS
reminders, a count and a roll notice's PDF. Each has a row with a status (pending → running → done or failed) and a
**heartbeat** (`heartbeat_at`, set with every move of its progress bar). This module keeps them honest:

- a job whose heartbeat (or, before its first, its creation) is older than ``JOB_SILENT_AFTER`` seconds is failed as
  "silent": its worker died, or its task was lost. Checked by beat every minute (`reap`), when its page is opened,
  and before a new job of the same kind starts (so a dead one never blocks the next);
- a job can be cancelled from its page ("cancelled"); a task still running notices at its next progress step;
- a task that raises fails its job ("error"), and a job whose task could not be queued (the broker down) is failed
  at once ("not_started"), so that no pending row waits for a task that will never come (`start_or_fail`).

Failing is each kind's own function (what it undoes differs: a count gives its meeting back, an import erases its
file, letters issue nothing), registered in `kinds`. The tasks whose work is idempotent are acknowledged late and
requeued when their worker is lost (`app.voting.tasks`, `app.roll.tasks`, `app.results.tasks`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery import shared_task
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from app.celery_app import enqueue
from app.db_types import utcnow
from app.extensions import db

log = logging.getLogger(__name__)

ACTIVE = ("pending", "running")
#: why a job failed, as its page says it
FAILURES: dict[str, Any] = {
    "error": _l("It stopped on an unexpected error."),
    "silent": _l("It stopped answering: its worker was probably restarted."),
    "cancelled": _l("It was cancelled."),
    "not_started": _l("It could not be started: the task queue is not reachable. Try again in a few minutes."),
}


class Cancelled(Exception):
    """Raised inside a task whose job was cancelled or failed meanwhile: the task stops and changes nothing more."""


def run_task(work: Callable[[int], object], fail: Callable[[int], object], job_id: int) -> None:
    """The body of a job's Celery task: ``work(job_id)``. A job cancelled or failed meanwhile (`Cancelled`) stays as it
    was marked; any other error fails the job (``fail(job_id)``) and is raised for the worker's log; the session is
    removed either way."""
    try:
        work(job_id)
    except Cancelled:
        db.session.rollback()
    except Exception:
        db.session.rollback()
        fail(job_id)
        raise
    finally:
        db.session.remove()


@dataclass(frozen=True)
class Kind:
    name: str
    model: Any
    #: fails one job of this kind with a reason (a key of FAILURES): marks it, undoes what must be undone, audits,
    #: commits; does nothing to a job that has ended
    fail: Callable[[int, str], None]


def kinds() -> dict[str, Kind]:
    """Every kind of background job (imported here, not at module level: they import this module)."""
    from app.results import count_runs
    from app.results.models import CountRun
    from app.roll import notice_jobs
    from app.roll import services as roll_services
    from app.roll.models import RollImport, RollNoticePdf
    from app.voting import letter_batches, reminders
    from app.voting.reminder_models import ReminderBatch

    found = [
        Kind("letters", letter_batches.LetterBatch, letter_batches.fail_batch),
        Kind("roll_import", RollImport, roll_services.fail_import),
        Kind("reminders", ReminderBatch, reminders.fail),
        Kind("count", CountRun, count_runs.fail),
        Kind(notice_jobs.KIND, RollNoticePdf, notice_jobs.fail),
    ]
    return {kind.name: kind for kind in found}


def silent_after() -> timedelta:
    return timedelta(seconds=int(current_app.config["JOB_SILENT_AFTER"]))


def beat(job: Any) -> None:
    """The job shows progress: its heartbeat is now (the caller commits it with the progress)."""
    job.heartbeat_at = utcnow()


def still_running(job: Any) -> None:
    """At a progress step of a task: reload the job's status; raise `Cancelled` if it was failed meanwhile (its page's
    cancel button, or the reaper), so that the task stops instead of overwriting that."""
    db.session.refresh(job, attribute_names=["status"])
    if job.status not in ACTIVE:
        raise Cancelled(f"{type(job).__name__} {job.id} is {job.status}")


def is_silent(job: Any, now: datetime | None = None) -> bool:
    last = job.heartbeat_at or job.created_at
    return job.status in ACTIVE and last < (now or utcnow()) - silent_after()


def reap(now: datetime | None = None) -> list[tuple[str, int]]:
    """Fail every job silent longer than JOB_SILENT_AFTER; the (kind, id) of each."""
    limit = (now or utcnow()) - silent_after()
    failed = []
    for kind in kinds().values():
        model = kind.model
        silent = select(model.id).where(
            model.status.in_(ACTIVE),
            or_(model.heartbeat_at < limit, (model.heartbeat_at.is_(None)) & (model.created_at < limit)),
        )
        for job_id in list(db.session.scalars(silent)):
            kind.fail(job_id, "silent")
            failed.append((kind.name, job_id))
    if failed:
        log.warning("failed silent background jobs: %s", failed)
    return failed


def reap_if_silent(kind: str, job: Any) -> bool:
    """On a job's page: fail it if it is silent, and reload it so that the page shows why; whether it was."""
    if not is_silent(job):
        return False
    kinds()[kind].fail(job.id, "silent")
    db.session.refresh(job)
    return True


def cancel(kind: str, job: Any) -> None:
    """Cancel a job that has not ended (its page's button); 409 once it has."""
    from app.errors import DomainError

    if job.status not in ACTIVE:
        raise DomainError("job_ended", _l("This work has ended already."), status=409)
    kinds()[kind].fail(job.id, "cancelled")


def start_or_fail(kind: str, job_id: int, task: Any, **kwargs: Any) -> bool:
    """Queue the job's task after its row was committed; if the queue is not reachable, fail the job at once as
    "not_started" (and say so on its page) rather than leave it pending forever. Whether the task was queued."""
    try:
        enqueue(task, **kwargs)
    except Exception:  # the broker's own errors are many (connection, timeout, DNS): none may leave the row pending
        log.exception("could not queue %s for %s %d", task.name, kind, job_id)
        db.session.rollback()
        kinds()[kind].fail(job_id, "not_started")
        return False
    return True


def failure_words(job: Any) -> str:
    """Why a failed job failed, in the user's language."""
    return str(FAILURES.get(job.failure or "error", FAILURES["error"]))


@shared_task(name="app.jobs.reap_silent_jobs")
def reap_silent_jobs() -> int:
    """Beat, every minute: fail the silent jobs; how many."""
    try:
        return len(reap())
    finally:
        db.session.remove()
