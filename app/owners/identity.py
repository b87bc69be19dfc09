"""Who a signed-in owner is: the owners (ID look-up hashes) the session speaks for, and their units, community by
community, on each community's latest **published** roll version: a version imported or corrected but not yet
published has been checked by nobody, so it neither lets anyone sign in nor shows an owner anything.

An owner sees their own entry in full (units, areas and where the area comes from, their co-owners, who represents
the unit) and nothing of another owner's beyond what the public roll notice shows; a community where none of the
session's owners is on the latest roll is not theirs (404, never 403, so that its existence is not confirmed).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.communities.models import Community
from app.errors import DomainError
from app.extensions import db
from app.privacy import mask_name
from app.roll.models import RollOwner, RollUnit, RollVersion


@dataclass(frozen=True)
class CoOwner:
    """Another registered owner of one of my units, as my entry shows them (masked name)."""

    name: str
    is_representative: bool


@dataclass(frozen=True)
class MyUnit:
    """One of my units on the roll, with what the roll says of it."""

    unit_id: int
    label: str
    kind: str
    area_centi: int
    area_source: str
    status: str
    #: I represent the unit (I cast its ballot); for a unit of mine alone, always
    i_represent: bool
    co_owners: tuple[CoOwner, ...]


@dataclass(frozen=True)
class MyCommunity:
    """A community where I own units on its latest published roll version."""

    community: Community
    roll: RollVersion
    #: my name as the roll has it, and my look-up hash there
    name: str
    owner_lookup: str
    units: tuple[MyUnit, ...]


def latest_published(community: Community) -> RollVersion | None:
    """The community's latest published roll version (its owners' roll), or None."""
    return db.session.scalars(
        select(RollVersion)
        .where(RollVersion.community_id == community.id, RollVersion.published_at.is_not(None))
        .order_by(RollVersion.number.desc())
        .limit(1)
    ).first()


def latest_versions_with(lookups: Collection[str], column: str = "id_number_lookup") -> list[RollVersion]:
    """The latest published roll version of every community where one of ``lookups`` is an owner (by ID number, or
    with ``column`` "phone_lookup" by the number that signs in)."""
    if not lookups:
        return []
    newest = (
        select(RollVersion.community_id, func.max(RollVersion.number).label("number"))
        .where(RollVersion.published_at.is_not(None))
        .group_by(RollVersion.community_id)
        .subquery()
    )
    return list(
        db.session.scalars(
            select(RollVersion)
            .join(newest, (newest.c.community_id == RollVersion.community_id) & (newest.c.number == RollVersion.number))
            .where(
                RollVersion.id.in_(
                    select(RollUnit.roll_version_id)
                    .join(RollOwner, RollOwner.roll_unit_id == RollUnit.id)
                    .where(getattr(RollOwner, column).in_(list(lookups)))
                )
            )
            .order_by(RollVersion.community_id)
        )
    )


def owners_with_phone(phone_lookup: str) -> tuple[list[str], str]:
    """The owners (ID look-ups) whose number on a latest roll is this one, and the first one's name; ([], "") when the
    number is on no roll."""
    versions = latest_versions_with([phone_lookup], "phone_lookup")
    rows = db.session.execute(
        select(RollOwner.id_number_lookup, RollOwner.name)
        .join(RollUnit, RollOwner.roll_unit_id == RollUnit.id)
        .where(RollUnit.roll_version_id.in_([v.id for v in versions]), RollOwner.phone_lookup == phone_lookup)
        .order_by(RollUnit.roll_version_id, RollOwner.id)
    ).all()
    lookups = list(dict.fromkeys(row.id_number_lookup for row in rows))
    return lookups, rows[0].name if rows else ""


def _my_units(version: RollVersion, lookups: Collection[str]) -> tuple[str, str, tuple[MyUnit, ...]]:
    units = db.session.scalars(
        select(RollUnit)
        .where(
            RollUnit.roll_version_id == version.id,
            RollUnit.id.in_(select(RollOwner.roll_unit_id).where(RollOwner.id_number_lookup.in_(list(lookups)))),
        )
        .order_by(RollUnit.id)
    ).all()
    name, lookup = "", ""
    mine: list[MyUnit] = []
    for unit in units:
        me = next(o for o in unit.owners if o.id_number_lookup in lookups)
        name, lookup = name or me.name, lookup or me.id_number_lookup
        others = [o for o in unit.owners if o.id_number_lookup not in lookups]
        mine.append(
            MyUnit(
                unit_id=unit.id,
                label=unit.label,
                kind=unit.kind,
                area_centi=unit.area_centi,
                area_source=unit.area_source,
                status=unit.status,
                i_represent=me.is_representative or len(unit.owners) == 1,
                co_owners=tuple(
                    CoOwner(o.name if o.is_organisation else mask_name(o.name), o.is_representative) for o in others
                ),
            )
        )
    return name, lookup, tuple(mine)


def my_communities(lookups: Collection[str]) -> list[MyCommunity]:
    """Every community where the owners ``lookups`` hold units on the latest roll, with those units."""
    found = []
    for version in latest_versions_with(lookups):
        community = db.session.get_one(Community, version.community_id)
        name, lookup, units = _my_units(version, lookups)
        found.append(MyCommunity(community, version, name, lookup, units))
    return found


def my_community(community_id: int, lookups: Collection[str]) -> MyCommunity:
    """The community ``community_id`` if one of ``lookups`` owns a unit on its latest roll; else a 404."""
    community = db.session.get(Community, community_id)
    version = latest_published(community) if community is not None else None
    if community is None or version is None:
        raise not_yours()
    name, lookup, units = _my_units(version, lookups)
    if not units:
        raise not_yours()
    return MyCommunity(community, version, name, lookup, units)


def not_yours() -> DomainError:
    return DomainError("not_your_community", _l("You own no unit in this community."), status=404)
