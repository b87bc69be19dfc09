"""The audit log: one event per state change, chained by hashes so that an edit behind the app's back
shows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class AuditEvent(db.Model):  # type: ignore[name-defined]
    """Who did what to which object, when and from where; `hash` covers the event and `previous_hash`."""

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("chain", "chain_seq", name="uq_audit_events_chain_chain_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the event's number on the platform, in the order events were written (unique; since the chains are one per
    #: community, a number given to a transaction that rolled back leaves a gap: the chains' own places have none)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    #: the chain the event extends: its community's, or 0 for the platform's events (townships, accounts, sign-ins);
    #: None for the events written when the log was one chain (verified by ``seq``)
    chain: Mapped[int | None] = mapped_column(Integer)
    #: its place in that chain, 1, 2, 3 … without gaps (unique with the chain: two writers cannot both extend a link)
    chain_seq: Mapped[int | None] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: the actor's login name at the time, or "system" for scheduled work
    actor_label: Mapped[str] = mapped_column(String(64))
    #: the role under which the actor acted (admin, township_official, …, system)
    actor_role: Mapped[str] = mapped_column(String(32))
    #: dotted verb, e.g. community.create, auth.login_failed
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    #: scope of the event, so that a township sees its own events (plain ids: the log outlives its objects)
    township_id: Mapped[int | None] = mapped_column(Integer, index=True)
    community_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: what changed, as JSON (strings, integers, booleans; never personal data in clear)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditChainCheck(db.Model):  # type: ignore[name-defined]
    """The outcome of one verification of the audit chain (scheduled by beat, or asked for by an admin)."""

    __tablename__ = "audit_chain_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    is_ok: Mapped[bool] = mapped_column(Boolean)
    links_checked: Mapped[int] = mapped_column(Integer)
    first_broken_seq: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(32))
    #: "beat", "cli" or the login name of the admin who asked
    triggered_by: Mapped[str] = mapped_column(String(64))
    #: the last event when the check ran; the next check finds it again, so cutting events off the end shows
    head_seq: Mapped[int | None] = mapped_column(Integer)
    head_hash: Mapped[str | None] = mapped_column(String(64))
    #: the anchor: every chain's head when the check ran ({chain, chain_seq, seq, hash}; chain None for the log's
    #: first, single chain), and their Merkle root (crypto.merkle); the next check finds every head again
    heads: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    root: Mapped[str | None] = mapped_column(String(64))
