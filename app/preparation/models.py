"""Preparing the first assembly meeting: the preparatory group, its checklist, notices and candidates.

Shaoxing Property Management Regulations Arts 9–16 (group, checklist, notices, funding), 13, 17, 22 (candidates).
People are matched to the owner roll by the keyed hash of their ID number (`RollOwner.id_number_lookup`), which stays
the same across roll versions; the ID number itself is never stored here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class PreparatoryGroup(db.Model):  # type: ignore[name-defined]
    """One preparation of a community's first assembly meeting, from the report or application to the meeting.

    Created when the township records the developer's report or the owners' application (Shaoxing Art 11); formed
    when the township names its members (Art 12); dissolved when its term ran out (Art 16 ¶2), after which a new
    one (the next ``number``) may start.
    """

    __tablename__ = "preparatory_groups"
    __table_args__ = (UniqueConstraint("community_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    #: 1 for the first group of the community, 2 after a dissolution …
    number: Mapped[int] = mapped_column(Integer, default=1)
    #: developer_report (建设单位报告) or owners_application (业主申请)
    request_kind: Mapped[str] = mapped_column(String(24))
    requested_on: Mapped[date] = mapped_column(Date)
    formed_on: Mapped[date | None] = mapped_column(Date)
    #: the day the members' notice starts (Art 12 ¶2: within 3 days of formation)
    members_announced_on: Mapped[date | None] = mapped_column(Date)
    #: the first meeting failed to adopt the rules and covenant: the term runs 90 more days, once (Art 16 ¶2)
    extended_on: Mapped[date | None] = mapped_column(Date)
    #: the township confirmed a composition without a residents' committee member (Shaoxing Art 12 ¶1 names one)
    composition_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dissolved_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    members: Mapped[list[GroupMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="GroupMember.position"
    )
    plan: Mapped[MeetingPlan | None] = relationship(back_populates="group", cascade="all, delete-orphan")


class GroupMember(db.Model):  # type: ignore[name-defined]
    """A member of the preparatory group with their role (Shaoxing Art 12)."""

    __tablename__ = "preparatory_group_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("preparatory_groups.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(64))
    #: township, owner_representative, residents_committee, developer (app.rules.preparation.ROLES)
    role: Mapped[str] = mapped_column(String(24))
    is_leader: Mapped[bool] = mapped_column(Boolean, default=False)
    #: public contact (the members' notice lists it, Art 12 ¶2)
    contact: Mapped[str] = mapped_column(String(64), default="")
    #: for an owner representative: the keyed hash of their ID number and the units found on the roll
    owner_lookup: Mapped[str | None] = mapped_column(String(64))
    unit_labels: Mapped[str] = mapped_column(String(200), default="")

    group: Mapped[PreparatoryGroup] = relationship(back_populates="members")


class MeetingPlan(db.Model):  # type: ignore[name-defined]
    """The preparation checklist of Shaoxing Art 13 ¶1 (2)–(6), one per group: the meeting, the documents, the voting
    and election rules (the counting engine's settings), and the developer's funding (Art 15)."""

    __tablename__ = "meeting_plans"
    __table_args__ = (
        CheckConstraint("seats >= 5 AND seats <= 11", name="seats_range"),
        CheckConstraint("max_alternates >= 0", name="alternates_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("preparatory_groups.id", ondelete="CASCADE"), unique=True)
    #: the voting window (days in Asia/Shanghai); the meeting is "held" from its first day
    meeting_starts_on: Mapped[date | None] = mapped_column(Date)
    meeting_ends_on: Mapped[date | None] = mapped_column(Date)
    #: online, paper or both
    meeting_form: Mapped[str] = mapped_column(String(8), default="both")
    #: what the meeting decides, in the group's words
    meeting_content: Mapped[str] = mapped_column(Text, default="")
    #: the model texts' fields as the group filled them in, and the resulting (editable) texts
    rules_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rules_text: Mapped[str] = mapped_column(Text, default="")
    covenant_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    covenant_text: Mapped[str] = mapped_column(Text, default="")
    #: the voting rules: the counting engine's settings (app.rules.model.Settings)
    count_parking: Mapped[bool] = mapped_column(Boolean, default=True)
    blank_and_invalid_take_part: Mapped[bool] = mapped_column(Boolean, default=True)
    rank_by: Mapped[str] = mapped_column(String(16), default="heads,area")
    #: the election rules
    seats: Mapped[int] = mapped_column(Integer, default=7)
    max_alternates: Mapped[int] = mapped_column(Integer, default=3)
    min_committee_members: Mapped[int] = mapped_column(Integer, default=5)
    #: whether unpaid fees after a written demand bar a candidacy: a rule of procedure (seed item 16 "依法"; DOMAIN §6)
    arrears_bar: Mapped[bool] = mapped_column(Boolean, default=True)
    #: one_list (the next-placed become alternates) or separate (separate lists for members and alternates)
    alternates_list: Mapped[str] = mapped_column(String(12), default="one_list")
    #: how a tie that decides a place is settled (DOMAIN §5): "runoff" (另行选举) or "lots" (抽签)
    tie_rule: Mapped[str] = mapped_column(String(8), default="runoff", server_default="runoff")
    voting_rules_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the developer's first-meeting funding (Art 15) as received, in fen
    funding_received_fen: Mapped[int | None] = mapped_column(BigInteger)
    funding_received_on: Mapped[date | None] = mapped_column(Date)
    funding_reference: Mapped[str] = mapped_column(String(100), default="")
    #: the meeting date confirmed after every required notice has run (`app.preparation.checklist.schedule`)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    scheduled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    group: Mapped[PreparatoryGroup] = relationship(back_populates="plan")


class Notice(db.Model):  # type: ignore[name-defined]
    """A public notice (公示/公告) of one document, frozen as published: its text, hash and period (Art 9, 13 ¶3)."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("preparatory_groups.id", ondelete="SET NULL"))
    #: app.preparation.notices.KINDS
    kind: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    #: SHA-256 of the body as published (UTF-8), shown on the public page and the PDF
    body_sha256: Mapped[str] = mapped_column(String(64))
    starts_on: Mapped[date] = mapped_column(Date)
    #: the earliest end: 5 working days (Art 9)
    ends_on: Mapped[date] = mapped_column(Date)
    #: unguessable token of the public page
    token: Mapped[str] = mapped_column(String(32), unique=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    objections: Mapped[list[NoticeObjection]] = relationship(
        back_populates="notice", cascade="all, delete-orphan", order_by="NoticeObjection.id"
    )


class NoticeObjection(db.Model):  # type: ignore[name-defined]
    """An owner's objection to a notice (or to one candidate on it), recorded by the group, and its answer (Art 13)."""

    __tablename__ = "notice_objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidates.id", ondelete="SET NULL"))
    objector_name: Mapped[str] = mapped_column(String(64))
    unit_label: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(2000))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: the owner who filed it from their phone (their ID number's look-up hash); None when staff recorded it
    owner_lookup: Mapped[str | None] = mapped_column(String(64), index=True)
    #: a photo the owner attached, JPEG or PNG
    photo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    photo_type: Mapped[str | None] = mapped_column(String(16))
    #: open or answered
    status: Mapped[str] = mapped_column(String(12), default="open")
    answer: Mapped[str | None] = mapped_column(String(2000))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    notice: Mapped[Notice] = relationship(back_populates="objections")


class Candidate(db.Model):  # type: ignore[name-defined]
    """A nomination for the owners' committee and what became of it (Shaoxing Arts 13, 17, 22).

    status: nominated → accepted or rejected by the group (with a reason) → withdrawn at any time by the candidate.
    """

    __tablename__ = "candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the pool the nomination belongs to: the preparatory group's (first meeting), or a later meeting convened by a
    #: body (its election; app.preparation.candidates.Pool); exactly one is set
    group_id: Mapped[int | None] = mapped_column(ForeignKey("preparatory_groups.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    owner_lookup: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(64))
    unit_labels: Mapped[str] = mapped_column(String(200))
    #: self, residents_committee or joint (app.rules.candidates.ROUTES)
    route: Mapped[str] = mapped_column(String(24))
    nominated_on: Mapped[date] = mapped_column(Date)
    statement: Mapped[str] = mapped_column(String(2000), default="")
    #: with separate lists (DOMAIN §5): the list the candidate stands on, "members" or "alternates"; None: one list
    stands_for: Mapped[str | None] = mapped_column(String(10))
    photo: Mapped[bytes | None] = mapped_column(LargeBinary)
    photo_type: Mapped[str | None] = mapped_column(String(16))
    #: the birth date read from the ID number at nomination (full civil capacity: 18 on the day of vetting, DOMAIN §6);
    #: None for a document without one
    birth_date: Mapped[date | None] = mapped_column(Date)
    #: recorded by the group: the person is under guardianship (no full civil capacity, Civil Code Arts 21–24)
    under_guardianship: Mapped[bool] = mapped_column(Boolean, default=False)
    #: voluntarily declared (seed item 13; Shaoxing Art 18)
    party_member: Mapped[bool] = mapped_column(Boolean, default=False)
    #: a deputy to a party congress (党代表), one of the "两代表一委员" the policy encourages
    party_congress_deputy: Mapped[bool] = mapped_column(Boolean, default=False)
    peoples_congress_deputy: Mapped[bool] = mapped_column(Boolean, default=False)
    cppcc_member: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the signed declaration on Shaoxing Art 22: whether made, and the items (1–10) declared
    declaration_made: Mapped[bool] = mapped_column(Boolean, default=False)
    declared_acts: Mapped[list[int]] = mapped_column(JSON, default=list)
    #: declared employment or business tie with the property company; None until declared
    property_company_tie: Mapped[bool | None] = mapped_column(Boolean)
    #: nominated, accepted, rejected, withdrawn
    status: Mapped[str] = mapped_column(String(12), default="nominated")
    vetting_reason: Mapped[str] = mapped_column(String(500), default="")
    vetted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    vetted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawal_reason: Mapped[str] = mapped_column(String(500), default="")
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    cosigners: Mapped[list[CandidateCosigner]] = relationship(
        back_populates="candidate", cascade="all, delete-orphan", order_by="CandidateCosigner.position"
    )


class CandidateCosigner(db.Model):  # type: ignore[name-defined]
    """An owner who co-signed a joint nomination (Art 13 ¶2: ten or more owners jointly)."""

    __tablename__ = "candidate_cosigners"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    owner_lookup: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    unit_labels: Mapped[str] = mapped_column(String(200))

    candidate: Mapped[Candidate] = relationship(back_populates="cosigners")


class ArrearsDemand(db.Model):  # type: ignore[name-defined]
    """A written demand for unpaid property fees or maintenance-fund contributions, and its payment (Art 17 ¶2 (3))."""

    __tablename__ = "arrears_demands"
    __table_args__ = (CheckConstraint("amount_fen > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    owner_lookup: Mapped[str] = mapped_column(String(64), index=True)
    owner_name: Mapped[str] = mapped_column(String(64))
    unit_labels: Mapped[str] = mapped_column(String(200))
    #: property_fee or maintenance_fund
    kind: Mapped[str] = mapped_column(String(20))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    demanded_on: Mapped[date] = mapped_column(Date)
    paid_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CandidateListReview(db.Model):  # type: ignore[name-defined]
    """A candidate list as its convener (the group, or the body that convened a later meeting) submitted it to the
    township, and the township's decision (seed item 13)."""

    __tablename__ = "candidate_list_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("preparatory_groups.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    #: the accepted candidates' ids at submission
    candidate_ids: Mapped[list[int]] = mapped_column(JSON)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: pending, returned or approved
    decision: Mapped[str] = mapped_column(String(12), default="pending")
    reasons: Mapped[str] = mapped_column(String(2000), default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ClockReminder(db.Model):  # type: ignore[name-defined]
    """A reminder sent for a preparation deadline (one per clock, due date and lead), shown to the township and the
    group on their pages; the beat job writes each at most once."""

    __tablename__ = "clock_reminders"
    __table_args__ = (UniqueConstraint("group_id", "clock", "due_on", "lead"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("preparatory_groups.id", ondelete="CASCADE"), index=True)
    clock: Mapped[str] = mapped_column(String(32))
    due_on: Mapped[date] = mapped_column(Date)
    #: days before the due date (7, 1), or -1 for "overdue"
    lead: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
