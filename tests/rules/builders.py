"""Builders for the counting-engine tests: units, rolls, ballots and one-matter tallies (pure `app.rules` only)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from app.rules.elections import ElectionResult
from app.rules.model import Ballot, Election, Motion, Settings, Unit, UnitKind, UnitStatus
from app.rules.motions import MotionResult
from app.rules.tally import TallyResult, tally
from app.rules.voters import VoterRoll, build_voters

DEV = "DEV"
DEFAULT = Settings()
M2 = 100  #: one square metre in 0.01 m²


def unit(
    unit_id: str,
    area_centi: int = 100 * M2,
    owners: Iterable[str] = ("A",),
    kind: UnitKind = UnitKind.RESIDENCE,
    status: UnitStatus = UnitStatus.DELIVERED,
) -> Unit:
    return Unit(unit_id, area_centi, kind, status, frozenset(owners))


def roll_of(areas: Sequence[int], settings: Settings = DEFAULT) -> VoterRoll:
    """One delivered unit and one owner per area; voter i holds unit V0000+i, so roll.voters keeps the order."""
    return build_voters([unit(f"V{i:04d}", a, (f"O{i:04d}",)) for i, a in enumerate(areas)], DEV, settings)


def uniform_roll(heads: int, area_centi: int = 100 * M2) -> VoterRoll:
    return roll_of([area_centi] * heads)


def answers(**counts: int) -> list[object]:
    """answers(yes=2, no=1) → ["yes", "yes", "no"]; the keywords blank → None and invalid → "maybe"."""
    spelled = {"blank": None, "invalid": "maybe"}
    out: list[object] = []
    for kind, count in counts.items():
        out.extend([spelled.get(kind, kind)] * count)
    return out


def motion_ballots(roll: VoterRoll, given: Sequence[object], matter_id: str = "m") -> list[Ballot]:
    """Voter i returns a ballot answering given[i]; voters beyond len(given) return none."""
    assert len(given) <= len(roll.voters)
    return [Ballot(voter.unit_ids[0], {matter_id: answer}) for voter, answer in zip(roll.voters, given, strict=False)]


def tally_motion(
    roll: VoterRoll, given: Sequence[object], category: int = 2, settings: Settings = DEFAULT
) -> tuple[TallyResult, MotionResult]:
    result = tally(roll, [Motion("m", category)], motion_ballots(roll, given), settings)
    motion = result.matters["m"]
    assert isinstance(motion, MotionResult)
    return result, motion


def election_ballots(
    roll: VoterRoll, support: Mapping[str, Iterable[int]], seats: int, participants: int | None = None
) -> list[Ballot]:
    """Voters 0 … participants-1 return a ballot on election "e" naming the candidates whose support lists them."""
    count = len(roll.voters) if participants is None else participants
    names: list[list[str]] = [[] for _ in range(count)]
    for candidate, voters in support.items():
        for index in voters:
            names[index].append(candidate)
    assert all(len(listed) <= seats for listed in names), "a helper ballot would name more candidates than seats"
    return [Ballot(roll.voters[i].unit_ids[0], {"e": names[i]}) for i in range(count)]


def cyclic_support(heads: Mapping[str, int], voters: int) -> dict[str, list[int]]:
    """Give each candidate its number of supporters, walking round the voters so that no ballot gets crowded."""
    support, start = {}, 0
    for candidate, count in heads.items():
        assert count <= voters
        support[candidate] = [(start + i) % voters for i in range(count)]
        start = (start + count) % voters
    return support


def tally_election(
    roll: VoterRoll,
    support: Mapping[str, Iterable[int]],
    seats: int = 5,
    max_alternates: int = 2,
    settings: Settings = DEFAULT,
    candidates: Sequence[str] | None = None,
    participants: int | None = None,
    lots_seed: str | None = None,
    election: Election | None = None,
) -> ElectionResult:
    """Count election "e" (``election``, or one list of `seats` and `max_alternates`) on the supporters' ballots."""
    support = {c: list(v) for c, v in support.items()}
    if election is None:
        election = Election("e", seats, max_alternates, tuple(candidates if candidates is not None else support))
    ballots = election_ballots(roll, support, election.marks, participants)
    result = tally(roll, [election], ballots, settings, lots_seed).matters["e"]
    assert isinstance(result, ElectionResult)
    return result


def election_by_heads(
    heads: Mapping[str, int],
    seats: int = 5,
    max_alternates: int = 2,
    voters: int = 40,
    settings: Settings = DEFAULT,
    lots_seed: str | None = None,
) -> ElectionResult:
    """Every one of `voters` equal-area voters takes part; candidate c is named by heads[c] of them."""
    support = cyclic_support(heads, voters)
    return tally_election(uniform_roll(voters), support, seats, max_alternates, settings, lots_seed=lots_seed)
