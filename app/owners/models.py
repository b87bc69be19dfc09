"""An owner's sign-in (codes and sessions) and the joint acts owners sign together (联名): a proposal for an interim
meeting or an audit vote (DOMAIN §7 item 8), and a joint nomination of a candidate (Shaoxing Art 13 ¶2)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class OwnerSignInCode(db.Model):  # type: ignore[name-defined]
    """A one-time code sent to a mobile number on a roll; only its hash is kept, and how often it was tried."""

    __tablename__ = "owner_sign_in_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: app.privacy.phone_lookup of the number
    phone_lookup: Mapped[str] = mapped_column(String(64), index=True)
    #: keyed hash of the code (app.privacy.lookup_hash)
    code_lookup: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OwnerSession(db.Model):  # type: ignore[name-defined]
    """An owner signed in on one device: the cookie (or the API's bearer token) holds a random token, this row its
    hash, so that the owner (or staff, for a lost phone) can end it at once."""

    __tablename__ = "owner_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    #: "sms" (a code sent to a number on the roll) or "letter" (a meeting letter's link and its second factor)
    method: Mapped[str] = mapped_column(String(8))
    #: the number signed in with (method sms)
    phone_lookup: Mapped[str | None] = mapped_column(String(64), index=True)
    #: the owners the session speaks for: their ID numbers' look-up hashes
    owner_lookups: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: the owner's name as the roll has it, for the page's greeting
    name: Mapped[str] = mapped_column(String(64), default="")
    #: a short description of the device (browser and system), for the owner's list of sessions
    device: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Petition(db.Model):  # type: ignore[name-defined]
    """A joint act of owners (联名) that needs a number of heads (DOMAIN §3) to take effect.

    kind: "interim_meeting" (20% of heads: the committee must convene an interim meeting, Property Management
    Regulations Art 13), "audit" (one fifth of heads: the assembly votes on an audit, Shaoxing Art 23) or
    "joint_nomination" (ten owners nominate a candidate, Shaoxing Art 13 ¶2).
    status: collecting → reached (the threshold is met: signatures are final) → convened (the body convened the
    meeting) or submitted (a nomination handed to the vetting); or withdrawn by its drafter before reaching it."""

    __tablename__ = "petitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(String(4000), default="")
    #: the owner who drafted it (for a joint nomination, the candidate)
    drafter_lookup: Mapped[str] = mapped_column(String(64), index=True)
    drafter_name: Mapped[str] = mapped_column(String(64))
    #: the roll version the heads are counted on, and its total heads when the petition was drafted
    roll_version_id: Mapped[int] = mapped_column(ForeignKey("roll_versions.id"))
    total_heads: Mapped[int] = mapped_column(Integer)
    #: heads needed to take effect (app.rules.petitions.heads_needed)
    needed_heads: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="collecting")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reached_on: Mapped[date | None] = mapped_column(Date)
    #: the body that must act on it (the committee or property management committee in office when reached)
    body_id: Mapped[int | None] = mapped_column(ForeignKey("governing_bodies.id", ondelete="SET NULL"))
    #: the day by which the body must announce the meeting (app.owners.petitions.CONVENE_DAYS after reaching)
    convene_by: Mapped[date | None] = mapped_column(Date)
    convened_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    convened_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: a joint nomination's candidate details (statement, list, declared attributes) and its pool
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: the nomination made from it once submitted
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidates.id", ondelete="SET NULL"))

    signatures: Mapped[list[PetitionSignature]] = relationship(
        back_populates="petition", cascade="all, delete-orphan", order_by="PetitionSignature.id"
    )


class PetitionSignature(db.Model):  # type: ignore[name-defined]
    """One owner's signature of a petition; withdrawn (kept, with the time) until the threshold is reached."""

    __tablename__ = "petition_signatures"
    __table_args__ = (UniqueConstraint("petition_id", "owner_lookup"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), index=True)
    owner_lookup: Mapped[str] = mapped_column(String(64))
    #: the signer's name and units as the roll has them (shown to the body, the group and the township)
    name: Mapped[str] = mapped_column(String(64))
    unit_labels: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    petition: Mapped[Petition] = relationship(back_populates="signatures")
