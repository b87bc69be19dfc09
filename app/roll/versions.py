"""Writing roll versions: every import or correction makes a new, immutable version (DOMAIN §3, §7 step 3).

A version is written in one transaction with its units and owners (ID and phone numbers encrypted, looked up by a
keyed hash), its fingerprint (the Merkle root over its voters) and its diff against the previous version.
Bulk inserts keep a 20,000-unit roll within seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import func, insert, select

from app.audit import services as audit
from app.communities.models import Community
from app.extensions import db
from app.privacy import encrypt, lookup_hash, phone_lookup
from app.roll.diff import roll_diff
from app.roll.models import RollOwner, RollUnit, RollVersion
from app.roll.weights import roll_fingerprint, voter_roll


class AgentSpec(Protocol):
    """An organisation's representative (read-only attributes)."""

    @property
    def name(self) -> str: ...
    @property
    def id_number(self) -> str: ...
    @property
    def phone(self) -> str | None: ...


class OwnerSpec(AgentSpec, Protocol):
    """An owner as an import or the demo gives it: the person's attributes, and their document and representative."""

    @property
    def is_representative(self) -> bool: ...
    @property
    def id_type(self) -> str: ...
    @property
    def nationality(self) -> str: ...
    @property
    def agent(self) -> AgentSpec | None: ...
    @property
    def identity(self) -> str: ...


class UnitSpec(Protocol):
    """A unit as an import or the demo gives it."""

    @property
    def building(self) -> str: ...
    @property
    def entrance(self) -> str: ...
    @property
    def room(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def area_centi(self) -> int: ...
    @property
    def area_source(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def owners(self) -> Sequence[OwnerSpec]: ...


def latest_version(community: Community) -> RollVersion | None:
    return db.session.scalars(
        select(RollVersion).where(RollVersion.community_id == community.id).order_by(RollVersion.number.desc()).limit(1)
    ).first()


def _sign_in_lookup(owner: OwnerSpec) -> str | None:
    """The look-up of the number that signs in for the owner: an organisation's representative's, else the owner's."""
    phone = owner.agent.phone if owner.agent is not None and owner.agent.phone else owner.phone
    return phone_lookup(phone) if phone else None


def _owner_rows(units: Sequence[UnitSpec], unit_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Owner rows with their personal data encrypted once per person (an owner of several units repeats)."""
    cache: dict[str, tuple[bytes, str]] = {}
    phones: dict[str, bytes] = {}
    rows = []
    for unit, unit_id in zip(units, unit_ids, strict=True):
        for owner in unit.owners:
            if owner.identity not in cache:  # the lookup hashes (type, number): app.roll.documents.identity
                cache[owner.identity] = (encrypt(owner.id_number), lookup_hash(owner.identity))
            if owner.phone and owner.phone not in phones:
                phones[owner.phone] = encrypt(owner.phone)
            cipher, lookup = cache[owner.identity]
            agent = owner.agent
            rows.append(
                {
                    "roll_unit_id": unit_id,
                    "name": owner.name,
                    "id_number_cipher": cipher,
                    "id_number_lookup": lookup,
                    "phone_cipher": phones.get(owner.phone) if owner.phone else None,
                    "phone_lookup": _sign_in_lookup(owner),
                    "is_representative": owner.is_representative,
                    "id_type": owner.id_type,
                    "nationality": owner.nationality,
                    "agent_name": agent.name if agent else "",
                    "agent_id_cipher": encrypt(agent.id_number) if agent else None,
                    "agent_phone_cipher": encrypt(agent.phone) if agent and agent.phone else None,
                }
            )
    return rows


def create_version(
    community: Community, units: Sequence[UnitSpec], reason: str, author_id: int | None, source: str
) -> RollVersion:
    """Write a new version of the community's roll (flushes; the caller commits) and audit it."""
    previous = latest_version(community)
    number = (
        db.session.scalar(select(func.max(RollVersion.number)).where(RollVersion.community_id == community.id)) or 0
    ) + 1
    version = RollVersion(community_id=community.id, number=number, author_id=author_id, reason=reason, source=source)
    db.session.add(version)
    db.session.flush()
    unit_rows = [
        {
            "roll_version_id": version.id,
            "building": u.building,
            "entrance": u.entrance,
            "room": u.room,
            "kind": u.kind,
            "area_centi": u.area_centi,
            "area_source": u.area_source,
            "status": u.status,
        }
        for u in units
    ]
    unit_ids = list(
        db.session.scalars(insert(RollUnit).returning(RollUnit.id, sort_by_parameter_order=True), unit_rows)
    )
    owner_rows = _owner_rows(units, unit_ids)
    if owner_rows:
        db.session.execute(insert(RollOwner), owner_rows)
    db.session.expire(version, ["units"])
    stored = version.units
    version.fingerprint = roll_fingerprint(voter_roll(stored)).root
    version.diff = roll_diff(previous.units if previous else [], stored)
    db.session.flush()
    audit.record(
        "roll.version_create",
        "roll_version",
        version.id,
        {
            "number": number,
            "units": len(units),
            "source": source,
            "reason": reason[:200],
            "fingerprint": version.fingerprint,
            "added": version.diff["added"],
            "removed": version.diff["removed"],
            "changed": version.diff["changed"],
        },
        township_id=community.township_id,
        community_id=community.id,
    )
    return version
