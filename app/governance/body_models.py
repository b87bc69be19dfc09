"""The bodies that act for the owners between meetings: the owners' committee (业主委员会) and the property
management committee (物业管理委员会), with their members (DOMAIN §7; Shaoxing Arts 16–19, 24)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class GoverningBody(db.Model):  # type: ignore[name-defined]
    """An owners' committee elected by a certified election, or a property management committee converted from the
    preparatory group by the township. One is in office per community at a time (``dissolved_on`` is None)."""

    __tablename__ = "governing_bodies"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    #: committee, pmc or re_election_group
    kind: Mapped[str] = mapped_column(String(20))
    #: the day the body took office (a committee: its result's certification; a pmc: the township's conversion)
    formed_on: Mapped[date] = mapped_column(Date)
    #: a committee: the day its election's vote closed; its term and its filing clock run from it (Shaoxing Art 19:
    #: 自选举产生之日起三十日内备案; DOMAIN §5), not from the certification
    elected_on: Mapped[date | None] = mapped_column(Date)
    #: the certified election that elected a committee
    result_id: Mapped[int | None] = mapped_column(ForeignKey("results.id", ondelete="SET NULL"))
    #: the preparatory group a property management committee was converted from
    group_id: Mapped[int | None] = mapped_column(ForeignKey("preparatory_groups.id", ondelete="SET NULL"))
    #: a committee's seats (the election's), and its term in years (3 to 5, from the rules of procedure)
    seats: Mapped[int] = mapped_column(Integer, default=0)
    term_years: Mapped[int | None] = mapped_column(Integer)
    term_ends_on: Mapped[date | None] = mapped_column(Date)
    #: filing (备案) with the county housing authority, due within 30 days of the election (Art 17)
    filed_on: Mapped[date | None] = mapped_column(Date)
    filing_certificate_on: Mapped[date | None] = mapped_column(Date)
    #: the documents filed: [{"name": …, "sha256": …}]
    filing_documents: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: what a property management committee was charged with when converted (Art 16 ¶3)
    duties: Mapped[str] = mapped_column(String(2000), default="")
    dissolved_on: Mapped[date | None] = mapped_column(Date)
    dissolved_reason: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    members: Mapped[list[BodyMember]] = relationship(
        back_populates="body", cascade="all, delete-orphan", order_by="BodyMember.rank"
    )


class BodyMember(db.Model):  # type: ignore[name-defined]
    """A member or alternate of a governing body. Alternates move up in vote order (``rank``) when a member leaves."""

    __tablename__ = "body_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("governing_bodies.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    #: the candidate they stood as (a committee's members), for the declarations (party member, deputy)
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidates.id", ondelete="SET NULL"))
    #: member or alternate
    seat: Mapped[str] = mapped_column(String(10))
    #: the order of the election's ranking (alternates move up in this order); the group's order for a pmc
    rank: Mapped[int] = mapped_column(Integer)
    #: chair, vice_chair or None, chosen at the committee's first meeting
    office: Mapped[str | None] = mapped_column(String(10))
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    #: resigned, lost_ownership, arrears (after a written demand, DOMAIN §6), removed, other
    left_reason: Mapped[str | None] = mapped_column(String(16))
    left_note: Mapped[str] = mapped_column(String(500), default="")

    body: Mapped[GoverningBody] = relationship(back_populates="members")
