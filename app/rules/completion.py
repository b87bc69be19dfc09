"""The committee an election elected, once its run-offs are counted (DOMAIN §5; Shaoxing Arts 17 and 18).

Works on the published tally documents (`gongjue.tally-result/1`, docs/tally-format.md), so that anyone holding the
signed packages of the election and of its run-offs reaches the same committee:

- the election's ranked candidates give the standing of everyone outside an unresolved tie (member, alternate);
- a tie settled by a run-off (its tally's ``settled``: winners, then alternates in order) takes the tie's places;
  the latest counted run-off of a tie counts, one that tied again settles nothing;
- a tie still waiting keeps what its candidates certainly have: alternates whose order waits share one rank (none
  moves up before the others), candidates contesting a seat are ``tied`` (neither member nor alternate yet);
- with separate lists the members' part gives the members and the alternates' part the alternates;
- the committee is formed when the members elected are at least ``min_members`` and more than half of the seats
  (Hangzhou Art 27); then a seat left vacant is filled by the first alternate (DOMAIN §5). While a tie for a seat
  could still make it, the committee is **pending its run-off**.

Example: 5 seats; four members, and A and B tied for the fifth seat with one alternate place: pending. A run-off
that A wins settles it: five members (A fifth), B the first alternate; the committee is formed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MEMBER, ALTERNATE, TIED = "member", "alternate", "tied"


@dataclass(frozen=True)
class Standing:
    candidate: str
    #: member, alternate, or tied (contesting a seat, waiting for the run-off)
    seat: str
    #: the order of the ranking; alternates whose order waits for a run-off share the rank of the first of them
    rank: int


@dataclass(frozen=True)
class Committee:
    seats: int
    min_members: int
    standing: tuple[Standing, ...]
    #: the ties still waiting for a run-off (tally documents' ties, each with its election's ``matter`` id)
    pending: tuple[Mapping[str, Any], ...]
    #: members elected by the vote (before a vacancy is filled by an alternate)
    elected: int

    def _with(self, seat: str) -> list[str]:
        return [s.candidate for s in self.standing if s.seat == seat]

    @property
    def members(self) -> list[str]:
        return self._with(MEMBER)

    @property
    def alternates(self) -> list[str]:
        return self._with(ALTERNATE)

    @property
    def formed(self) -> bool:
        return self.elected >= self.min_members and 2 * self.elected > self.seats

    @property
    def runoff_pending(self) -> bool:
        """Not formed, and the seats its waiting ties contest could form it."""
        possible = self.elected + sum(int(tie["member_places"]) for tie in self.pending)
        return not self.formed and possible >= self.min_members and 2 * possible > self.seats


#: (candidate, seat, the waiting tie it belongs to or None)
Entry = tuple[str, str, tuple[str, int] | None]


def _part(
    tally: Mapping[str, Any], runoffs: Mapping[int, Mapping[str, Any]]
) -> tuple[list[Entry], list[Mapping[str, Any]]]:
    """One list's (or part's) candidates in ranking order, and its waiting ties."""
    open_ties = {
        candidate: tie for tie in tally.get("ties", []) if tie.get("drawn") is None for candidate in tie["candidates"]
    }
    ranked: list[Entry] = []
    pending: list[Mapping[str, Any]] = []
    seen: set[int] = set()
    for candidate in tally["candidates"]:
        tie = open_ties.get(candidate["id"])
        if tie is None:
            if candidate["outcome"] in (MEMBER, ALTERNATE):
                ranked.append((candidate["id"], candidate["outcome"], None))
            continue
        if tie["rank"] in seen:
            continue
        seen.add(tie["rank"])
        settled = (runoffs.get(tie["rank"]) or {}).get("settled")
        if settled is not None:
            ranked.extend((c, MEMBER, None) for c in settled["members"])
            ranked.extend((c, ALTERNATE, None) for c in settled["alternates"])
            continue
        pending.append({**tie, "matter": str(tally["id"])})
        seat = ALTERNATE if tie["decides"] == "order" else TIED
        ranked.extend((c, seat, (str(tally["id"]), int(tie["rank"]))) for c in tie["candidates"])
    return ranked, pending


def complete_committee(
    parts: Sequence[Mapping[str, Any]],
    runoffs: Mapping[tuple[str, int], Mapping[str, Any]],
    min_members: int,
) -> Committee:
    """The committee of an election: ``parts`` its tally documents in ballot order (one list, or the members' part and
    the alternates' part, each with its matter ``id`` added); ``runoffs`` the latest counted run-off tally of each
    (matter id, tie rank)."""
    ranked: list[Entry] = []
    pending: list[Mapping[str, Any]] = []
    seats = 0
    for tally in parts:
        mine = {rank: doc for (matter, rank), doc in runoffs.items() if matter == str(tally["id"])}
        part_ranked, part_pending = _part(tally, mine)
        if tally.get("list") == "alternates":
            part_ranked = [(c, ALTERNATE if seat == MEMBER else seat, tie) for c, seat, tie in part_ranked]
        else:
            seats = int(tally["seats"])
        ranked.extend(part_ranked)
        pending.extend(part_pending)
    elected = sum(1 for _c, seat, _w in ranked if seat == MEMBER)
    standing = _ranks(ranked)
    committee = Committee(seats, min_members, tuple(standing), tuple(pending), elected)
    return _fill_vacancies(committee) if committee.formed else committee


def _ranks(ranked: list[Entry]) -> list[Standing]:
    """Places in order; the candidates of one waiting tie share the first one's."""
    standing: list[Standing] = []
    for place, (candidate, seat, tie) in enumerate(ranked, start=1):
        shared = tie is not None and place > 1 and ranked[place - 2][2] == tie
        standing.append(Standing(candidate, seat, standing[-1].rank if shared else place))
    return standing


def _fill_vacancies(committee: Committee) -> Committee:
    """A seat left vacant after the count goes to the first alternate, while the first is not waiting for a run-off
    on the alternates' order (DOMAIN §5); a seat still contested by a tie is not vacant."""
    standing = list(committee.standing)
    contested = sum(int(tie["member_places"]) for tie in committee.pending)
    vacant = committee.seats - committee.elected - contested
    for index, entry in enumerate(standing):
        if vacant <= 0 or entry.seat != ALTERNATE:
            continue
        shares_rank = any(o.rank == entry.rank and o is not entry for o in standing if o.seat == ALTERNATE)
        if shares_rank:
            break
        standing[index] = Standing(entry.candidate, MEMBER, entry.rank)
        vacant -= 1
    return Committee(committee.seats, committee.min_members, tuple(standing), committee.pending, committee.elected)
