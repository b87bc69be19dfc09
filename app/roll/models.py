"""Owner-roll versions, units and owners (SPC interpretation on building co-ownership, Arts 8–9).

A version is immutable once written: a correction makes a new version. Areas are integers of 0.01 m².
ID numbers and phone numbers are encrypted at rest and found through a keyed hash (app.privacy).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
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

__all__ = ["AreaSource", "RollOwner", "RollUnit", "RollVersion", "UnitKind", "UnitStatus"]


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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

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
    owners: Mapped[list[RollOwner]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", order_by="RollOwner.id"
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
    is_representative: Mapped[bool] = mapped_column(Boolean, default=False)

    unit: Mapped[RollUnit] = relationship(back_populates="owners")
