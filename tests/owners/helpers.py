"""Owners on their own phones in tests: a community whose roll the owners are on, and a test client signed in as one
of them (the session made by the same service the sign-in pages use, app.owners.sign_in.open_session)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from app.communities.models import Community
from app.extensions import db
from app.owners import sign_in
from app.owners.web import COOKIE
from app.privacy import decrypt
from app.roll.models import RollOwner, RollUnit, RollVersion


@dataclass(frozen=True)
class RollPerson:
    """An owner of a roll version as a test needs them: look-up, name, mobile number (in clear) and unit labels."""

    lookup: str
    name: str
    phone: str | None
    units: tuple[str, ...]


def people_of(version: RollVersion) -> list[RollPerson]:
    """The distinct owners of a version, in roll order."""
    rows = db.session.execute(
        select(RollOwner, RollUnit.building, RollUnit.entrance, RollUnit.room)
        .join(RollUnit, RollOwner.roll_unit_id == RollUnit.id)
        .where(RollUnit.roll_version_id == version.id)
        .order_by(RollUnit.id, RollOwner.id)
    ).all()
    found: dict[str, RollPerson] = {}
    for owner, building, entrance, room in rows:
        label = f"{building}{entrance}{room}"
        known = found.get(owner.id_number_lookup)
        phone = decrypt(owner.phone_cipher) if owner.phone_cipher else None
        units = (*known.units, label) if known else (label,)
        found[owner.id_number_lookup] = RollPerson(owner.id_number_lookup, owner.name, phone, units)
    return list(found.values())


def sign_in_as(client: FlaskClient, *lookups: str, name: str = "测试业主") -> Any:
    """Sign the test client in as the owners ``lookups`` (committed, as a real sign-in is); returns the session row."""
    signed = sign_in.open_session("sms", list(lookups), name)
    db.session.commit()
    client.set_cookie(COOKIE, signed.token)
    return signed.session


def latest_roll(community: Community) -> RollVersion:
    from app.roll.versions import latest_version

    version = latest_version(community)
    assert version is not None
    return version
