"""SMS reminders to the voters who have not voted yet (issue 6 item 9), a Celery batch with a progress bar.

The message names the community, the meeting and the close, and points to the letter; it carries no link (a link's
token exists in clear only in the voter's letter). Voters without a phone on the roll are counted, so that the
group can knock on their doors instead. Only while voting is open; one batch at a time per meeting.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import jobs
from app.audit import services as audit
from app.communities.models import Community
from app.db_types import SHANGHAI, utcnow
from app.errors import DomainError
from app.extensions import db
from app.privacy import decrypt
from app.voting.meetings import window_state
from app.voting.models import Ballot, Meeting, MeetingVoter
from app.voting.reminder_models import ReminderBatch
from app.voting.sms import sms_backend

#: progress is committed this many times over a batch
PROGRESS_STEPS = 20


def _scope(meeting: Meeting) -> dict[str, Any]:
    community = db.session.get_one(Community, meeting.community_id)
    return {"township_id": community.township_id, "community_id": community.id}


def not_voted(meeting: Meeting) -> list[MeetingVoter]:
    """The meeting's voters without a ballot, in roll order."""
    voted = select(Ballot.meeting_voter_id).where(Ballot.meeting_id == meeting.id)
    return list(
        db.session.scalars(
            select(MeetingVoter)
            .where(MeetingVoter.meeting_id == meeting.id, MeetingVoter.id.not_in(voted))
            .order_by(MeetingVoter.id)
        )
    )


def message(meeting: Meeting) -> str:
    community = db.session.get_one(Community, meeting.community_id)
    closes = meeting.closes_at.astimezone(SHANGHAI).strftime("%m月%d日%H:%M")
    return (
        f"【共决】{community.name}业主：{meeting.title}正在表决，{closes}截止。"
        "请扫描表决通知书上的二维码投票；未收到通知书的，请联系筹备组。"
    )


def start(meeting: Meeting, user_id: int | None) -> ReminderBatch:
    """A new batch (the caller commits, then enqueues `app.voting.tasks.send_reminders`)."""
    if window_state(meeting) != "open":
        raise DomainError("window_closed", _l("Reminders are sent while voting is open."), status=409)
    running = db.session.scalar(
        select(ReminderBatch.id).where(
            ReminderBatch.meeting_id == meeting.id, ReminderBatch.status.in_(("pending", "running"))
        )
    )
    if running is not None:
        raise DomainError("reminders_running", _l("A round of reminders is being sent already."), status=409)
    batch = ReminderBatch(meeting_id=meeting.id, created_by_id=user_id)
    db.session.add(batch)
    db.session.flush()
    audit.record("reminders.start", "reminder_batch", batch.id, {"meeting": meeting.id}, **_scope(meeting))
    return batch


def run(batch_id: int) -> ReminderBatch | None:
    """Send the batch (the task's body), committing as the progress bar moves; a finished batch is left alone."""
    batch = db.session.get(ReminderBatch, batch_id)
    if batch is None or batch.status in ("done", "failed"):
        return batch
    meeting = db.session.get_one(Meeting, batch.meeting_id)
    voters = not_voted(meeting)
    batch.status, batch.to_remind, batch.progress = "running", len(voters), 1
    jobs.beat(batch)
    db.session.commit()
    backend, body = sms_backend(), message(meeting)
    step = max(1, -(-len(voters) // PROGRESS_STEPS))
    for number, voter in enumerate(voters, start=1):
        if voter.phone_cipher is None:
            batch.without_phone += 1
        else:
            try:  # one number the provider refuses, or over its hourly limit, does not stop the round
                with db.session.begin_nested():
                    backend.send(meeting.id, decrypt(voter.phone_cipher), body)
                batch.sent += 1
            except DomainError:
                pass
        if number % step == 0:
            jobs.still_running(batch)  # cancelled: stop sending
            batch.progress = min(99, number * 100 // len(voters))
            jobs.beat(batch)
            db.session.commit()
    batch.status, batch.progress, batch.finished_at = "done", 100, utcnow()
    audit.record(
        "reminders.done",
        "reminder_batch",
        batch.id,
        {"meeting": meeting.id, "to_remind": batch.to_remind, "sent": batch.sent, "without_phone": batch.without_phone},
        actor_label="worker",
        **_scope(meeting),
    )
    db.session.commit()
    return batch


def fail(batch_id: int, reason: str = "error") -> None:
    """Mark a round that crashed, went silent or was cancelled as failed (``reason``: app.jobs.FAILURES); the
    messages sent before stay sent (a round is not resent by itself: staff start a new one). Audited."""
    batch = db.session.get(ReminderBatch, batch_id)
    if batch is None or batch.status in ("done", "failed"):
        return
    batch.status, batch.failure, batch.finished_at = "failed", reason, utcnow()
    meeting = db.session.get_one(Meeting, batch.meeting_id)
    audit.record(
        "reminders.failed", "reminder_batch", batch.id, {"meeting": meeting.id, "reason": reason}, **_scope(meeting)
    )
    db.session.commit()
