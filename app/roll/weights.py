"""Voting weights of a roll version, computed by the counting engine (app.rules.voters), never here.

Owners are identified to the engine by the keyed look-up hash of their ID number, so the engine merges an owner's
units without seeing the number; the developer's unsold and undelivered units have no owners on the roll and
count as the one developer voter (SPC interpretation Art 9).
"""

from __future__ import annotations

import hashlib
import hmac
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


def voter_pseudonym(owners: frozenset[str], key: bytes | None = None) -> str:
    """A pseudonymous voter id: a hash of the owners' keyed look-up hashes (so it reveals no ID number), or
    "developer".

    With ``key`` (a meeting's pseudonym key, `app.privacy.pseudonym_key`) it is an HMAC under that key: the ids a
    meeting's result package publishes differ from meeting to meeting and from the roll version's, and nobody
    without the platform's data key can compute one (issue 16 item 1). Without a key it is the roll version's own
    id, which only ever goes into the version's fingerprint (a root, never its entries)."""
    if owners == frozenset({DEVELOPER}):
        return DEVELOPER
    text = "\n".join(sorted(owners)).encode()
    if key is None:
        return hashlib.sha256(text).hexdigest()[:32]
    return hmac.new(key, text, hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class RollFingerprint:
    root: str
    entries: tuple[dict[str, object], ...]


def roll_fingerprint(roll: VoterRoll, key: bytes | None = None) -> RollFingerprint:
    """The Merkle root (RFC 9162) over canonical entries {voter, area, heads}, ordered by voter id; with ``key``,
    the pseudonyms are a meeting's (`voter_pseudonym`), as its result package publishes them."""
    from app.rules.areas import format_area

    entries = tuple(
        sorted(
            (
                {"voter": voter_pseudonym(v.owners, key), "area": format_area(v.area_centi), "heads": 1}
                for v in roll.voters
            ),
            key=lambda entry: str(entry["voter"]),
        )
    )
    return RollFingerprint(root=root_hex([canonical_json(entry) for entry in entries]), entries=entries)
