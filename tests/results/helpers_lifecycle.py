"""A meeting voted on, ready to close and count (services only, no HTTP)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from app.auth.models import User
from app.communities.models import Community, Township
from app.db_types import utcnow
from app.extensions import db
from app.governance import services as governance
from app.roll.services import today
from app.voting import ballots
from app.voting.models import Meeting, MeetingVoter
from tests.factories import gen_community, gen_official, gen_township
from tests.voting.helpers import OpenMeeting, gen_open_meeting


@dataclass
class Voted:
    opened: OpenMeeting
    community: Community
    official: User
    other_official: User

    @property
    def meeting(self) -> Meeting:
        return self.opened.meeting


def choices(opened: OpenMeeting, answer: str = "yes", picked: int = 5) -> dict[str, Any]:
    rules, covenant, election = opened.meeting.matters
    return {
        str(rules.id): answer,
        str(covenant.id): answer,
        str(election.id): [c.id for c in election.candidates[:picked]],
    }


def gen_voted(share: float = 0.9, township: Township | None = None) -> Voted:
    """An open meeting where `share` of the owner voters (the developer aside) voted yes by phone; in a new township
    unless one is given."""
    township = township or gen_township()
    community = gen_community(township)
    official = gen_official(township)
    # the meeting is built directly, without its preparatory group: record the group's formation it stands for
    governance.transition(community, "form_group", today() - timedelta(days=60))
    opened = gen_open_meeting(community, official)
    owners = [v for v in opened.voters if not v.is_developer]
    for voter in owners[: round(len(owners) * share)]:
        ballots.cast(voter, choices(opened), "phone")
    db.session.flush()
    return Voted(opened, community, official, gen_official(township))


def end_window(meeting: Meeting) -> None:
    meeting.closes_at = utcnow() - timedelta(minutes=1)
    meeting.opens_at = meeting.closes_at - timedelta(days=7)


def owner_voters(voted: Voted) -> list[MeetingVoter]:
    return [v for v in voted.opened.voters if not v.is_developer]
