"""The preparatory group's services: the report or application (Shaoxing Art 11), formation with the composition of
Art 12, member changes, the one 90-day extension and dissolution (Art 16). Each change is audited; a refused one
stores nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.communities.models import Community
from app.errors import DomainError
from app.extensions import db
from app.preparation import group as groups
from app.preparation.group import MemberInput
from app.preparation.models import GroupMember, PreparatoryGroup
from app.privacy import lookup_hash
from tests.factories import gen_community, gen_official, gen_township
from tests.preparation.helpers import (
    FORMED_ON,
    REQUESTED_ON,
    freeze_today,
    load_roll,
    refused,
    roll_owners,
    valid_members,
)

TODAY = date(2026, 11, 2)
NOT_AN_OWNER = "330681199901011238"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze_today(monkeypatch, TODAY)


@pytest.fixture
def setting(app: Any) -> tuple[Community, Any]:
    township = gen_township()
    community = gen_community(township)
    official = gen_official(township)
    load_roll(community, official)
    return community, official


def events(community: Community, action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.community_id == community.id, AuditEvent.action == action)
            .order_by(AuditEvent.seq)
        )
    )


def english(error: DomainError) -> str:
    with force_locale("en"):
        return str(error)


def township_member(name: str = "陈建国", leader: bool = True) -> MemberInput:
    return MemberInput(name, "township", "0575-87001234", is_leader=leader)


def owner_reps(n: int, start: int = 0) -> list[MemberInput]:
    return [MemberInput(o.name, "owner_representative", o.phone, o.id_number) for o in roll_owners()[start : start + n]]


RESIDENTS = MemberInput("何秀珍", "residents_committee", "0575-87005678")
DEVELOPER = MemberInput("周立新", "developer", "0575-87009999")


def requested(community: Community, official: Any) -> PreparatoryGroup:
    return groups.record_request(community, "developer_report", REQUESTED_ON, "建设单位报告", official.id)


# --- the report or application --------------------------------------------------------------------------------------


def test_record_request_starts_group_one_and_is_audited(setting: Any) -> None:
    community, official = setting
    group = groups.record_request(community, "owners_application", date(2026, 8, 3), "  业主申请  ", official.id)
    assert (group.number, group.request_kind, group.requested_on) == (1, "owners_application", date(2026, 8, 3))
    assert group.note == "业主申请"
    assert group.formed_on is None
    assert group.plan is None
    assert groups.current_group(community) is group
    [event] = events(community, "preparation.request")
    assert event.object_id == str(group.id)
    assert event.summary == {"kind": "owners_application", "requested_on": "2026-08-03", "number": 1}


def test_a_second_request_while_one_runs_is_refused(setting: Any) -> None:
    community, official = setting
    requested(community, official)
    error = refused(groups.record_request, community, "owners_application", REQUESTED_ON, "", official.id)
    assert (error.code, error.status) == ("preparation_running", 409)
    stored = db.session.scalars(select(PreparatoryGroup).where(PreparatoryGroup.community_id == community.id)).all()
    assert len(stored) == 1
    assert len(events(community, "preparation.request")) == 1


def test_a_request_dated_in_the_future_is_refused(setting: Any) -> None:
    community, official = setting
    error = refused(groups.record_request, community, "developer_report", TODAY + timedelta(days=1), "", official.id)
    assert (error.code, error.field) == ("date_in_future", "requested_on")
    assert groups.current_group(community) is None
    assert events(community, "preparation.request") == []
    assert groups.record_request(community, "developer_report", TODAY, "", official.id).requested_on == TODAY


def test_an_unknown_request_kind_is_refused(setting: Any) -> None:
    community, official = setting
    error = refused(groups.record_request, community, "rumour", REQUESTED_ON, "", official.id)
    assert error.code == "invalid_request_kind"
    assert groups.current_group(community) is None


# --- formation ------------------------------------------------------------------------------------------------------


def test_form_group_stores_members_plan_and_audit(setting: Any) -> None:
    community, official = setting
    group = requested(community, official)
    owners = roll_owners()
    groups.form_group(group, FORMED_ON, valid_members(owners), official.id)
    assert group.formed_on == FORMED_ON
    assert group.plan is not None
    assert [(m.position, m.role, m.is_leader) for m in group.members] == [
        (1, "township", True),
        (2, "owner_representative", False),
        (3, "owner_representative", False),
        (4, "owner_representative", False),
        (5, "owner_representative", False),
        (6, "residents_committee", False),
        (7, "developer", False),
    ]
    reps = group.members[1:5]
    assert [m.owner_lookup for m in reps] == [lookup_hash(o.id_number) for o in owners[:4]]
    assert all(m.unit_labels for m in reps)
    assert group.members[0].owner_lookup is None
    assert group.members[0].unit_labels == ""
    [event] = events(community, "preparation.form")
    assert event.summary["formed_on"] == FORMED_ON.isoformat()
    assert [m["on_roll"] for m in event.summary["members"]] == [False, True, True, True, True, False, False]
    # no ID number in the audit log
    assert not any(o.id_number in str(event.summary) for o in owners)


def test_the_developers_absence_is_allowed(setting: Any) -> None:
    community, official = setting
    group = requested(community, official)
    groups.form_group(group, FORMED_ON, [township_member(), *owner_reps(2), RESIDENTS], official.id)
    assert [m.role for m in group.members] == [
        "township",
        "owner_representative",
        "owner_representative",
        "residents_committee",
    ]


def test_exactly_half_owner_representatives_pass(setting: Any) -> None:
    community, official = setting
    group = requested(community, official)
    groups.form_group(group, FORMED_ON, [township_member(), RESIDENTS, DEVELOPER, *owner_reps(3)], official.id)
    assert len(group.members) == 6
    assert group.formed_on == FORMED_ON


def assert_nothing_stored(community: Community, group: PreparatoryGroup) -> None:
    db.session.flush()
    db.session.expire(group)
    assert group.formed_on is None
    assert group.plan is None
    assert db.session.scalars(select(GroupMember).where(GroupMember.group_id == group.id)).all() == []
    assert events(community, "preparation.form") == []


@pytest.mark.parametrize(
    ("members", "reason"),
    [
        pytest.param(
            lambda: [
                township_member(leader=False),
                MemberInput("王小明", "owner_representative", "", roll_owners()[0].id_number, is_leader=True),
                *owner_reps(2, 1),
            ],
            "The leader must be the township's representative (Shaoxing Art 12).",
            id="leader-not-township",
        ),
        pytest.param(
            lambda: [township_member(), RESIDENTS, DEVELOPER, *owner_reps(2)],
            "Owner representatives must be at least half of the group (Shaoxing Art 12): 2 of 5 members, at least 3 "
            "needed.",
            id="owners-below-half",
        ),
        pytest.param(
            lambda: [township_member(), RESIDENTS, DEVELOPER, RESIDENTS, *owner_reps(3)],
            "Owner representatives must be at least half of the group (Shaoxing Art 12): 3 of 7 members, at least 4 "
            "needed.",
            id="three-of-seven",
        ),
        pytest.param(
            lambda: [
                township_member(),
                *owner_reps(2),
                MemberInput("林外人", "owner_representative", "", NOT_AN_OWNER),
            ],
            "Owner representatives must be owners on the roll; not found on it: 林外人.",
            id="owner-rep-not-on-roll",
        ),
        pytest.param(
            lambda: [township_member(), *owner_reps(2), MemberInput("赵无证", "owner_representative", "", "")],
            "Owner representatives must be owners on the roll; not found on it: 赵无证.",
            id="owner-rep-without-id-number",
        ),
        pytest.param(
            lambda: [MemberInput("何秀珍", "residents_committee", "", is_leader=True), *owner_reps(2)],
            "The group needs a representative of the township (Shaoxing Art 12).",
            id="no-township",
        ),
        pytest.param(
            lambda: [township_member(leader=False), *owner_reps(2)],
            "Name a leader: the township's representative leads the group (Shaoxing Art 12).",
            id="no-leader",
        ),
        pytest.param(
            lambda: [township_member(), township_member("李四"), *owner_reps(2)],
            "Name one leader only.",
            id="two-leaders",
        ),
        pytest.param(lambda: [], "The group has no members.", id="empty"),
    ],
)
def test_an_invalid_composition_is_refused_with_its_reason_and_nothing_stored(
    setting: Any, members: Any, reason: str
) -> None:
    community, official = setting
    group = requested(community, official)
    error = refused(groups.form_group, group, FORMED_ON, members(), official.id)
    assert (error.code, error.field, error.status) == ("invalid_composition", "members", 422)
    assert reason in english(error)
    assert_nothing_stored(community, group)


def test_every_reason_is_given_at_once(setting: Any) -> None:
    community, official = setting
    group = requested(community, official)
    members = [RESIDENTS, DEVELOPER, MemberInput("林外人", "owner_representative", "", NOT_AN_OWNER, is_leader=True)]
    message = english(refused(groups.form_group, group, FORMED_ON, members, official.id))
    assert message.startswith("The group cannot be formed: ")
    for reason in (
        "The leader must be the township's representative",
        "1 of 3 members, at least 2 needed",
        "not found on it: 林外人.",
        "The group needs a representative of the township",
    ):
        assert reason in message
    assert_nothing_stored(community, group)


def test_an_unknown_role_is_refused(setting: Any) -> None:
    community, official = setting
    group = requested(community, official)
    error = refused(groups.form_group, group, FORMED_ON, [township_member(), MemberInput("某", "mayor")], official.id)
    assert error.code == "invalid_role"
    assert_nothing_stored(community, group)


def test_formation_dates_are_checked(setting: Any) -> None:
    community, official = setting
    group = requested(community, official)
    members = valid_members(roll_owners())
    error = refused(groups.form_group, group, REQUESTED_ON - timedelta(days=1), members, official.id)
    assert (error.code, error.field) == ("formed_before_request", "formed_on")
    error = refused(groups.form_group, group, TODAY + timedelta(days=1), members, official.id)
    assert (error.code, error.field) == ("date_in_future", "formed_on")
    assert_nothing_stored(community, group)


def test_a_group_is_formed_once(setting: Any) -> None:
    community, official = setting
    group = requested(community, official)
    groups.form_group(group, FORMED_ON, valid_members(roll_owners()), official.id)
    error = refused(groups.form_group, group, FORMED_ON, valid_members(roll_owners()), official.id)
    assert (error.code, error.status) == ("group_formed", 409)
    assert len(events(community, "preparation.form")) == 1


# --- member changes -------------------------------------------------------------------------------------------------


@pytest.fixture
def formed(setting: Any) -> tuple[Community, Any, PreparatoryGroup]:
    community, official = setting
    group = requested(community, official)
    groups.form_group(group, FORMED_ON, valid_members(roll_owners()), official.id)
    return community, official, group


def test_replace_members_keeps_both_lists_in_the_audit(formed: Any) -> None:
    community, official, group = formed
    new = [township_member("吴国强"), *owner_reps(3, 10), RESIDENTS]
    groups.replace_members(group, new, "业主对成员提出异议，街道协调后调整", official.id)
    db.session.expire(group)
    assert [m.name for m in group.members] == [m.name for m in new]
    assert [m.position for m in group.members] == [1, 2, 3, 4, 5]
    assert db.session.scalars(select(GroupMember).where(GroupMember.group_id == group.id)).all() == group.members
    [event] = events(community, "preparation.members_change")
    assert event.summary["reason"] == "业主对成员提出异议，街道协调后调整"
    assert next(m["name"] for m in event.summary["before"]) == "陈建国"
    assert len(event.summary["before"]) == 7
    assert [m["name"] for m in event.summary["after"]] == [m.name for m in new]


def test_replace_members_checks_the_composition_and_keeps_the_old_members(formed: Any) -> None:
    community, official, group = formed
    before = [m.name for m in group.members]
    error = refused(
        groups.replace_members, group, [township_member(), RESIDENTS, DEVELOPER, *owner_reps(1)], "调整", official.id
    )
    assert error.code == "invalid_composition"
    assert "1 of 4 members, at least 2 needed" in english(error)
    db.session.expire(group)
    assert [m.name for m in group.members] == before
    assert events(community, "preparation.members_change") == []


def test_replace_members_needs_a_formed_group_and_a_reason(setting: Any) -> None:
    community, official = setting
    group = requested(community, official)
    error = refused(groups.replace_members, group, valid_members(roll_owners()), "调整", official.id)
    assert (error.code, error.status) == ("group_not_formed", 409)
    groups.form_group(group, FORMED_ON, valid_members(roll_owners()), official.id)
    error = refused(groups.replace_members, group, valid_members(roll_owners()), "  ", official.id)
    assert (error.code, error.field) == ("invalid_reason", "reason")


# --- extension and dissolution --------------------------------------------------------------------------------------


def test_extend_term_once_only(formed: Any) -> None:
    community, official, group = formed
    groups.extend_term(group, date(2026, 10, 20), "首次会议未通过议事规则和管理规约", official.id)
    assert group.extended_on == date(2026, 10, 20)
    error = refused(groups.extend_term, group, date(2026, 10, 21), "再次延期", official.id)
    assert (error.code, error.status) == ("already_extended", 409)
    assert group.extended_on == date(2026, 10, 20)
    [event] = events(community, "preparation.extend")
    assert event.summary == {"extended_on": "2026-10-20", "reason": "首次会议未通过议事规则和管理规约"}


def test_extend_term_needs_a_formed_group_and_a_past_date(setting: Any) -> None:
    community, official = setting
    group = requested(community, official)
    assert refused(groups.extend_term, group, date(2026, 10, 20), "延期", official.id).code == "group_not_formed"
    groups.form_group(group, FORMED_ON, valid_members(roll_owners()), official.id)
    error = refused(groups.extend_term, group, TODAY + timedelta(days=1), "延期", official.id)
    assert (error.code, error.field) == ("date_in_future", "extended_on")
    assert group.extended_on is None


def test_extend_term_without_a_reason_changes_nothing(formed: Any) -> None:
    _community, official, group = formed
    error = refused(groups.extend_term, group, date(2026, 10, 20), "  ", official.id)
    assert error.code == "invalid_reason"
    db.session.expire(group)
    assert group.extended_on is None


def test_dissolve_without_a_reason_changes_nothing(formed: Any) -> None:
    _community, official, group = formed
    error = refused(groups.dissolve, group, date(2026, 10, 20), "", official.id)
    assert error.code == "invalid_reason"
    db.session.expire(group)
    assert group.dissolved_on is None


def test_dissolve_then_a_new_request_gets_number_two(formed: Any) -> None:
    community, official, group = formed
    groups.dissolve(group, date(2026, 10, 30), "延期后仍未通过，筹备组解散", official.id)
    assert group.dissolved_on == date(2026, 10, 30)
    assert groups.current_group(community) is None
    error = refused(groups.dissolve, group, date(2026, 10, 31), "再次解散", official.id)
    assert (error.code, error.status) == ("group_dissolved", 409)
    second = groups.record_request(community, "owners_application", date(2026, 11, 1), "", official.id)
    assert second.number == 2
    assert groups.current_group(community) is second
    assert [e.summary["number"] for e in events(community, "preparation.request")] == [1, 2]
    [event] = events(community, "preparation.dissolve")
    assert event.summary == {"dissolved_on": "2026-10-30", "reason": "延期后仍未通过，筹备组解散"}
    assert event.object_id == str(group.id)


def test_a_dissolution_cannot_be_dated_in_the_future(formed: Any) -> None:
    community, official, group = formed
    error = refused(groups.dissolve, group, TODAY + timedelta(days=1), "解散", official.id)
    assert (error.code, error.field) == ("date_in_future", "dissolved_on")
    assert groups.current_group(community) is group


def test_numbers_are_per_community(setting: Any) -> None:
    community, official = setting
    other = gen_community(db.session.get_one(Community, community.id).township)
    assert requested(community, official).number == 1
    assert groups.record_request(other, "developer_report", REQUESTED_ON, "", official.id).number == 1


def test_a_dissolved_group_cannot_be_formed_changed_or_extended(setting: Any) -> None:
    community, official = setting
    unformed = requested(community, official)
    groups.dissolve(unformed, date(2026, 8, 20), "申请撤回", official.id)
    error = refused(groups.form_group, unformed, FORMED_ON, valid_members(roll_owners()), official.id)
    assert (error.code, error.status) == ("group_dissolved", 409)
    formed = groups.record_request(community, "owners_application", date(2026, 8, 21), "", official.id)
    groups.form_group(formed, FORMED_ON, valid_members(roll_owners()), official.id)
    groups.dissolve(formed, date(2026, 10, 30), "解散", official.id)
    error = refused(groups.replace_members, formed, valid_members(roll_owners()), "调整", official.id)
    assert (error.code, error.status) == ("group_dissolved", 409)
    error = refused(groups.extend_term, formed, date(2026, 10, 31), "延期", official.id)
    assert (error.code, error.status) == ("group_dissolved", 409)
