"""What counting, publication and certification store (DOMAIN §9)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class SigningKey(db.Model):  # type: ignore[name-defined]
    """An Ed25519 key pair of the platform, a township or a convening body (a community's convener).

    The private key is kept encrypted with the configured data key (app.privacy), never in plain text. Rotation
    retires a key (it signs nothing more) and keeps its public half, so old packages still verify; every public key
    ever used is published at /keys.json and carried inside each package it signed.
    """

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the raw public key (crypto.signing.key_fingerprint)
    key_id: Mapped[str] = mapped_column(String(64), unique=True)
    #: platform, township or convener
    role: Mapped[str] = mapped_column(String(10), index=True)
    township_id: Mapped[int | None] = mapped_column(ForeignKey("townships.id"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    public_pem: Mapped[str] = mapped_column(Text)
    private_cipher: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Result(db.Model):  # type: ignore[name-defined]
    """A meeting's counted result and its package: counted → published (notice for objections) → certified or
    refused by the township. Only a certified result changes the community's state."""

    __tablename__ = "results"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), unique=True)
    #: counted, published, certified, refused
    status: Mapped[str] = mapped_column(String(10), default="counted")
    #: the signed package as its canonical JSON text, and the SHA-256 of its body
    package: Mapped[str] = mapped_column(Text)
    package_sha256: Mapped[str] = mapped_column(String(64), index=True)
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    counted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_on: Mapped[date | None] = mapped_column(Date)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    objections_until: Mapped[date | None] = mapped_column(Date)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    refusal_reason: Mapped[str | None] = mapped_column(String(2000))
    #: what the result decides for the community (app.results.outcome): assembly established, committee formed …
    outcome: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    objections: Mapped[list[ResultObjection]] = relationship(
        back_populates="result", cascade="all, delete-orphan", order_by="ResultObjection.id"
    )


class ResultObjection(db.Model):  # type: ignore[name-defined]
    """An owner's objection to a published result, and the convener's answer."""

    __tablename__ = "result_objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("results.id", ondelete="CASCADE"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    #: who objected, as they gave it (shown to the organisers, masked on public pages)
    objector: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(String(4000))
    answer: Mapped[str | None] = mapped_column(String(4000))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: the owner who filed it from their phone (their ID number's look-up hash); None when staff recorded it
    owner_lookup: Mapped[str | None] = mapped_column(String(64), index=True)
    #: a photo the owner attached, JPEG or PNG
    photo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    photo_type: Mapped[str | None] = mapped_column(String(16))

    result: Mapped[Result] = relationship(back_populates="objections")


class ElectionTrustee(db.Model):  # type: ignore[name-defined]
    """One trustee's share of a meeting's election key (issue 17 item 3; app.results.trustees): the platform's and
    the township's, made when voting opens. The public key and its proof are published in the result package; the
    secret is kept encrypted under a key of the trustee's own (app.privacy purpose ``trustee/<role>/…``), and used
    once, after the close, to decrypt the totals (never a ballot), audited."""

    __tablename__ = "election_trustees"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    #: platform or township
    role: Mapped[str] = mapped_column(String(10))
    public_key: Mapped[str] = mapped_column(String(64))
    secret_cipher: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CountRun(db.Model):  # type: ignore[name-defined]
    """One count of a closed meeting, made in the background with a progress bar (issue 17 item 4;
    app.results.count_runs): the ballots are encrypted with their proofs a chunk at a time, then the totals are
    decrypted and the package signed. While it runs the meeting is "counting": no paper ballot is entered or left
    out. A failed run gives the meeting back ("closed"); counting again starts a new run."""

    __tablename__ = "count_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    #: pending, running, done or failed
    status: Mapped[str] = mapped_column(String(8), default="pending")
    #: 0–100, for the progress bar
    progress: Mapped[int] = mapped_column(Integer, default=0)
    ballot_count: Mapped[int] = mapped_column(Integer, default=0)
    #: ballots per chunk, and how many chunks (each a task, a row of count_chunks once made)
    chunk_size: Mapped[int] = mapped_column(Integer, default=1)
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    result_id: Mapped[int | None] = mapped_column(ForeignKey("results.id", ondelete="SET NULL"))
    #: why it failed (app.jobs.FAILURES: error, silent, cancelled, not_started), None otherwise
    failure: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: when the job last showed progress (its heartbeat): a job silent too long is failed (app.jobs)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CountChunk(db.Model):  # type: ignore[name-defined]
    """The encrypted ledger entries of one chunk of a count's ballots (by receipt order) and their encrypted totals,
    kept until the run finishes the package; deleted with it."""

    __tablename__ = "count_chunks"
    __table_args__ = (UniqueConstraint("run_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("count_runs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    #: the ledger entries (JSON), in receipt order
    entries: Mapped[str] = mapped_column(Text)
    #: their totals, each option's heads and area ciphertexts (JSON)
    totals: Mapped[str] = mapped_column(Text)
