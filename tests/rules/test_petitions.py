"""Heads held by signatures, and the thresholds of owners' joint acts (DOMAIN §3, §7 item 8)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules.petitions import heads_needed, heads_signed, is_reached


def test_co_owners_of_one_flat_hold_one_head():
    assert heads_signed([{"A", "B"}], {"A", "B"}) == 1


def test_an_owner_in_two_voters_and_a_co_owner_hold_two_heads():
    """A owns X alone and Y with B: A holds X, B holds Y (the matching moves A off Y to make room)."""
    assert heads_signed([{"A", "B"}, {"A"}], {"A", "B"}) == 2
    assert heads_signed([{"A", "B"}, {"A"}], {"A"}) == 1


def test_a_signer_on_no_voter_holds_nothing():
    assert heads_signed([{"A"}], {"Z"}) == 0


@pytest.mark.parametrize(
    ("heads", "total", "reached"),
    [(200, 1000, True), (199, 1000, False), (201, 1001, True), (200, 1001, False), (1, 5, True), (0, 0, False)],
)
def test_one_fifth_of_the_heads_exactly_is_enough(heads, total, reached):
    """20% (Property Management Regulations Art 13) and one fifth (Shaoxing Art 23): "以上" includes the bound."""
    assert is_reached("interim_meeting", heads, total) is reached
    assert is_reached("audit", heads, total) is reached


def test_a_joint_nomination_needs_ten_heads():
    assert not is_reached("joint_nomination", 9, 1000)
    assert is_reached("joint_nomination", 10, 12)
    assert heads_needed("joint_nomination", 5000) == 10


owner_sets = st.lists(st.frozensets(st.sampled_from("ABCDEFGH"), min_size=1, max_size=3), max_size=12)


@given(owner_sets, st.frozensets(st.sampled_from("ABCDEFGHIJ")))
def test_heads_never_exceed_signers_or_voters_and_grow_with_signatures(voters, signers):
    held = heads_signed(voters, signers)
    assert 0 <= held <= min(len(signers), len(voters))
    for extra in "ABCDEFGHIJ":
        assert held <= heads_signed(voters, signers | {extra}) <= held + 1


@given(owner_sets)
def test_when_everyone_signs_every_head_with_a_distinct_owner_is_held(voters):
    """With every owner signing, the heads held are the largest set of voters with distinct signing owners; for single
    owners that is one head per owner."""
    singles = [v for v in voters if len(v) == 1]
    everyone = set().union(*voters) if voters else set()
    assert heads_signed(singles, everyone) == len(set(singles))


@given(st.integers(min_value=0, max_value=100_000))
def test_heads_needed_is_the_smallest_count_that_reaches(total):
    needed = heads_needed("interim_meeting", total)
    if total:
        assert is_reached("interim_meeting", needed, total)
        assert not is_reached("interim_meeting", needed - 1, total)
