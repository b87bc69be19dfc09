"""Owner-roll versions, units and owners (SPC interpretation on building co-ownership, Arts 8–9).

A version is immutable once written: a correction makes a new version. Areas are integers of 0.01 m².
ID numbers and phone numbers are encrypted at rest and found through a keyed hash (app.privacy).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import db
from app.rules.model import UnitKind, UnitStatus

__all__ = [
    "AreaSource",
    "RollImport",
    "RollObjection",
    "RollOwner",
    "RollUnit",
    "RollVersion",
    "UnitKind",
    "UnitStatus",
]


class AreaSource(StrEnum):
    """Where a unit's area comes from, in order of precedence (SPC interpretation Art 8)."""

    REGISTER = "register"  #: real-estate register (不动产登记簿)
    SURVEY = "survey"  #: surveyed area (测绘面积)
    CONTRACT = "contract"  #: contract area (合同面积)


class RollVersion(db.Model):  # type: ignore[name-defined]
    """One immutable version of a community's owner roll."""

    __tablename__ = "roll_versions"
    __table_args__ = (UniqueConstraint("community_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    #: 1, 2, 3 … within the community
    number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: why this version exists (import, correction after an objection, demo data …)
    reason: Mapped[str] = mapped_column(String(500))
    #: import, correction or demo
    source: Mapped[str] = mapped_column(String(16), default="import")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Merkle root (RFC 9162, crypto.merkle) over the canonical entries of the version's voters, hex
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    #: what changed against the previous version: counts and the first changed units (app.roll.diff)
    diff: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: public notice (公示): an unguessable token for its public page, and the days it stays up
    notice_token: Mapped[str | None] = mapped_column(String(32), unique=True)
    notice_starts_on: Mapped[date | None] = mapped_column(Date)
    notice_ends_on: Mapped[date | None] = mapped_column(Date)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: frozen for a meeting: nothing about the roll of that meeting can change afterwards
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    frozen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    units: Mapped[list[RollUnit]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="RollUnit.id"
    )


class RollUnit(db.Model):  # type: ignore[name-defined]
    """An exclusive part (专有部分): a flat, a shop, or a parking space registered as exclusive."""

    __tablename__ = "roll_units"
    __table_args__ = (
        UniqueConstraint("roll_version_id", "building", "entrance", "room"),
        CheckConstraint("area_centi > 0", name="area_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    roll_version_id: Mapped[int] = mapped_column(ForeignKey("roll_versions.id", ondelete="CASCADE"), index=True)
    building: Mapped[str] = mapped_column(String(32))
    #: unit entrance (单元); empty for parking spaces and shops without one
    entrance: Mapped[str] = mapped_column(String(32), default="")
    room: Mapped[str] = mapped_column(String(32))
    #: UnitKind (app.rules.model)
    kind: Mapped[str] = mapped_column(String(16))
    #: exclusive floor area in 0.01 m²
    area_centi: Mapped[int] = mapped_column(BigInteger)
    area_source: Mapped[str] = mapped_column(String(16))
    #: UnitStatus (app.rules.model)
    status: Mapped[str] = mapped_column(String(16))

    version: Mapped[RollVersion] = relationship(back_populates="units")
    #: loaded with the units in one query per batch (a 20,000-unit roll otherwise issues 20,000 queries)
    owners: Mapped[list[RollOwner]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", order_by="RollOwner.id", lazy="selectin"
    )

    @property
    def label(self) -> str:
        """The unit as people write it: 3幢1单元1502."""
        return f"{self.building}{self.entrance}{self.room}"


class RollOwner(db.Model):  # type: ignore[name-defined]
    """A registered owner of a unit; a co-owned unit names one representative who casts its ballot."""

    __tablename__ = "roll_owners"

    id: Mapped[int] = mapped_column(primary_key=True)
    roll_unit_id: Mapped[int] = mapped_column(ForeignKey("roll_units.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    #: AES-GCM ciphertext of the ID number (app.privacy.encrypt)
    id_number_cipher: Mapped[bytes] = mapped_column(LargeBinary)
    #: keyed hash of the ID number, to find and merge owners without decrypting
    id_number_lookup: Mapped[str] = mapped_column(String(64), index=True)
    phone_cipher: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: keyed hash of the mobile number that signs in for this owner (app.privacy.phone_lookup): the owner's own, or an
    #: organisation's representative's; an owner signs in by SMS through it (app.owners.sign_in)
    phone_lookup: Mapped[str | None] = mapped_column(String(64), index=True)
    is_representative: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the document (app.roll.documents): resident_id, uscc (an organisation), passport …; the lookup hashes the
    #: owner's identity (type, number)
    id_type: Mapped[str] = mapped_column(String(24), default="resident_id", server_default="resident_id")
    #: a passport holder's nationality
    nationality: Mapped[str] = mapped_column(String(32), default="", server_default="")
    #: an organisation's representative, who votes for it: name, and encrypted document number and phone
    agent_name: Mapped[str] = mapped_column(String(64), default="", server_default="")
    agent_id_cipher: Mapped[bytes | None] = mapped_column(LargeBinary)
    agent_phone_cipher: Mapped[bytes | None] = mapped_column(LargeBinary)

    unit: Mapped[RollUnit] = relationship(back_populates="owners")

    @property
    def is_organisation(self) -> bool:
        return self.id_type == "uscc"


class RollImport(db.Model):  # type: ignore[name-defined]
    """One uploaded roll file and what became of it: its report, its progress, the version it made."""

    __tablename__ = "roll_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200))
    #: SHA-256 of the uploaded file
    file_sha256: Mapped[str] = mapped_column(String(64))
    #: the file itself until it has been processed (then removed: it holds personal data in clear)
    file_data: Mapped[bytes | None] = mapped_column(LargeBinary)
    reason: Mapped[str] = mapped_column(String(500))
    #: pending, running, done (a version was made) or failed (nothing was imported; see report)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    #: 0–100, for the progress bar
    progress: Mapped[int] = mapped_column(Integer, default=0)
    #: rows read, errors and warnings (each with row, column, value, code and its message arguments)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    roll_version_id: Mapped[int | None] = mapped_column(ForeignKey("roll_versions.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: when the job last showed progress (its heartbeat): a job silent too long is failed (app.jobs)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: why it failed (app.jobs.FAILURES: error, silent, cancelled, not_started), None otherwise
    failure: Mapped[str | None] = mapped_column(String(16))


class RollObjection(db.Model):  # type: ignore[name-defined]
    """An owner's objection to a published roll version, recorded by staff, and the group's answer."""

    __tablename__ = "roll_objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    roll_version_id: Mapped[int] = mapped_column(ForeignKey("roll_versions.id"), index=True)
    #: the unit concerned, as people write it (3幢1单元1502)
    unit_label: Mapped[str] = mapped_column(String(100))
    #: who objects (as the owner gave it; shown masked)
    objector_name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(2000))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: the owner who filed it from their phone (their ID number's look-up hash); None when staff recorded it
    owner_lookup: Mapped[str | None] = mapped_column(String(64), index=True)
    #: a photo the owner attached (a certificate, a contract page), JPEG or PNG
    photo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    photo_type: Mapped[str | None] = mapped_column(String(16))
    #: open, accepted (a correction made a new version) or rejected (with the reason)
    status: Mapped[str] = mapped_column(String(16), default="open")
    answer: Mapped[str | None] = mapped_column(String(2000))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the corrected version made when the objection was accepted
    correction_version_id: Mapped[int | None] = mapped_column(ForeignKey("roll_versions.id", ondelete="SET NULL"))


class RollNoticePdf(db.Model):  # type: ignore[name-defined]
    """The printable notice of a published roll version, made by a background task behind a progress bar and kept
    (issue 21 item 6; app.roll.notice_jobs). One per state of the notice: a version superseded later has another."""

    __tablename__ = "roll_notice_pdfs"

    id: Mapped[int] = mapped_column(primary_key=True)
    roll_version_id: Mapped[int] = mapped_column(ForeignKey("roll_versions.id", ondelete="CASCADE"), index=True)
    #: the version that superseded this one when the PDF was asked for (its banner says so); None: not superseded
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("roll_versions.id", ondelete="CASCADE"))
    #: pending → running → done or failed (app.jobs)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    #: 0–100, units laid out
    progress: Mapped[int] = mapped_column(Integer, default=0)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: why it failed (app.jobs.FAILURES)
    failure: Mapped[str | None] = mapped_column(String(16))
