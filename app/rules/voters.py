"""Voters from units: SPC interpretation on building co-ownership, Art 9 (DOMAIN §3).

- One unit counts as one person, except that all of the developer's unsold and undelivered units (and any unit
  registered to the developer) together count as one person, and a buyer of several units counts as one person.
- "The same buyer" is the exact set of registered owners: units with identical owner sets merge into one voter
  (one head, summed area). A owns X alone and A+B co-own Y: two voters.
- Parking spaces count unless the community's setting excludes them; a voter with nothing that counts is no voter,
  but an excluded unit still identifies its owners' voter (a ballot may name the parking space of a flat's owner).

Example: units 101 (A, 90.00 m²), 102 (A, 80.00 m²), 103 (A+B, 100.00 m²), 104 and 105 unsold (120.00 m² each)
give three voters: A (170.00 m²), A+B (100.00 m²), the developer (240.00 m²); totals 3 heads and 510.00 m².
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter

from app.rules.model import Settings, Unit, UnitKind, UnitStatus


@dataclass(frozen=True)
class Voter:
    """One head in the count: the units of one owner set (or of the developer), with their summed area."""

    voter_id: str
    owners: frozenset[str]
    unit_ids: tuple[str, ...]
    area_centi: int
    is_developer: bool = False


_unit_id = attrgetter("unit_id")


@dataclass(frozen=True)
class VoterRoll:
    """The voters of a community and the totals every quorum is measured against."""

    voters: tuple[Voter, ...]
    voter_by_unit: dict[str, str]
    total_area_centi: int
    developer_unit_count: int

    @property
    def total_heads(self) -> int:
        return len(self.voters)


def build_voters(units: Iterable[Unit], developer: str, settings: Settings) -> VoterRoll:
    """Merge units into voters by owner set, with the developer's unsold and undelivered units as one voter.

    The units are taken in the order of their ids, so each voter's units come already in order and the voters are
    met in the order of their first unit: the voters' order (and ids) without sorting each group again."""
    developer_key = frozenset({developer})
    not_counted_kind = None if settings.count_parking else UnitKind.PARKING
    developers_statuses = (UnitStatus.UNSOLD, UnitStatus.UNDELIVERED)
    grouped: dict[frozenset[str], list[Unit]] = {}
    not_counted: dict[str, frozenset[str]] = {}
    developer_units = 0
    for unit in sorted(units, key=_unit_id):
        is_developers = unit.status in developers_statuses or unit.owners == developer_key
        key = developer_key if is_developers else unit.owners
        if unit.kind == not_counted_kind:
            not_counted[unit.unit_id] = key
            continue
        developer_units += is_developers
        grouped.setdefault(key, []).append(unit)
    voters = []
    voter_by_unit: dict[str, str] = {}
    for owners, members in grouped.items():
        unit_ids: tuple[str, ...]
        if len(members) == 1:  # most voters hold one unit
            unit_ids, area_centi = (members[0].unit_id,), members[0].area_centi
        else:
            unit_ids, area_centi = tuple([u.unit_id for u in members]), sum([u.area_centi for u in members])
        voter_id = unit_ids[0]
        voters.append(Voter(voter_id, owners, unit_ids, area_centi, owners == developer_key))
        for unit_id in unit_ids:
            voter_by_unit[unit_id] = voter_id
    # a unit that does not count (a parking space, when parking is excluded) still names its owners' voter
    voter_of_owners = {voter.owners: voter.voter_id for voter in voters}
    for unit_id, key in not_counted.items():
        if key in voter_of_owners:
            voter_by_unit[unit_id] = voter_of_owners[key]
    return VoterRoll(
        voters=tuple(voters),
        voter_by_unit=voter_by_unit,
        total_area_centi=sum(v.area_centi for v in voters),
        developer_unit_count=developer_units,
    )
