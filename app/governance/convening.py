"""Assembly meetings after the first, convened by a body: the owners' committee, the property management committee
(which organises the committee's election), or the township's re-election group (Shaoxing Arts 16 ¶3 and 24; DOMAIN
§7 items 4, 6 and 7).

They go through the first meeting's pipeline: the convening body (`bodies.convener`, recorded on the meeting),
candidates nominated, checked for eligibility and vetted by the body, and reviewed by the township
(app.preparation.candidates with the meeting as their pool: the same services as the preparatory group's), the
announcement with its 15 days and objections (app.voting.announcement), the frozen roll, voting, counting and
certification. Only the making of the meeting differs: no preparation plan; its matters are added by the convener.
While a re-election group works, no matter of joint decision is put to the vote, only the election (Shaoxing Art 24
¶3): `add_motion` refuses it then (app.voting.meetings).
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
from app.preparation import candidates
from app.preparation.checklist import election_rule_messages
from app.text import required_text
from app.voting import meetings
from app.voting.meetings import CLOSES_AT, OPENS_AT, local
from app.voting.models import Matter, Meeting

#: the engine's settings of a later meeting when no earlier meeting of the community gives them
DEFAULT_SETTINGS: dict[str, Any] = {
    "count_parking": True,
    "blank_and_invalid_take_part": True,
    "rank_by": ["heads", "area"],
    "min_committee_members": 5,
    "arrears_bar": True,
    "tie_rule": "runoff",
    "alternates_list": "one_list",
}
CONVENING_STATES = ("committee", "pmc", "re_election", "runoff")


def _settings(community: Community) -> dict[str, Any]:
    """The settings of the community's last meeting (its rules of procedure's choices), else the defaults."""
    last = db.session.query(Meeting).filter_by(community_id=community.id).order_by(Meeting.id.desc()).first()
    return dict(last.settings) if last is not None and last.settings else dict(DEFAULT_SETTINGS)


def convene(community: Community, title: str, opens_on: date, closes_on: date, user_id: int | None) -> Meeting:
    """A draft meeting convened by the community's convening body (`bodies.convener`); its matters and candidates come
    next, then its announcement, and it is opened as usual."""
    body = bodies.convener(community)
    if body is None or community.governance not in CONVENING_STATES:
        raise DomainError(
            "no_convener",
            _l(
                "Only a committee or property management committee in office convenes a meeting, or the "
                "re-election group while it works."
            ),
            status=409,
        )
    if closes_on < opens_on:
        raise DomainError("invalid_window", _l("The meeting must end after it starts."), field="closes_on")
    meeting = Meeting(
        community_id=community.id,
        body_id=body.id,
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
    user_id: int | None,
    *,
    by_election: bool = False,
) -> Matter:
    """The committee's election (Art 278 ¶1 (3)) on a later meeting: the seats and alternates checked as for the
    first meeting; its candidates are the meeting's approved list, every one nominated, eligible, vetted by the
    convening body and reviewed by the township (Shaoxing Art 13; DOMAIN §6) — never names typed in. A by-election
    fills the committee's vacant seats once its alternates have run out: its seats are exactly the vacancies, and no
    alternate is elected."""
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
    listed = candidates.approved_candidates(meeting)
    if not listed:
        raise DomainError(
            "list_not_approved",
            _l("The township has not approved the candidate list: nominate, vet and submit the candidates first."),
            status=409,
        )
    alternates_list = "one_list" if by_election else str(meeting.settings.get("alternates_list", "one_list"))
    parts = meetings.election_matters(
        max((m.position for m in meeting.matters), default=0) + 1,
        "补选业主委员会委员" if by_election else "选举业主委员会委员、候补委员",
        seats,
        max_alternates,
        listed,
        alternates_list,
    )
    if len(parts[0].candidates) < seats:
        raise DomainError("invalid_candidates", _l("The approved list has fewer candidates than seats."), field="seats")
    matter = parts[0]
    meeting.matters.extend(parts)
    meeting.settings = {**meeting.settings, "by_election": by_election}
    db.session.flush()
    community = db.session.get_one(Community, meeting.community_id)
    audit.record(
        "meeting.election_add",
        "matter",
        matter.id,
        {"seats": seats, "candidates": len(listed), "by_election": by_election},
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
