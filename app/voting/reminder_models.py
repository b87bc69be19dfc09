"""SMS reminders to the voters who have not voted yet, sent as a Celery batch with progress (issue 6 item 9)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class ReminderBatch(db.Model):  # type: ignore[name-defined]
    """One round of reminders: who had not voted when it started, how many were sent, how far it has got."""

    __tablename__ = "reminder_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    #: pending, running, done or failed
    status: Mapped[str] = mapped_column(String(8), default="pending")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    #: voters without a ballot when the batch ran; of them, those reminded and those without a phone on the roll
    to_remind: Mapped[int] = mapped_column(Integer, default=0)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    without_phone: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: when the job last showed progress (its heartbeat): a job silent too long is failed (app.jobs)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: why it failed (app.jobs.FAILURES: error, silent, cancelled, not_started), None otherwise
    failure: Mapped[str | None] = mapped_column(String(16))
