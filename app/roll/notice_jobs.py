"""The roll notice's PDF in the background (issue 21 item 6): a 20,000-unit notice takes tens of seconds to lay out,
more than a web request may hold a worker for, so the notice's "Printable PDF" link starts a task and shows its
progress bar; the PDF is kept, and served at once to everyone after (Shaoxing Art 10: the roll is publicly noticed).

One PDF per state of the notice (`RollNoticePdf`): the version, and the later version that superseded it if any
(the banner at its top). The link is public, like the notice: anyone holding it may start the one task of a state
that has none running or done; a failed one is retried on request ("try again"), never by the page's own refresh.
The task reports its progress every `notice_pdf.PROGRESS_EVERY` units, with a heartbeat (app.jobs: a silent or
cancelled job fails and the next request starts another). Audited in the community's chain: asked for, and made.
"""

from __future__ import annotations

from sqlalchemy import select

from app import jobs
from app.audit import services as audit
from app.communities.models import Community
from app.db_types import utcnow
from app.extensions import db
from app.roll import queries
from app.roll.models import RollNoticePdf, RollVersion

KIND = "roll_notice"


def latest(version: RollVersion, superseded_by: RollVersion | None) -> RollNoticePdf | None:
    """The latest PDF job of the notice in this state (done, running, or failed), or None."""
    column = RollNoticePdf.superseded_by_id
    state = column.is_(None) if superseded_by is None else column == superseded_by.id
    return db.session.scalars(
        select(RollNoticePdf)
        .where(RollNoticePdf.roll_version_id == version.id, state)
        .order_by(RollNoticePdf.id.desc())
        .limit(1)
    ).first()


def request_pdf(version: RollVersion, superseded_by: RollVersion | None) -> RollNoticePdf:
    """The notice's PDF job: the one done or running, else a new one queued (a silent one is failed first)."""
    from app.roll.tasks import build_notice_pdf

    found = latest(version, superseded_by)
    if found is not None and found.status in jobs.ACTIVE:
        jobs.reap_if_silent(KIND, found)
    if found is not None and found.status in ("done", *jobs.ACTIVE):
        return found
    job = RollNoticePdf(roll_version_id=version.id, superseded_by_id=superseded_by.id if superseded_by else None)
    db.session.add(job)
    db.session.flush()
    _audit(version, "roll_notice_pdf.requested", job)
    db.session.commit()
    jobs.start_or_fail(KIND, job.id, build_notice_pdf, notice_pdf_id=job.id)
    db.session.refresh(job)  # Celery's eager mode (the demo) has made it already
    return job


def build(job_id: int) -> None:
    """The task's work: lay the notice out, moving the progress bar, and keep the PDF (one that ended: nothing)."""
    from app.roll.notice_pdf import roll_notice_pdf

    job = db.session.get(RollNoticePdf, job_id)
    if job is None or job.status not in jobs.ACTIVE:
        return
    job.status = "running"
    jobs.beat(job)
    db.session.commit()
    version = db.session.get_one(RollVersion, job.roll_version_id)
    superseded_by = db.session.get(RollVersion, job.superseded_by_id) if job.superseded_by_id else None
    community = db.session.get_one(Community, version.community_id)

    def progress(done: int, total: int) -> None:
        jobs.still_running(job)
        job.progress = min(99, done * 100 // max(total, 1))
        jobs.beat(job)
        db.session.commit()

    pdf = roll_notice_pdf(version, community, queries.weights_of(version), superseded_by, on_progress=progress)
    jobs.still_running(job)
    job.pdf, job.status, job.progress, job.finished_at = pdf, "done", 100, utcnow()
    _audit(version, "roll_notice_pdf.made", job, {"bytes": len(pdf)})
    db.session.commit()


def fail(job_id: int, reason: str = "error") -> None:
    """Fail a PDF job that has not ended (app.jobs.Kind.fail): nothing to undo; the next request starts another."""
    job = db.session.get(RollNoticePdf, job_id)
    if job is None or job.status not in jobs.ACTIVE:
        return
    job.status, job.failure, job.finished_at = "failed", reason, utcnow()
    _audit(db.session.get_one(RollVersion, job.roll_version_id), "roll_notice_pdf.failed", job, {"reason": reason})
    db.session.commit()


def _audit(version: RollVersion, action: str, job: RollNoticePdf, summary: dict[str, object] | None = None) -> None:
    community = db.session.get_one(Community, version.community_id)
    audit.record(
        action,
        "roll_notice_pdf",
        job.id,
        {"version": version.number, **(summary or {})},
        township_id=community.township_id,
        community_id=community.id,
    )
