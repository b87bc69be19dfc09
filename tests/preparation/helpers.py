"""A community in preparation for tests: a published roll, a formed group, candidates (one of each route)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from flask_babel import force_locale

from app.auth.models import User
from app.communities.models import Community
from app.demo.roll_generator import DemoOwner, demo_small_roll
from app.errors import DomainError
from app.extensions import db
from app.preparation import candidates as nominations
from app.preparation import checklist, common, notices, progress, views, views_candidates, views_notices
from app.preparation import group as groups
from app.preparation.models import Candidate, PreparatoryGroup
from app.roll import services as roll
from app.roll.versions import create_version

#: the day the demo roll's notice starts in these tests; the group is formed after it
REQUESTED_ON = date(2026, 8, 3)
FORMED_ON = date(2026, 9, 1)

#: every module of app.preparation that imports ``today`` (from app.preparation.common or app.roll.services)
TODAY_USERS = (common, checklist, progress, nominations, groups, notices, views, views_candidates, views_notices)


def freeze_today(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    """Make ``today()`` return ``day`` in every preparation module that uses it."""
    for module in TODAY_USERS:
        monkeypatch.setattr(module, "today", lambda: day)


def refused(call: Any, *args: Any, **kwargs: Any) -> DomainError:
    """The DomainError a service raises; messages the service renders eagerly come out in English."""
    with force_locale("en"), pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    return caught.value


def roll_owners(units: int = 30) -> list[DemoOwner]:
    """The owners of the first ``units`` units of the small demo roll, one per person, in roll order."""
    seen: dict[str, DemoOwner] = {}
    for unit in demo_small_roll()[:units]:
        for owner in unit.owners:
            seen.setdefault(owner.id_number, owner)
    return list(seen.values())


#: ten owners of the small demo roll who are ten heads (DOMAIN §3): owners[13] and owners[14] co-own one flat and
#: nothing else, so a joint nomination counts them once; the candidate of `gen_preparation`'s is owners[6]
COSIGNER_INDEXES = (7, 8, 9, 10, 11, 12, 13, 15, 16, 17)


def cosigners_of(owners: list[DemoOwner], n: int = 10) -> list[DemoOwner]:
    """The first ``n`` owners of `COSIGNER_INDEXES`: distinct heads, none the candidate owners[6]."""
    return [owners[i] for i in COSIGNER_INDEXES[:n]]


def load_roll(community: Community, author: User, units: int = 30) -> None:
    """A published roll of the first ``units`` units of the small demo roll."""
    version = create_version(community, demo_small_roll()[:units], "测试名册", author.id, "import")
    roll.publish_version(version, date(2026, 8, 10), author.id)


def valid_members(owners: list[DemoOwner]) -> list[groups.MemberInput]:
    """Seven members: the township's leader, four owner representatives on the roll, the residents' committee and the
    developer (Shaoxing Art 12)."""
    return [
        groups.MemberInput("陈建国", "township", "0575-87001234", is_leader=True),
        *(groups.MemberInput(o.name, "owner_representative", o.phone or "", o.id_number) for o in owners[:4]),
        groups.MemberInput("何秀珍", "residents_committee", "0575-87005678"),
        groups.MemberInput("周立新", "developer", "0575-87009999"),
    ]


@dataclass
class Preparation:
    """What `gen_preparation` made: the group, its owners, and candidates by route."""

    group: PreparatoryGroup
    owners: list[DemoOwner]
    candidates: dict[str, Candidate] = field(default_factory=dict)


def gen_preparation(community: Community, official: User, *, with_candidates: bool = True) -> Preparation:
    """A formed group (members on the roll) with, optionally, three nominations: a self-nomination (owners[4]), the
    residents' committee's (owners[5]) and a joint one (owners[6], co-signed by `cosigners_of(owners)`)."""
    owners = roll_owners()
    load_roll(community, official)
    group = groups.record_request(community, "developer_report", REQUESTED_ON, "", official.id)
    groups.form_group(group, FORMED_ON, valid_members(owners), official.id)
    made = Preparation(group, owners)
    if with_candidates:
        for route, owner, cosigners in (
            ("self", owners[4], ()),
            ("residents_committee", owners[5], ()),
            ("joint", owners[6], tuple(o.id_number for o in cosigners_of(owners))),
        ):
            made.candidates[route] = nominations.nominate(
                group,
                name=owner.name,
                id_number=owner.id_number,
                route=route,
                nominated_on=date(2026, 9, 10),
                user_id=official.id,
                cosigner_id_numbers=cosigners,
            )
    db.session.flush()
    return made


def declare_clean(candidate: Candidate, user: User) -> Candidate:
    """The candidate signs the declaration: no Art 22 act, no tie with the property company."""
    return nominations.update_profile(
        candidate,
        statement="热心公益，愿为业主服务。",
        party_member=True,
        peoples_congress_deputy=False,
        cppcc_member=False,
        declaration_made=True,
        declared_acts=(),
        property_company_tie=False,
        user_id=user.id,
    )
