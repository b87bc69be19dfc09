"""The history of a community's self-governance: one row per transition (the state itself is on Community)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class GovernanceEvent(db.Model):  # type: ignore[name-defined]
    """A transition of the state machine of app/rules/governance.py: what happened, from which state to which, on
    which day, why, and who decided (None: the system, e.g. a certification's consequence)."""

    __tablename__ = "governance_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    #: an event of app.rules.governance.EVENTS
    event: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    occurred_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(2000), default="")
    #: the certified result that caused it, when one did
    result_id: Mapped[int | None] = mapped_column(ForeignKey("results.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
