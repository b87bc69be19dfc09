"""Electing the owners' committee (Civil Code Art 278 ¶1 (3); Shaoxing Arts 13, 17, 18; DOMAIN §5).

- A ballot marks at most as many candidates as there are seats; more, a duplicate or an unknown candidate make it
  invalid for the election; an empty list is blank.
- A candidate can be elected only with the double majority of the participants: yes-area > 1/2 of participating
  area and yes-heads > 1/2 of participating heads; the election also needs the participation quorum.
- Qualified candidates are ranked by the rules' keys (default heads, then area). The first `seats` are members,
  the next ones (up to `max_alternates`) alternates, in order.
- **Ties** (candidates equal on every key) are never broken silently, never by a database id or a name, and never
  cost a tied candidate the standing all of them certainly have. A tie that decides something — a member seat
  (the group straddles the last seat), an alternate place (it straddles the last alternate place), or only the
  order of alternates (who fills the next vacancy) — is a `Tie`, settled by the election rules' `tie_rule`:
  - "runoff" (default, 另行选举): the tied candidates straddling a boundary are `tie_unresolved`; those of a tie among
    alternates are alternates whose order waits; the run-off, a further vote among them for the contested places,
    completes the election. Everyone ranked below keeps their place behind the tie's places.
  - "lots" (抽签): drawn from ``lots_seed``, the ledger's Merkle root (fixed when voting closes, chosen by nobody):
    each tied candidate's key is SHA-256 of ``gongjue.lots/1|<seed>|<matter id>|<ballot position>`` (the position,
    1-based, on the ballot as announced, never an id), and the lowest key takes the first contested place. `gongjue
    verify` and `gongjue tally` redraw it.
- The committee is formed when definite members ≥ `min_committee_members` and more than half of the seats are
  filled (Hangzhou Art 27). When that depends on a run-off (the definite members fall short, and the contested seats
  would make it up) the election is **pending its run-off** (`committee_pending`), not failed.

Example: 7 seats, 3 alternates; qualified candidates with 90, 88, 85, 80, 80, 79, 70, 66, 66, 60 heads: six are
members, then 70 takes the seventh seat; 66 and 66 are the first two alternates, their order a tie settled by the
tie rule, 60 the third. With 5 seats and heads 90, 88, 85, 80, 70, 70: four members; the two at 70 contest the fifth
seat (the loser is the first alternate if alternates are elected); the committee is pending its run-off.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby

from app.rules.model import Election, Runoff, Settings, Threshold
from app.rules.motions import Weight, matter_quorum, taking_part_in
from app.rules.thresholds import ThresholdTest, approval_tests
from app.rules.voters import VoterRoll

MEMBER, ALTERNATE, NOT_ELECTED, TIE_UNRESOLVED = "member", "alternate", "not_elected", "tie_unresolved"
TIE_RULES = ("runoff", "lots")
LOTS_DOMAIN = "gongjue.lots/1"


class LotsSeedMissing(ValueError):
    """A tie is to be settled by lots and no seed (the ledger's Merkle root) was given."""


@dataclass(frozen=True)
class CandidateResult:
    candidate_id: str
    yes: Weight
    tests: tuple[ThresholdTest, ThresholdTest]
    qualified: bool
    rank: int | None
    outcome: str


@dataclass(frozen=True)
class Tie:
    """Candidates equal on every ranking key whose tie decides something: ``member_places`` member seats and
    ``alternate_places`` alternate places are shared out among them; a tie among alternates only decides their
    order (``alternate_places`` is then the group's size). ``candidates`` in ballot order; ``drawn`` the order lots
    gave (best first), None while a run-off is due."""

    rank: int
    candidates: tuple[str, ...]
    member_places: int
    alternate_places: int
    rule: str
    drawn: tuple[str, ...] | None

    @property
    def resolved(self) -> bool:
        return self.drawn is not None

    @property
    def decides(self) -> str:
        """ "seat" (a member seat is contested), "place" (an alternate place) or "order" (alternates' order only)."""
        if self.member_places:
            return "seat"
        return "order" if self.alternate_places == len(self.candidates) else "place"


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
    ties: tuple[Tie, ...] = ()
    #: separate lists: "members" or "alternates"; None: one list
    part: str | None = None
    #: what a run-off decides
    runoff: Runoff | None = None

    def _with(self, outcome: str) -> list[str]:
        return [c.candidate_id for c in self.candidates if c.outcome == outcome]

    @property
    def members(self) -> list[str]:
        return self._with(MEMBER)

    @property
    def alternates(self) -> list[str]:
        """The definite alternates in place order (a tie among them: in ballot order, its order being settled)."""
        return self._with(ALTERNATE)

    @property
    def unresolved_ties(self) -> list[list[str]]:
        """The groups a run-off must settle: seats, alternate places, or the alternates' order."""
        return [list(tie.candidates) for tie in self.ties if not tie.resolved]

    @property
    def quorum_met(self) -> bool:
        return all(test.met for test in self.tests)

    @property
    def committee_formed(self) -> bool:
        definite = len(self.members)
        return definite >= self.min_committee_members and 2 * definite > self.seats

    @property
    def committee_pending(self) -> bool:
        """Not formed yet, and would be if the run-off's contested seats were filled (DOMAIN §5)."""
        contested = sum(tie.member_places for tie in self.ties if not tie.resolved)
        possible = len(self.members) + contested
        return (
            not self.committee_formed
            and contested > 0
            and possible >= self.min_committee_members
            and 2 * possible > self.seats
        )

    @property
    def runoff_needed(self) -> bool:
        return bool(self.unresolved_ties)

    @property
    def settled(self) -> dict[str, list[str]] | None:
        """A run-off's settlement of its tie, in the election's candidate ids: the seats' winners, then the alternates
        in order (`app.rules.completion`); None while it is tied again or is no run-off."""
        if self.runoff is None or self.runoff_needed:
            return None
        stood_as = dict(zip(self.runoff_candidates, self.runoff.stood_as, strict=True))
        return {"members": [stood_as[c] for c in self.members], "alternates": [stood_as[c] for c in self.alternates]}

    #: a run-off's candidates in its ballot order (their order in ``runoff.stood_as``)
    runoff_candidates: tuple[str, ...] = ()


#: the types of a valid ballot's marks: strings only (a str subclass, such as a case file's number kept as its text,
#: is not a name)
_TEXT_ONLY = {str}


def classify_election_answer(
    answer: object, election: Election, candidates: frozenset[str] | None = None
) -> tuple[str, tuple[str, ...]]:
    """('valid', names), ('blank', ()) for no answer or an empty list, or ('invalid', ()) for a list over the
    seats (`Election.marks`), with a duplicate or an unknown candidate, or anything that is not a list of names.

    A mark is a name when it is a string and one of the candidates' ids: a number, a list or anything else in the
    list makes the ballot invalid, even a number that reads like an id (a case file's 1.5 for candidate "1.5")."""
    if answer is None:
        return "blank", ()
    if not isinstance(answer, (list, tuple)):
        return "invalid", ()
    if not answer:
        return "blank", ()
    try:
        marked = set(answer)
    except TypeError:  # an unhashable mark (a list in the list) is no candidate's
        return "invalid", ()
    known = candidates if candidates is not None else frozenset(election.candidates)
    if (
        len(answer) > election.marks
        or len(marked) != len(answer)
        or not known.issuperset(marked)
        or {*map(type, marked)} != _TEXT_ONLY
    ):
        return "invalid", ()
    return "valid", tuple(answer)


def _rank_key(weight: Weight, rank_by: Sequence[str]) -> tuple[int, ...]:
    return tuple(weight.heads if key == "heads" else weight.area_centi for key in rank_by)


def lots_key(seed: str, matter_id: str, position: int) -> str:
    """The key a tied candidate draws: SHA-256 (hex) of ``gongjue.lots/1|seed|matter|position``; lowest first."""
    import hashlib  # here: only a tie settled by lots needs it, and `gongjue tally` starts faster without it

    return hashlib.sha256(f"{LOTS_DOMAIN}|{seed}|{matter_id}|{position}".encode()).hexdigest()


def _draw(election: Election, tied: Sequence[str], seed: str) -> tuple[str, ...]:
    position = {candidate: index for index, candidate in enumerate(election.candidates, start=1)}
    return tuple(sorted(tied, key=lambda c: lots_key(seed, election.matter_id, position[c])))


def _places(start: int, size: int, seats: int, last_place: int) -> tuple[int, int]:
    """How many of the places start … start+size-1 are member seats, and how many alternate places."""
    end = start + size
    members = max(0, min(end, seats) - start)
    alternates = max(0, min(end, last_place) - max(start, seats))
    return members, alternates


def _outcome_at(place: int, seats: int, last_place: int) -> str:
    if place < seats:
        return MEMBER
    return ALTERNATE if place < last_place else NOT_ELECTED


def _settle_group(
    election: Election, group: list[str], start: int, settings: Settings, lots_seed: str | None
) -> tuple[dict[str, str], Tie | None]:
    """The outcome of each candidate of an equally ranked group at places start …, and its Tie if it decides
    something."""
    seats, last_place = election.seats, election.seats + election.max_alternates
    members, alternates = _places(start, len(group), seats, last_place)
    straddles = 0 < members < len(group) or 0 < alternates < len(group) - members
    orders_alternates = len(group) > 1 and alternates == len(group)
    if len(group) == 1 or not (straddles or orders_alternates):
        return {c: _outcome_at(start, seats, last_place) for c in group}, None
    if settings.tie_rule == "lots":
        if lots_seed is None:
            raise LotsSeedMissing("a tie settled by lots needs the lots seed (the ledger's Merkle root)")
        drawn = _draw(election, group, lots_seed)
        tie = Tie(start + 1, tuple(group), members, alternates, "lots", drawn)
        return {c: _outcome_at(start + i, seats, last_place) for i, c in enumerate(drawn)}, tie
    tie = Tie(start + 1, tuple(group), members, alternates, "runoff", None)
    if orders_alternates:
        return dict.fromkeys(group, ALTERNATE), tie
    return dict.fromkeys(group, TIE_UNRESOLVED), tie


def count_election(
    election: Election,
    answers: Iterable[tuple[int, object]],
    roll: VoterRoll,
    overall_quorum: tuple[ThresholdTest, ThresholdTest],
    settings: Settings,
    lots_seed: str | None = None,
) -> ElectionResult:
    """Count an election from each returned ballot's (voter's area in 0.01 m², answer); see the module docstring
    for the rules and a worked example."""
    kinds = ("valid", "blank", "invalid")
    known = frozenset(election.candidates)
    area, heads = dict.fromkeys(kinds, 0), dict.fromkeys(kinds, 0)
    yes_area, yes_heads = dict.fromkeys(election.candidates, 0), dict.fromkeys(election.candidates, 0)
    for area_centi, answer in answers:
        kind, names = classify_election_answer(answer, election, known)
        area[kind] += area_centi
        heads[kind] += 1
        for candidate in names:
            yes_area[candidate] += area_centi
            yes_heads[candidate] += 1
    counts = {kind: Weight(area[kind], heads[kind]) for kind in kinds}
    yes = {candidate: Weight(yes_area[candidate], yes_heads[candidate]) for candidate in election.candidates}
    return decide_election(election, counts, yes, roll, overall_quorum, settings, lots_seed)


def decide_election(
    election: Election,
    counts: dict[str, Weight],
    yes: dict[str, Weight],
    roll: VoterRoll,
    overall_quorum: tuple[ThresholdTest, ThresholdTest],
    settings: Settings,
    lots_seed: str | None = None,
) -> ElectionResult:
    """The election's result from its totals: the weight of valid, blank and invalid ballots (`counts`) and each
    candidate's votes (`yes`); from the ballots (`count_election`) or from the decrypted totals of an encrypted
    count (app.results.encrypted)."""
    taking_part = taking_part_in(counts, settings)
    quorum = matter_quorum(taking_part, roll, overall_quorum, settings)
    quorum_met = all(test.met for test in quorum)

    tested = {
        candidate: approval_tests(
            weight.area_centi, weight.heads, taking_part.area_centi, taking_part.heads, three_quarters=False
        )
        for candidate, weight in yes.items()
    }
    ballot_order = {candidate: index for index, candidate in enumerate(election.candidates)}
    qualified = [c for c in election.candidates if quorum_met and all(t.met for t in tested[c])]
    if election.runoff is not None:
        placed, settled_ties = _runoff_places(election, yes, tested, qualified, quorum_met, settings)
        return ElectionResult(
            election.matter_id,
            Threshold.MORE_THAN_HALF,
            election.seats,
            election.max_alternates,
            counts,
            quorum,
            placed,
            settings.min_committee_members,
            settled_ties,
            runoff=election.runoff,
            runoff_candidates=election.candidates,
        )
    # sorted() is stable: equally ranked candidates stay in ballot order, never in the order of their ids
    ranked = sorted(qualified, key=lambda c: _rank_key(yes[c], settings.rank_by), reverse=True)
    results: list[CandidateResult] = []
    ties: list[Tie] = []
    place = 0
    for _, grouped in groupby(ranked, key=lambda c: _rank_key(yes[c], settings.rank_by)):
        group = list(grouped)
        outcomes, tie = _settle_group(election, group, place, settings, lots_seed)
        if tie is not None:
            ties.append(tie)
        listed = list(tie.drawn) if tie is not None and tie.drawn is not None else group
        results.extend(CandidateResult(c, yes[c], tested[c], True, place + 1, outcomes[c]) for c in listed)
        place += len(group)
    unqualified = sorted(
        (c for c in election.candidates if c not in qualified),
        key=lambda c: (tuple(-k for k in _rank_key(yes[c], settings.rank_by)), ballot_order[c]),
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
        ties=tuple(ties),
        part=election.part,
    )


def _runoff_places(
    election: Election,
    yes: dict[str, Weight],
    tested: dict[str, tuple[ThresholdTest, ThresholdTest]],
    qualified: list[str],
    quorum_met: bool,
    settings: Settings,
) -> tuple[tuple[CandidateResult, ...], tuple[Tie, ...]]:
    """A run-off's places (DOMAIN §5: the same quorum and per-candidate threshold; the losers are alternates ahead of
    everyone ranked below, as far as the alternate places go).

    The candidates are ordered by (qualified, ranking keys); the contested seats go to qualified candidates only, in
    that order; the others take the alternate places in the same order, the rest are not elected. A seat no qualified
    candidate takes becomes an alternate place of the tie (every tied candidate was sure of a place): the seat is a
    vacancy, filled by the first alternate when the election is completed (`app.rules.completion`). Equal candidates
    whose order decides something are a Tie: the run-off is held again. A run-off without its quorum decides nothing:
    all of its candidates stay tied.
    """
    order = sorted(
        election.candidates, key=lambda c: (c in qualified, *_rank_key(yes[c], settings.rank_by)), reverse=True
    )
    if not quorum_met:
        tie = Tie(1, election.candidates, election.seats, election.max_alternates, "runoff", None)
        waiting = tuple(CandidateResult(c, yes[c], tested[c], False, None, TIE_UNRESOLVED) for c in election.candidates)
        return waiting, (tie,)
    # the qualified come first in ``order``: the seats are its first ones that qualified, the others follow
    winners = [c for c in order if c in qualified][: election.seats]
    others = order[len(winners) :]
    outcome = dict.fromkeys(winners, MEMBER)
    places = election.max_alternates + election.seats - len(winners)
    outcome.update({c: ALTERNATE if i < places else NOT_ELECTED for i, c in enumerate(others)})
    ties: list[Tie] = []
    placed: list[CandidateResult] = []
    for _, grouped in groupby(order, key=lambda c: (c in qualified, *_rank_key(yes[c], settings.rank_by))):
        group = list(grouped)
        start = order.index(group[0])
        kinds = [outcome[c] for c in group]
        if len(group) > 1 and (len(set(kinds)) > 1 or ALTERNATE in kinds):
            ties.append(Tie(start + 1, tuple(group), kinds.count(MEMBER), kinds.count(ALTERNATE), "runoff", None))
            if len(set(kinds)) > 1:
                outcome.update(dict.fromkeys(group, TIE_UNRESOLVED))
        for c in group:
            rank = start + 1 if c in qualified else None
            placed.append(CandidateResult(c, yes[c], tested[c], c in qualified, rank, outcome[c]))
    return tuple(placed), tuple(ties)
