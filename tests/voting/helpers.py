"""An open meeting for tests: a frozen roll of 30 units, two motions and the committee election, voting open now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from app.auth.models import User
from app.communities.models import Community
from app.db_types import SHANGHAI, utcnow
from app.demo.candidates import owners_on_roll
from app.extensions import db
from app.preparation import notices
from app.preparation.models import Candidate
from app.privacy import lookup_hash
from app.roll.services import today
from app.voting import announcement, credentials, meetings
from app.voting.models import Matter, Meeting, MeetingVoter
from tests.preparation.helpers import load_roll, roll_owners


@dataclass
class OpenMeeting:
    """The meeting, its voters, and for each voter a link token and fallback code issued for the test."""

    meeting: Meeting
    voters: list[MeetingVoter]

    @property
    def motion(self) -> Matter:
        return self.meeting.matters[0]

    @property
    def election(self) -> Matter:
        return self.meeting.matters[2]


def gen_meeting(
    community: Community, official: User, *, second_factor: str = "id_last6", announced: bool = True
) -> Meeting:
    """A draft meeting whose window is open now: rules (Art 278 ¶1 (1)), covenant ((2)), and the election ((3)) of
    5 members and 2 alternates among 6 candidates; announced 30 days before its window unless ``announced`` is
    false (a change afterwards needs `announce_back` again)."""
    now = utcnow()
    meeting = Meeting(
        community_id=community.id,
        title=f"{community.name}首次业主大会会议",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        channels="phone,paper",
        second_factor=second_factor,
        settings={"count_parking": True, "blank_and_invalid_take_part": True, "rank_by": ["heads", "area"]},
        created_by_id=official.id,
    )
    meeting.matters = [
        Matter(position=1, kind="motion", category=1, title="表决通过《业主大会议事规则》", text="第一条……"),
        Matter(position=2, kind="motion", category=2, title="表决通过《管理规约》", text="第一条……"),
        Matter(
            position=3,
            kind="election",
            category=3,
            title="选举第一届业主委员会委员、候补委员",
            seats=5,
            max_alternates=2,
        ),
    ]
    db.session.add(meeting)
    db.session.flush()
    # owners of the roll, accepted and approved (the pipeline itself is tested in tests/preparation): those of the
    # community's roll when it is loaded (it may be a short one), else those the 30-unit roll will have
    people = owners_on_roll(community, 4, 6) or [(o.name, o.id_number) for o in roll_owners()[4:10]]
    accepted = [
        Candidate(
            meeting_id=meeting.id,
            owner_lookup=lookup_hash(id_number),
            name=name,
            unit_labels=f"{i}幢",
            route="self",
            nominated_on=today(),
            statement="愿意为业主服务。",
            status="accepted",
            declaration_made=True,
            property_company_tie=False,
        )
        for i, (name, id_number) in enumerate(people, start=1)
    ]
    db.session.add_all(accepted)
    db.session.flush()
    meeting.matters[2].candidates = meetings.ballot_candidates(accepted)
    db.session.flush()
    if announced:
        announce_back(meeting)
    return meeting


def announce_back(meeting: Meeting, days: int = 30) -> None:
    """Announce the meeting as it stands ``days`` before its window opens (today at the latest), so that the 15 days
    and the announcement's notice have run by then (app.voting.announcement)."""
    # the notices' own "today" (tests may have moved it with tests.preparation.helpers.freeze_today)
    day = min(meeting.opens_at.astimezone(SHANGHAI).date() - timedelta(days=days), notices.today())
    announcement.announce(meeting, day, None, recorded_on=day)


def gen_open_meeting(community: Community, official: User, *, second_factor: str = "id_last6") -> OpenMeeting:
    """`gen_meeting` on a freshly loaded, published roll, then opened (the roll frozen, the voters fixed)."""
    load_roll(community, official)
    meeting = gen_meeting(community, official, second_factor=second_factor)
    meetings.open_voting(meeting, today(), official.id)
    voters = list(db.session.query(MeetingVoter).filter_by(meeting_id=meeting.id).order_by(MeetingVoter.id))
    return OpenMeeting(meeting, voters)


def issue_for(voter: MeetingVoter) -> credentials.IssuedCredential:
    return credentials.issue(voter, None)
