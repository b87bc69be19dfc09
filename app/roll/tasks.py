"""The roll import as a background task (a 20,000-row file takes seconds; the page shows a progress bar)."""

from __future__ import annotations

from celery import shared_task

from app import jobs
from app.roll import services


@shared_task(name="app.roll.tasks.import_roll", ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def import_roll(import_id: int) -> None:
    """Run one import. Acknowledged when done and requeued if its worker dies: the version is stored in one
    transaction at the end, so a redelivered task starts the import again; one that finds it ended does nothing."""
    jobs.run_task(services.run_import, services.fail_import, import_id)


@shared_task(name="app.roll.tasks.build_notice_pdf", ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def build_notice_pdf(notice_pdf_id: int) -> None:
    """Make one roll notice's PDF (app.roll.notice_jobs). Requeued if its worker dies: the PDF is stored at the end
    in one transaction, so a redelivered task lays it out again; one that finds its job ended does nothing."""
    from app.roll import notice_jobs

    jobs.run_task(notice_jobs.build, notice_jobs.fail, notice_pdf_id)
