"""Electing the owners' committee (DOMAIN §5): ballot validity, the per-candidate double majority, the quorum,
ranking by the rules' keys, ties at the member and alternate boundaries, and when a committee is formed."""

from __future__ import annotations

import pytest

from app.rules.case_format import FractionalNumber
from app.rules.elections import ALTERNATE, MEMBER, NOT_ELECTED, TIE_UNRESOLVED, classify_election_answer
from app.rules.model import Ballot, Election, Settings, Threshold
from app.rules.motions import Weight
from app.rules.tally import tally
from tests.rules.builders import M2, election_by_heads, roll_of, tally_election, uniform_roll

ELECTION = Election("e", 5, 2, ("c1", "c2", "c3", "c4", "c5", "c6", "c7", "1.5"))


@pytest.mark.parametrize(
    ("answer", "kind", "names"),
    [
        pytest.param(["c1"], "valid", ("c1",), id="one known name is valid"),
        pytest.param(("c2", "c1"), "valid", ("c2", "c1"), id="a tuple of names is valid"),
        pytest.param(["c1", "c2", "c3", "c4", "c5"], "valid", ("c1", "c2", "c3", "c4", "c5"), id="as many as seats"),
        pytest.param(["c1", "c2", "c3", "c4", "c5", "c6"], "invalid", (), id="more names than seats is invalid"),
        pytest.param(["c1", "c1"], "invalid", (), id="a duplicate name is invalid"),
        pytest.param(["c1", "zz"], "invalid", (), id="an unknown candidate is invalid"),
        pytest.param("c1", "invalid", (), id="a bare name that is not a list is invalid"),
        pytest.param({"c1": True}, "invalid", (), id="an object is invalid"),
        pytest.param([1], "invalid", (), id="a list of numbers is invalid"),
        pytest.param([FractionalNumber("1.5")], "invalid", (), id="a case's number that reads as an id is invalid"),
        pytest.param([["c1"]], "invalid", (), id="a list in the list is invalid"),
        pytest.param(["c1", None], "invalid", (), id="a list with a null is invalid"),
        pytest.param("yes", "invalid", (), id="a motion answer is invalid"),
        pytest.param([], "blank", (), id="an empty list is blank"),
        pytest.param((), "blank", (), id="an empty tuple is blank"),
        pytest.param(None, "blank", (), id="no answer is blank"),
    ],
)
def test_classify_election_answer(answer, kind, names):
    assert classify_election_answer(answer, ELECTION) == (kind, names)


def test_invalid_and_blank_ballots_take_part_and_name_nobody():
    roll = uniform_roll(10)
    given = [["c1"]] * 6 + [["c1", "c2", "c3", "c4", "c5", "c6"], ["c1", "c1"], [], None]
    ballots = [Ballot(v.unit_ids[0], {"e": a}) for v, a in zip(roll.voters, given, strict=True)]
    result = tally(roll, [ELECTION], ballots, Settings()).matters["e"]
    area = 100 * M2
    assert result.counts == {"valid": Weight(6 * area, 6), "blank": Weight(2 * area, 2), "invalid": Weight(2 * area, 2)}
    by_id = {c.candidate_id: c for c in result.candidates}
    assert by_id["c1"].yes == Weight(6 * area, 6)
    assert by_id["c2"].yes == Weight()
    assert by_id["c1"].tests[1].total == 10  # blank and invalid ballots are in the denominator by default
    assert result.threshold == Threshold.MORE_THAN_HALF


def test_blank_and_invalid_left_out_of_an_election():
    roll = uniform_roll(10)
    support = {"c1": range(5), "c2": range(5, 8)}  # voters 8 and 9 return blank ballots
    default = tally_election(roll, support)
    left_out = tally_election(roll, support, settings=Settings(blank_and_invalid_take_part=False))
    assert default.quorum_met
    assert left_out.quorum_met  # 8 of 10 valid ballots still meets 2/3
    assert [c.candidate_id for c in default.candidates if c.qualified] == []  # 5 of 10 is only half
    assert [c.candidate_id for c in left_out.candidates if c.qualified] == ["c1"]  # 5 of 8 is more than half
    assert left_out.tests[1].value == 8


def test_blank_ballots_left_out_can_cost_the_elections_quorum():
    roll = uniform_roll(10)
    support = {"c1": range(6)}  # voters 6 to 9 return blank ballots
    assert tally_election(roll, support).members == ["c1"]
    left_out = tally_election(roll, support, settings=Settings(blank_and_invalid_take_part=False))
    assert not left_out.quorum_met
    assert left_out.members == []


# --- the per-candidate double majority, on 11 voters: five of 1000.00 m², five of 10.00 m², one of 20.00 m²

AREAS = [1000 * M2] * 5 + [10 * M2] * 5 + [20 * M2]  # total 5070.00 m², 11 heads; everyone takes part


def test_per_candidate_double_majority_of_participants():
    support = {
        "ok": [0, 1, 2, 3, 4, 5],  # 6 heads, 5010.00 m²
        "no_area": [5, 6, 7, 8, 9, 10],  # 6 heads but 70.00 m²
        "no_heads": [0, 1, 2, 3, 4],  # 5000.00 m² but 5 of 11 heads
    }
    result = tally_election(roll_of(AREAS), support)
    by_id = {c.candidate_id: c for c in result.candidates}
    assert [c.candidate_id for c in result.candidates] == ["ok", "no_area", "no_heads"]
    assert (by_id["ok"].qualified, by_id["ok"].rank, by_id["ok"].outcome) == (True, 1, MEMBER)
    for name in ("no_area", "no_heads"):
        assert (by_id[name].qualified, by_id[name].rank, by_id[name].outcome) == (False, None, NOT_ELECTED)
    assert [t.met for t in by_id["no_area"].tests] == [False, True]
    assert [t.met for t in by_id["no_heads"].tests] == [True, False]


@pytest.mark.parametrize(
    ("heads", "qualified"),
    [
        pytest.param(21, True, id="a candidate named by 21 of 40 participants has a majority"),
        pytest.param(20, False, id="a candidate named by 20 of 40 participants has only half"),
    ],
)
def test_per_candidate_majority_boundary(heads, qualified):
    result = election_by_heads({"c": heads})
    (candidate,) = result.candidates
    assert candidate.qualified is qualified
    assert candidate.outcome == (MEMBER if qualified else NOT_ELECTED)
    assert [t.met for t in candidate.tests] == [qualified, qualified]


@pytest.mark.parametrize(
    ("participants", "quorum_met"),
    [
        pytest.param(27, True, id="27 of 40 taking part meets the quorum and elects"),
        pytest.param(26, False, id="26 of 40 taking part misses the quorum and elects nobody"),
    ],
)
def test_quorum_failure_elects_nobody(participants, quorum_met):
    support = {c: range(participants) for c in ("c1", "c2", "c3", "c4", "c5")}
    result = tally_election(uniform_roll(40), support, participants=participants)
    assert result.quorum_met is quorum_met
    assert result.committee_formed is quorum_met
    assert result.members == (["c1", "c2", "c3", "c4", "c5"] if quorum_met else [])
    for candidate in result.candidates:
        assert all(t.met for t in candidate.tests)  # every candidate has a unanimous yes…
        assert candidate.qualified is quorum_met  # …and is still not elected without the quorum
        assert candidate.rank == (1 if quorum_met else None)


# --- ranking keys, on the same 11 voters


@pytest.mark.parametrize(
    ("rank_by", "order", "ranks"),
    [
        pytest.param(("heads", "area"), ["H", "T", "A"], [1, 2, 3], id="by heads then area: most heads first"),
        pytest.param(("area", "heads"), ["A", "T", "H"], [1, 2, 3], id="by area then heads: most area first"),
    ],
)
def test_rank_by_setting_orders_the_candidates(rank_by, order, ranks):
    support = {
        "H": [0, 1, 2, 5, 6, 7, 8, 9],  # 8 heads, 3050.00 m²
        "T": [0, 1, 2, 3, 5, 6, 7],  # 7 heads, 4030.00 m²
        "A": [0, 1, 2, 3, 4, 5],  # 6 heads, 5010.00 m²
    }
    result = tally_election(roll_of(AREAS), support, settings=Settings(rank_by=rank_by))
    assert [c.candidate_id for c in result.candidates] == order
    assert [c.rank for c in result.candidates] == ranks


@pytest.mark.parametrize(
    ("rank_by", "support", "order", "ranks"),
    [
        pytest.param(
            ("heads", "area"),
            {"P": [0, 1, 2, 5, 6, 7], "Q": [0, 1, 2, 3, 5, 6]},
            ["Q", "P"],
            [1, 2],
            id="equal heads are ranked by area",
        ),
        pytest.param(
            ("heads",),
            {"P": [0, 1, 2, 5, 6, 7], "Q": [0, 1, 2, 3, 5, 6]},
            ["P", "Q"],
            [1, 1],
            id="equal heads with heads as the only key are tied",
        ),
        pytest.param(
            ("area", "heads"),
            {"S": [0, 1, 2, 3, 10, 5], "R": [0, 1, 2, 3, 5, 6, 7]},
            ["R", "S"],
            [1, 2],
            id="equal area is ranked by heads",
        ),
        pytest.param(
            ("area",),
            {"S": [0, 1, 2, 3, 10, 5], "R": [0, 1, 2, 3, 5, 6, 7]},
            ["S", "R"],
            [1, 1],
            id="equal area with area as the only key are tied, listed in ballot order (never by id)",
        ),
    ],
)
def test_the_second_ranking_key_breaks_ties_of_the_first(rank_by, support, order, ranks):
    result = tally_election(roll_of(AREAS), support, settings=Settings(rank_by=rank_by))
    assert [c.candidate_id for c in result.candidates] == order
    assert [c.rank for c in result.candidates] == ranks
    assert not result.runoff_needed


@pytest.mark.parametrize(
    ("rank_by", "order"),
    [
        pytest.param(("heads", "area"), ["ok", "no_area", "no_heads", "nobody"], id="by heads then area"),
        pytest.param(("area", "heads"), ["ok", "no_heads", "no_area", "nobody"], id="by area then heads"),
    ],
)
def test_unqualified_candidates_come_last_in_ranking_order_with_rank_none(rank_by, order):
    support = {"nobody": [], "no_heads": [0, 1, 2, 3, 4], "no_area": [5, 6, 7, 8, 9, 10], "ok": [0, 1, 2, 3, 4, 5]}
    result = tally_election(roll_of(AREAS), support, settings=Settings(rank_by=rank_by))
    assert [c.candidate_id for c in result.candidates] == order
    assert [c.rank for c in result.candidates] == [1, None, None, None]
    assert [c.qualified for c in result.candidates] == [True, False, False, False]


def test_election_docstring_example():
    """7 seats, 3 alternates; 90, 88, 85, 80, 80, 79, 70, 66, 66, 60 heads."""
    heads = dict(zip("abcdefghij", [90, 88, 85, 80, 80, 79, 70, 66, 66, 60], strict=True))
    result = election_by_heads(heads, seats=7, max_alternates=3, voters=119)
    assert result.members == ["a", "b", "c", "d", "e", "f", "g"]
    assert result.alternates == ["h", "i", "j"]
    assert [c.rank for c in result.candidates] == [1, 2, 3, 4, 4, 6, 7, 8, 8, 10]
    # h and i are alternates whatever happens; which of them fills the next vacancy is a tie the run-off settles
    (tie,) = result.ties
    assert (tie.candidates, tie.decides, tie.alternate_places, tie.rule) == (("h", "i"), "order", 2, "runoff")
    assert (result.committee_formed, result.committee_pending, result.runoff_needed) == (True, False, True)


# --- ties: (heads per candidate, seats, max alternates, expected outcome per candidate, unresolved ties)
M, A, N, T = MEMBER, ALTERNATE, NOT_ELECTED, TIE_UNRESOLVED


@pytest.mark.parametrize(
    ("heads", "seats", "max_alternates", "voters", "outcomes", "ties"),
    [
        pytest.param(
            [30, 29, 28, 27, 25, 25, 22],
            5,
            2,
            40,
            "MMMMTTA",
            [["c5", "c6"]],
            id="5 seats, 2 alternates: a tie for the 5th seat needs a run-off",
        ),
        pytest.param(
            [30, 29, 28, 27, 25, 25],
            5,
            0,
            40,
            "MMMMTT",
            [["c5", "c6"]],
            id="5 seats, no alternates: a tie for the 5th seat needs a run-off",
        ),
        pytest.param(
            [30, 29, 28, 25, 25, 22],
            5,
            2,
            40,
            "MMMMMA",
            [],
            id="5 seats: a tie for the 4th and 5th seats is two members",
        ),
        pytest.param(
            [28, 27, 26, 25, 24, 23, 22, 22],
            5,
            2,
            40,
            "MMMMMATT",
            [["c7", "c8"]],
            id="5 seats, 2 alternates: a tie for the 2nd alternate place needs a run-off",
        ),
        pytest.param(
            [28, 27, 26, 25, 24, 22, 22],
            5,
            2,
            40,
            "MMMMMAA",
            [["c6", "c7"]],
            id="5 seats, 2 alternates: a tie for both alternate places is two alternates, their order a run-off",
        ),
        pytest.param(
            [25, 25, 25, 22, 21], 5, 2, 40, "MMMMM", [], id="5 seats: three tied for the 1st place are all members"
        ),
        pytest.param(
            [25, 25, 25, 25, 25], 5, 2, 40, "MMMMM", [], id="5 seats: five tied for the 1st place are all members"
        ),
        pytest.param(
            [58, 57, 56, 55, 54, 53, 52, 51, 51],
            5,
            2,
            100,
            "MMMMMAANN",
            [],
            id="5 seats, 2 alternates: a tie for the 8th place is not elected",
        ),
        pytest.param(
            [27, 26, 25, 24, 23, 21, 21],
            5,
            0,
            40,
            "MMMMMNN",
            [],
            id="5 seats, no alternates: a tie for the 6th place is not elected",
        ),
        pytest.param(
            [28, 27, 26, 25, 24, 24, 24],
            5,
            1,
            40,
            "MMMMTTT",
            [["c5", "c6", "c7"]],
            id="5 seats, 1 alternate: three tied for the 5th place straddle both boundaries",
        ),
        pytest.param(
            [28, 27, 26, 25, 24, 24, 22, 22],
            5,
            2,
            40,
            "MMMMTTTT",
            [["c5", "c6"], ["c7", "c8"]],
            id="5 seats, 2 alternates: ties at the 5th seat and the 2nd alternate are two run-offs",
        ),
    ],
)
def test_ties(heads, seats, max_alternates, voters, outcomes, ties):
    names = [f"c{i + 1}" for i in range(len(heads))]
    result = election_by_heads(dict(zip(names, heads, strict=True)), seats, max_alternates, voters)
    expected = dict(zip(names, [{"M": M, "A": A, "N": N, "T": T}[o] for o in outcomes], strict=True))
    assert {c.candidate_id: c.outcome for c in result.candidates} == expected
    assert all(c.qualified for c in result.candidates)
    assert result.unresolved_ties == ties
    assert result.runoff_needed is bool(ties)
    assert result.members == [n for n in names if expected[n] == M]
    assert result.alternates == [n for n in names if expected[n] == A]
    # equal votes share a rank, and the next rank skips the places they took
    for candidate, count in zip(result.candidates, heads, strict=True):
        assert candidate.rank == 1 + sum(1 for h in heads if h > count)


@pytest.mark.parametrize(
    ("seats", "elected", "minimum", "formed"),
    [
        pytest.param(5, 5, 5, True, id="5 of 5 seats with a minimum of 5 is formed"),
        pytest.param(5, 4, 5, False, id="4 of 5 seats is under the minimum of 5"),
        pytest.param(5, 3, 3, True, id="3 of 5 seats with a minimum of 3 is formed"),
        pytest.param(7, 5, 5, True, id="5 of 7 seats with a minimum of 5 is formed"),
        pytest.param(7, 4, 5, False, id="4 of 7 seats is more than half but under the minimum of 5"),
        pytest.param(7, 4, 4, True, id="4 of 7 seats with a minimum of 4 is formed"),
        pytest.param(7, 4, 3, True, id="4 of 7 seats with a minimum of 3 is formed"),
        pytest.param(7, 3, 3, False, id="3 of 7 seats meets a minimum of 3 but is not more than half"),
        pytest.param(9, 5, 5, True, id="5 of 9 seats is more than half and meets the minimum"),
        pytest.param(9, 4, 3, False, id="4 of 9 seats is not more than half"),
        pytest.param(11, 5, 5, False, id="5 of 11 seats meets the minimum but is not more than half"),
        pytest.param(11, 6, 5, True, id="6 of 11 seats is formed"),
        pytest.param(5, 0, 1, False, id="nobody elected is no committee"),
    ],
)
def test_committee_formed_needs_the_minimum_and_more_than_half_the_seats(seats, elected, minimum, formed):
    heads = {f"c{i}": 30 - i for i in range(elected)}
    result = election_by_heads(
        heads, seats=seats, max_alternates=seats // 2, settings=Settings(min_committee_members=minimum)
    )
    assert len(result.members) == elected
    assert result.committee_formed is formed


@pytest.mark.parametrize(
    ("heads", "seats", "formed"),
    [
        pytest.param([30, 29, 28, 27, 25, 25], 5, False, id="4 definite members and a tie for the 5th: not formed"),
        pytest.param(
            [30, 29, 28, 27, 26, 25, 23, 23],
            7,
            True,
            id="6 definite of 7 and a tie for the 7th: formed, run-off needed",
        ),
    ],
)
def test_tied_candidates_are_not_definite_members(heads, seats, formed):
    result = election_by_heads({f"c{i}": h for i, h in enumerate(heads)}, seats=seats, max_alternates=0)
    assert len(result.members) == len(heads) - 2
    assert result.committee_formed is formed
    assert result.runoff_needed


@pytest.mark.parametrize(
    ("max_alternates", "outcomes"),
    [
        pytest.param(0, "MMMMMNNN", id="no alternates allowed: the rest are not elected"),
        pytest.param(1, "MMMMMANN", id="one alternate allowed: one alternate"),
        pytest.param(2, "MMMMMAAN", id="two alternates allowed: two alternates in order"),
    ],
)
def test_max_alternates_is_respected(max_alternates, outcomes):
    heads = {f"c{i}": 58 - i for i in range(8)}
    result = election_by_heads(heads, seats=5, max_alternates=max_alternates, voters=100)
    assert "".join({MEMBER: "M", ALTERNATE: "A", NOT_ELECTED: "N"}[c.outcome] for c in result.candidates) == outcomes
    assert len(result.alternates) == max_alternates
    assert [c.rank for c in result.candidates] == list(range(1, 9))


def test_election_ballot_counts_sum_to_participation():
    roll = uniform_roll(12)
    given = [["c1"], ["c1", "c2"], [], None, "c1", ["c9"], ["c1"] * 2, ["c3"], ["c4"]]
    ballots = [Ballot(v.unit_ids[0], {"e": a}) for v, a in zip(roll.voters, given, strict=False)]
    result = tally(roll, [ELECTION], ballots, Settings())
    election = result.matters["e"]
    assert sum(w.heads for w in election.counts.values()) == result.participation.heads == 9
    assert sum(w.area_centi for w in election.counts.values()) == result.participation.area_centi
    assert (election.counts["valid"].heads, election.counts["blank"].heads, election.counts["invalid"].heads) == (
        4,
        2,
        3,
    )
