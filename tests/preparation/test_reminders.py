"""Where a preparation stands (its stage, its clocks of Shaoxing Arts 11, 12 and 16, what waits for the township) and
the reminders Celery beat writes 7 days and 1 day before each deadline and once when it is overdue."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.communities.models import Township
from app.db_types import utcnow
from app.extensions import db
from app.preparation import candidates as nominations
from app.preparation import group as groups
from app.preparation import notices, progress, tasks
from app.preparation.models import ClockReminder, PreparatoryGroup
from app.rules.preparation import ClockState
from tests.factories import gen_community, gen_official, gen_township
from tests.preparation.helpers import (
    FORMED_ON,
    REQUESTED_ON,
    Preparation,
    declare_clean,
    freeze_today,
    gen_preparation,
    load_roll,
    roll_owners,
    valid_members,
)

TASK = "app.preparation.tasks.send_preparation_reminders"
TODAY = date(2026, 11, 2)
#: the clocks of a group requested on 2026-08-03 and formed on 2026-09-01 (tests/preparation/helpers.py)
FORM_GROUP_DUE = date(2026, 10, 8)  # day 60 is Fri 10-02, in the National Day holiday
ANNOUNCE_DUE = date(2026, 9, 4)  # day 3, a Friday
FIRST_MEETING_DUE = date(2026, 11, 30)  # day 90, a Monday


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze_today(monkeypatch, TODAY)


@pytest.fixture
def prep(bare: Preparation) -> Preparation:
    """Here a preparation has no candidates."""
    return bare


def requested_only(
    township: Township, official: User, name: str | None = None, *, with_roll: bool = False
) -> PreparatoryGroup:
    community = gen_community(township, name=name)
    if with_roll:
        load_roll(community, official)
    return groups.record_request(community, "owners_application", REQUESTED_ON, "", official.id)


def reminders(group: PreparatoryGroup) -> list[tuple[str, date, int]]:
    rows = db.session.scalars(
        select(ClockReminder).where(ClockReminder.group_id == group.id).order_by(ClockReminder.id)
    )
    return [(r.clock, r.due_on, r.lead) for r in rows]


# --- clocks and stage -----------------------------------------------------------------------------------------------


def test_clocks_of_a_formed_group(prep: Preparation) -> None:
    views = progress.clocks(prep.group, date(2026, 9, 2))
    assert [(v.clock.code, v.clock.due, v.done) for v in views] == [
        ("form_group", FORM_GROUP_DUE, True),
        ("announce_members", ANNOUNCE_DUE, False),
        ("first_meeting", FIRST_MEETING_DUE, False),
    ]
    assert [v.state for v in views] == [
        ClockState("due_in", 36),
        ClockState("due_in", 2),
        ClockState("due_in", 89),
    ]
    assert not any(v.overdue for v in views)
    with force_locale("en"):
        assert str(views[1].label) == "Announce the members (3 days, Shaoxing Art 12)"


def test_an_overdue_clock_whose_event_happened_is_not_overdue(prep: Preparation) -> None:
    views = {v.clock.code: v for v in progress.clocks(prep.group, date(2026, 10, 9))}
    assert views["form_group"].state == ClockState("overdue", 1)
    assert not views["form_group"].overdue  # the group was formed
    assert views["announce_members"].overdue
    notices.publish(prep.group, "members", date(2026, 9, 3), None, recorded_on=date(2026, 9, 3))
    views = {v.clock.code: v for v in progress.clocks(prep.group, date(2026, 10, 9))}
    assert views["announce_members"].done
    assert not views["announce_members"].overdue


def test_clocks_default_to_today(prep: Preparation) -> None:
    views = {v.clock.code: v for v in progress.clocks(prep.group)}
    assert views["first_meeting"].state == ClockState("due_in", (FIRST_MEETING_DUE - TODAY).days)


def test_the_extension_replaces_the_first_meeting_clock(prep: Preparation) -> None:
    groups.extend_term(prep.group, date(2026, 10, 30), "首次会议未通过议事规则", None)
    codes = [v.clock.code for v in progress.clocks(prep.group)]
    assert codes == ["form_group", "announce_members", "first_meeting_extended"]


def test_a_clock_in_a_year_without_the_arrangement_is_provisional(prep: Preparation) -> None:
    """Day 180 from 2026-09-01 is Sun 2027-02-28; without the 2027 arrangement that Sunday may be a working day (in
    exchange for the Spring Festival), so the deadline is shown on it, the earliest it can be, marked provisional."""
    groups.extend_term(prep.group, date(2026, 10, 30), "首次会议未通过议事规则", None)
    view = next(v for v in progress.clocks(prep.group) if v.clock.code == "first_meeting_extended")
    assert view.clock.due == date(2027, 2, 28)
    assert view.clock.provisional
    assert view.state is not None
    first = next(v for v in progress.clocks(prep.group) if v.clock.code == "announce_members")
    assert not first.clock.provisional


def test_stages(township: Township, official: User, monkeypatch: pytest.MonkeyPatch) -> None:
    group = requested_only(township, official)
    assert progress.stage(group) == "awaiting_group"
    prep = gen_preparation(gen_community(township), official)
    group = prep.group
    assert progress.stage(group) == "group_formed"
    notices.publish(group, "members", date(2026, 9, 2), None, recorded_on=date(2026, 9, 2))
    assert progress.stage(group) == "preparing"
    for candidate in prep.candidates.values():
        declare_clean(candidate, official)
        nominations.vet(candidate, True, "", official.id)
    review = nominations.submit_list(group, official.id)
    assert progress.stage(group) == "list_under_review"
    nominations.review_list(review, True, "", gen_official(township).id)
    assert progress.stage(group) == "list_approved"
    assert group.plan is not None
    group.plan.scheduled_at = utcnow()
    assert progress.stage(group) == "scheduled"
    groups.dissolve(group, date(2026, 11, 1), "解散", None)
    assert progress.stage(group) == "dissolved"
    assert set(progress.STAGES) == {
        "awaiting_group",
        "group_formed",
        "preparing",
        "list_under_review",
        "list_approved",
        "scheduled",
        "dissolved",
    }


# --- overviews ------------------------------------------------------------------------------------------------------


def test_overview_of_an_approved_list(township: Township, official: User) -> None:
    prep = gen_preparation(gen_community(township), official)
    group = prep.group
    notices.publish(group, "members", date(2026, 9, 2), None, recorded_on=date(2026, 9, 2))
    for route, candidate in prep.candidates.items():
        declare_clean(candidate, official)
        if route == "joint":
            nominations.update_profile(
                candidate,
                statement="",
                party_member=False,
                peoples_congress_deputy=False,
                cppcc_member=True,
                declaration_made=True,
                declared_acts=(),
                property_company_tie=False,
                user_id=None,
            )
        nominations.vet(candidate, True, "", official.id)
    review = nominations.submit_list(group, official.id)
    pending = progress.overview(group)
    assert pending.waiting == ["review_list"]
    assert (pending.stage, pending.approved) == ("list_under_review", 0)  # counted once approved
    nominations.review_list(review, True, "", gen_official(township).id)
    notice = notices.publish(group, "candidate_list", date(2026, 10, 12), None, recorded_on=date(2026, 10, 12))
    notices.record_objection(notice, "张三", "1幢101", "异议一", None)
    notices.record_objection(notice, "李四", "2幢101", "异议二", None)
    found = progress.overview(group)
    assert found.stage == "list_approved"
    assert found.waiting == []  # the group answers the objections to its notices, not the township (issue 19)
    assert found.open_objections == 2
    # declare_clean makes each a party member; the joint candidate is a CPPCC member instead
    assert (found.approved, found.party_members, found.deputies) == (3, 2, 1)
    assert not found.overdue


def test_overview_of_a_group_to_be_formed(township: Township, official: User) -> None:
    found = progress.overview(requested_only(township, official))
    assert found.stage == "awaiting_group"
    assert found.waiting == ["form_group"]
    with force_locale("en"):
        assert str(progress.WAITING_LABELS["form_group"]) == "Form the group and confirm its composition"
    assert [v.clock.code for v in found.clocks] == ["form_group"]
    assert found.overdue  # due 2026-10-08, today 2026-11-02


def test_township_overviews_put_the_overdue_first(township: Township, official: User) -> None:
    # on time, nothing waiting
    calm = gen_preparation(gen_community(township, name="A 安居苑"), official, with_candidates=False)
    notices.publish(calm.group, "members", date(2026, 9, 2), None, recorded_on=date(2026, 9, 2))
    # on time, its list waits for the township
    busy = gen_preparation(gen_community(township, name="B 百合园"), official)
    notices.publish(busy.group, "members", date(2026, 9, 2), None, recorded_on=date(2026, 9, 2))
    for candidate in busy.candidates.values():
        declare_clean(candidate, official)
        nominations.vet(candidate, True, "", official.id)
    nominations.submit_list(busy.group, official.id)
    # overdue: the group was not formed within 60 days; the members were not announced within 3 days
    unformed = requested_only(township, official, "C 春晖苑")
    silent = gen_preparation(gen_community(township, name="D 东湖苑"), official, with_candidates=False)
    # not listed: dissolved, or in another township
    gone = gen_preparation(gen_community(township, name="0 旧城"), official, with_candidates=False)
    groups.dissolve(gone.group, date(2026, 10, 30), "解散", None)
    other = gen_township()
    requested_only(other, gen_official(other), "0 外镇小区")

    rows = progress.township_overviews(township.id)
    assert [row.group.id for row in rows] == [unformed.id, silent.group.id, busy.group.id, calm.group.id]
    assert [row.overdue for row in rows] == [True, True, False, False]


# --- reminders ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "lead"),
    [(9, None), (8, None), (7, 7), (2, 7), (1, 1), (0, 1), (-1, -1), (-30, -1)],
)
def test_reminder_lead(days_left: int, lead: int | None) -> None:
    assert progress.reminder_lead(days_left) == lead


def test_seven_day_one_day_and_overdue_reminders_are_written_once_each(prep: Preparation) -> None:
    group = prep.group
    announce = ("announce_members", ANNOUNCE_DUE)
    meeting = ("first_meeting", FIRST_MEETING_DUE)
    steps = [
        (FORMED_ON, 1, [(*announce, 7)]),  # 3 days left
        (FORMED_ON, 0, []),  # the same day again
        (date(2026, 9, 2), 0, []),  # 2 days left: the 7-day reminder is written already
        (date(2026, 9, 3), 1, [(*announce, 1)]),
        (ANNOUNCE_DUE, 0, []),
        (date(2026, 9, 5), 1, [(*announce, -1)]),
        (date(2026, 9, 30), 0, []),  # overdue once only
        (FIRST_MEETING_DUE - timedelta(days=8), 0, []),
        (FIRST_MEETING_DUE - timedelta(days=7), 1, [(*meeting, 7)]),
        (FIRST_MEETING_DUE - timedelta(days=1), 1, [(*meeting, 1)]),
        (FIRST_MEETING_DUE + timedelta(days=1), 1, [(*meeting, -1)]),
        (FIRST_MEETING_DUE + timedelta(days=2), 0, []),
    ]
    expected: list[tuple[str, date, int]] = []
    for on, count, new in steps:
        assert progress.send_reminders(on) == count, on
        expected += new
        assert reminders(group) == expected, on
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.community_id == group.community_id, AuditEvent.action == "preparation.reminder")
        .order_by(AuditEvent.seq)
    ).all()
    assert [(e.summary["clock"], e.summary["due_on"], e.summary["lead"]) for e in events] == [
        (clock, due.isoformat(), lead) for clock, due, lead in expected
    ]
    assert {e.actor_label for e in events} == {"beat"}
    assert [(r.clock, r.lead) for r in progress.reminders_of(group, limit=2)] == [
        ("first_meeting", -1),
        ("first_meeting", 1),
    ]


def test_no_reminder_for_a_clock_whose_event_happened(prep: Preparation) -> None:
    group = prep.group
    notices.publish(
        group, "members", date(2026, 9, 2), None, recorded_on=date(2026, 9, 2)
    )  # announced: the 3-day clock is done
    assert progress.send_reminders(date(2026, 9, 3)) == 0
    assert progress.send_reminders(date(2026, 9, 10)) == 0
    # the 60-day clock to form the group ran out 2026-10-08, but the group was formed
    assert progress.send_reminders(date(2026, 10, 9)) == 0
    assert reminders(group) == []


def test_no_reminder_once_the_meeting_is_scheduled(prep: Preparation) -> None:
    group = prep.group
    notices.publish(group, "members", date(2026, 9, 2), None, recorded_on=date(2026, 9, 2))
    assert group.plan is not None
    group.plan.scheduled_at = utcnow()
    assert progress.send_reminders(FIRST_MEETING_DUE - timedelta(days=1)) == 0
    assert reminders(group) == []


def test_the_form_group_clock_reminds_until_the_group_is_formed(township: Township, official: User) -> None:
    group = requested_only(township, official, with_roll=True)
    assert progress.send_reminders(FORM_GROUP_DUE - timedelta(days=5)) == 1
    assert reminders(group) == [("form_group", FORM_GROUP_DUE, 7)]
    groups.form_group(group, FORM_GROUP_DUE - timedelta(days=2), valid_members(roll_owners()), official.id)
    # now the 3-day clock runs instead (due 10-09): 3 days left → its 7-day reminder; the 60-day clock is silent
    assert progress.send_reminders(FORM_GROUP_DUE - timedelta(days=1)) == 1
    assert reminders(group)[-1] == ("announce_members", date(2026, 10, 9), 7)


def test_no_reminder_for_a_dissolved_group(prep: Preparation) -> None:
    groups.dissolve(prep.group, date(2026, 9, 2), "解散", None)
    assert progress.send_reminders(date(2026, 9, 3)) == 0
    assert reminders(prep.group) == []


def test_reminders_for_several_groups(township: Township, official: User, prep: Preparation) -> None:
    other = requested_only(township, official)
    # 2026-10-01: the other group's 60-day clock has 7 days left; prep's 3-day clock is overdue
    assert progress.send_reminders(date(2026, 10, 1)) == 2
    assert reminders(other) == [("form_group", FORM_GROUP_DUE, 7)]
    assert reminders(prep.group) == [("announce_members", ANNOUNCE_DUE, -1)]


# --- the Celery task ------------------------------------------------------------------------------------------------


def test_beat_sends_the_reminders_hourly(app: Any) -> None:
    celery = app.extensions["celery"]
    assert tasks.send_preparation_reminders.name == TASK  # imported here: the worker imports it through `include`
    assert "app.preparation.tasks" in celery.conf.include
    assert TASK in celery.tasks
    [entry] = [e for e in celery.conf.beat_schedule.values() if e["task"] == TASK]
    assert entry["schedule"] == 3600.0


def test_the_task_writes_todays_reminders_and_returns_the_count(
    app: Any, prep: Preparation, monkeypatch: pytest.MonkeyPatch
) -> None:
    group_id = prep.group.id
    freeze_today(monkeypatch, date(2026, 9, 3))  # the members' notice is due tomorrow
    task = app.extensions["celery"].tasks[TASK]
    first = task.apply()
    assert first.successful(), first.traceback
    assert first.get() == 1
    second = task.apply()
    assert second.get() == 0
    rows = db.session.scalars(select(ClockReminder).where(ClockReminder.group_id == group_id)).all()
    assert [(r.clock, r.due_on, r.lead) for r in rows] == [("announce_members", ANNOUNCE_DUE, 1)]


def test_after_an_extension_the_second_meeting_clock_runs(township: Township, official: User) -> None:
    community = gen_community(township)
    load_roll(community, official)
    group = groups.record_request(community, "developer_report", date(2026, 3, 2), "", official.id)
    groups.form_group(group, date(2026, 4, 1), valid_members(roll_owners()), official.id)
    notices.publish(group, "members", date(2026, 4, 2), None, recorded_on=date(2026, 4, 2))
    assert group.plan is not None
    group.plan.scheduled_at = utcnow()  # the first meeting was scheduled (checklist.schedule) and held
    groups.extend_term(group, date(2026, 7, 10), "首次会议未通过议事规则和管理规约", official.id)
    view = next(v for v in progress.clocks(group, date(2026, 9, 21)) if v.clock.code == "first_meeting_extended")
    assert view.clock.due == date(2026, 9, 28)  # day 180 from 2026-04-01
    assert not view.done
    assert progress.stage(group) != "scheduled"
    assert progress.send_reminders(date(2026, 9, 21)) == 1
