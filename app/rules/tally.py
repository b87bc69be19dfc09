"""The count: participation, motions and committee elections on a voter roll (Civil Code Art 278).

`tally()` is the one place where every result in Gongjue is computed: the web pages, the API, the Celery tasks,
the township's dashboard and `gongjue tally` (the offline recount) all end here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from app.rules.elections import ElectionResult, count_election, decide_election
from app.rules.model import Ballot, Election, Matter, Motion, Settings
from app.rules.motions import MotionResult, Weight, count_motion, decide_motion
from app.rules.thresholds import ThresholdTest, quorum_tests
from app.rules.voters import Voter, VoterRoll


class BallotError(ValueError):
    """Ballots that cannot be counted as given (unknown unit, one voter twice); `index` is the ballot's place."""

    def __init__(self, index: int, message: str):
        super().__init__(message)
        self.index = index


class EmptyRollError(ValueError):
    """A roll with no voter (no unit that counts): 0 ≥ 3/4 · 0 would otherwise pass a matter decided by nobody."""


@dataclass(frozen=True)
class Participation:
    """Who returned a ballot, against the totals (2/3 of area and of heads, Art 278 ¶2)."""

    area_centi: int
    heads: int
    tests: tuple[ThresholdTest, ThresholdTest]

    @property
    def quorum_met(self) -> bool:
        return all(test.met for test in self.tests)


@dataclass(frozen=True)
class TallyResult:
    settings: Settings
    roll: VoterRoll
    participation: Participation
    matters: dict[str, MotionResult | ElectionResult]


def ballots_by_voter(roll: VoterRoll, ballots: Iterable[Ballot]) -> dict[str, tuple[Voter, Mapping[str, object]]]:
    """Each voter's ballot, found through any one of the voter's units; one voter, one ballot."""
    voters = {voter.voter_id: voter for voter in roll.voters}
    found: dict[str, tuple[Voter, Mapping[str, object]]] = {}
    named_by: dict[str, str] = {}
    for index, ballot in enumerate(ballots):
        voter_id = roll.voter_by_unit.get(ballot.unit_id)
        if voter_id is None:
            raise BallotError(index, f"unit {ballot.unit_id!r} belongs to no voter of the roll")
        if voter_id in found:
            raise BallotError(
                index,
                f"two ballots of one voter: units {named_by[voter_id]!r} and {ballot.unit_id!r} belong to one voter",
            )
        found[voter_id] = (voters[voter_id], ballot.choices)
        named_by[voter_id] = ballot.unit_id
    return found


def tally(
    roll: VoterRoll,
    matters: Sequence[Matter],
    ballots: Iterable[Ballot],
    settings: Settings,
    lots_seed: str | None = None,
) -> TallyResult:
    """Count every matter on the returned ballots (``lots_seed``: the ledger's Merkle root, for ties settled by lots;
    app.rules.elections).

    Example: 3 voters with 100.00, 100.00 and 100.00 m²; 2 return ballots, both yes on an ordinary motion:
    participation 2 of 3 heads and 200.00 of 300.00 m² meets 2/3 exactly; approval 2 of 2 passes.
    """
    if roll.total_heads == 0:
        raise EmptyRollError("a roll without voters cannot be counted: no matter can be decided by nobody")
    returned = ballots_by_voter(roll, ballots).values()
    areas = [voter.area_centi for voter, _ in returned]
    choice_sets = [choices for _, choices in returned]
    participation = _participation(roll, Weight(sum(areas), len(areas)))
    results: dict[str, MotionResult | ElectionResult] = {}
    for matter in matters:
        answers = zip(areas, [choices.get(matter.matter_id) for choices in choice_sets], strict=True)
        if isinstance(matter, Motion):
            results[matter.matter_id] = count_motion(matter, answers, roll, participation.tests, settings)
        elif isinstance(matter, Election):
            results[matter.matter_id] = count_election(matter, answers, roll, participation.tests, settings, lots_seed)
    return TallyResult(settings=settings, roll=roll, participation=participation, matters=results)


def _participation(roll: VoterRoll, returned: Weight) -> Participation:
    return Participation(
        area_centi=returned.area_centi,
        heads=returned.heads,
        tests=quorum_tests(returned.area_centi, returned.heads, roll.total_area_centi, roll.total_heads),
    )


@dataclass(frozen=True)
class MatterTotals:
    """A matter's totals in both dimensions: per answer of a motion (`app.rules.motions.ANSWERS`), or per kind of
    an election ballot (valid, blank, invalid) with each candidate's votes in ``yes``."""

    counts: Mapping[str, Weight]
    yes: Mapping[str, Weight] | None = None


def tally_totals(
    roll: VoterRoll,
    matters: Sequence[Matter],
    returned: Weight,
    totals: Mapping[str, MatterTotals],
    settings: Settings,
    lots_seed: str | None = None,
) -> TallyResult:
    """Count every matter from its totals instead of its ballots: the encrypted count (issue 17) decrypts totals
    only, never a ballot. ``returned`` is the weight of the ballots returned (public: each ballot's voter and area
    are in the package). The same rules decide as in `tally`: `decide_motion`, `decide_election`."""
    if roll.total_heads == 0:
        raise EmptyRollError("a roll without voters cannot be counted: no matter can be decided by nobody")
    participation = _participation(roll, returned)
    results: dict[str, MotionResult | ElectionResult] = {}
    for matter in matters:
        found = totals[matter.matter_id]
        if isinstance(matter, Motion):
            results[matter.matter_id] = decide_motion(matter, dict(found.counts), roll, participation.tests, settings)
        elif isinstance(matter, Election):
            results[matter.matter_id] = decide_election(
                matter, dict(found.counts), dict(found.yes or {}), roll, participation.tests, settings, lots_seed
            )
    return TallyResult(settings=settings, roll=roll, participation=participation, matters=results)
