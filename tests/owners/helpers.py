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


def owner_token(*lookups: str, name: str = "测试业主") -> str:
    """An API token of a new session for the owners ``lookups`` (committed)."""
    signed = sign_in.open_session("sms", list(lookups), name)
    db.session.commit()
    return signed.token


def latest_roll(community: Community) -> RollVersion:
    from app.roll.versions import latest_version

    version = latest_version(community)
    assert version is not None
    return version


@dataclass(frozen=True)
class OwnerWorld:
    """Two communities of one township whose published rolls (notice from today) share one owner, ``shared``: one
    unit in each, the same ID number and phone."""

    first: Community
    second: Community
    official: Any
    shared: RollPerson


def gen_owner_world(units: int = 12) -> OwnerWorld:
    from dataclasses import replace

    from app.demo.roll_generator import demo_small_roll
    from app.roll import services as roll
    from app.roll.services import today
    from app.roll.versions import create_version
    from tests.factories import gen_community, gen_official, gen_township

    township = gen_township("业主街道")
    first, second = gen_community(township, "甲业主小区"), gen_community(township, "乙业主小区")
    official = gen_official(township, "owner-official")
    rows_a = demo_small_roll()[:units]
    rows_b = demo_small_roll(seed=11)[:units]
    rows_b[0] = replace(rows_b[0], owners=(replace(rows_a[0].owners[0], is_representative=True),))
    for community, rows in ((first, rows_a), (second, rows_b)):
        version = create_version(community, rows, "测试名册", official.id, "import")
        roll.publish_version(version, today(), official.id)
    db.session.commit()
    shared = people_of(latest_roll(first))[0]
    return OwnerWorld(first, second, official, shared)
