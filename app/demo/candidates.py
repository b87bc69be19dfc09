"""The demo's candidates come through the same pipeline as a real community's (Shaoxing Art 13; DOMAIN §6): each is an
owner on the roll who nominates themself, signs the declaration, is vetted and accepted, and the list is approved by
the township. A meeting's election is then made from that approved list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from app.communities.models import Community
from app.extensions import db
from app.preparation import candidates
from app.preparation.candidates import Pool
from app.preparation.models import Candidate
from app.privacy import decrypt
from app.roll.models import RollOwner, RollUnit
from app.roll.versions import latest_version


def owners_on_roll(community: Community, start: int, count: int) -> list[tuple[str, str]]:
    """(name, ID number) of ``count`` different owners of the community's latest roll who hold a resident ID, from the
    ``start``-th owner on (the developer's unsold units have no owner row; an organisation cannot stand)."""
    version = latest_version(community)
    if version is None:
        return []
    rows = db.session.execute(
        select(RollOwner.name, RollOwner.id_number_cipher)
        .join(RollUnit, RollOwner.roll_unit_id == RollUnit.id)
        .where(RollUnit.roll_version_id == version.id, RollOwner.id_type == "resident_id")
        .order_by(RollUnit.id, RollOwner.id)
    ).all()
    found: dict[str, str] = {}
    for name, cipher in rows[start:]:
        found.setdefault(decrypt(cipher), name)
        if len(found) == count:
            break
    return [(name, number) for number, name in found.items()]


def declare_and_accept(candidate: Candidate, statement: str, user_id: int | None) -> Candidate:
    """The candidate's statement and signed declaration (no act of Shaoxing Art 22, no tie with the property
    company), then vetted and accepted by ``user_id``."""
    candidates.update_profile(
        candidate,
        statement=statement,
        party_member=False,
        peoples_congress_deputy=False,
        cppcc_member=False,
        declaration_made=True,
        declared_acts=(),
        property_company_tie=False,
        user_id=user_id,
    )
    return candidates.vet(candidate, True, "", user_id)


def approved_list(
    pool: Pool,
    statements: Sequence[str],
    nominated_on: date,
    start: int = 30,
    lists: Sequence[str | None] | None = None,
) -> list[Candidate]:
    """One self-nomination per statement, by owners of the roll from the ``start``-th unit on, each accepted, and the
    list submitted and approved; with separate lists, ``lists`` gives the list each stands on."""
    community = db.session.get_one(Community, pool.community_id)
    made = []
    owners = owners_on_roll(community, start, len(statements))
    for index, ((name, id_number), statement) in enumerate(zip(owners, statements, strict=True)):
        candidate = candidates.nominate(
            pool,
            name=name,
            id_number=id_number,
            route="self",
            nominated_on=nominated_on,
            user_id=None,
            stands_for=lists[index] if lists is not None else None,
        )
        made.append(declare_and_accept(candidate, statement, None))
    candidates.review_list(candidates.submit_list(pool, None), True, "", None)
    return made
