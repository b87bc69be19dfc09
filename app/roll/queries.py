"""What the roll pages and the API show: weights from the counting engine, masked owners, versions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select

from app.communities.models import Community
from app.extensions import db
from app.privacy import mask_name
from app.roll.models import RollImport, RollObjection, RollUnit, RollVersion
from app.roll.weights import voter_roll


@dataclass(frozen=True)
class SeveralUnits:
    owner: str  # masked name
    units: list[str]


@dataclass(frozen=True)
class CoOwned:
    unit: str
    owners: list[str]  # masked names
    representative: str


@dataclass(frozen=True)
class Weights:
    """Total area and heads (by the counting engine), and the merges behind them (SPC interpretation Art 9)."""

    total_area_centi: int
    total_heads: int
    units: int
    developer_units: int
    several_units: list[SeveralUnits]
    co_owned: list[CoOwned]
    by_kind: dict[str, int]
    by_status: dict[str, int]


def weights_of(version: RollVersion) -> Weights:
    units = list(version.units)
    roll = voter_roll(units)
    by_lookup: dict[str, list[RollUnit]] = {}
    names: dict[str, str] = {}
    co_owned = []
    for unit in units:
        if len(unit.owners) == 1:
            by_lookup.setdefault(unit.owners[0].id_number_lookup, []).append(unit)
            names[unit.owners[0].id_number_lookup] = unit.owners[0].name
        elif len(unit.owners) > 1:
            representative = next((o.name for o in unit.owners if o.is_representative), "")
            co_owned.append(CoOwned(unit.label, [mask_name(o.name) for o in unit.owners], mask_name(representative)))
    several = [
        SeveralUnits(mask_name(names[lookup]), [u.label for u in owned])
        for lookup, owned in by_lookup.items()
        if len(owned) > 1
    ]
    return Weights(
        total_area_centi=roll.total_area_centi,
        total_heads=roll.total_heads,
        units=len(units),
        developer_units=roll.developer_unit_count,
        several_units=sorted(several, key=lambda s: -len(s.units)),
        co_owned=co_owned,
        by_kind=dict(Counter(u.kind for u in units)),
        by_status=dict(Counter(u.status for u in units)),
    )


def superseded_by(version: RollVersion) -> RollVersion | None:
    """The newest version of the community's roll published after ``version``, if any: a notice of ``version`` then
    shows old units and areas, and says so (issue 19 item 7)."""
    return db.session.scalars(
        select(RollVersion)
        .where(
            RollVersion.community_id == version.community_id,
            RollVersion.number > version.number,
            RollVersion.published_at.is_not(None),
        )
        .order_by(RollVersion.number.desc())
        .limit(1)
    ).first()


def versions_of(community: Community) -> list[RollVersion]:
    return list(
        db.session.scalars(
            select(RollVersion).where(RollVersion.community_id == community.id).order_by(RollVersion.number.desc())
        )
    )


def imports_of(community: Community, limit: int = 10) -> list[RollImport]:
    return list(
        db.session.scalars(
            select(RollImport)
            .where(RollImport.community_id == community.id)
            .order_by(RollImport.id.desc())
            .limit(limit)
        )
    )


def objections_of(version: RollVersion) -> list[RollObjection]:
    return list(
        db.session.scalars(
            select(RollObjection).where(RollObjection.roll_version_id == version.id).order_by(RollObjection.id)
        )
    )


def open_objections_in(township_id: int) -> list[tuple[RollObjection, RollVersion, Community]]:
    """Open objections in a township's communities (the township oversees them)."""
    query = (
        select(RollObjection, RollVersion, Community)
        .join(RollVersion, RollObjection.roll_version_id == RollVersion.id)
        .join(Community, RollVersion.community_id == Community.id)
        .where(Community.township_id == township_id, RollObjection.status == "open")
        .order_by(RollObjection.recorded_at)
    )
    return [(o, v, c) for o, v, c in db.session.execute(query)]
