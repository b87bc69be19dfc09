"""What a body publishes for the owners to consult (Shaoxing Art 23), and its decisions with the 3-day clock of
Shaoxing Art 21 ¶3 (业主委员会应当在作出决定之日起三日内将会议情况以及决定事项公示)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class Publication(db.Model):  # type: ignore[name-defined]
    """One item of a community's public record: a decision of its body (with the day it was made, so that the 3 days
    can be checked), or a document of the Art 23 list (rules, covenant, contracts, the maintenance fund's use, common
    income, expenses, contacts). Published items are public on the community's transparency page; a decision recorded
    but not yet published runs its clock. Nothing is deleted: a correction is a new item that replaces the old."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    body_id: Mapped[int | None] = mapped_column(ForeignKey("governing_bodies.id"), index=True)
    #: app.governance.transparency.CATEGORIES
    category: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    #: a decision: the day it was made (its 3 days run from the next day)
    decided_on: Mapped[date | None] = mapped_column(Date)
    published_on: Mapped[date | None] = mapped_column(Date)
    #: the item this one corrects, withdrawn from the page but kept
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("publications.id"))
    replaced: Mapped[bool] = mapped_column(default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
