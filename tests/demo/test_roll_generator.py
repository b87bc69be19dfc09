"""Tests for the pure demo owner-roll generator."""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from app.demo.roll_generator import DemoOwner, DemoUnit, demo_small_roll, generate_demo_roll


@pytest.fixture(scope="module")
def roll() -> list[DemoUnit]:
    return generate_demo_roll()


def _owners(units: list[DemoUnit]) -> list[DemoOwner]:
    return [o for u in units for o in u.owners]


def _holdings(units: list[DemoUnit]) -> dict[str, list[DemoOwner]]:
    """Every appearance of each person, keyed by ID number."""
    seen: dict[str, list[DemoOwner]] = defaultdict(list)
    for owner in _owners(units):
        seen[owner.id_number].append(owner)
    return seen


def _check_invariants(units: list[DemoUnit]) -> None:
    keys = [(u.building, u.entrance, u.room) for u in units]
    assert len(set(keys)) == len(keys), "duplicate unit keys"
    for unit in units:
        assert isinstance(unit.area_centi, int)
        if unit.status == "delivered":
            assert 1 <= len(unit.owners) <= 3
            assert sum(o.is_representative for o in unit.owners) == 1
        else:
            assert unit.owners == ()
    for id_number, appearances in _holdings(units).items():
        assert ric.is_valid(id_number), id_number
        assert len({(o.name, o.phone) for o in appearances}) == 1, id_number
    for owner in _owners(units):
        assert len(owner.phone) == 11
        assert owner.phone.isdigit()
        assert phonenumbers.is_valid_number(phonenumbers.parse(owner.phone, "CN")), owner.phone


def test_default_roll_size_and_kinds(roll: list[DemoUnit]) -> None:
    assert 1100 <= len(roll) <= 1300
    kinds = Counter(u.kind for u in roll)
    assert kinds == {"residence": 1080, "commercial": 24, "parking": 96}


def test_invariants_hold_for_default_roll(roll: list[DemoUnit]) -> None:
    _check_invariants(roll)


def test_status_mix(roll: list[DemoUnit]) -> None:
    statuses = Counter(u.status for u in roll)
    assert set(statuses) == {"delivered", "undelivered", "unsold"}
    assert 0.02 <= statuses["unsold"] / len(roll) <= 0.04
    assert 0.01 <= statuses["undelivered"] / len(roll) <= 0.03


def test_unowned_units_belong_to_the_developer(roll: list[DemoUnit]) -> None:
    unowned = [u for u in roll if u.status != "delivered"]
    assert unowned
    assert all(u.owners == () for u in unowned)
    assert all(u.owners for u in roll if u.status == "delivered")


def test_co_owned_units(roll: list[DemoUnit]) -> None:
    owned = [u for u in roll if u.owners]
    co_owned = [u for u in owned if len(u.owners) > 1]
    assert 0.05 <= len(co_owned) / len(owned) <= 0.11
    assert any(len(u.owners) == 3 for u in co_owned)
    for unit in co_owned:
        assert [o.is_representative for o in unit.owners].count(True) == 1
        assert len({o.id_number for o in unit.owners}) == len(unit.owners)


def test_multi_unit_owners_have_identical_data(roll: list[DemoUnit]) -> None:
    holdings = _holdings(roll)
    multi = {k: v for k, v in holdings.items() if len(v) > 1}
    assert 0.03 <= len(multi) / len(holdings) <= 0.08
    assert all(2 <= len(v) <= 4 for v in multi.values())
    for appearances in multi.values():
        assert {(o.name, o.id_number, o.phone) for o in appearances} == {
            (appearances[0].name, appearances[0].id_number, appearances[0].phone)
        }
    # the typical case: somebody owns a flat and a parking space
    kinds_by_id: dict[str, set[str]] = defaultdict(set)
    for unit in roll:
        for owner in unit.owners:
            kinds_by_id[owner.id_number].add(unit.kind)
    assert any({"residence", "parking"} <= kinds_by_id[k] for k in multi)


def test_no_id_number_shared_by_different_people(roll: list[DemoUnit]) -> None:
    names_by_id: dict[str, set[str]] = defaultdict(set)
    for owner in _owners(roll):
        names_by_id[owner.id_number].add(owner.name)
    assert all(len(names) == 1 for names in names_by_id.values())
    # distinct people also have distinct phones
    phones_by_id = {o.id_number: o.phone for o in _owners(roll)}
    assert len(set(phones_by_id.values())) == len(phones_by_id)


def test_names_look_chinese(roll: list[DemoUnit]) -> None:
    names = [o.name for o in _owners(roll)]
    assert all(2 <= len(n) <= 4 for n in names)
    assert all("\u4e00" <= ch <= "\u9fff" for n in names for ch in n)
    surnames = Counter(n[0] for n in names)
    top = {s for s, _ in surnames.most_common(6)}
    assert len(top & {"王", "李", "张", "陈", "刘"}) >= 3


def test_id_numbers_are_local_and_plausible(roll: list[DemoUnit]) -> None:
    ids = list(_holdings(roll))
    assert all(i.startswith("33") for i in ids)
    assert all(1940 <= ric.get_birth_date(i).year <= 2000 for i in ids)
    assert any(i.startswith("330681") for i in ids)
    assert any(i.endswith("X") for i in ids)


def test_units_and_areas(roll: list[DemoUnit]) -> None:
    for unit in roll:
        assert type(unit.area_centi) is int
        assert unit.area_source in {"register", "survey", "contract"}
        if unit.kind == "residence":
            assert 6000 <= unit.area_centi <= 18000
            assert unit.building.endswith("幢")
            assert unit.entrance.endswith("单元")
        elif unit.kind == "commercial":
            assert 3000 <= unit.area_centi <= 20000
            assert unit.entrance == ""
        else:
            assert unit.kind == "parking"
            assert 1200 <= unit.area_centi <= 1600
            assert (unit.building, unit.entrance) == ("地下车库", "")
            assert unit.room.startswith("B")
    sources = Counter(u.area_source for u in roll)
    assert sources.most_common(1)[0][0] == "register"
    assert set(sources) == {"register", "survey", "contract"}
    # areas have two meaningful decimals, not just whole square metres
    assert sum(u.area_centi % 100 != 0 for u in roll) > len(roll) * 0.8


def test_room_numbering(roll: list[DemoUnit]) -> None:
    rooms = {(u.building, u.entrance, u.room) for u in roll}
    assert ("1幢", "1单元", "101") in rooms
    assert ("10幢", "2单元", "1803") in rooms
    assert ("地下车库", "", "B1-001") in rooms


def test_same_seed_same_roll(roll: list[DemoUnit]) -> None:
    assert generate_demo_roll(2026) == roll
    assert demo_small_roll() == demo_small_roll(7)


def test_different_seed_different_roll(roll: list[DemoUnit]) -> None:
    other = generate_demo_roll(2027)
    assert len(other) == len(roll)
    assert other != roll
    assert {o.id_number for o in _owners(other)} != {o.id_number for o in _owners(roll)}


def test_units_are_frozen(roll: list[DemoUnit]) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        roll[0].room = "9999"  # type: ignore[misc]


def test_small_roll() -> None:
    units = demo_small_roll()
    assert 50 <= len(units) <= 70
    assert {u.building for u in units if u.kind != "parking"} == {"1幢", "2幢"}
    assert 1 <= sum(u.kind == "parking" for u in units) <= 12
    _check_invariants(units)
    assert {u.status for u in units} == {"delivered", "undelivered", "unsold"}


def test_custom_sizes_and_validation() -> None:
    units = generate_demo_roll(1, buildings=1, floors=2, entrances=1, rooms_per_floor=2, shops=0, parking_spaces=0)
    assert [u.room for u in units] == ["101", "102", "201", "202"]
    assert generate_demo_roll(1, buildings=0, shops=0, parking_spaces=0) == []
    with pytest.raises(ValueError, match="non-negative"):
        generate_demo_roll(buildings=-1)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_invariants_hold_for_any_seed(seed: int) -> None:
    _check_invariants(demo_small_roll(seed))
