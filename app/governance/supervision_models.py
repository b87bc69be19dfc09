"""The township's supervision of a committee or property management committee (the city policy's item 15; the
Hangzhou regulations, Arts 40 and 80, say the same of property management committees and committees): orders to
correct a decision by a date, revocations of a decision with their public notice to the owners, and calls of a
temporary assembly meeting to re-elect a committee that seriously harms the owners' interests."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import db
from app.governance.body_models import GoverningBody


class SupervisionAction(db.Model):  # type: ignore[name-defined]
    """One act of the township on a community's governing body, kept as it was decided.

    - ``order`` (责令限期改正): the decision concerned, what is wrong with it (``findings``) and the day it must be
      corrected by (``due_on``); later ``complied`` (with a note) or, after a refusal, ``revoked``. Overdue is not
      stored: an open order past its day is overdue (app/governance/supervision.py, `order_state`).
    - ``revocation`` (撤销): the decision, what is wrong, the legal ground, optionally the order it was not corrected
      under, and the public notice to the owners (its text frozen with its SHA-256, behind an unguessable token).
    - ``re_election`` (组织召开临时业主大会会议重新选举): the reasons, and the governance transition it caused.
    """

    __tablename__ = "supervision_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    #: order, revocation or re_election
    kind: Mapped[str] = mapped_column(String(12))
    #: the committee or property management committee concerned (the one in office when the township acted)
    body_id: Mapped[int | None] = mapped_column(ForeignKey("governing_bodies.id", ondelete="SET NULL"))
    #: the day the township acted
    acted_on: Mapped[date] = mapped_column(Date)
    #: the decision concerned (orders and revocations), as the township identifies it, and the day it was made
    decision: Mapped[str] = mapped_column(String(500), default="")
    decision_on: Mapped[date | None] = mapped_column(Date)
    #: what is wrong with the decision; for a re-election call, how the committee seriously harms the owners
    findings: Mapped[str] = mapped_column(String(2000))
    #: the provisions a revoked decision breaks (law, regulation, rules of procedure, covenant)
    legal_ground: Mapped[str] = mapped_column(String(1000), default="")
    #: an order's last day to correct the decision
    due_on: Mapped[date | None] = mapped_column(Date)
    #: an order's outcome: open, complied or revoked; "recorded" for the other kinds
    status: Mapped[str] = mapped_column(String(10))
    resolved_on: Mapped[date | None] = mapped_column(Date)
    resolution_note: Mapped[str] = mapped_column(String(2000), default="")
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: a revocation of a decision its order was not corrected under
    order_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_actions.id", ondelete="SET NULL"))
    #: a re-election call's transition to re_election
    governance_event_id: Mapped[int | None] = mapped_column(ForeignKey("governance_events.id", ondelete="SET NULL"))
    #: a revocation's public notice: unguessable token of its page, its Chinese title and text as published, the
    #: text's SHA-256, and the last of its 5 working days (Shaoxing Art 9; None without the year's calendar)
    notice_token: Mapped[str | None] = mapped_column(String(32), unique=True)
    notice_title: Mapped[str] = mapped_column(String(200), default="")
    notice_body: Mapped[str] = mapped_column(Text, default="")
    notice_sha256: Mapped[str] = mapped_column(String(64), default="")
    notice_ends_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    body: Mapped[GoverningBody | None] = relationship()
    order: Mapped[SupervisionAction | None] = relationship(remote_side=[id])
