"""Ties of an election (DOMAIN §5; issue 15 items 1 and 3): a tied candidate keeps the standing all of the tie have;
the tie rule (run-off, or lots drawn from the ledger root) settles the rest; nothing depends on an id."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules.elections import ALTERNATE, MEMBER, NOT_ELECTED, TIE_UNRESOLVED, LotsSeedMissing
from app.rules.model import Settings
from tests.rules.builders import election_by_heads

LOTS = Settings(tie_rule="lots")
SEED = hashlib.sha256(b"a ledger").hexdigest()


def outcomes(result) -> list[str]:
    by_id = {c.candidate_id: c.outcome for c in result.candidates}
    return [by_id[c] for c in sorted(by_id, key=lambda c: int(c[1:]))]


def test_a_tie_for_the_last_seat_keeps_both_an_alternate_place_and_the_committee_is_formed() -> None:
    """7 seats, 3 alternates; the 7th and 8th tied: seat 7 and the first alternate place go to the run-off, the 9th
    and 10th stay alternates behind them; six definite members of seven form the committee (Hangzhou Art 27)."""
    heads = dict(zip([f"c{i}" for i in range(1, 11)], [70, 69, 68, 67, 66, 65, 60, 60, 55, 54], strict=True))
    result = election_by_heads(heads, seats=7, max_alternates=3, voters=100)
    assert outcomes(result) == [MEMBER] * 6 + [TIE_UNRESOLVED] * 2 + [ALTERNATE] * 2
    (tie,) = result.ties
    assert (tie.rank, tie.candidates, tie.member_places, tie.alternate_places) == (7, ("c7", "c8"), 1, 1)
    assert tie.decides == "seat"
    assert result.alternates == ["c9", "c10"]  # ranked 9 and 10: behind the tie's alternate place
    assert (result.committee_formed, result.committee_pending, result.runoff_needed) == (True, False, True)


def test_a_tie_for_the_fifth_of_five_seats_leaves_the_election_pending_its_run_off() -> None:
    """Four clear winners and a tie for the fifth: not "no committee" — pending the run-off, the four kept."""
    heads = {"c1": 30, "c2": 29, "c3": 28, "c4": 27, "c5": 25, "c6": 25, "c7": 22}
    result = election_by_heads(heads, seats=5, max_alternates=2)
    assert result.members == ["c1", "c2", "c3", "c4"]
    assert result.alternates == ["c7"]
    assert (result.committee_formed, result.committee_pending) == (False, True)
    assert result.unresolved_ties == [["c5", "c6"]]


def test_a_tie_that_cannot_make_up_the_committee_does_not_leave_it_pending() -> None:
    """Three clear winners and a tie for the fourth and fifth seats among three: even with both seats the committee
    would have 5 of 5; with only three winners and one contested seat it could not: only then it has failed."""
    pending = election_by_heads({"c1": 30, "c2": 29, "c3": 28, "c4": 25, "c5": 25, "c6": 25}, seats=5)
    assert pending.committee_pending
    failed = election_by_heads({"c1": 30, "c2": 29, "c3": 28}, seats=5)
    assert (failed.committee_formed, failed.committee_pending, failed.runoff_needed) == (False, False, False)


def test_lots_settle_every_tie_reproducibly_from_the_ledger_root() -> None:
    heads = dict(zip([f"c{i}" for i in range(1, 11)], [70, 69, 68, 67, 66, 65, 60, 60, 55, 55], strict=True))
    result = election_by_heads(heads, seats=7, max_alternates=3, voters=100, settings=LOTS, lots_seed=SEED)
    seat_tie, order_tie = result.ties

    def key(position: int) -> str:  # the documented draw, computed here independently
        return hashlib.sha256(f"gongjue.lots/1|{SEED}|e|{position}".encode()).hexdigest()

    expected = tuple(sorted(("c7", "c8"), key=lambda c: key(int(c[1:]))))
    assert seat_tie.drawn == expected
    assert order_tie.drawn == tuple(sorted(("c9", "c10"), key=lambda c: key(int(c[1:]))))
    assert result.members == ["c1", "c2", "c3", "c4", "c5", "c6", expected[0]]
    assert result.alternates == [expected[1], *order_tie.drawn]
    assert not result.runoff_needed
    again = election_by_heads(heads, seats=7, max_alternates=3, voters=100, settings=LOTS, lots_seed=SEED)
    assert again == result


def test_lots_without_a_seed_are_refused() -> None:
    heads = {"c1": 30, "c2": 29, "c3": 28, "c4": 27, "c5": 25, "c6": 25}
    with pytest.raises(LotsSeedMissing):
        election_by_heads(heads, seats=5, max_alternates=0, settings=LOTS)


def test_a_tie_beyond_the_places_or_inside_the_seats_decides_nothing() -> None:
    inside = election_by_heads({"c1": 30, "c2": 30, "c3": 28, "c4": 27, "c5": 26}, seats=5, max_alternates=0)
    beyond = election_by_heads(
        {f"c{i}": h for i, h in enumerate([30, 29, 28, 27, 26, 22, 22], 1)}, seats=5, max_alternates=0
    )
    assert (inside.ties, beyond.ties) == ((), ())
    assert outcomes(beyond)[-2:] == [NOT_ELECTED, NOT_ELECTED]


@given(
    heads=st.lists(st.sampled_from([51, 52, 53]), min_size=5, max_size=9),
    labels=st.permutations(list(range(100, 109))),
    rule=st.sampled_from(["runoff", "lots"]),
)
def test_relabelling_the_candidates_never_changes_an_outcome(heads: list[int], labels: list[int], rule: str) -> None:
    """The same ballot with other ids (database ids such as "9" and "10", in any order): the same outcomes by ballot
    position, the same ties, the same draw."""
    settings = Settings(tie_rule=rule)
    plain = [f"c{i}" for i in range(len(heads))]
    other = [str(label) for label in labels[: len(heads)]]
    results = [
        election_by_heads(
            dict(zip(ids, heads, strict=True)), seats=5, max_alternates=2, voters=100, settings=settings, lots_seed=SEED
        )
        for ids in (plain, other)
    ]
    by_position = [
        [{c.candidate_id: c.outcome for c in result.candidates}[i] for i in ids]
        for result, ids in zip(results, (plain, other), strict=True)
    ]
    assert by_position[0] == by_position[1]
    renamed = dict(zip(plain, other, strict=True))
    first, second = results
    assert [[renamed[c] for c in tie.candidates] for tie in first.ties] == [list(t.candidates) for t in second.ties]
    assert [renamed[c] for c in first.alternates] == second.alternates
