"""Corrections: a new version equal to the last one but for one unit's area or status (after an objection)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask_babel import lazy_gettext as _l

from app.communities.models import Community
from app.errors import DomainError
from app.extensions import db
from app.privacy import decrypt
from app.roll import documents
from app.roll.models import RollUnit, RollVersion, UnitStatus
from app.roll.validation import ParsedAgent, ParsedOwner
from app.roll.versions import create_version
from app.rules.areas import AreaFormatError, parse_area


@dataclass(frozen=True)
class CopiedUnit:
    building: str
    entrance: str
    room: str
    kind: str
    area_centi: int
    area_source: str
    status: str
    owners: tuple[ParsedOwner, ...]


def _copy(unit: RollUnit) -> CopiedUnit:
    return CopiedUnit(
        building=unit.building,
        entrance=unit.entrance,
        room=unit.room,
        kind=unit.kind,
        area_centi=unit.area_centi,
        area_source=unit.area_source,
        status=unit.status,
        owners=tuple(
            ParsedOwner(
                name=o.name,
                id_number=decrypt(o.id_number_cipher),
                phone=decrypt(o.phone_cipher) if o.phone_cipher else None,
                is_representative=o.is_representative,
                id_type=o.id_type,
                nationality=o.nationality,
                agent=ParsedAgent(
                    o.agent_name,
                    documents.RESIDENT_ID,
                    decrypt(o.agent_id_cipher),
                    decrypt(o.agent_phone_cipher) if o.agent_phone_cipher else None,
                )
                if o.agent_id_cipher
                else None,
            )
            for o in unit.owners
        ),
    )


def corrected_version(
    version: RollVersion, unit_id: int, area_text: str, status: str, reason: str, author_id: int | None
) -> RollVersion:
    """Copy `version` with unit `unit_id` given a new area (m² text) and status; everything else unchanged."""
    target = db.session.get(RollUnit, unit_id)
    if target is None or target.roll_version_id != version.id:
        raise DomainError("unit_not_found", _l("No such unit in this version."), status=404, field="unit_id")
    try:
        area = parse_area(area_text)
    except AreaFormatError as error:
        raise DomainError(
            "invalid_area", _l("An area is a number of m² with at most two decimals."), field="area"
        ) from error
    if area <= 0:
        raise DomainError("invalid_area", _l("The area must be more than zero."), field="area")
    if status not in {s.value for s in UnitStatus}:
        raise DomainError("invalid_status", _l("Choose a status from the list."), field="status")
    if status != "delivered" and target.owners:
        raise DomainError(
            "status_with_owners",
            _l("A unit with owners is delivered; unsold and undelivered units belong to the developer."),
            field="status",
        )
    units = [_copy(u) for u in version.units]
    index = next(i for i, u in enumerate(version.units) if u.id == unit_id)
    units[index] = replace(units[index], area_centi=area, status=status)
    return create_version(db.session.get_one(Community, version.community_id), units, reason, author_id, "correction")
