"""Read-only views of townships and communities for pages and the API."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.auth.models import RoleGrant, User
from app.communities.models import Community, Township
from app.extensions import db
from app.roll.models import RollUnit, RollVersion


def accounts_in(township: Township | None = None, community: Community | None = None) -> list[tuple[User, RoleGrant]]:
    """Staff accounts scoped to a township (its own grants only) or to a community."""
    query = select(User, RoleGrant).join(RoleGrant.user).order_by(RoleGrant.role, User.username)
    if community is not None:
        query = query.where(RoleGrant.community_id == community.id)
    elif township is not None:
        query = query.where(RoleGrant.township_id == township.id, RoleGrant.community_id.is_(None))
    return [(user, grant) for user, grant in db.session.execute(query)]


def latest_roll_version(community: Community) -> RollVersion | None:
    return db.session.scalars(
        select(RollVersion).where(RollVersion.community_id == community.id).order_by(RollVersion.number.desc()).limit(1)
    ).first()


@dataclass(frozen=True)
class RollOverview:
    """Counts of the latest roll version (the voting weights themselves come from app.rules)."""

    version_number: int
    units: int
    area_centi: int
    by_kind: dict[str, int]
    by_status: dict[str, int]


def roll_overview(community: Community) -> RollOverview | None:
    version = latest_roll_version(community)
    if version is None:
        return None
    where = RollUnit.roll_version_id == version.id
    units, area = db.session.execute(
        select(func.count(), func.coalesce(func.sum(RollUnit.area_centi), 0)).where(where)
    ).one()
    by_kind = dict(db.session.execute(select(RollUnit.kind, func.count()).where(where).group_by(RollUnit.kind)).all())
    by_status = dict(
        db.session.execute(select(RollUnit.status, func.count()).where(where).group_by(RollUnit.status)).all()
    )
    return RollOverview(version.number, int(units), int(area), by_kind, by_status)
