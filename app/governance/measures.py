"""The city policy's measures of self-governance (应建尽建), computed from the records for a set of communities
(issue 8 items 5 and 6; DOMAIN §6 and §7). docs/dashboards.md explains each choice.

Every figure is exact: counts are integers, shares are `Ratio` (a part of a whole) or `Fraction`; pages, files and
the API round them only when they show them (`percent_text`).

The measures are taken "as of" a day (``on``) or now (``on=None``):

- now, they count what the records say today: `Community.governance`, the bodies in office, the members serving,
  every certified result;
- as of a day, they rebuild that day from the history: the state is the one the community's last `GovernanceEvent`
  on or before that day left it in; a body is in office from ``formed_on`` until ``dissolved_on``; a member serves
  from ``joined_on`` until ``left_on``; a result counts from the day its certification was recorded.

The trend is the same measures at each of the last 12 month-ends (`trend`). Everything is read once by `load`
(a handful of queries, whatever the number of communities), then computed in Python.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.communities.models import Community
from app.db_types import SHANGHAI
from app.extensions import db
from app.governance.body_models import BodyMember, GoverningBody
from app.governance.models import GovernanceEvent
from app.preparation.models import Candidate, PreparatoryGroup
from app.results.models import Result
from app.rules.areas import parse_area
from app.voting.models import Meeting

#: the states in which a community has an owners' committee (the re-election group works beside the old one)
WITH_COMMITTEE = ("committee", "re_election")
#: how many month-ends the trend shows
TREND_MONTHS = 12


# --- the records ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommunityRecord:
    id: int
    township_id: int
    name: str
    #: the state now (Community.governance)
    state: str
    #: the first day the Zhejiang Art 8 conditions are on record: the first developer's report or owners' application
    #: (a PreparatoryGroup), or the first governance event if earlier; None when neither exists
    conditions_on: date | None
    #: (occurred_on, from_state, to_state, event), oldest first
    events: tuple[tuple[date, str, str, str], ...]


@dataclass(frozen=True)
class Vote:
    """A certified vote: its participation (Civil Code Art 278 ¶2) in heads and in 0.01 m² of area."""

    community_id: int
    result_id: int
    certified_on: date
    heads: int
    total_heads: int
    area_centi: int
    total_area_centi: int


@dataclass(frozen=True)
class Seat:
    """A person on a committee, with what they declared when they stood (DOMAIN §6)."""

    rank: int
    seat: str
    joined_on: date
    left_on: date | None
    party_member: bool
    deputy: bool
    cppcc: bool


@dataclass(frozen=True)
class Committee:
    """An owners' committee (kind "committee" of GoverningBody) and its members and alternates."""

    community_id: int
    formed_on: date
    dissolved_on: date | None
    #: how many were elected members (the rest of the ranking were alternates) when it was formed
    elected_members: int
    seats: tuple[Seat, ...]


@dataclass(frozen=True)
class Records:
    """What the measures read for a set of communities, loaded once (`load`)."""

    today: date
    communities: tuple[CommunityRecord, ...]
    votes: tuple[Vote, ...] = ()
    committees: tuple[Committee, ...] = ()

    def of_townships(self, township_ids: Iterable[int]) -> Records:
        """The same records restricted to the communities of these townships."""
        wanted = set(township_ids)
        kept = tuple(c for c in self.communities if c.township_id in wanted)
        ids = {c.id for c in kept}
        return Records(
            today=self.today,
            communities=kept,
            votes=tuple(v for v in self.votes if v.community_id in ids),
            committees=tuple(c for c in self.committees if c.community_id in ids),
        )


#: (result id, package hash) → what the measures read from a certified package: it never changes once certified
_PACKAGE_FIGURES: dict[tuple[int, str], tuple[int, int, int, int, int | None]] = {}
_PACKAGE_CACHE_SIZE = 20_000


def package_figures(package: dict[str, Any]) -> tuple[int, int, int, int, int | None]:
    """From a result package: participating heads, total heads, participating and total area (0.01 m²), and how many
    members its election elected (None without an election).

    Example: a tally with participation {"heads": 20, "area": "1800.00"} and totals {"heads": 30, "area":
    "2700.50"} and an election of 5 members gives (20, 30, 180000, 270050, 5).
    """
    tally = package["tally"]
    election = next((m for m in package.get("matters", []) if m.get("type") == "election"), None)
    elected = len(tally["matters"][str(election["id"])]["members"]) if election is not None else None
    return (
        int(tally["participation"]["heads"]),
        int(tally["totals"]["heads"]),
        parse_area(tally["participation"]["area"]),
        parse_area(tally["totals"]["area"]),
        elected,
    )


def _figures_of(rows: Sequence[tuple[int, str]]) -> dict[int, tuple[int, int, int, int, int | None]]:
    """The package figures of these certified results (id, hash), parsing each package once per process."""
    missing = [result_id for result_id, digest in rows if (result_id, digest) not in _PACKAGE_FIGURES]
    if missing:
        if len(_PACKAGE_FIGURES) + len(missing) > _PACKAGE_CACHE_SIZE:
            _PACKAGE_FIGURES.clear()
        for result_id, digest, text in db.session.execute(
            select(Result.id, Result.package_sha256, Result.package).where(Result.id.in_(missing))
        ):
            _PACKAGE_FIGURES[(result_id, digest)] = package_figures(json.loads(text))
    return {result_id: _PACKAGE_FIGURES[(result_id, digest)] for result_id, digest in rows}


def load(township_ids: Iterable[int] | None, today: date) -> Records:
    """The records of the communities of these townships (None: every township)."""
    communities = select(Community.id, Community.township_id, Community.name, Community.governance)
    if township_ids is not None:
        communities = communities.where(Community.township_id.in_(list(township_ids)))
    rows = db.session.execute(communities.order_by(Community.name, Community.id)).all()
    ids = [row.id for row in rows]
    if not ids:
        return Records(today=today, communities=())

    events: dict[int, list[tuple[date, str, str, str]]] = defaultdict(list)
    certified_on: dict[int, date] = {}
    for event in db.session.scalars(
        select(GovernanceEvent)
        .where(GovernanceEvent.community_id.in_(ids))
        .order_by(GovernanceEvent.occurred_on, GovernanceEvent.id)
    ):
        events[event.community_id].append((event.occurred_on, event.from_state, event.to_state, event.event))
        if event.result_id is not None:
            certified_on.setdefault(event.result_id, event.occurred_on)
    requested = dict(
        db.session.execute(
            select(PreparatoryGroup.community_id, func.min(PreparatoryGroup.requested_on))
            .where(PreparatoryGroup.community_id.in_(ids))
            .group_by(PreparatoryGroup.community_id)
        ).all()
    )
    records = []
    for row in rows:
        firsts = [d for d in (requested.get(row.id), events[row.id][0][0] if events[row.id] else None) if d]
        conditions_on = min(firsts, default=None)
        records.append(
            CommunityRecord(row.id, row.township_id, row.name, row.governance, conditions_on, tuple(events[row.id]))
        )

    results = db.session.execute(
        select(Result.id, Result.package_sha256, Result.decided_at, Meeting.community_id)
        .join(Meeting, Meeting.id == Result.meeting_id)
        .where(Result.status == "certified", Meeting.community_id.in_(ids))
        .order_by(Result.id)
    ).all()
    figures = _figures_of([(r.id, r.package_sha256) for r in results])
    votes = []
    for r in results:
        heads, total_heads, area, total_area, _elected = figures[r.id]
        # the day the certification changed the community (its GovernanceEvent), else the day it was decided
        when = certified_on.get(r.id) or (r.decided_at.astimezone(SHANGHAI).date() if r.decided_at else today)
        votes.append(Vote(r.community_id, r.id, when, heads, total_heads, area, total_area))

    bodies = db.session.scalars(
        select(GoverningBody)
        .where(GoverningBody.community_id.in_(ids), GoverningBody.kind == "committee")
        .options(selectinload(GoverningBody.members))
        .order_by(GoverningBody.id)
    ).all()
    declared = {
        row.id: (row.party_member, row.peoples_congress_deputy, row.cppcc_member)
        for row in db.session.execute(
            select(Candidate.id, Candidate.party_member, Candidate.peoples_congress_deputy, Candidate.cppcc_member)
            .join(BodyMember, BodyMember.candidate_id == Candidate.id)
            .join(GoverningBody, GoverningBody.id == BodyMember.body_id)
            .where(GoverningBody.community_id.in_(ids), GoverningBody.kind == "committee")
        )
    }
    committees = []
    for body in bodies:
        seats = tuple(
            Seat(m.rank, m.seat, m.joined_on, m.left_on, *declared.get(m.candidate_id or 0, (False, False, False)))
            for m in body.members
        )
        elected = figures[body.result_id][4] if body.result_id in figures else None
        if elected is None:  # no certified result on record: take the seats as they are now
            elected = sum(1 for s in seats if s.seat == "member")
        committees.append(Committee(body.community_id, body.formed_on, body.dissolved_on, elected, seats))
    return Records(today=today, communities=tuple(records), votes=tuple(votes), committees=tuple(committees))


# --- exact figures ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ratio:
    """``part`` of ``whole``, exactly; ``value`` is None when the whole is 0 (nothing to measure)."""

    part: int
    whole: int

    @property
    def value(self) -> Fraction | None:
        return Fraction(self.part, self.whole) if self.whole else None


@dataclass(frozen=True)
class Average:
    """The mean of ``count`` shares, exactly; None when there is none."""

    count: int
    value: Fraction | None


def percent_text(share: Fraction | None, decimals: int = 1) -> str:
    """A share as a percentage for display, rounded half up only here: 2/3 → "66.7", 1/8 → "12.5", None → "–"."""
    if share is None:
        return "–"
    scale = 10**decimals
    scaled = (share * 100 * scale * 2 + 1) // 2  # half up
    whole, part = divmod(int(scaled), scale)
    return f"{whole}.{part:0{decimals}d}" if decimals else str(whole)


def _by(day: date, on: date | None) -> bool:
    return on is None or day <= on


def state_on(community: CommunityRecord, on: date | None) -> str:
    """The community's state on ``on`` (the last transition on or before it; "no_assembly" before any), or now.

    Example: events form_group on 2026-03-02 and first_meeting_certified (→ committee) on 2026-06-20: on 2026-05-31
    the state is "preparing", on 2026-06-30 "committee", on 2026-02-28 "no_assembly".
    """
    if on is None:
        return community.state
    state = "no_assembly"
    for occurred_on, _before, after, _event in community.events:
        if occurred_on > on:
            break
        state = after
    return state


# --- the measures -------------------------------------------------------------------------------------------------


def establishment_rate(records: Records, on: date | None = None) -> Ratio:
    """The committee establishment rate (应建尽建): communities with an owners' committee (state "committee", or
    "re_election" while the township's re-election group works) among the communities that meet the Zhejiang
    regulations' Art 8 conditions.

    A community meets the conditions from the day the developer's report or the owners' application is recorded
    (a PreparatoryGroup exists for it; Shaoxing Art 11), or from its first governance event if that is earlier
    (a community cannot have left "no_assembly" without meeting them).

    Example: six communities, five with a report or application recorded; of those, two are "committee", one
    "re_election", one "pmc" and one "preparing": 3 of 5 (60.0%). The sixth, with nothing recorded, is in neither.
    """
    eligible = [c for c in records.communities if c.conditions_on is not None and _by(c.conditions_on, on)]
    with_committee = sum(1 for c in eligible if state_on(c, on) in WITH_COMMITTEE)
    return Ratio(with_committee, len(eligible))


@dataclass(frozen=True)
class PmcSpan:
    """A property management committee: from the township's conversion (its convert_to_pmc event) until the
    community left the state "pmc" (a committee elected and certified), or still acting (``ended_on`` None)."""

    community_id: int
    started_on: date
    ended_on: date | None
    days: int


@dataclass(frozen=True)
class PropertyManagementCommittees:
    """Those acting, and every one that had started, with how long each has lasted."""

    acting: int
    spans: tuple[PmcSpan, ...]

    @property
    def average_days(self) -> Fraction | None:
        """The mean duration of the acting ones (how long they have lasted so far)."""
        acting = [span.days for span in self.spans if span.ended_on is None]
        return Fraction(sum(acting), len(acting)) if acting else None

    @property
    def longest_days(self) -> int | None:
        acting = [span.days for span in self.spans if span.ended_on is None]
        return max(acting) if acting else None


def property_management_committees(records: Records, on: date | None = None) -> PropertyManagementCommittees:
    """The property management committees (Shaoxing Art 16 ¶3): how many act, and how long each has lasted, in days
    from its convert_to_pmc event to the day it ended (the certified election of a committee) or to ``on`` (today
    when None).

    Example: converted on 2026-03-10 and still acting: on 2026-04-30 it has lasted 51 days; a second converted on
    2026-01-05 whose committee was certified on 2026-04-05 lasted 90 days and no longer acts. Acting: 1.
    """
    until = on or records.today
    spans = []
    for community in records.communities:
        started: date | None = None
        for occurred_on, before, after, _event in community.events:
            if not _by(occurred_on, on):
                break
            if after == "pmc" and before != "pmc":
                started = occurred_on
            elif before == "pmc" and after != "pmc" and started is not None:
                spans.append(PmcSpan(community.id, started, occurred_on, (occurred_on - started).days))
                started = None
        if started is not None:
            spans.append(PmcSpan(community.id, started, None, max(0, (until - started).days)))
    return PropertyManagementCommittees(sum(1 for s in spans if s.ended_on is None), tuple(spans))


@dataclass(frozen=True)
class MemberShares:
    """The serving members of owners' committees and how many of them declared each attribute (DOMAIN §6)."""

    members: int
    party_members: int
    deputies: int
    cppcc_members: int

    @property
    def party(self) -> Ratio:
        return Ratio(self.party_members, self.members)

    @property
    def deputy(self) -> Ratio:
        return Ratio(self.deputies, self.members)

    @property
    def cppcc(self) -> Ratio:
        return Ratio(self.cppcc_members, self.members)


def serving_members(committee: Committee, on: date | None) -> list[Seat]:
    """The members serving on ``on`` (now when None).

    A member who leaves is replaced by the first alternate in vote order (app.governance.bodies.member_leaves), so on
    any day the members are the first ``elected_members`` of the ranking among those who have joined and not left.
    Example: 5 members (ranks 1–5) and an alternate (6); rank 2 left on 2026-05-03: on 2026-05-31 ranks 1, 3, 4, 5
    and 6 serve; on 2026-04-30 ranks 1–5.
    """
    if on is None:
        return [s for s in committee.seats if s.seat == "member" and s.left_on is None]
    present = sorted(
        (s for s in committee.seats if s.joined_on <= on and (s.left_on is None or s.left_on > on)),
        key=lambda s: s.rank,
    )
    return present[: committee.elected_members]


def member_shares(records: Records, on: date | None = None) -> MemberShares:
    """The share of party members, of people's congress deputies (and of CPPCC members) among the serving members
    of the owners' committees in office (Shaoxing Art 18; seed item 13). A member counts as declaring an attribute
    when the candidacy they were elected on declared it; a member without a linked candidacy declared nothing (the
    declaration is voluntary). Property management committees are not owners' committees and are left out.

    Example: two committees in office with 5 and 7 serving members, 4 party members and 1 deputy among them:
    party members 4 of 12 (33.3%), deputies 1 of 12 (8.3%).
    """
    members = party = deputies = cppcc = 0
    for committee in records.committees:
        if not _by(committee.formed_on, on):
            continue
        if committee.dissolved_on is not None and (on is None or committee.dissolved_on <= on):
            continue
        for seat in serving_members(committee, on):
            members += 1
            party += seat.party_member
            deputies += seat.deputy
            cppcc += seat.cppcc
    return MemberShares(members, party, deputies, cppcc)


@dataclass(frozen=True)
class ParticipationAverage:
    """The mean participation of the certified votes, by heads and by area."""

    votes: int
    heads: Average
    area: Average


def participation(records: Records, on: date | None = None) -> ParticipationAverage:
    """The average participation in certified votes (Civil Code Art 278 ¶2): the mean, over every vote certified by
    ``on`` (all when None), of its participating owners' share of the owners and of its participating area's share
    of the area. Every vote weighs the same, whatever the size of its community.

    Example: two certified votes, 20 of 30 owners with 1800.00 of 2700.00 m², and 9 of 10 owners with 95.00 of
    100.00 m²: heads (2/3 + 9/10) / 2 = 47/60 (78.3%), area (2/3 + 19/20) / 2 = 97/120 (80.8%).
    """
    votes = [v for v in records.votes if _by(v.certified_on, on)]
    heads = [Fraction(v.heads, v.total_heads) for v in votes if v.total_heads]
    area = [Fraction(v.area_centi, v.total_area_centi) for v in votes if v.total_area_centi]
    return ParticipationAverage(
        len(votes),
        Average(len(heads), sum(heads, Fraction(0)) / len(heads) if heads else None),
        Average(len(area), sum(area, Fraction(0)) / len(area) if area else None),
    )


@dataclass(frozen=True)
class Measures:
    """Every measure for the same communities on the same day (``on`` None: now)."""

    on: date | None
    communities: int
    establishment: Ratio
    pmcs: PropertyManagementCommittees
    members: MemberShares
    participation: ParticipationAverage
    #: communities by state (now, or on ``on``)
    states: dict[str, int] = field(default_factory=dict)


def measures(records: Records, on: date | None = None) -> Measures:
    """All the measures, now (``on`` None) or as of ``on``."""
    states: dict[str, int] = defaultdict(int)
    for community in records.communities:
        states[state_on(community, on)] += 1
    return Measures(
        on=on,
        communities=len(records.communities),
        establishment=establishment_rate(records, on),
        pmcs=property_management_committees(records, on),
        members=member_shares(records, on),
        participation=participation(records, on),
        states=dict(states),
    )


def month_ends(on: date, months: int = TREND_MONTHS) -> list[date]:
    """The last day of each of the ``months`` months ending with ``on``'s month, oldest first; the current month's
    point is ``on`` itself (its end has not come yet).

    Example: on 2026-11-27, 3 months → [2026-09-30, 2026-10-31, 2026-11-27].
    """
    ends = []
    year, month = on.year, on.month
    for _ in range(months):
        following = date(year + (month == 12), month % 12 + 1, 1)
        ends.append(min(following - timedelta(days=1), on))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return ends[::-1]


def trend(records: Records, on: date | None = None, months: int = TREND_MONTHS) -> list[Measures]:
    """The measures at each month-end of the last ``months`` months (`month_ends`), rebuilt from the history."""
    return [measures(records, day) for day in month_ends(on or records.today, months)]
