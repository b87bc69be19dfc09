"""Public notices of the preparation (Shaoxing Art 9: at least 5 working days; Art 12 ¶2: the members; Art 13 ¶3: the
checklist's content, objections recorded and answered)."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.calendar.services import notice_is_provisional
from app.communities.models import Township
from app.extensions import db
from app.preparation import candidates as nominations
from app.preparation import group as groups
from app.preparation import notices
from app.preparation.models import Notice, PreparatoryGroup
from app.rules.calendar import is_working_day, load_calendar
from tests.factories import gen_community, gen_official
from tests.preparation.helpers import FORMED_ON, Preparation, declare_clean, freeze_today, gen_preparation, refused

TODAY = date(2026, 11, 2)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze_today(monkeypatch, TODAY)


def audit_events(group: PreparatoryGroup, action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.community_id == group.community_id, AuditEvent.action == action)
            .order_by(AuditEvent.seq)
        )
    )


def approve_list(prep: Preparation, official: User) -> None:
    """Every candidate declares and is accepted; another official of the township approves the list."""
    for candidate in prep.candidates.values():
        declare_clean(candidate, official)
        nominations.vet(candidate, True, "", official.id)
    review = nominations.submit_list(prep.group, official.id)
    reviewer = gen_official(db.session.get_one(Township, official.grants[0].township_id))
    nominations.review_list(review, True, "", reviewer.id)


# --- publish --------------------------------------------------------------------------------------------------------


def test_members_notice_freezes_the_text_and_records_the_announcement(prep: Preparation) -> None:
    group = prep.group
    notice = notices.publish(group, "members", date(2026, 9, 2), None, recorded_on=date(2026, 9, 2))
    assert notice.title == notices.TITLES["members"]
    assert "陈建国（组长）" in notice.body
    assert notice.body_sha256 == hashlib.sha256(notice.body.encode()).hexdigest()
    assert notice.ends_on == date(2026, 9, 9)  # Thu 3, Fri 4, Mon 7, Tue 8, Wed 9
    assert len(notice.token) >= 20
    assert group.members_announced_on == date(2026, 9, 2)
    # a second members' notice (after a change) keeps the first announcement day
    notices.publish(group, "members", date(2026, 9, 15), None, recorded_on=date(2026, 9, 15))
    assert group.members_announced_on == date(2026, 9, 2)
    assert notices.latest_notices(group)["members"].starts_on == date(2026, 9, 15)
    events = audit_events(group, "notice.publish")
    assert [e.summary["starts_on"] for e in events] == ["2026-09-02", "2026-09-15"]
    assert events[0].summary == {
        "kind": "members",
        "starts_on": "2026-09-02",
        "ends_on": "2026-09-09",
        "recorded_on": "2026-09-02",
        "sha256": notice.body_sha256,
    }


def test_five_working_days_over_national_day(prep: Preparation) -> None:
    # Thu 10-08, Fri 10-09, Sat 10-10 (adjusted working day), Mon 10-12, Tue 10-13
    assert notices.publish(
        prep.group, "voting_rules", date(2026, 9, 30), None, recorded_on=date(2026, 9, 30)
    ).ends_on == date(2026, 10, 13)


def test_five_working_days_across_the_adjusted_working_saturday(prep: Preparation) -> None:
    # Fri 10-09, Sat 10-10 (adjusted), Mon 10-12, Tue 10-13, Wed 10-14; without the adjusted day it would be Thu 10-15
    assert is_working_day(load_calendar(), date(2026, 10, 10))
    assert notices.publish(
        prep.group, "election_rules", date(2026, 10, 8), None, recorded_on=date(2026, 10, 8)
    ).ends_on == date(2026, 10, 14)


def test_a_notice_in_a_year_without_the_arrangement_is_published_provisionally(prep: Preparation) -> None:
    """Posted Mon 2027-02-01 before the 2027 arrangement exists: Tue 02-02 is surely a working day; 02-03 to 02-14 may
    be Spring Festival days off (the law fixes only 02-05 to 02-08), weekends may be worked or not; so the five days
    are 02-02, 02-15, 02-16, 02-17 and 02-18, the latest any arrangement could give."""
    notice = notices.publish(prep.group, "voting_rules", date(2027, 2, 1), None)
    assert notice.ends_on == date(2027, 2, 18)
    assert notice_is_provisional(notice.starts_on, notice.ends_on)


def test_a_notice_running_into_a_year_without_the_arrangement_is_provisional(prep: Preparation) -> None:
    notice = notices.publish(prep.group, "voting_rules", date(2026, 12, 28), None)
    assert notice.ends_on == date(2027, 1, 5)
    assert notice_is_provisional(notice.starts_on, notice.ends_on)
    earlier = notices.publish(prep.group, "members", date(2026, 12, 7), None)
    assert earlier.ends_on == date(2026, 12, 14)
    assert not notice_is_provisional(earlier.starts_on, earlier.ends_on)


def test_other_needs_a_title_and_a_body(prep: Preparation) -> None:
    group = prep.group
    error = refused(notices.publish, group, "other", date(2026, 10, 12), None, title="", body="正文")
    assert (error.code, error.field) == ("invalid_title", "title")
    error = refused(notices.publish, group, "other", date(2026, 10, 12), None, title="关于会议地点的说明", body=" ")
    assert (error.code, error.field) == ("invalid_body", "body")
    assert notices.latest_notices(group) == {}
    notice = notices.publish(
        group,
        "other",
        date(2026, 10, 12),
        None,
        title=" 关于会议地点的说明 ",
        body="地点：\r\n会所",
        recorded_on=date(2026, 10, 12),
    )
    assert (notice.title, notice.body) == ("关于会议地点的说明", "地点：\n会所")


def test_candidate_list_is_refused_before_approval(prep: Preparation, official: User) -> None:
    error = refused(notices.publish, prep.group, "candidate_list", date(2026, 10, 12), official.id)
    assert (error.code, error.status) == ("list_not_approved", 409)
    approve_list(prep, official)
    notice = notices.publish(
        prep.group, "candidate_list", date(2026, 10, 12), official.id, recorded_on=date(2026, 10, 12)
    )
    for candidate in prep.candidates.values():
        assert candidate.name in notice.body


def test_documents_must_exist_before_they_are_published(prep: Preparation) -> None:
    group = prep.group
    assert refused(notices.publish, group, "meeting", date(2026, 10, 12), None).code == "meeting_not_planned"
    assert refused(notices.publish, group, "rules_of_procedure", date(2026, 10, 12), None).code == "document_empty"
    assert refused(notices.publish, group, "covenant", date(2026, 10, 12), None).code == "document_empty"


def test_unknown_kind_early_start_and_dissolved_group_are_refused(prep: Preparation) -> None:
    group = prep.group
    assert refused(notices.publish, group, "gossip", date(2026, 10, 12), None).code == "invalid_notice_kind"
    before = FORMED_ON - timedelta(days=1)
    error = refused(notices.publish, group, "members", before, None, recorded_on=before)
    assert (error.code, error.field) == ("notice_before_formation", "starts_on")
    groups.dissolve(group, date(2026, 10, 30), "解散", None)
    assert refused(notices.publish, group, "members", date(2026, 10, 31), None).code == "group_dissolved"
    assert db.session.scalars(select(Notice).where(Notice.group_id == group.id)).all() == []
    assert group.members_announced_on is None


def test_earliest_meeting_after_a_notice(prep: Preparation) -> None:
    notice = notices.publish(prep.group, "voting_rules", date(2026, 10, 1), None, recorded_on=date(2026, 10, 1))
    assert notices.earliest_meeting_after(notice) == date(2026, 10, 17)


# --- objections -----------------------------------------------------------------------------------------------------


def test_an_objection_is_recorded_and_answered_once(prep: Preparation, official: User) -> None:
    group = prep.group
    notice = notices.publish(group, "members", date(2026, 9, 2), official.id, recorded_on=date(2026, 9, 2))
    objection = notices.record_objection(notice, "张三", "1幢1单元101", "业主代表不是本小区业主", official.id)
    assert objection.status == "open"
    assert notices.open_objection_count(group) == 1
    assert notice.objections == [objection]
    notices.answer_objection(objection, "经核实，该代表为1幢业主。", official.id)
    assert (objection.status, objection.answer, objection.answered_by_id) == (
        "answered",
        "经核实，该代表为1幢业主。",
        official.id,
    )
    assert objection.answered_at is not None
    assert notices.open_objection_count(group) == 0
    error = refused(notices.answer_objection, objection, "另一个答复", official.id)
    assert (error.code, error.status) == ("objection_answered", 409)
    assert objection.answer == "经核实，该代表为1幢业主。"
    [recorded] = audit_events(group, "notice.objection_record")
    assert recorded.summary == {"notice": notice.id, "kind": "members", "candidate": None, "unit": "1幢1单元101"}
    assert len(audit_events(group, "notice.objection_answer")) == 1


def test_an_objection_needs_its_fields_and_an_answer_needs_text(prep: Preparation) -> None:
    notice = notices.publish(prep.group, "members", date(2026, 9, 2), None, recorded_on=date(2026, 9, 2))
    assert refused(notices.record_objection, notice, "", "101", "异议", None).code == "invalid_objector_name"
    assert refused(notices.record_objection, notice, "张三", "", "异议", None).code == "invalid_unit_label"
    assert refused(notices.record_objection, notice, "张三", "101", " ", None).code == "invalid_description"
    objection = notices.record_objection(notice, "张三", "101", "异议", None)
    assert refused(notices.answer_objection, objection, "  ", None).code == "invalid_answer"
    assert objection.status == "open"


def test_an_objection_to_a_candidate_on_the_list(prep: Preparation, official: User) -> None:
    approve_list(prep, official)
    notice = notices.publish(
        prep.group, "candidate_list", date(2026, 10, 12), official.id, recorded_on=date(2026, 10, 12)
    )
    candidate = prep.candidates["joint"]
    objection = notices.record_objection(notice, "李四", "2幢", "该候选人欠缴物业费", official.id, candidate.id)
    assert objection.candidate_id == candidate.id
    assert audit_events(prep.group, "notice.objection_record")[0].summary["candidate"] == candidate.id


def test_an_objection_naming_a_candidate_on_another_notice_kind_is_refused(prep: Preparation) -> None:
    notice = notices.publish(prep.group, "members", date(2026, 9, 2), None, recorded_on=date(2026, 9, 2))
    candidate = prep.candidates["self"]
    error = refused(notices.record_objection, notice, "李四", "2幢", "异议", None, candidate.id)
    assert (error.code, error.field) == ("invalid_candidate", "candidate_id")
    assert notices.open_objection_count(prep.group) == 0


def test_an_objection_naming_another_groups_or_no_candidate_is_refused(
    prep: Preparation, township: Township, official: User
) -> None:
    approve_list(prep, official)
    notice = notices.publish(
        prep.group, "candidate_list", date(2026, 10, 12), official.id, recorded_on=date(2026, 10, 12)
    )
    elsewhere = gen_preparation(gen_community(township), official)
    for candidate_id in (elsewhere.candidates["self"].id, 999_999):
        error = refused(notices.record_objection, notice, "李四", "2幢", "异议", None, candidate_id)
        assert error.code == "invalid_candidate"
    assert notices.open_objection_count(prep.group) == 0


def test_an_objection_naming_a_rejected_candidate_of_the_group_is_refused(
    prep: Preparation, township: Township, official: User
) -> None:
    rejected = prep.candidates["self"]
    for route, candidate in prep.candidates.items():
        declare_clean(candidate, official)
        nominations.vet(candidate, route != "self", "" if route != "self" else "未参加资格审查谈话", official.id)
    review = nominations.submit_list(prep.group, official.id)
    nominations.review_list(review, True, "", gen_official(township).id)
    notice = notices.publish(
        prep.group, "candidate_list", date(2026, 10, 12), official.id, recorded_on=date(2026, 10, 12)
    )
    assert rejected.name not in notice.body
    error = refused(notices.record_objection, notice, "李四", "2幢", "异议", None, rejected.id)
    assert error.code == "invalid_candidate"


def test_latest_notices_keeps_the_last_of_each_kind(prep: Preparation) -> None:
    group = prep.group
    first = notices.publish(group, "voting_rules", date(2026, 10, 12), None, recorded_on=date(2026, 10, 12))
    election = notices.publish(group, "election_rules", date(2026, 10, 12), None, recorded_on=date(2026, 10, 12))
    second = notices.publish(group, "voting_rules", date(2026, 10, 13), None, recorded_on=date(2026, 10, 13))
    assert notices.latest_notices(group) == {"voting_rules": second, "election_rules": election}
    assert first.id != second.id


def test_a_notice_is_recorded_at_most_three_days_after_it_was_posted(prep: Preparation) -> None:
    """Otherwise a group could claim 15 days and 5 working days that never ran (Shaoxing Arts 9, 13)."""
    group = prep.group
    three_back = TODAY - timedelta(days=notices.MAX_BACKDATE_DAYS)
    assert notices.publish(group, "members", three_back, None).starts_on == three_back
    error = refused(notices.publish, group, "members", three_back - timedelta(days=1), None)
    assert (error.code, error.field) == ("notice_backdated", "starts_on")
    assert refused(notices.publish, group, "members", TODAY, None, recorded_on=TODAY + timedelta(days=1)).code == (
        "notice_backdated"
    )
    assert len(notices.latest_notices(group)) == 1
