"""Reminders of the governance clocks, written by Celery beat (app/governance/reminders.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class GovernanceReminder(db.Model):  # type: ignore[name-defined]
    """One reminder of one clock (the committee's filing, its re-election, a township's order to correct a decision)
    for one due date and lead (7 days, 1 day, overdue): written at most once, shown on the community page."""

    __tablename__ = "governance_reminders"
    __table_args__ = (UniqueConstraint("community_id", "clock", "subject_id", "due_on", "lead"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    #: filing, re_election, correction
    clock: Mapped[str] = mapped_column(String(16))
    #: the body or the supervision order the clock belongs to
    subject_id: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    #: days before the due date (7, 1), or -1 for overdue
    lead: Mapped[int] = mapped_column(Integer)
    #: who must act: the committee (filing, correction) or the township (re-election group)
    addressee: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
