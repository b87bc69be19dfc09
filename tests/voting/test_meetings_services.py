"""Configuring and opening a meeting (DOMAIN §8; Shaoxing Arts 10, 13, 16; issue 6 item 1).

The first meeting comes from a scheduled preparation: the rules of procedure (Art 278 ¶1 (1)), the covenant ((2)) and
the committee election ((3)) with the plan's seats and alternates and the township-approved candidates still standing,
voting from 08:00 on the plan's first day to 20:00 on its last, Asia/Shanghai. Opening freezes the latest roll version
(its notice run, its objections answered) and fixes one voter per voter of the counting engine; from then on nothing
about the matters can change.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.communities.models import Community, Township
from app.db_types import SHANGHAI, utcnow
from app.demo.roll_generator import DemoUnit, demo_small_roll
from app.extensions import db
from app.preparation import candidates as nominations
from app.preparation import checklist, notices
from app.preparation import group as groups
from app.preparation.models import PreparatoryGroup
from app.privacy import lookup_hash, pseudonym_key
from app.roll import services as roll_services
from app.roll.models import RollUnit, RollVersion
from app.roll.versions import create_version, latest_version
from app.roll.weights import roll_fingerprint, voter_pseudonym, voter_roll
from app.rules.model import Settings
from app.voting import meetings
from app.voting.models import Matter, Meeting, MeetingVoter
from tests.factories import gen_community, gen_official, gen_township
from tests.preparation.helpers import Preparation, declare_clean, freeze_today, gen_preparation, load_roll, refused
from tests.voting.helpers import announce_back, gen_meeting, gen_open_meeting

#: the preparation's today; every required notice starts on ANNOUNCED, the meeting runs STARTS_ON – ENDS_ON
TODAY = date(2026, 10, 20)
ANNOUNCED = date(2026, 10, 12)
STARTS_ON = ANNOUNCED + timedelta(days=16)
ENDS_ON = STARTS_ON + timedelta(days=6)
SEATS, MAX_ALTERNATES = 7, 3


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze_today(monkeypatch, TODAY)


@pytest.fixture
def township(app: Flask) -> Township:
    return gen_township()


@pytest.fixture
def official(township: Township) -> User:
    return gen_official(township)


@pytest.fixture
def reviewer(township: Township) -> User:
    """Another official of the township: the four-eyes review of the list the first one vetted."""
    return gen_official(township)


@pytest.fixture
def prep(township: Township, official: User) -> Preparation:
    return gen_preparation(gen_community(township), official)


def community_of(group: PreparatoryGroup) -> Community:
    return db.session.get_one(Community, group.community_id)


def events(community_id: int, action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.community_id == community_id, AuditEvent.action == action)
            .order_by(AuditEvent.seq)
        )
    )


def plan_meeting(
    prep: Preparation,
    official: User,
    reviewer: User,
    *,
    form: str = "both",
    schedule: bool = True,
) -> None:
    """The preparation of Art 13 ¶1 done: meeting, rules, documents; the three nominations accepted plus a fourth
    rejected, all vetted by ``official``; the list approved by ``reviewer``; every notice of Art 13 ¶3 posted
    16 days before the meeting; then, with ``schedule``, the meeting scheduled."""
    group = prep.group
    checklist.update_meeting(group, STARTS_ON, ENDS_ON, form, "审议议事规则、管理规约，选举业主委员会", official.id)
    checklist.update_rules(
        group,
        count_parking=False,
        blank_and_invalid_take_part=False,
        rank_by="area,heads",
        seats=SEATS,
        max_alternates=MAX_ALTERNATES,
        min_committee_members=6,
        alternates_list="one_list",
        user_id=official.id,
    )
    for kind in checklist.DOCUMENT_KINDS:
        checklist.draft_document(group, kind, checklist.document_fields(group, kind), official.id)
    rejected = nominations.nominate(
        group,
        name=prep.owners[17].name,
        id_number=prep.owners[17].id_number,
        route="self",
        nominated_on=date(2026, 9, 12),
        user_id=official.id,
    )
    prep.candidates["rejected"] = rejected
    nominations.vet(rejected, False, "未签署承诺书", official.id)
    for route in ("self", "residents_committee", "joint"):
        declare_clean(prep.candidates[route], official)
        nominations.vet(prep.candidates[route], True, "", official.id)
    nominations.review_list(nominations.submit_list(group, official.id), True, "", reviewer.id)
    for kind in notices.ANNOUNCED_BEFORE_MEETING:
        notices.publish(group, kind, ANNOUNCED, official.id, recorded_on=ANNOUNCED)
    if schedule:
        checklist.schedule(group, official.id)


# --- the first meeting from the preparation -------------------------------------------------------------------------


def test_first_meeting_takes_the_plan_and_the_approved_candidates(
    prep: Preparation, official: User, reviewer: User
) -> None:
    group = prep.group
    plan_meeting(prep, official, reviewer)
    nominations.withdraw(prep.candidates["joint"], "工作调动", official.id)  # after approval, before the vote
    meeting = meetings.first_meeting(group, official.id)
    db.session.expire_all()  # what was stored, not what is in memory
    meeting = db.session.get_one(Meeting, meeting.id)
    plan = group.plan
    assert plan is not None

    assert (meeting.status, meeting.group_id, meeting.community_id) == ("draft", group.id, group.community_id)
    assert meeting.title == f"{community_of(group).name}首次业主大会会议"
    assert [(m.position, m.kind, m.category) for m in meeting.matters] == [
        (1, "motion", 1),
        (2, "motion", 2),
        (3, "election", 3),
    ]
    rules, covenant, election = meeting.matters
    assert rules.text == plan.rules_text
    assert rules.text
    assert covenant.text == plan.covenant_text
    assert covenant.text
    assert (election.seats, election.max_alternates) == (SEATS, MAX_ALTERNATES)
    assert rules.seats is None
    assert covenant.seats is None
    standing = [prep.candidates["self"], prep.candidates["residents_committee"]]
    assert [(c.position, c.candidate_id, c.name) for c in election.candidates] == [
        (1, standing[0].id, standing[0].name),
        (2, standing[1].id, standing[1].name),
    ]
    assert [c.statement for c in election.candidates] == ["热心公益，愿为业主服务。"] * 2
    assert [c.unit_labels for c in election.candidates] == [c.unit_labels for c in standing]
    names = {c.name for c in election.candidates}
    assert prep.candidates["joint"].name not in names  # withdrawn
    assert prep.candidates["rejected"].name not in names  # rejected by the group, never on the list

    # 08:00 on the first day to 20:00 on the last, Asia/Shanghai (UTC+8), stored in UTC
    assert meeting.opens_at == datetime(2026, 10, 28, 0, 0, tzinfo=UTC)
    assert meeting.closes_at == datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
    assert meeting.opens_at.astimezone(SHANGHAI).time() == time(8, 0)
    assert meeting.closes_at.astimezone(SHANGHAI).date() == ENDS_ON
    assert meeting.opens_at == meetings.local(STARTS_ON, time(8, 0))

    assert meeting.channels == "phone,paper"
    assert (meeting.second_factor, meeting.allow_change, meeting.roll_version_id) == ("id_last6", False, None)
    assert meeting.settings == {
        "count_parking": False,
        "blank_and_invalid_take_part": False,
        "rank_by": ["area", "heads"],
        "min_committee_members": 6,
        "alternates_list": "one_list",
        "tie_rule": "runoff",
        "arrears_bar": True,  # the rules of procedure's bar on candidates with unpaid fees (default on)
        "term_years": 5,  # the rules of procedure's term (the model text's default)
    }
    [event] = events(group.community_id, "meeting.create")
    assert (event.object_id, event.summary) == (str(meeting.id), {"matters": 3, "candidates": 2})


@pytest.mark.parametrize(("form", "channels"), [("online", "phone"), ("paper", "paper")])
def test_the_meeting_form_gives_the_channels(
    prep: Preparation, official: User, reviewer: User, form: str, channels: str
) -> None:
    plan_meeting(prep, official, reviewer, form=form)
    assert meetings.first_meeting(prep.group, official.id).channels == channels


def test_no_first_meeting_before_the_meeting_is_scheduled(prep: Preparation, official: User, reviewer: User) -> None:
    assert refused(meetings.first_meeting, prep.group, official.id).code == "meeting_not_planned"
    plan_meeting(prep, official, reviewer, schedule=False)
    error = refused(meetings.first_meeting, prep.group, official.id)
    assert (error.code, error.status) == ("meeting_not_scheduled", 409)
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0


def test_a_change_after_scheduling_unschedules_and_refuses(prep: Preparation, official: User, reviewer: User) -> None:
    plan_meeting(prep, official, reviewer)
    plan = prep.group.plan
    assert plan is not None
    checklist.edit_document(prep.group, "covenant", plan.covenant_text + "\n附则：本规约自通过之日起生效。", None)
    assert refused(meetings.first_meeting, prep.group, official.id).code == "meeting_not_scheduled"


def test_only_one_first_meeting(prep: Preparation, official: User, reviewer: User) -> None:
    plan_meeting(prep, official, reviewer)
    meetings.first_meeting(prep.group, official.id)
    error = refused(meetings.first_meeting, prep.group, official.id)
    assert (error.code, error.status) == ("meeting_exists", 409)
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 1
    assert len(events(prep.group.community_id, "meeting.create")) == 1


def test_no_first_meeting_without_an_approved_list(prep: Preparation, official: User) -> None:
    group = prep.group
    checklist.update_meeting(group, STARTS_ON, ENDS_ON, "both", "审议议事规则、管理规约，选举业主委员会", None)
    for candidate in prep.candidates.values():
        declare_clean(candidate, official)
        nominations.vet(candidate, True, "", official.id)
    nominations.submit_list(group, official.id)  # submitted, still pending with the township
    # scheduling itself needs the approved list's notice: mark the plan scheduled as a stale one would be
    assert group.plan is not None
    group.plan.scheduled_at = utcnow()
    error = refused(meetings.first_meeting, group, official.id)
    assert (error.code, error.status) == ("list_not_approved", 409)
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0


# --- configuring a draft meeting ------------------------------------------------------------------------------------


@pytest.fixture
def community(township: Township, official: User) -> Community:
    """A community with the first 30 units of the small demo roll, published on 2026-08-10."""
    made = gen_community(township)
    load_roll(made, official)
    return made


@pytest.fixture
def draft(community: Community, official: User) -> Meeting:
    meeting = gen_meeting(community, official)
    announce_back(meeting)
    return meeting


def configure(meeting: Meeting, **changes: object) -> Meeting:
    values: dict[str, object] = {
        "opens_at": meetings.local(date(2026, 12, 1), time(9, 0)),
        "closes_at": meetings.local(date(2026, 12, 7), time(18, 0)),
        "channels": "phone",
        "second_factor": "sms",
        "allow_change": True,
        "user_id": None,
    }
    values.update(changes)
    return meetings.configure(meeting, **values)  # type: ignore[arg-type]


def test_configure_sets_the_window_channels_and_identity_check(draft: Meeting) -> None:
    configure(draft)
    db.session.expire_all()
    meeting = db.session.get_one(Meeting, draft.id)
    assert meeting.opens_at == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert meeting.closes_at == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    assert (meeting.channels, meeting.second_factor, meeting.allow_change) == ("phone", "sms", True)
    [event] = events(meeting.community_id, "meeting.configure")
    assert event.summary == {
        "opens_at": "2026-12-01T09:00:00+08:00",
        "closes_at": "2026-12-07T18:00:00+08:00",
        "channels": "phone",
        "second_factor": "sms",
        "allow_change": True,
        "contact_phone": "",
        "paper_place": "",
    }


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"closes_at": meetings.local(date(2026, 11, 30), time(9, 0))}, "window_reversed", "closes_at"),
        ({"closes_at": meetings.local(date(2026, 12, 1), time(9, 0))}, "window_reversed", "closes_at"),
        ({"channels": "wechat"}, "invalid_channels", "channels"),
        ({"channels": "paper,phone"}, "invalid_channels", "channels"),
        ({"second_factor": "none"}, "invalid_second_factor", "second_factor"),
        ({"second_factor": ""}, "invalid_second_factor", "second_factor"),
    ],
)
def test_configure_refuses_a_bad_setting(draft: Meeting, changes: dict[str, object], code: str, field: str) -> None:
    before = (draft.opens_at, draft.closes_at, draft.channels, draft.second_factor, draft.allow_change)
    error = refused(configure, draft, **changes)
    assert (error.code, error.field) == (code, field)
    assert (draft.opens_at, draft.closes_at, draft.channels, draft.second_factor, draft.allow_change) == before
    assert events(draft.community_id, "meeting.configure") == []


def test_add_motion_takes_the_next_position_and_is_audited(draft: Meeting) -> None:
    matter = meetings.add_motion(draft, 6, "续筹专项维修资金", "每平方米 20 元", None)
    assert (matter.position, matter.kind, matter.category, matter.seats) == (4, "motion", 6, None)
    assert [m.position for m in draft.matters] == [1, 2, 3, 4]
    [event] = events(draft.community_id, "meeting.matter_add")
    assert (event.object_id, event.summary) == (str(matter.id), {"category": 6})


@pytest.mark.parametrize("category", [0, 10, -1])
def test_add_motion_refuses_a_category_outside_art_278(draft: Meeting, category: int) -> None:
    error = refused(meetings.add_motion, draft, category, "标题", "", None)
    assert (error.code, error.field) == ("invalid_category", "category")
    assert len(draft.matters) == 3


def test_add_motion_needs_a_title(draft: Meeting) -> None:
    assert refused(meetings.add_motion, draft, 4, "  ", "", None).code == "invalid_title"
    assert len(draft.matters) == 3


def test_remove_matter_removes_it_and_is_audited(draft: Meeting) -> None:
    covenant = draft.matters[1]
    covenant_id = covenant.id
    meetings.remove_matter(covenant, None)
    db.session.expire_all()
    meeting = db.session.get_one(Meeting, draft.id)
    assert [m.category for m in meeting.matters] == [1, 3]
    assert db.session.get(Matter, covenant_id) is None
    [event] = events(draft.community_id, "meeting.matter_remove")
    assert event.object_id == str(covenant_id)
    assert meetings.add_motion(meeting, 2, "管理规约（修订）", "", None).position == 4


# --- opening ---------------------------------------------------------------------------------------------------------


def units_of(version_id: int) -> list[RollUnit]:
    return list(db.session.scalars(select(RollUnit).where(RollUnit.roll_version_id == version_id)))


def voters_of(meeting: Meeting) -> list[MeetingVoter]:
    return list(db.session.scalars(select(MeetingVoter).where(MeetingVoter.meeting_id == meeting.id)))


def trustees_key(meeting_id: int) -> str:
    """The election key: the sum of the platform's and the township's public keys (issue 17 item 3)."""
    from app.results import trustees
    from crypto import group

    found = trustees.of_meeting(meeting_id)
    assert [t.role for t in found] == ["platform", "township"]
    return group.total(bytes.fromhex(t.public_key) for t in found).hex()


def test_opening_the_first_meeting_freezes_the_roll_and_fixes_its_voters(
    prep: Preparation, official: User, reviewer: User
) -> None:
    plan_meeting(prep, official, reviewer)
    meeting = meetings.first_meeting(prep.group, official.id)
    version = latest_version(community_of(prep.group))
    assert version is not None
    assert version.frozen_at is None
    assert meeting.announced_on is not None  # the group's documents announced it
    meetings.open_voting(meeting, STARTS_ON, reviewer.id)
    assert version.frozen_at is not None
    assert version.frozen_by_id == reviewer.id
    assert (meeting.status, meeting.roll_version_id, meeting.opened_by_id) == ("open", version.id, reviewer.id)
    assert meeting.opened_at is not None
    roll = voter_roll(units_of(version.id), Settings(count_parking=False))
    stored = voters_of(meeting)
    assert len(stored) == roll.total_heads == 30  # 29 owners of one flat each, and the developer's unsold flat
    assert sum(v.area_centi for v in stored) == roll.total_area_centi
    [event] = events(meeting.community_id, "meeting.open")
    assert event.summary == {
        "roll_version": version.number,
        "fingerprint": version.fingerprint,
        "roll_root": roll_fingerprint(roll, pseudonym_key(meeting.id)).root,
        "election_key": trustees_key(meeting.id),
        "voters": 30,
    }
    assert meeting.roll_root == event.summary["roll_root"] != version.fingerprint
    assert len(events(meeting.community_id, "roll.freeze")) == 1


@pytest.mark.parametrize("count_parking", [True, False])
def test_one_meeting_voter_per_voter_of_the_engine(township: Township, official: User, count_parking: bool) -> None:
    """The whole small roll (60 units: flats, shops, parking; owners of a flat and a parking space; three unsold or
    undelivered units) gives the same voters as app.roll.weights.voter_roll on the same units and settings."""
    community = gen_community(township)
    load_roll(community, official, units=60)
    meeting = gen_meeting(community, official)
    meeting.settings = {**meeting.settings, "count_parking": count_parking}
    announce_back(meeting)
    meetings.open_voting(meeting, date(2026, 9, 30), official.id)

    assert meeting.roll_version_id is not None
    roll = voter_roll(units_of(meeting.roll_version_id), Settings(count_parking=count_parking))
    stored = voters_of(meeting)
    assert len(stored) == roll.total_heads
    assert sum(v.area_centi for v in stored) == roll.total_area_centi
    key = pseudonym_key(meeting.id)
    expected = {voter_pseudonym(v.owners, key): (v.voter_id, v.area_centi, v.is_developer) for v in roll.voters}
    assert {v.voter_key: (v.unit_key, v.area_centi, v.is_developer) for v in stored} == expected

    # the developer's unsold and undelivered units: one voter, their areas summed, no holder to identify
    developer_units = [u for u in demo_small_roll() if u.status in ("unsold", "undelivered")]
    [developer] = [v for v in stored if v.is_developer]
    assert len(developer_units) == 3
    assert developer.voter_key == "developer"
    assert developer.area_centi == sum(u.area_centi for u in developer_units)
    assert (developer.holder_name, developer.phone_cipher, developer.id_tail_lookup) == ("建设单位", None, None)

    # an owner of several units: one voter, areas summed, every unit named
    by_owners: dict[frozenset[str], list[DemoUnit]] = defaultdict(list)
    for unit in demo_small_roll():
        if unit.owners:
            by_owners[frozenset(o.id_number for o in unit.owners)].append(unit)
    keys = {owners: voter_pseudonym(frozenset(lookup_hash(i) for i in owners), key) for owners in by_owners}
    several = 0
    for owners, units in by_owners.items():
        counted = [u for u in units if count_parking or u.kind != "parking"]
        found = [v for v in stored if v.voter_key == keys[owners]]
        if not counted:  # an owner of parking spaces only, when parking does not count: no voter
            assert found == []
            continue
        [voter] = found
        assert voter.area_centi == sum(u.area_centi for u in counted)
        assert voter.units_label == "、".join(f"{u.building}{u.entrance}{u.room}" for u in counted)
        several += len(counted) > 1
    assert several >= 1  # 2幢1单元102 and 2幢1单元601 have the same owner


def test_a_co_owned_unit_is_held_by_its_representative(community: Community, official: User) -> None:
    opened = gen_open_meeting_on(community, official)
    # 1幢1单元401 is co-owned by 李涛 (the representative) and 林春梅
    [voter] = [v for v in opened if v.units_label == "1幢1单元401"]
    assert voter.holder_name == "李涛"
    assert voter.phone_cipher is not None
    assert voter.id_tail_lookup is not None


def gen_open_meeting_on(community: Community, official: User) -> list[MeetingVoter]:
    meeting = gen_meeting(community, official)
    announce_back(meeting)
    meetings.open_voting(meeting, date(2026, 9, 30), official.id)
    return voters_of(meeting)


def test_opening_freezes_the_latest_version_once_its_notice_has_run(
    community: Community, draft: Meeting, official: User
) -> None:
    second = create_version(community, demo_small_roll()[:31], "补录一户", official.id, "import")
    published_on = date(2026, 10, 12)  # a Monday: five working days end on Friday 16 October
    roll_services.publish_version(second, published_on, official.id)
    error = refused(meetings.open_voting, draft, published_on + timedelta(days=2), official.id)
    assert (error.code, error.status) == ("notice_running", 409)
    assert (draft.status, draft.roll_version_id, second.frozen_at) == ("draft", None, None)
    assert voters_of(draft) == []
    assert events(community.id, "meeting.open") == []

    meetings.open_voting(draft, date(2026, 10, 30), official.id)
    first = db.session.scalars(
        select(RollVersion).where(RollVersion.community_id == community.id, RollVersion.number == 1)
    ).one()
    assert draft.roll_version_id == second.id
    assert second.frozen_at is not None
    assert first.frozen_at is None
    assert len(voters_of(draft)) == voter_roll(units_of(second.id)).total_heads == 31


def test_opening_is_refused_while_a_roll_objection_is_open(
    community: Community, draft: Meeting, official: User
) -> None:
    version = latest_version(community)
    assert version is not None
    objection = roll_services.record_objection(version, "1幢1单元101", "张月娥", "面积有误", official.id)
    error = refused(meetings.open_voting, draft, date(2026, 10, 30), official.id)
    assert (error.code, error.status) == ("objections_open", 409)
    assert (draft.status, version.frozen_at) == ("draft", None)
    assert voters_of(draft) == []
    roll_services.reject_objection(objection, "面积以不动产登记为准", official.id)
    meetings.open_voting(draft, date(2026, 10, 30), official.id)
    assert draft.status == "open"


def test_opening_uses_a_roll_frozen_earlier(community: Community, draft: Meeting, official: User) -> None:
    version = latest_version(community)
    assert version is not None
    roll_services.freeze_version(version, date(2026, 9, 30), official.id)
    frozen_at = version.frozen_at
    meetings.open_voting(draft, date(2026, 10, 30), official.id)
    assert (draft.status, draft.roll_version_id, version.frozen_at) == ("open", version.id, frozen_at)


def test_opening_needs_a_roll_and_a_matter(township: Township, official: User) -> None:
    meeting = gen_meeting(gen_community(township), official)
    error = refused(meetings.open_voting, meeting, date(2026, 10, 30), official.id)
    assert (error.code, error.status) == ("no_roll", 409)
    for matter in list(meeting.matters):
        meetings.remove_matter(matter, None)
    assert refused(meetings.open_voting, meeting, date(2026, 10, 30), official.id).code == "no_matters"
    assert meeting.status == "draft"


def test_after_opening_nothing_can_change(community: Community, draft: Meeting, official: User) -> None:
    meetings.open_voting(draft, date(2026, 10, 30), official.id)
    before = [(m.id, m.position, m.category, m.title) for m in draft.matters]
    voters = len(voters_of(draft))
    attempts = [
        lambda: configure(draft),
        lambda: meetings.add_motion(draft, 4, "选聘物业服务企业", "", official.id),
        lambda: meetings.remove_matter(draft.matters[0], official.id),
        lambda: meetings.open_voting(draft, date(2026, 10, 30), official.id),
    ]
    for attempt in attempts:
        error = refused(attempt)
        assert (error.code, error.status) == ("meeting_opened", 409)
    db.session.expire_all()
    meeting = db.session.get_one(Meeting, draft.id)
    assert [(m.id, m.position, m.category, m.title) for m in meeting.matters] == before
    assert meeting.channels == "phone,paper"
    assert meeting.second_factor == "id_last6"
    assert len(voters_of(meeting)) == voters
    assert events(community.id, "meeting.configure") == []
    assert events(community.id, "meeting.matter_add") == []


# --- the window ------------------------------------------------------------------------------------------------------


def test_window_state_through_the_meeting(community: Community, official: User) -> None:
    draft_meeting = gen_meeting(community, official)
    assert meetings.window_state(draft_meeting) == "not_open"
    assert meetings.window_state(draft_meeting, draft_meeting.opens_at + timedelta(hours=1)) == "not_open"


def test_window_state_of_an_open_meeting(township: Township, official: User) -> None:
    meeting = gen_open_meeting(gen_community(township), official).meeting
    opens, closes = meeting.opens_at, meeting.closes_at
    assert meetings.window_state(meeting) == "open"  # now lies inside gen_meeting's window
    assert meetings.window_state(meeting, opens - timedelta(seconds=1)) == "before"
    assert meetings.window_state(meeting, opens) == "open"
    assert meetings.window_state(meeting, closes) == "open"
    assert meetings.window_state(meeting, closes + timedelta(seconds=1)) == "after"
    meeting.status = "closed"
    assert meetings.window_state(meeting, opens + timedelta(hours=1)) == "closed"


def test_local_is_shanghai_time() -> None:
    moment = meetings.local(date(2026, 12, 31), time(20, 0))
    assert moment.utcoffset() == timedelta(hours=8)
    assert moment.astimezone(UTC) == datetime(2026, 12, 31, 12, 0, tzinfo=UTC)


def test_an_extended_group_prepares_and_holds_another_first_meeting(
    prep: Preparation, official: User, reviewer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shaoxing Art 16 ¶2 (DOMAIN §7 item 4): the first meeting did not adopt the rules and covenant, the group's term
    is extended once, and within it the group announces (15 days again) and holds another first meeting."""
    group = prep.group
    plan_meeting(prep, official, reviewer)
    first = meetings.first_meeting(group, official.id)
    assert refused(meetings.first_meeting, group, official.id).code == "meeting_exists"

    groups.extend_term(group, TODAY, "首次会议未通过议事规则和管理规约", official.id)
    assert group.plan is not None
    assert group.plan.scheduled_at is None  # prepared and scheduled anew
    again_on = date(2026, 11, 9)
    checklist.update_meeting(group, again_on, again_on + timedelta(days=6), "both", "再次审议议事规则、管理规约", None)
    with force_locale("en"):
        problems = " ".join(checklist.schedule_problems(group))
    assert "published before the term was extended on 2026-10-20" in problems  # the old notices do not count

    reannounced = date(2026, 10, 22)
    freeze_today(monkeypatch, reannounced)
    for kind in notices.ANNOUNCED_BEFORE_MEETING:
        notices.publish(group, kind, reannounced, official.id, recorded_on=reannounced)
    checklist.schedule(group, official.id)
    second = meetings.first_meeting(group, official.id)
    assert second.id != first.id
    assert (second.group_id, second.announced_on) == (group.id, reannounced)
    assert second.opens_at.astimezone(SHANGHAI).date() == again_on
    assert refused(meetings.first_meeting, group, official.id).code == "meeting_exists"  # once only
