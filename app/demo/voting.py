"""The demo's vote: 梅园小区, its roll published and frozen, its first meeting open, some owners having voted by
phone and on paper, so that the ballot, the turnout chart and the tellers' pages have something real to show.

`gongjue demo` then prints one owner's personal link and the last six characters of that owner's ID number, so
that anyone trying the demo can vote on a phone as an owner would (a new link each time it is printed).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.auth import services as accounts
from app.auth.models import GroupRole, Role
from app.calendar.services import current_calendar
from app.communities import services as communities
from app.communities.models import Community, Township
from app.db_types import utcnow
from app.demo.candidates import approved_list
from app.demo.roll_generator import demo_small_roll
from app.extensions import db
from app.preparation import group as groups
from app.preparation import notices
from app.privacy import decrypt
from app.roll import services as roll
from app.roll.versions import create_version
from app.rules.calendar import notice_end
from app.rules.preparation import NOTICE_WORKING_DAYS
from app.voting import announcement, ballots, credentials, meetings, paper
from app.voting.models import Matter, Meeting, MeetingVoter

COMMUNITY = "梅园小区"
#: the statements of the first meeting's seven candidates, owners of the roll nominated through the pipeline
CANDIDATES = (
    "退休会计，愿意把公共收益的账目按月公开。",
    "社区志愿者，关注电梯和消防设施的维护。",
    "工程师，关注地下车库渗水和外墙维修。",
    "教师，愿意做好业主之间的沟通。",
    "个体经营者，关注小区安全和门禁。",
    "医生，关注老年业主的出行设施。",
    "律师，愿意协助审查物业服务合同。",
)


def published_so_that_it_is_over(before: date, at_most: date) -> date:
    """The latest day, not after ``at_most``, on which a notice of 5 working days (Shaoxing Art 9) has run out before
    ``before``: the demo's notices end in time on every day of the year, across a Spring Festival too."""
    calendar = current_calendar()
    day = at_most
    while notice_end(calendar, day, NOTICE_WORKING_DAYS) >= before:
        day -= timedelta(days=1)
    return day


def demo_community(township: Township, name: str, address: str, developer: str, seed: int, today: date) -> Community:
    """A small community with its roll published about 20 days before ``today``, so that its notice has run 8 days
    before ``today`` (the demo opens meetings up to 8 days back), whatever the holidays in between."""
    units = demo_small_roll(seed=seed)
    community = communities.create_community(
        township, name, address, developer, total_floor_area_centi=sum(u.area_centi for u in units) + 60_000
    )
    version = create_version(community, units, "示范数据 / demo data", author_id=None, source="demo")
    published = published_so_that_it_is_over(today - timedelta(days=8), today - timedelta(days=20))
    roll.publish_version(version, published, None)
    owners = list({o.id_number: o for unit in units for o in unit.owners}.values())
    formed_on = today - timedelta(days=60)
    group = groups.record_request(community, "developer_report", formed_on - timedelta(days=20), "", None)
    members = [
        groups.MemberInput("吴卫东", "township", "0575-87010000", is_leader=True),
        *(groups.MemberInput(o.name, "owner_representative", "", o.id_number) for o in owners[20:24]),
        groups.MemberInput("蒋美华", "residents_committee", "0575-87010001"),
    ]
    groups.form_group(group, formed_on, members, None)  # the meeting is built directly below, not from its plan
    announced = formed_on + timedelta(days=2)  # within the 3 days of Shaoxing Art 12
    notices.publish(group, "members", announced, None, recorded_on=announced)
    return community


def open_first_meeting(community: Community, today: date, opens_at: datetime, closes_at: datetime) -> Meeting:
    """The first meeting (rules, covenant, the election of 5 and 2 alternates among 7), opened: roll frozen."""
    group = groups.current_group(community)
    meeting = Meeting(
        community_id=community.id,
        group_id=group.id if group is not None else None,
        title=f"{community.name}首次业主大会会议",
        opens_at=opens_at,
        closes_at=closes_at,
        channels="phone,paper",
        second_factor="id_last6",
        settings={"count_parking": True, "blank_and_invalid_take_part": True, "rank_by": ["heads", "area"]},
    )
    meeting.matters = [
        Matter(position=1, kind="motion", category=1, title="表决通过《业主大会议事规则》", text="（示范文本，略）"),
        Matter(position=2, kind="motion", category=2, title="表决通过《管理规约》", text="（示范文本，略）"),
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
    announced = today - timedelta(days=30)  # the 15 days and the announcement's notice have run by the window
    listed = approved_list(meeting, CANDIDATES, announced - timedelta(days=5))
    meeting.matters[2].candidates = meetings.ballot_candidates(listed)
    announcement.announce(meeting, announced, None, recorded_on=announced)
    meetings.open_voting(meeting, today, None)  # freezes the roll: its notice has run by ``today``
    return meeting


def voters_of(meeting: Meeting) -> list[MeetingVoter]:
    return list(
        db.session.scalars(select(MeetingVoter).where(MeetingVoter.meeting_id == meeting.id).order_by(MeetingVoter.id))
    )


def open_demo_meeting(township: Township, today: date, teller_password: str) -> Meeting:
    """Create 梅园小区 with an open first meeting; 20 owners have voted by phone, 2 paper ballots wait for a second
    teller. Its two tellers are `meiyuan-teller1` and `meiyuan-teller2`, its group's leader `meiyuan-leader`."""
    community = demo_community(township, COMMUNITY, "诸暨市暨阳街道梅园路8号", "诸暨梅园置业有限公司", 11, today)
    tellers = [
        accounts.create_community_account(community, f"meiyuan-teller{n}", name, teller_password, Role.TELLER)
        for n, name in ((1, "范晓东"), (2, "金美玲"))
    ]
    # the group's leader, the convener of the open meeting: makes its letters, names a third teller, counts
    accounts.create_community_account(
        community, "meiyuan-leader", "吴卫东", teller_password, Role.GROUP_MEMBER, GroupRole.LEADER
    )
    now = utcnow()
    meeting = open_first_meeting(community, today, now - timedelta(days=2), now + timedelta(days=12))
    voters = voters_of(meeting)
    motion_ids = [str(m.id) for m in meeting.matters if m.kind == "motion"]
    election = meeting.matters[2]
    answers = ("yes", "yes", "yes", "no", "abstain")
    for number, voter in enumerate(voters[1:21]):
        picked = [c.id for c in election.candidates][number % 3 : number % 3 + 5]
        choices = {key: answers[(number + i) % len(answers)] for i, key in enumerate(motion_ids)}
        ballots.cast(voter, {**choices, str(election.id): picked}, "phone")
    for voter in voters[21:23]:
        marks = {key: "yes" for key in motion_ids} | {str(election.id): [c.id for c in election.candidates[:5]]}
        paper.record_entry(meeting, paper.paper_code(voter), tellers[0].id, marks)
    db.session.flush()
    return meeting


def _first_voter() -> MeetingVoter | None:
    community = db.session.scalars(select(Community).where(Community.name == COMMUNITY)).first()
    meeting = (
        db.session.scalars(select(Meeting).where(Meeting.community_id == community.id)).first() if community else None
    )
    if meeting is None:
        return None
    return db.session.scalars(
        select(MeetingVoter).where(MeetingVoter.meeting_id == meeting.id).order_by(MeetingVoter.id)
    ).first()


def demo_voter_link(base_url: str) -> tuple[str, str, str] | None:
    """A fresh personal link for the first voter of 梅园小区 (who has not voted), with their masked name and the last
    six characters of their ID number: (link, who, id tail). Earlier demo links of that voter stop working."""
    voter = _first_voter()
    if voter is None:
        return None
    token, tail = letter_of(voter)
    db.session.commit()
    return f"{base_url.rstrip('/')}/v?t={token}", f"{voter.holder_name}（{voter.units_label}）", tail


def demo_owner_phone() -> str | None:
    """The mobile number on the roll of the owner `demo_voter_link` gives a link to: they sign in with it too."""
    voter = _first_voter()
    holder = credentials.letter_holder(voter) if voter is not None else None
    return decrypt(holder.phone_cipher) if holder is not None and holder.phone_cipher else None


def letter_of(voter: MeetingVoter) -> tuple[str, str]:
    """A fresh personal link's token for a demo voter and the last six characters of its holder's ID number (the
    second factor); earlier links of that voter stop working."""
    holder = credentials.letter_holder(voter)
    issued = credentials.issue(voter, None)
    return issued.token, decrypt(holder.id_number_cipher)[-6:] if holder is not None else ""
