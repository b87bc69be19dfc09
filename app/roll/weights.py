"""Voting weights of a roll version, computed by the counting engine (app.rules.voters), never here.

Owners are identified to the engine by the keyed look-up hash of their ID number, so the engine merges an owner's
units without seeing the number; the developer's unsold and undelivered units have no owners on the roll and
count as the one developer voter (SPC interpretation Art 9).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from app.roll.models import RollUnit
from app.rules.model import Settings, Unit, UnitKind, UnitStatus
from app.rules.voters import VoterRoll, build_voters
from crypto.canonical import canonical_json
from crypto.merkle import root_hex

DEVELOPER = "developer"


def unit_key(unit: RollUnit) -> str:
    """A unit's stable key within a community: building / entrance / room."""
    return f"{unit.building}/{unit.entrance}/{unit.room}"


def engine_units(units: Iterable[RollUnit]) -> list[Unit]:
    """The roll's units as the counting engine takes them."""
    return [
        Unit(
            unit_id=unit_key(unit),
            area_centi=unit.area_centi,
            kind=UnitKind(unit.kind),
            status=UnitStatus(unit.status),
            owners=frozenset(owner.id_number_lookup for owner in unit.owners) or frozenset({DEVELOPER}),
        )
        for unit in units
    ]


def voter_roll(units: Iterable[RollUnit], settings: Settings | None = None) -> VoterRoll:
    return build_voters(engine_units(units), DEVELOPER, settings or Settings())


def voter_pseudonym(owners: frozenset[str]) -> str:
    """A pseudonymous voter id: a hash of the owners' keyed look-up hashes (so it reveals no ID number), or
    "developer". An owner can later be told theirs and check their entry in a frozen roll."""
    if owners == frozenset({DEVELOPER}):
        return DEVELOPER
    return hashlib.sha256("\n".join(sorted(owners)).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class RollFingerprint:
    root: str
    entries: tuple[dict[str, object], ...]


def roll_fingerprint(roll: VoterRoll) -> RollFingerprint:
    """The Merkle root (RFC 9162) over canonical entries {voter, area, heads}, ordered by voter id."""
    from app.rules.areas import format_area

    entries = tuple(
        sorted(
            ({"voter": voter_pseudonym(v.owners), "area": format_area(v.area_centi), "heads": 1} for v in roll.voters),
            key=lambda entry: str(entry["voter"]),
        )
    )
    return RollFingerprint(root=root_hex([canonical_json(entry) for entry in entries]), entries=entries)
