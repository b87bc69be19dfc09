"""Electing the owners' committee (Civil Code Art 278 ¶1 (3); Shaoxing Arts 13, 17, 18; DOMAIN §5).

- A ballot marks at most as many candidates as there are seats; more, a duplicate or an unknown candidate make it
  invalid for the election; an empty list is blank.
- A candidate can be elected only with the double majority of the participants: yes-area > 1/2 of participating
  area and yes-heads > 1/2 of participating heads; the election also needs the participation quorum.
- Qualified candidates are ranked by the rules' keys (default heads, then area). The first `seats` are members,
  the next ones (up to `max_alternates`) alternates, in order. A tie that straddles the member boundary or the
  alternate boundary is never broken here: those candidates are `tie_unresolved` and a run-off is needed.
- The committee is formed when definite members ≥ `min_committee_members` and more than half of the seats are
  filled (Hangzhou Art 27).

Example: 7 seats, 3 alternates; qualified candidates with 90, 88, 85, 80, 80, 79, 70, 66, 66, 60 heads: six are
members, then 70 takes the seventh seat; 66 and 66 are the first two alternates, 60 the third.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

from app.rules.model import Election, Settings, Threshold
from app.rules.motions import Weight, matter_quorum, taking_part_in
from app.rules.thresholds import ThresholdTest, approval_tests
from app.rules.voters import Voter, VoterRoll

MEMBER, ALTERNATE, NOT_ELECTED, TIE_UNRESOLVED = "member", "alternate", "not_elected", "tie_unresolved"


@dataclass(frozen=True)
class CandidateResult:
    candidate_id: str
    yes: Weight
    tests: tuple[ThresholdTest, ThresholdTest]
    qualified: bool
    rank: int | None
    outcome: str


@dataclass(frozen=True)
class ElectionResult:
    matter_id: str
    threshold: Threshold
    seats: int
    max_alternates: int
    counts: dict[str, Weight]
    tests: tuple[ThresholdTest, ...]
    candidates: tuple[CandidateResult, ...]
    min_committee_members: int

    def _with(self, outcome: str) -> list[str]:
        return [c.candidate_id for c in self.candidates if c.outcome == outcome]

    @property
    def members(self) -> list[str]:
        return self._with(MEMBER)

    @property
    def alternates(self) -> list[str]:
        return self._with(ALTERNATE)

    @property
    def unresolved_ties(self) -> list[list[str]]:
        tied = [c for c in self.candidates if c.outcome == TIE_UNRESOLVED]
        return [[c.candidate_id for c in group] for _, group in groupby(tied, key=lambda c: c.rank)]

    @property
    def quorum_met(self) -> bool:
        return all(test.met for test in self.tests)

    @property
    def committee_formed(self) -> bool:
        definite = len(self.members)
        return definite >= self.min_committee_members and 2 * definite > self.seats

    @property
    def runoff_needed(self) -> bool:
        return bool(self.unresolved_ties)


def classify_election_answer(
    answer: object, election: Election, candidates: frozenset[str] | None = None
) -> tuple[str, tuple[str, ...]]:
    """('valid', names), ('blank', ()) for no answer or an empty list, or ('invalid', ()) for a list over the
    seats, with a duplicate or an unknown candidate, or anything that is not a list of names."""
    if answer is None:
        return "blank", ()
    if not isinstance(answer, (list, tuple)) or not all(isinstance(name, str) for name in answer):
        return "invalid", ()
    names = tuple(str(name) for name in answer)
    if not names:
        return "blank", ()
    known = candidates if candidates is not None else frozenset(election.candidates)
    if len(names) > election.seats or len(set(names)) != len(names) or not known.issuperset(names):
        return "invalid", ()
    return "valid", names


def _rank_key(weight: Weight, rank_by: Sequence[str]) -> tuple[int, ...]:
    return tuple(weight.heads if key == "heads" else weight.area_centi for key in rank_by)


def _place(group_start: int, group_size: int, seats: int, last_place: int) -> str:
    """Outcome of a group of equally ranked candidates occupying places group_start … group_start+size-1."""
    group_end = group_start + group_size  # exclusive
    for boundary in (seats, last_place):
        if group_start < boundary < group_end:
            return TIE_UNRESOLVED
    if group_end <= seats:
        return MEMBER
    if group_end <= last_place:
        return ALTERNATE
    return NOT_ELECTED


def count_election(
    election: Election,
    answers: Sequence[tuple[Voter, object]],
    roll: VoterRoll,
    overall_quorum: tuple[ThresholdTest, ThresholdTest],
    settings: Settings,
) -> ElectionResult:
    """Count an election; see the module docstring for the rules and a worked example."""
    kinds = ("valid", "blank", "invalid")
    known = frozenset(election.candidates)
    area, heads = dict.fromkeys(kinds, 0), dict.fromkeys(kinds, 0)
    yes_area, yes_heads = dict.fromkeys(election.candidates, 0), dict.fromkeys(election.candidates, 0)
    for voter, answer in answers:
        kind, names = classify_election_answer(answer, election, known)
        area[kind] += voter.area_centi
        heads[kind] += 1
        for candidate in names:
            yes_area[candidate] += voter.area_centi
            yes_heads[candidate] += 1
    counts = {kind: Weight(area[kind], heads[kind]) for kind in kinds}
    yes = {candidate: Weight(yes_area[candidate], yes_heads[candidate]) for candidate in election.candidates}
    taking_part = taking_part_in(counts, settings)
    quorum = matter_quorum(taking_part, roll, overall_quorum, settings)
    quorum_met = all(test.met for test in quorum)

    tested = {
        candidate: approval_tests(
            weight.area_centi, weight.heads, taking_part.area_centi, taking_part.heads, three_quarters=False
        )
        for candidate, weight in yes.items()
    }
    qualified = [c for c in election.candidates if quorum_met and all(t.met for t in tested[c])]
    ranked = sorted(qualified, key=lambda c: _rank_key(yes[c], settings.rank_by), reverse=True)
    results: list[CandidateResult] = []
    place = 0
    for _, group in groupby(ranked, key=lambda c: _rank_key(yes[c], settings.rank_by)):
        members = sorted(group)
        outcome = _place(place, len(members), election.seats, election.seats + election.max_alternates)
        results.extend(CandidateResult(c, yes[c], tested[c], True, place + 1, outcome) for c in members)
        place += len(members)
    unqualified = sorted(
        (c for c in election.candidates if c not in qualified),
        key=lambda c: (tuple(-k for k in _rank_key(yes[c], settings.rank_by)), c),
    )
    results.extend(CandidateResult(c, yes[c], tested[c], False, None, NOT_ELECTED) for c in unqualified)
    return ElectionResult(
        matter_id=election.matter_id,
        threshold=Threshold.MORE_THAN_HALF,
        seats=election.seats,
        max_alternates=election.max_alternates,
        counts=counts,
        tests=quorum,
        candidates=tuple(results),
        min_committee_members=settings.min_committee_members,
    )
