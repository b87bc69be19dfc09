"""Voters from units (SPC interpretation Art 9; DOMAIN §3): one head per owner set, the developer's unsold and
undelivered units as one voter, parking by the community's setting, and the totals every quorum is measured on."""

from __future__ import annotations

import pytest

from app.rules.model import Settings, UnitKind, UnitStatus
from app.rules.voters import build_voters
from tests.rules.builders import DEV, M2, unit

PARKING, COMMERCIAL, OTHER = UnitKind.PARKING, UnitKind.COMMERCIAL, UnitKind.OTHER
UNSOLD, UNDELIVERED = UnitStatus.UNSOLD, UnitStatus.UNDELIVERED
NO_PARKING = Settings(count_parking=False)


def _voters(units, settings=None):
    roll = build_voters(units, DEV, settings or Settings())
    return roll, {v.owners: v for v in roll.voters}


def test_module_docstring_example():
    """101 and 102 (A), 103 (A+B), 104 and 105 unsold: A 170.00, A+B 100.00, the developer 240.00; 3 heads."""
    roll, by_owners = _voters(
        [
            unit("101", 90 * M2, {"A"}),
            unit("102", 80 * M2, {"A"}),
            unit("103", 100 * M2, {"A", "B"}),
            unit("104", 120 * M2, {DEV}, status=UNSOLD),
            unit("105", 120 * M2, {DEV}, status=UNSOLD),
        ]
    )
    assert (roll.total_heads, roll.total_area_centi) == (3, 510 * M2)
    a, ab, dev = by_owners[frozenset({"A"})], by_owners[frozenset({"A", "B"})], by_owners[frozenset({DEV})]
    assert (a.unit_ids, a.area_centi, a.is_developer) == (("101", "102"), 170 * M2, False)
    assert (ab.unit_ids, ab.area_centi, ab.is_developer) == (("103",), 100 * M2, False)
    assert (dev.unit_ids, dev.area_centi, dev.is_developer) == (("104", "105"), 240 * M2, True)
    assert roll.developer_unit_count == 2


@pytest.mark.parametrize(
    ("owner_sets", "heads"),
    [
        pytest.param([{"A"}, {"A"}], 1, id="two units of A alone are one voter"),
        pytest.param([{"A", "B"}, {"B", "A"}], 1, id="two units co-owned by A and B are one voter"),
        pytest.param([{"A"}, {"A", "B"}], 2, id="A alone and A with B are two voters"),
        pytest.param([{"A", "B"}, {"A", "B", "C"}], 2, id="A+B and A+B+C are two voters"),
        pytest.param([{"A"}, {"B"}], 2, id="A and B are two voters"),
        pytest.param([{"A"}, {"A", "B"}, {"A"}, {"B"}, {"A", "B"}], 3, id="A, A+B and B make three voters"),
    ],
)
def test_voters_are_exact_owner_sets(owner_sets, heads):
    units = [unit(f"U{i}", (i + 1) * M2, owners) for i, owners in enumerate(owner_sets)]
    roll, by_owners = _voters(units)
    assert roll.total_heads == heads
    assert set(by_owners) == {frozenset(s) for s in owner_sets}
    for owners, voter in by_owners.items():
        mine = [u for u in units if u.owners == owners]
        assert voter.unit_ids == tuple(sorted(u.unit_id for u in mine))
        assert voter.area_centi == sum(u.area_centi for u in mine)
    assert roll.total_area_centi == sum(u.area_centi for u in units)


def test_developers_unsold_undelivered_and_registered_units_are_one_voter():
    roll, by_owners = _voters(
        [
            unit("201", 100 * M2, {DEV}, status=UNSOLD),
            unit("202", 110 * M2, {"X"}, status=UNDELIVERED),  # sold to X but not yet delivered
            unit("203", 120 * M2, {DEV}),  # delivered but registered to the developer
            unit("204", 130 * M2, {"Y"}, status=UNSOLD),  # unsold whatever the register says
            unit("205", 90 * M2, {"X"}),  # X's delivered unit is X's own voter
        ]
    )
    dev = by_owners[frozenset({DEV})]
    assert (dev.unit_ids, dev.area_centi, dev.is_developer) == (("201", "202", "203", "204"), 460 * M2, True)
    assert by_owners[frozenset({"X"})].unit_ids == ("205",)
    assert frozenset({"Y"}) not in by_owners
    assert (roll.total_heads, roll.total_area_centi, roll.developer_unit_count) == (2, 550 * M2, 4)


def test_developer_co_owning_with_someone_else_is_not_the_developer_voter():
    roll, by_owners = _voters([unit("301", 100 * M2, {DEV}), unit("302", 100 * M2, {DEV, "Z"})])
    assert roll.total_heads == 2
    assert not by_owners[frozenset({DEV, "Z"})].is_developer
    assert roll.developer_unit_count == 1


def test_no_developer_units_no_developer_voter():
    roll, _ = _voters([unit("1", owners={"A"}), unit("2", owners={"B"})])
    assert roll.developer_unit_count == 0
    assert not any(v.is_developer for v in roll.voters)


def test_parking_counts_by_default_and_merges_with_the_owners_flat():
    units = [
        unit("101", 90 * M2, {"A"}),
        unit("P1", 12 * M2, {"A"}, kind=PARKING),
        unit("P2", 13 * M2, {"C"}, kind=PARKING),
        unit("P3", 14 * M2, {DEV}, kind=PARKING, status=UNSOLD),
    ]
    roll, by_owners = _voters(units)
    assert by_owners[frozenset({"A"})].unit_ids == ("101", "P1")
    assert by_owners[frozenset({"C"})].area_centi == 13 * M2
    assert (roll.total_heads, roll.total_area_centi, roll.developer_unit_count) == (3, 129 * M2, 1)
    assert set(roll.voter_by_unit) == {"101", "P1", "P2", "P3"}


def test_parking_excluded_by_setting_and_a_parking_only_owner_is_no_voter():
    """Excluded spaces add neither area nor heads; C, who holds only a space, and the developer's space are no voter."""
    units = [
        unit("101", 90 * M2, {"A"}),
        unit("P1", 12 * M2, {"A"}, kind=PARKING),
        unit("P2", 13 * M2, {"C"}, kind=PARKING),
        unit("P3", 14 * M2, {DEV}, kind=PARKING, status=UNSOLD),
        unit("S1", 50 * M2, {"D"}, kind=COMMERCIAL),
        unit("O1", 5 * M2, {"E"}, kind=OTHER),
    ]
    roll, by_owners = _voters(units, NO_PARKING)
    assert by_owners[frozenset({"A"})].unit_ids == ("101",)
    assert by_owners[frozenset({"A"})].area_centi == 90 * M2
    assert frozenset({"C"}) not in by_owners
    assert frozenset({DEV}) not in by_owners
    assert (roll.total_heads, roll.total_area_centi, roll.developer_unit_count) == (3, 145 * M2, 0)
    # an excluded space still names its owner's voter, if there is one: A's ballot may name P1
    assert roll.voter_by_unit == {"101": "101", "P1": "101", "S1": "S1", "O1": "O1"}


def test_voter_ids_units_and_order():
    roll, _ = _voters([unit("B2", owners={"B"}), unit("A9", owners={"A"}), unit("A1", owners={"B"})])
    assert [(v.voter_id, v.unit_ids) for v in roll.voters] == [("A1", ("A1", "B2")), ("A9", ("A9",))]
    assert roll.voter_by_unit == {"A1": "A1", "B2": "A1", "A9": "A9"}


def test_every_counting_unit_belongs_to_exactly_one_voter():
    units = [
        unit(f"U{i:02d}", M2, {"ABC"[i % 3]}, status=UNSOLD if i % 5 == 0 else UnitStatus.DELIVERED) for i in range(20)
    ]
    roll, _ = _voters(units)
    listed = [u for v in roll.voters for u in v.unit_ids]
    assert sorted(listed) == sorted(u.unit_id for u in units)
    assert all(roll.voter_by_unit[u] == v.voter_id for v in roll.voters for u in v.unit_ids)


def test_empty_roll_has_zero_totals():
    roll = build_voters([], DEV, Settings())
    assert (roll.total_heads, roll.total_area_centi, roll.developer_unit_count, roll.voters) == (0, 0, 0, ())
