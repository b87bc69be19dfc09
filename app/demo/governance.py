"""The demo's self-governance (issue 8): communities whose first meeting is certified, so that each state can be
seen and acted on.

- 竹林苑: the assembly is established but no committee was elected; the township (`jiyang1`) decides on its
  community page whether to convert the preparatory group into a property management committee.
- 松涛苑: an owners' committee was elected and certified; it is not filed yet, so the filing clock runs, and the
  township records its officers, its filing, and members leaving with alternates moving up.
- 枫林湾: a property management committee whose election of the committee waits for the township's certification.
- 桂花苑: the first meeting established the assembly; two candidates tied for the fifth of five seats, so the
  committee's election waits for its run-off (DOMAIN §5): the township or the group convenes it from the result page.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from app.auth import services as accounts
from app.auth.models import BodyOffice, Role
from app.communities.models import Community, Township
from app.demo.candidates import approved_list
from app.demo.results import (
    Choose,
    established_with_a_tie_for_the_fifth_seat,
    established_with_committee,
    established_without_committee,
    open_now,
    published_so_that_it_is_over,
    vote_back,
)
from app.demo.voting import demo_community, open_first_meeting, voters_of
from app.extensions import db
from app.governance import bodies, convening, decisions
from app.results import certification, closing, count_runs
from app.results.models import Result
from app.voting import announcement, meetings
from app.voting.models import Meeting

#: the statements of the committee's candidates at 枫林湾's second meeting, owners of its roll nominated through the
#: pipeline (the property management committee vets, the township reviews)
CANDIDATES = (
    "愿意继续为业主服务。",
    "关注物业服务质量。",
    "关注公共收益公开。",
    "关注电梯维护。",
    "关注停车管理。",
    "关注绿化和环境。",
)


def _certified(township: Township, name: str, seed: int, choose: Choose, today: date, official_id: int) -> Result:
    """A first meeting voted 30 days ago, counted, published for its notice and certified three days ago."""
    community = demo_community(
        township, name, f"诸暨市暨阳街道{name}路1号", f"诸暨{name}置业有限公司", seed, today - timedelta(days=25)
    )
    meeting: Meeting = open_first_meeting(community, today - timedelta(days=30), *open_now())
    voters = [v for v in voters_of(meeting) if not v.is_developer]
    vote_back(meeting, voters[: len(voters) * 9 // 10], choose, days_ago=30)
    closing.close(meeting, now=meeting.closes_at + timedelta(minutes=1))
    result = count_runs.count(meeting, None)
    certified_on = today - timedelta(days=3)
    certification.publish(result, published_so_that_it_is_over(certified_on, today - timedelta(days=15)))
    certification.certify(result, certified_on, official_id)
    return result


def certified_communities(township: Township, today: date, official_id: int) -> None:
    _certified(township, "竹林苑", 41, established_without_committee, today, official_id)
    _certified(township, "松涛苑", 43, established_with_committee, today, official_id)
    pmc_election_awaiting_certification(township, today, official_id)
    _certified(township, "桂花苑", 49, established_with_a_tie_for_the_fifth_seat, today, official_id)


def _elect_five(number: int, meeting: Meeting) -> dict[str, Any]:
    """Every owner marks five of six candidates: all six win more than half, the first five the most."""
    election = next(m for m in meeting.matters if m.kind == "election")
    ids = [c.id for c in election.candidates]
    return {str(election.id): ids[:5] if number % 3 else [*ids[:4], ids[5]]}


def pmc_election_awaiting_certification(township: Township, today: date, official_id: int) -> Result:
    """枫林湾: established without a committee 28 days ago, converted into a property management committee, whose
    election of the committee was voted 20 days ago and published 12 days ago: the township certifies it, the
    committee is filed, and the property management committee hands over and is dissolved."""
    first = _certified(township, "枫林湾", 47, established_without_committee, today - timedelta(days=25), official_id)
    community = db.session.get_one(Community, db.session.get_one(Meeting, first.meeting_id).community_id)
    decisions.decide_conversion(
        community, True, "由筹备组转为物业管理委员会，组织选举业主委员会", today - timedelta(days=27), official_id
    )
    meeting = convening.convene(community, "枫林湾业主大会会议（选举业主委员会）", today, today, None)
    announced = today - timedelta(days=26)  # the day after the conversion: the 15 days run before the vote
    approved_list(meeting, CANDIDATES, announced, start=10)
    convening.add_election(meeting, 5, 1, None)
    meeting.opens_at, meeting.closes_at = open_now()
    announcement.announce(meeting, announced, official_id, recorded_on=announced)
    meetings.open_voting(meeting, today - timedelta(days=20), official_id)
    voters = [v for v in voters_of(meeting) if not v.is_developer]
    vote_back(meeting, voters[: len(voters) * 4 // 5], _elect_five, days_ago=20)
    closing.close(meeting, now=meeting.closes_at + timedelta(minutes=1))
    result = count_runs.count(meeting, None)
    certification.publish(result, published_so_that_it_is_over(today, today - timedelta(days=12)))
    return result


def body_accounts(password: str) -> list[tuple[str, str]]:
    """The accounts through which the demo's bodies act (DOMAIN §7 item 10): the chair of 松涛苑's committee and a
    member of 枫林湾's property management committee, as the township would invite them."""
    made = []
    for community_name, username, name, described in (
        ("松涛苑", "songtao-chair", "松涛苑业委会主任", "committee chair, 松涛苑 / 业主委员会主任"),
        ("枫林湾", "fenglin-pmc", "枫林湾物管会成员", "property management committee, 枫林湾 / 物业管理委员会"),
    ):
        community = db.session.scalars(select(Community).where(Community.name == community_name)).one()
        body = bodies.in_office(community)
        if body is None:
            continue
        accounts.create_community_account(
            community, username, name, password, Role.BODY_MEMBER, body_id=body.id, office=BodyOffice.CHAIR
        )
        made.append((username, described))
    return made
