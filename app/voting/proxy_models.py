"""Proxies: an owner's written authorisation (授权委托书) for someone to vote for them on named matters, as
instructed (DOMAIN §8; Shanghai Art 18; Zhoushan Art 17: a cap on owners per proxy, no property-company staff)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import db
from app.voting.models import MeetingVoter


class Proxy(db.Model):  # type: ignore[name-defined]
    """A proxy recorded by the convener from the owner's written authorisation (`app.voting.proxies.record_proxy`).

    The proxy person's phone is kept encrypted, with a keyed hash to count the owners one person represents; the
    scan of the authorisation is not kept, only its SHA-256. The proxy votes with a credential of their own
    (`Credential.proxy_id`) for the principal's ballot, and only as directed where the owner gave directions.
    """

    __tablename__ = "proxies"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    #: the principal: the owner (the meeting's voter) who authorises the proxy
    meeting_voter_id: Mapped[int] = mapped_column(ForeignKey("meeting_voters.id", ondelete="CASCADE"), index=True)
    proxy_name: Mapped[str] = mapped_column(String(64))
    #: the proxy's mobile number (app.privacy.encrypt), where the one-time codes of their credential go
    proxy_phone_cipher: Mapped[bytes] = mapped_column(LargeBinary)
    #: keyed hash of the number (app.privacy.lookup_hash): how many owners this person represents in the meeting
    proxy_phone_lookup: Mapped[str] = mapped_column(String(64), index=True)
    #: the matters the authorisation covers (matter ids); the others stay blank on a proxy's ballot
    matter_ids: Mapped[list[int]] = mapped_column(JSON)
    #: matter id (as text) → the answer the owner instructed ("yes" / "no" / "abstain", or candidate ids); a covered
    #: matter without an entry is left to the proxy
    directions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: SHA-256 of the scanned written authorisation (the scan itself is not kept)
    scan_sha256: Mapped[str] = mapped_column(String(64))
    #: the convener's declaration that the proxy is not on the property company's staff (Zhoushan Art 17)
    is_declared_not_property_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    #: active (may vote), used (the principal's ballot was cast by the proxy), revoked
    status: Mapped[str] = mapped_column(String(8), default="active")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: None when the revocation was automatic (the owner voted)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str | None] = mapped_column(String(200))
    #: the owner's confirmation (issue 16 item 2), without which the proxy gets no link: "owner_sms" (the owner
    #: read back a code sent to their phone on the roll) or "second_staff" (another staff member approved the
    #: scan of the written authorisation); when, and by whom it was typed or approved
    confirmed_via: Mapped[str | None] = mapped_column(String(24))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: the confirmation code sent to the owner, as a keyed hash, its expiry and the wrong answers so far
    confirm_code_lookup: Mapped[str | None] = mapped_column(String(64))
    confirm_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirm_failures: Mapped[int] = mapped_column(Integer, default=0)

    principal: Mapped[MeetingVoter] = relationship()
