"""A community with a governing body in office, for the supervision tests and the authorisation test's world (helpers
only: no test here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from app.auth.models import User
from app.communities.models import Community
from app.extensions import db
from app.governance.body_models import BodyMember, GoverningBody
from app.roll.services import today
from tests.factories import gen_community, gen_official, gen_township


@dataclass
class InOffice:
    community: Community
    official: User
    body: GoverningBody


def gen_body(community: Community, kind: str = "committee", formed_on: date | None = None) -> GoverningBody:
    """A body in office as if elected (committee) or converted (pmc) on ``formed_on``; the community's state follows."""
    formed_on = formed_on or today() - timedelta(days=200)
    body = GoverningBody(
        community_id=community.id,
        kind=kind,
        formed_on=formed_on,
        seats=5,
        term_years=5 if kind == "committee" else None,
        term_ends_on=formed_on.replace(year=formed_on.year + 5) - timedelta(days=1) if kind == "committee" else None,
    )
    body.members = [
        BodyMember(name=f"委员{rank}", seat="member", rank=rank, joined_on=formed_on) for rank in range(1, 6)
    ]
    db.session.add(body)
    community.governance = kind
    db.session.flush()
    return body


def gen_in_office(kind: str = "committee") -> InOffice:
    township = gen_township()
    community = gen_community(township)
    official = gen_official(township)
    body = gen_body(community, kind)
    db.session.commit()
    return InOffice(community, official, body)
