"""The counting engine's inputs: units, settings, matters and ballots (frozen dataclasses, integer areas)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class UnitKind(StrEnum):
    RESIDENCE = "residence"
    COMMERCIAL = "commercial"
    PARKING = "parking"
    OTHER = "other"


class UnitStatus(StrEnum):
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    UNSOLD = "unsold"


class Threshold(StrEnum):
    """Approval threshold of a matter (Civil Code Art 278 ¶2)."""

    MORE_THAN_HALF = "more_than_half"  #: more than half of participating area and heads
    THREE_QUARTERS = "three_quarters"  #: at least 3/4 of participating area and heads: matters (6)(7)(8)


#: Art 278 ¶1 categories that need three quarters: raising the maintenance fund (6), rebuilding (7), changing
#: the use of common parts or using them for business (8)
THREE_QUARTER_CATEGORIES = frozenset({6, 7, 8})
CATEGORIES = frozenset(range(1, 10))
ELECTION_CATEGORY = 3
#: separate lists (DOMAIN §5): the parts of the ballot
MEMBERS_LIST, ALTERNATES_LIST = "members", "alternates"


def threshold_for(category: int) -> Threshold:
    """The approval threshold of an Art 278 ¶1 category: 6 → three_quarters, 2 → more_than_half."""
    return Threshold.THREE_QUARTERS if category in THREE_QUARTER_CATEGORIES else Threshold.MORE_THAN_HALF


@dataclass(frozen=True)
class Settings:
    """Choices that the law leaves to the community's rules of procedure (DOMAIN §3–§5)."""

    #: parking spaces registered as exclusive parts count in area and heads (SPC interpretation Art 2)
    count_parking: bool = True
    #: a returned ballot that is blank or invalid on a matter takes part in that matter (and is not a yes)
    blank_and_invalid_take_part: bool = True
    #: ranking keys of an election, most significant first
    rank_by: tuple[str, ...] = ("heads", "area")
    #: the committee counts as formed with at least this many definite members (Hangzhou Art 27)
    min_committee_members: int = 5
    #: how a tie that decides a place is settled, fixed in the election rules before the vote (DOMAIN §5): "runoff"
    #: (另行选举, a further vote among the tied) or "lots" (抽签, drawn from the ledger root: app.rules.elections)
    tie_rule: str = "runoff"


@dataclass(frozen=True)
class Unit:
    """An exclusive part with its registered owners (owner ids are opaque strings)."""

    unit_id: str
    area_centi: int
    kind: UnitKind
    status: UnitStatus
    owners: frozenset[str]


@dataclass(frozen=True)
class Motion:
    """A matter decided yes or no."""

    matter_id: str
    category: int

    @property
    def threshold(self) -> Threshold:
        return threshold_for(self.category)


@dataclass(frozen=True)
class Runoff:
    """What a run-off (另行选举) decides: the tie of rank ``rank`` of election ``matter`` in the result package whose
    body hash is ``of`` — ``member_places`` seats and ``alternate_places`` alternate places shared out among the tied
    candidates. ``stood_as`` names, for each of the run-off's candidates (in its ballot order), the candidate they
    were in that election (DOMAIN §5)."""

    of: str
    matter: str
    rank: int
    member_places: int
    alternate_places: int
    stood_as: tuple[str, ...]


@dataclass(frozen=True)
class Election:
    """Electing the owners' committee (Art 278 ¶1 (3)): `seats` members and up to `max_alternates` alternates.

    - A by-election (``by_election``) fills the seats a committee in office has left vacant when its alternates ran
      out: its `seats` are the vacancies (1 to 11), counted by the same rule; "committee formed" does not apply.
    - Separate lists (``part``, DOMAIN §5): the members' part elects `seats` members and no alternate; the
      alternates' part elects up to `max_alternates` alternates (its `seats` are 0). Each part is counted on its own.
    - A run-off (``runoff``) settles a tie of an earlier election: `seats` and `max_alternates` are the tie's member
      seats and alternate places.
    """

    matter_id: str
    seats: int
    max_alternates: int
    candidates: tuple[str, ...]
    category: int = ELECTION_CATEGORY
    by_election: bool = False
    part: str | None = None
    runoff: Runoff | None = None

    @property
    def threshold(self) -> Threshold:
        return Threshold.MORE_THAN_HALF

    @property
    def marks(self) -> int:
        """How many candidates a ballot may mark: the seats; on the alternates' list its places; in a run-off the
        places it contests (one when only the alternates' order is in question)."""
        if self.seats:
            return self.seats
        if self.runoff is not None and self.max_alternates >= len(self.candidates):
            return 1
        return self.max_alternates

    @property
    def forms_committee(self) -> bool:
        """Whether this election decides if a committee is formed: not a by-election, a run-off or the alternates'
        list."""
        return not self.by_election and self.runoff is None and self.part != ALTERNATES_LIST


Matter = Motion | Election

#: a motion answer: "yes", "no", "abstain"; None is blank; anything else is invalid.
#: an election answer: a tuple of candidate ids; an empty tuple is blank.
Answer = object


@dataclass(frozen=True)
class Ballot:
    """One voter's returned ballot, naming the voter by any one unit the voter holds."""

    unit_id: str
    choices: Mapping[str, Answer] = field(default_factory=dict)
