"""Run-offs and separate lists (DOMAIN §5; issue 15 items 1–3): a run-off among tied candidates is counted by the same
engine with the same quorum and per-candidate threshold and settles the tie's places; separate lists are two parts
of the ballot, each counted on its own; `app.rules.completion` gives the committee either way."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules.case_format import CaseError, election_document, read_case, result_document
from app.rules.completion import complete_committee
from app.rules.elections import ALTERNATE, MEMBER, TIE_UNRESOLVED
from app.rules.model import ALTERNATES_LIST, MEMBERS_LIST, Ballot, Election, Runoff, Settings
from app.rules.tally import tally
from app.rules.voters import build_voters
from tests.rules.builders import cyclic_support, election_by_heads, tally_election, uniform_roll

#: the tie for the fifth of five seats, with one alternate place: c5 and c6 (test_ties)
SEAT_TIE = Runoff("f" * 64, "e", 5, 1, 1, ("c5", "c6"))


def runoff(heads: dict[str, int], voters: int = 40, participants: int | None = None, tie: Runoff = SEAT_TIE):
    election = Election("e", tie.member_places, tie.alternate_places, tuple(heads), runoff=tie)
    support = cyclic_support(heads, participants or voters)
    return tally_election(uniform_roll(voters), support, election=election, participants=participants)


def outcome(result, candidate: str) -> str:
    return next(c.outcome for c in result.candidates if c.candidate_id == candidate)


@pytest.mark.parametrize(("a", "b", "winner"), [(21, 19, "r1"), (20, 19, None), (19, 21, "r2")])
def test_a_runoff_seat_needs_more_than_half_of_the_participants_the_loser_is_the_first_alternate(
    a: int, b: int, winner: str | None
) -> None:
    """40 take part: 21 is more than half and takes the seat; 20 is exactly half and does not (the seat stays vacant;
    both take alternate places, the one with more votes first)."""
    result = runoff({"r1": a, "r2": b})
    if winner is None:  # the seat stays vacant; both keep the place every tied candidate was sure of
        assert result.settled == {"members": [], "alternates": ["c5", "c6"]}
        assert outcome(result, "r2") == ALTERNATE
    else:
        loser = "r2" if winner == "r1" else "r1"
        stood = {"r1": "c5", "r2": "c6"}
        assert result.settled == {"members": [stood[winner]], "alternates": [stood[loser]]}
        assert (outcome(result, winner), outcome(result, loser)) == (MEMBER, ALTERNATE)


def test_a_runoff_that_ties_again_settles_nothing() -> None:
    """20 and 20 of 40: neither has more than half, both keep an alternate place, and their order (who fills the
    vacant seat first) is still tied: held again."""
    result = runoff({"r1": 20, "r2": 20})
    assert result.settled is None
    assert result.runoff_needed
    assert {outcome(result, c) for c in ("r1", "r2")} == {ALTERNATE}
    three = Runoff("f" * 64, "e", 5, 1, 0, ("c5", "c6", "c7"))
    mixed = runoff({"r1": 10, "r2": 10, "r3": 5}, tie=three)  # one seat, no alternate place: r1 and r2 tie for it
    assert {outcome(mixed, c) for c in ("r1", "r2")} == {TIE_UNRESOLVED}


@pytest.mark.parametrize(("participants", "settled"), [(26, False), (27, True)])
def test_a_runoff_needs_the_participation_quorum(participants: int, settled: bool) -> None:
    """40 owners of equal area: 26 taking part is below 2/3, 27 meets it; below it the run-off decides nothing."""
    result = runoff({"r1": participants, "r2": 0}, participants=participants)
    assert (result.settled is not None) is settled
    if not settled:
        assert result.unresolved_ties == [["r1", "r2"]]


def test_a_runoff_on_the_alternates_order_lets_a_ballot_mark_one() -> None:
    order = Runoff("f" * 64, "e", 6, 0, 2, ("c6", "c7"))
    election = Election("e", 0, 2, ("r1", "r2"), runoff=order)
    assert election.marks == 1
    roll = uniform_roll(3)
    both = [Ballot(v.unit_ids[0], {"e": ["r1", "r2"]}) for v in roll.voters[:1]]
    one = [Ballot(v.unit_ids[0], {"e": ["r2"]}) for v in roll.voters[1:]]
    result = tally(roll, [election], both + one, Settings()).matters["e"]
    assert result.counts["invalid"].heads == 1  # two marks on a ballot that may mark one
    assert result.settled == {"members": [], "alternates": ["c7", "c6"]}


@given(heads=st.lists(st.integers(0, 10), min_size=2, max_size=4), labels=st.permutations(list(range(4))))
def test_relabelling_a_runoffs_candidates_never_changes_its_settlement(heads: list[int], labels: list[int]) -> None:
    """The same run-off with its candidates renamed (database ids): the same settlement in the election's ids."""
    stood = tuple(f"c{i}" for i in range(len(heads)))
    tie = Runoff("f" * 64, "e", 3, 1, len(heads) - 1, stood)
    plain = runoff(dict(zip([f"r{i}" for i in range(len(heads))], heads, strict=True)), tie=tie)
    renamed = runoff(dict(zip([str(100 - n) for n in labels[: len(heads)]], heads, strict=True)), tie=tie)
    assert plain.settled == renamed.settled


def lists_case(members_marks: list[list[str]], alternates_marks: list[list[str]]) -> dict:
    units = [
        {"unit": f"u{i}", "area": "100.00", "kind": "residence", "status": "delivered", "owners": [f"o{i}"]}
        for i in range(len(members_marks))
    ]
    return {
        "format": "gongjue.tally-case/1",
        "developer": "dev",
        "units": units,
        "matters": [
            {
                "id": "m",
                "type": "election",
                "category": 3,
                "seats": 5,
                "max_alternates": 0,
                "list": "members",
                "candidates": ["a", "b", "c", "d", "e", "f"],
            },
            {
                "id": "x",
                "type": "election",
                "category": 3,
                "seats": 0,
                "max_alternates": 2,
                "list": "alternates",
                "candidates": ["p", "q", "r"],
            },
        ],
        "ballots": [
            {"unit": f"u{i}", "choices": {"m": m, "x": x}}
            for i, (m, x) in enumerate(zip(members_marks, alternates_marks, strict=True))
        ],
    }


def count_case(raw: dict) -> dict:
    case = read_case(raw)
    roll = build_voters(list(case.units), case.developer, case.settings)
    return result_document(tally(roll, list(case.matters), case.ballots, case.settings, case.lots_seed))


def test_separate_lists_are_two_parts_counted_on_their_own() -> None:
    """Members' part: five seats; alternates' part: two places; a part marked over its places is invalid for that
    part only (the other still counts); each candidate needs the double majority of the participants."""
    members = [["a", "b", "c", "d", "e"]] * 4 + [["a", "b", "c", "d", "f"]] * 2 + [["a", "b", "c", "d", "e", "f"]]
    alternates = [["p", "q"]] * 5 + [["p", "q", "r"]] + [["r"]]
    document = count_case(lists_case(members, alternates))
    m, x = document["matters"]["m"], document["matters"]["x"]
    assert m["ballots"]["invalid"]["heads"] == 1
    assert x["ballots"]["invalid"]["heads"] == 1
    assert m["members"] == ["a", "b", "c", "d", "e"]
    assert m["alternates"] == []
    assert x["list"] == ALTERNATES_LIST
    assert m["list"] == MEMBERS_LIST
    assert x["members"] == []
    assert x["alternates"] == ["p", "q"]
    # p and q both on 5 of 7 ballots: their order decides who fills a vacancy first; it waits for the run-off
    assert x["unresolved_ties"] == [["p", "q"]]
    committee = complete_committee([{**m, "id": "m"}, {**x, "id": "x"}], {}, 5)
    assert committee.formed
    assert committee.members == ["a", "b", "c", "d", "e"]
    assert committee.alternates == ["p", "q"]
    assert [s.rank for s in committee.standing if s.seat == "alternate"] == [6, 6]  # neither moves up first


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c["matters"][1]["candidates"].append("a"), "one list only"),
        (lambda c: c["matters"][1].update(max_alternates=3), "half of the seats"),
        (lambda c: c["matters"].pop(1), "separate lists"),
        (lambda c: c["matters"][0].update(max_alternates=1), "max_alternates"),
    ],
)
def test_separate_lists_are_checked(change, message: str) -> None:
    raw = lists_case([["a"]], [["p"]])
    change(raw)
    with pytest.raises(CaseError, match=message):
        read_case(raw)


def tally_doc(result) -> dict:
    return {**election_document(result), "id": "e"}


def test_the_committee_waits_for_its_runoff_then_forms_with_the_winner_and_the_loser_first_alternate() -> None:
    """5 seats, 2 alternates: four clear winners, c5 and c6 tied for the fifth seat: pending. The run-off that c6 wins
    makes c6 the fifth member and c5 the first alternate, ahead of c7."""
    heads = {"c1": 30, "c2": 29, "c3": 28, "c4": 27, "c5": 25, "c6": 25, "c7": 22}
    election = tally_doc(election_by_heads(heads, seats=5, max_alternates=2))
    waiting = complete_committee([election], {}, 5)
    assert (waiting.formed, waiting.runoff_pending) == (False, True)
    assert [s.seat for s in waiting.standing] == [MEMBER] * 4 + ["tied", "tied", ALTERNATE]
    result = runoff({"r1": 12, "r2": 25})
    done = complete_committee([election], {("e", 5): election_document(result)}, 5)
    assert done.formed
    assert not done.runoff_pending
    assert done.members == ["c1", "c2", "c3", "c4", "c6"]
    assert done.alternates == ["c5", "c7"]
    tied_again = runoff({"r1": 20, "r2": 20})
    still = complete_committee([election], {("e", 5): election_document(tied_again)}, 5)
    assert still.runoff_pending
    assert not still.formed


def test_a_seat_the_runoff_leaves_vacant_goes_to_the_first_alternate_once_the_committee_is_formed() -> None:
    """7 seats: six definite members form the committee at once; c7 and c8 contest the seventh seat and one alternate
    place. Nobody reaches more than half in the run-off: both keep an alternate place, c8 (more votes) first, and c8
    then takes the vacant seat as the first alternate (DOMAIN §5); c7 is the next alternate, ahead of c9."""
    heads = dict(zip([f"c{i}" for i in range(1, 11)], [70, 69, 68, 67, 66, 65, 60, 60, 55, 54], strict=True))
    election = tally_doc(election_by_heads(heads, seats=7, max_alternates=3, voters=100))
    first = complete_committee([election], {}, 5)
    assert first.formed
    assert len(first.members) == 6
    tie = Runoff("f" * 64, "e", 7, 1, 1, ("c7", "c8"))
    result = runoff({"r1": 10, "r2": 20}, tie=tie)
    assert result.settled == {"members": [], "alternates": ["c8", "c7"]}
    done = complete_committee([election], {("e", 7): election_document(result)}, 5)
    assert done.members == ["c1", "c2", "c3", "c4", "c5", "c6", "c8"]
    assert done.alternates == ["c7", "c9", "c10"]
