"""Townships (镇乡/街道) and the residential communities (住宅小区) they lead."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class Township(db.Model):  # type: ignore[name-defined]
    """A township or sub-district (镇乡/街道): leads preparation, certifies results, oversees communities."""

    __tablename__ = "townships"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: official name, e.g. 暨阳街道
    name: Mapped[str] = mapped_column(String(100))
    #: administrative division code (统计用区划代码), 9 or 12 digits, e.g. 330681001
    admin_code: Mapped[str] = mapped_column(String(12), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    communities: Mapped[list[Community]] = relationship(back_populates="township", order_by="Community.name")


class Community(db.Model):  # type: ignore[name-defined]
    """A residential community (住宅小区; legally a property management area, 物业管理区域)."""

    __tablename__ = "communities"
    __table_args__ = (CheckConstraint("total_floor_area_centi >= 0", name="area_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200))
    #: the developer (建设单位)
    developer_name: Mapped[str] = mapped_column(String(200))
    #: total floor area (总建筑面积) in 0.01 m²; the first-meeting funding is 1 yuan per m² of it
    total_floor_area_centi: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: the state of its self-governance (app/rules/governance.py STATES), changed only by
    #: app.governance.services.transition, which also keeps its history
    governance: Mapped[str] = mapped_column(String(12), default="no_assembly", server_default="no_assembly")
    assembly_established_on: Mapped[date | None] = mapped_column(Date)
    #: the unguessable address of its public record (/c/<token>: Shaoxing Art 23), made when first needed
    public_token: Mapped[str | None] = mapped_column(String(32), unique=True)

    township: Mapped[Township] = relationship(back_populates="communities")
