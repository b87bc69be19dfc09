"""Creating townships and communities. Services flush; the request or task commits."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.audit import services as audit
from app.communities.models import Community, Township
from app.errors import DomainError
from app.extensions import db
from app.rules.areas import AreaFormatError, format_area, parse_area
from app.text import required_text

_ADMIN_CODE = re.compile(r"^[0-9]{9}([0-9]{3})?$")


def parse_area_centi(text: str, field: str = "total_floor_area") -> int:
    """Parse a user's m² text into 0.01 m², or refuse it with a message in the user's language."""
    try:
        return parse_area(text)
    except AreaFormatError as exc:
        raise DomainError(
            "invalid_area", _l("An area is a number of m² with at most two decimals."), field=field
        ) from exc


def create_township(name: str, admin_code: str) -> Township:
    """A township (镇乡/街道) with its administrative division code (9 or 12 digits)."""
    name, admin_code = required_text(name, "name", 100), admin_code.strip()
    if not _ADMIN_CODE.match(admin_code):
        raise DomainError("invalid_admin_code", _l("An administrative code has 9 or 12 digits."), field="admin_code")
    if db.session.scalar(select(func.count()).select_from(Township).where(Township.admin_code == admin_code)):
        raise DomainError(
            "admin_code_taken",
            _l("A township with this code exists already."),
            status=409,
            field="admin_code",
        )
    township = Township(name=name, admin_code=admin_code)
    db.session.add(township)
    db.session.flush()
    audit.record(
        "township.create",
        "township",
        township.id,
        {"name": name, "admin_code": admin_code},
        township_id=township.id,
    )
    return township


def create_community(
    township: Township, name: str, address: str, developer_name: str, total_floor_area_centi: int
) -> Community:
    """A residential community in a township."""
    name = required_text(name, "name", 100)
    address = required_text(address, "address", 200)
    developer_name = required_text(developer_name, "developer_name", 200)
    if total_floor_area_centi <= 0:
        raise DomainError("invalid_area", _l("The total floor area must be more than zero."), field="total_floor_area")
    duplicate = (
        select(func.count()).select_from(Community).where(Community.township_id == township.id, Community.name == name)
    )
    if db.session.scalar(duplicate):
        raise DomainError(
            "community_exists",
            _l("This township already has a community of this name."),
            status=409,
            field="name",
        )
    community = Community(
        township=township,
        name=name,
        address=address,
        developer_name=developer_name,
        total_floor_area_centi=total_floor_area_centi,
    )
    db.session.add(community)
    db.session.flush()
    audit.record(
        "community.create",
        "community",
        community.id,
        {
            "name": name,
            "address": address,
            "developer_name": developer_name,
            "total_floor_area": format_area(total_floor_area_centi),
        },
        township_id=township.id,
        community_id=community.id,
    )
    return community
