"""Meetings, their matters, the meeting's voters, credentials and ballots (DOMAIN §8; Shaoxing Arts 10, 13, 16).

A meeting is configured by its convener (the preparatory group for the first meeting), then opened: the roll version
is frozen, the voters are fixed (`MeetingVoter`, one per voter of the counting engine) and nothing about the matters,
candidates or roll can change. Each voter holds credentials (a random token in a URL, stored only as its SHA-256,
plus a second factor); each voter casts at most one ballot, whatever the channel — the database enforces it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import db
from app.privacy import mask_name
from app.roll.documents import factor_words


class Meeting(db.Model):  # type: ignore[name-defined]
    """An assembly meeting held by written or online consultation (Shaoxing Art 10)."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    #: the convening preparatory group (the committee or property management committee convene later meetings)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("preparatory_groups.id", ondelete="SET NULL"))
    #: the convening body of a later meeting: a property management committee, an owners' committee or a re-election
    #: group (app.governance.convening); its accounts act for it (DOMAIN §7 item 10)
    body_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            "governing_bodies.id", ondelete="SET NULL", use_alter=True, name="fk_meetings_body_id_governing_bodies"
        )
    )
    title: Mapped[str] = mapped_column(String(200))
    #: draft (being configured), open (voting), closed (window over; paper entries may still be completed),
    #: counted (the result package made: app.results)
    status: Mapped[str] = mapped_column(String(8), default="draft")
    #: the voting window, stored in UTC, entered and shown in Asia/Shanghai
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: "phone", "paper" or "phone,paper"
    channels: Mapped[str] = mapped_column(String(16), default="phone,paper")
    #: the second factor after the link: "id_last6" (last six characters of the ID number) or "sms"
    second_factor: Mapped[str] = mapped_column(String(8), default="id_last6")
    #: whom owners call about the vote (the convener's phone), shown on the ballot's pages, a lock-out's above all
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    #: where owners hand in a paper ballot (the group's office, the property management office …), printed on the
    #: letters with the close of the window; empty: the letters send owners to the convener to ask
    paper_place: Mapped[str] = mapped_column(String(80), default="", server_default="")
    #: whether an owner may change a ballot before the close (default no)
    allow_change: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the counting engine's settings, copied from the voting rules when the meeting is created
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: the roll version frozen when voting opened
    roll_version_id: Mapped[int | None] = mapped_column(ForeignKey("roll_versions.id"))
    #: the Merkle root of the frozen roll under this meeting's pseudonyms (app.roll.weights.roll_fingerprint with
    #: app.privacy.pseudonym_key), fixed when voting opens: the roll root its result package must show
    roll_root: Mapped[str | None] = mapped_column(String(64))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: the day the meeting's time, form, matters and candidates were announced (公告; app.voting.announcement), the
    #: SHA-256 of that content as announced, and the notice that published it; opening checks all three
    announced_on: Mapped[date | None] = mapped_column(Date)
    announcement_sha256: Mapped[str | None] = mapped_column(String(64))
    announcement_notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="SET NULL"))

    matters: Mapped[list[Matter]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Matter.position"
    )


class Matter(db.Model):  # type: ignore[name-defined]
    """A matter put to the vote: a motion (yes / no / abstain) or the committee election, with its Art 278 category."""

    __tablename__ = "matters"
    __table_args__ = (UniqueConstraint("meeting_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    #: motion or election
    kind: Mapped[str] = mapped_column(String(8))
    #: Civil Code Art 278 ¶1 category (1–9); the threshold follows (app.rules.model.threshold_for)
    category: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    #: election only
    seats: Mapped[int | None] = mapped_column(Integer)
    max_alternates: Mapped[int | None] = mapped_column(Integer)
    #: separate lists (DOMAIN §5): "members" or "alternates"; None: one list
    list_part: Mapped[str | None] = mapped_column(String(10))
    #: a run-off: what it decides (app.rules.model.Runoff, in the tally-case format), None otherwise
    runoff: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    meeting: Mapped[Meeting] = relationship(back_populates="matters")

    @property
    def marks(self) -> int:
        """How many candidates a ballot may mark on this election (app.rules.model.Election.marks): its seats; on the
        alternates' list its places; in a run-off the places it contests, one when only an order is in question."""
        if self.seats:
            return self.seats
        places = self.max_alternates or 0
        return 1 if self.runoff is not None and places >= len(self.candidates) else places

    candidates: Mapped[list[MatterCandidate]] = relationship(
        back_populates="matter", cascade="all, delete-orphan", order_by="MatterCandidate.position"
    )
    attachments: Mapped[list[MatterAttachment]] = relationship(
        back_populates="matter", cascade="all, delete-orphan", order_by="MatterAttachment.id"
    )


class MatterCandidate(db.Model):  # type: ignore[name-defined]
    """A candidate on the election's ballot, from the township-approved list."""

    __tablename__ = "matter_candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidates.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(64))
    unit_labels: Mapped[str] = mapped_column(String(200))
    statement: Mapped[str] = mapped_column(String(2000), default="")

    matter: Mapped[Matter] = relationship(back_populates="candidates")


class MatterAttachment(db.Model):  # type: ignore[name-defined]
    """A PDF attached to a matter (the draft rules, the covenant …), with its SHA-256."""

    __tablename__ = "matter_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # read only on download

    matter: Mapped[Matter] = relationship(back_populates="attachments")


class MeetingVoter(db.Model):  # type: ignore[name-defined]
    """One voter of an open meeting, fixed from the frozen roll (the engine's voter: identical owner sets merged).

    For a co-owned unit the representative receives the credential. The second factor is kept as keyed hashes only.
    """

    __tablename__ = "meeting_voters"
    __table_args__ = (UniqueConstraint("meeting_id", "voter_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    #: the meeting's pseudonym of the voter (app.roll.weights.voter_pseudonym under app.privacy.pseudonym_key), as
    #: the result package publishes it; no staff page or audit event shows it (issue 16 item 1)
    voter_key: Mapped[str] = mapped_column(String(32))
    #: the engine's voter id (the key of the voter's first unit) and the units as people write them
    unit_key: Mapped[str] = mapped_column(String(100))
    units_label: Mapped[str] = mapped_column(String(500))
    building: Mapped[str] = mapped_column(String(32), index=True)
    area_centi: Mapped[int] = mapped_column(BigInteger)
    #: who holds the credential (the unit's representative), shown masked
    holder_name: Mapped[str] = mapped_column(String(64))
    phone_cipher: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: keyed hash of the last six characters of the holder's ID number (the "id_last6" second factor); for an
    #: organisation, of its representative's document
    id_tail_lookup: Mapped[str | None] = mapped_column(String(64))
    is_developer: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the holder's document type (app.roll.documents): what the ballot asks for, and whether the holder is an
    #: organisation (its name is not masked; its representative votes)
    holder_document: Mapped[str | None] = mapped_column(String(24))

    @property
    def is_organisation(self) -> bool:
        return self.holder_document == "uscc"

    @property
    def shown_name(self) -> str:
        """The holder's name as staff lists and letters show it: a person's masked (张*华), the developer's and an
        organisation's in full (not personal data)."""
        return self.holder_name if self.is_developer or self.is_organisation else mask_name(self.holder_name)

    @property
    def factor_words(self) -> str:
        """What the "id_last6" factor asks of this voter, in Chinese: 身份证号码后六位, 单位代表人证件号码后六位 …"""
        return factor_words(self.holder_document)


class Credential(db.Model):  # type: ignore[name-defined]
    """A voter's personal link: the SHA-256 of a 128-bit random token, and the state of its second factor.

    Failed second-factor attempts and the lock-out live here (shared storage, never process memory). Reissuing a
    letter revokes the voter's earlier credentials.
    """

    __tablename__ = "credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_voter_id: Mapped[int] = mapped_column(ForeignKey("meeting_voters.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    #: the typed fallback code of the letter (for owners who cannot scan), as its SHA-256
    code_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: how many times it was locked out; after `app.voting.credentials.MAX_LOCKOUTS` it waits for staff to reissue it
    lockouts: Mapped[int] = mapped_column(Integer, default=0)
    #: the SMS one-time code in force, as a keyed hash, and when it expires
    otp_lookup: Mapped[str | None] = mapped_column(String(64))
    otp_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: set for a proxy's credential (app.voting.proxy_models.Proxy): it votes the principal's ballot as the proxy
    proxy_id: Mapped[int | None] = mapped_column(ForeignKey("proxies.id", ondelete="CASCADE"), index=True)

    voter: Mapped[MeetingVoter] = relationship()


class Ballot(db.Model):  # type: ignore[name-defined]
    """A voter's ballot: exactly one per voter and meeting, whatever the channel (the unique constraint enforces it).

    The ballot names its voter, for disputes; no page of the organisers shows its choices (DOMAIN §8).
    """

    __tablename__ = "ballots"
    __table_args__ = (UniqueConstraint("meeting_id", "meeting_voter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    meeting_voter_id: Mapped[int] = mapped_column(ForeignKey("meeting_voters.id", ondelete="CASCADE"))
    #: phone, paper or proxy
    channel: Mapped[str] = mapped_column(String(8))
    #: matter id (as text) → "yes" / "no" / "abstain" / None (blank), or a list of candidate ids for the election
    choices: Mapped[dict[str, Any]] = mapped_column(JSON)
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: SHA-256 of the canonical ballot record (RFC 8785), and the short code the voter keeps
    receipt_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    receipt_code: Mapped[str] = mapped_column(String(16), unique=True)
    #: random salt of the ballot record, so that its published hash does not reveal the choices
    nonce: Mapped[str] = mapped_column(String(32))
    #: the credential that cast it (a phone or proxy ballot): the staff action that made the ballot possible is
    #: read from it (who issued the letter, whether it replaced another, which proxy): app.voting.assisted
    credential_id: Mapped[int | None] = mapped_column(ForeignKey("credentials.id", ondelete="SET NULL"))


class SmsMessage(db.Model):  # type: ignore[name-defined]
    """A text message as handed to the SMS backend; the console backend only keeps it here, for staff to read.

    Every backend records its row (app.voting.sms_outbox), so that the per-number limit is counted from one table
    shared by all workers, and the outbox page shows what went out whichever backend sent it."""

    __tablename__ = "sms_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the meeting the message is about; None for a platform message (an owner's sign-in code, app.owners.sign_in)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    phone_masked: Mapped[str] = mapped_column(String(20))
    #: keyed hash of the number (app.privacy.lookup_hash): the per-number limit counts by it, never by the number;
    #: None on rows made before it existed
    phone_lookup: Mapped[str | None] = mapped_column(String(64), index=True)
    #: the number, encrypted, kept only while a provider's delivery report is awaited (QuerySendDetails needs it);
    #: erased once the report is final or no longer awaited
    phone_cipher: Mapped[bytes | None] = mapped_column(LargeBinary)
    body: Mapped[str] = mapped_column(String(500))
    backend: Mapped[str] = mapped_column(String(40))
    #: "kept" (the console outbox: nothing left the platform), "sent" (a provider accepted it), "delivered" or
    #: "failed" (the provider's delivery report)
    status: Mapped[str] = mapped_column(String(12), default="kept", server_default="kept")
    #: the provider's id of the message (Aliyun's BizId), to ask for its delivery report
    provider_id: Mapped[str | None] = mapped_column(String(64))
    #: the provider's code for the status ("OK" on acceptance; the report's code, e.g. "DELIVERED" or a carrier's)
    status_code: Mapped[str | None] = mapped_column(String(64))
    #: when the status was last set
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
