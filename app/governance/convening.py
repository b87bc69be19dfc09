"""Assembly meetings after the first, convened by the body in office: the owners' committee, or the property
management committee, which organises the committee's election (issue 8 items 2 and 4; DOMAIN §7–§8).

Such a meeting goes through the same configuration, voting, counting and certification as the first; only its
creation differs: no preparation plan, matters added by the convener. While a township's re-election group works,
the committee may not put the property company's hiring or firing to the vote (Shaoxing Art 24): `add_motion`
refuses category 4 then (app.voting.meetings).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from app.audit import services as audit
from app.communities.models import Community
from app.errors import DomainError
from app.extensions import db
from app.governance import bodies
from app.preparation.checklist import election_rule_messages
from app.text import required_text
from app.voting.meetings import CLOSES_AT, OPENS_AT, local
from app.voting.models import Matter, MatterCandidate, Meeting

#: the engine's settings of a later meeting when no earlier meeting of the community gives them
DEFAULT_SETTINGS: dict[str, Any] = {
    "count_parking": True,
    "blank_and_invalid_take_part": True,
    "rank_by": ["heads", "area"],
    "min_committee_members": 5,
}
CONVENING_STATES = ("committee", "pmc", "re_election")


def _settings(community: Community) -> dict[str, Any]:
    """The settings of the community's last meeting (its rules of procedure's choices), else the defaults."""
    last = db.session.query(Meeting).filter_by(community_id=community.id).order_by(Meeting.id.desc()).first()
    return dict(last.settings) if last is not None and last.settings else dict(DEFAULT_SETTINGS)


def convene(community: Community, title: str, opens_on: date, closes_on: date, user_id: int | None) -> Meeting:
    """A draft meeting convened by the body in office; its matters are added next, then it is opened as usual."""
    body = bodies.in_office(community)
    if body is None or community.governance not in CONVENING_STATES:
        raise DomainError(
            "no_convener",
            _l("Only a committee or property management committee in office convenes a meeting."),
            status=409,
        )
    if closes_on < opens_on:
        raise DomainError("invalid_window", _l("The meeting must end after it starts."), field="closes_on")
    meeting = Meeting(
        community_id=community.id,
        title=required_text(title, "title", 200),
        opens_at=local(opens_on, OPENS_AT),
        closes_at=local(closes_on, CLOSES_AT),
        channels="phone,paper",
        settings=_settings(community),
        created_by_id=user_id,
    )
    db.session.add(meeting)
    db.session.flush()
    audit.record(
        "meeting.convene",
        "meeting",
        meeting.id,
        {"body": body.id, "kind": body.kind, "title": meeting.title},
        township_id=community.township_id,
        community_id=community.id,
    )
    return meeting


def add_election(
    meeting: Meeting,
    seats: int,
    max_alternates: int,
    candidates: list[tuple[str, str]],
    user_id: int | None,
    *,
    by_election: bool = False,
) -> Matter:
    """The committee's election (Art 278 ¶1 (3)) on a later meeting: the seats and alternates checked as for the
    first meeting, the candidates as (name, units) in ballot order. A by-election fills the committee's vacant seats
    once its alternates have run out: its seats are exactly the vacancies, and no alternate is elected."""
    if meeting.status != "draft":
        raise DomainError("meeting_opened", _l("Voting has opened: the meeting's matters are fixed."), status=409)
    if any(m.kind == "election" for m in meeting.matters):
        raise DomainError("election_exists", _l("The meeting has an election already."), status=409)
    if by_election:
        _check_by_election(meeting, seats)
        max_alternates = 0
    else:
        minimum = int(meeting.settings.get("min_committee_members", 5))
        problems = election_rule_messages(seats, max_alternates, minimum)
        if problems:
            raise DomainError("invalid_election_rules", problems[0], field="seats")
    names = [(required_text(name, "candidates", 64), units.strip()[:200]) for name, units in candidates]
    if len(names) < seats or len({name for name, _ in names}) != len(names):
        raise DomainError(
            "invalid_candidates", _l("List at least as many different candidates as seats."), field="candidates"
        )
    matter = Matter(
        position=max((m.position for m in meeting.matters), default=0) + 1,
        kind="election",
        category=3,
        title="补选业主委员会委员" if by_election else "选举业主委员会委员、候补委员",
        text="",
        seats=seats,
        max_alternates=max_alternates,
        candidates=[
            MatterCandidate(position=i, name=name, unit_labels=units, statement="")
            for i, (name, units) in enumerate(names, start=1)
        ],
    )
    meeting.matters.append(matter)
    meeting.settings = {**meeting.settings, "by_election": by_election}
    db.session.flush()
    community = db.session.get_one(Community, meeting.community_id)
    audit.record(
        "meeting.election_add",
        "matter",
        matter.id,
        {"seats": seats, "candidates": len(names), "by_election": by_election},
        township_id=community.township_id,
        community_id=community.id,
    )
    return matter


def vacancies(community: Community) -> int:
    """The seats of the committee in office that no member or alternate fills."""
    body = bodies.in_office(community)
    if body is None or body.kind != "committee":
        return 0
    return max(body.seats - len(bodies.serving(body)), 0)


def _check_by_election(meeting: Meeting, seats: int) -> None:
    community = db.session.get_one(Community, meeting.community_id)
    body = bodies.in_office(community)
    if body is None or body.kind != "committee" or bodies.serving(body, "alternate"):
        raise DomainError(
            "no_by_election",
            _l("A by-election fills a committee's vacant seats once no alternate is left."),
            status=409,
        )
    if seats != vacancies(community):
        raise DomainError(
            "invalid_election_rules",
            _l("A by-election elects exactly the vacant seats: %(n)d.", n=vacancies(community)),
            field="seats",
        )
