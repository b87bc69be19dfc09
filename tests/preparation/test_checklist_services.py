"""The preparation checklist (Shaoxing Art 13 ¶1): the meeting, the voting and election rules, the documents drafted
from the model texts (Art 14), the developer's funding (Art 15), and scheduling the meeting only once every
announcement has run 15 days (Art 13 ¶3) and every objection is answered."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.communities.models import Community, Township
from app.demo.roll_generator import demo_small_roll
from app.extensions import db
from app.preparation import candidates as nominations
from app.preparation import checklist, notices
from app.preparation.models import MeetingPlan, PreparatoryGroup
from app.roll import services as roll
from app.roll.versions import create_version
from tests.factories import gen_community, gen_official
from tests.preparation.helpers import Preparation, declare_clean, freeze_today, refused

TODAY = date(2026, 10, 20)
#: every notice of the ready preparation starts on this day; the meeting may be held from ANNOUNCED + 16
ANNOUNCED = date(2026, 10, 12)
EARLIEST = date(2026, 10, 28)
M2 = 100  #: one square metre in 0.01 m²
REQUIRED = ("meeting", "rules_of_procedure", "covenant", "voting_rules", "election_rules", "candidate_list")


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze_today(monkeypatch, TODAY)


def english(error: Any) -> str:
    with force_locale("en"):
        return str(error)


def audit_events(group: PreparatoryGroup, action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.community_id == group.community_id, AuditEvent.action == action)
            .order_by(AuditEvent.seq)
        )
    )


def plan_of(group: PreparatoryGroup) -> MeetingPlan:
    assert group.plan is not None
    return group.plan


RULES: dict[str, Any] = {
    "count_parking": True,
    "blank_and_invalid_take_part": True,
    "rank_by": "heads,area",
    "seats": 7,
    "max_alternates": 3,
    "min_committee_members": 5,
    "alternates_list": "one_list",
    "user_id": None,
}


def set_rules(group: PreparatoryGroup, **changes: Any) -> MeetingPlan:
    return checklist.update_rules(group, **{**RULES, **changes})


def draft(group: PreparatoryGroup, kind: str, **fields: str) -> MeetingPlan:
    return checklist.draft_document(group, kind, {**checklist.document_fields(group, kind), **fields}, None)


# --- the meeting ----------------------------------------------------------------------------------------------------


def test_update_meeting(prep: Preparation) -> None:
    group = prep.group
    plan = checklist.update_meeting(group, EARLIEST, EARLIEST + timedelta(days=6), "online", "  审议议事规则 ", None)
    assert (plan.meeting_starts_on, plan.meeting_ends_on, plan.meeting_form) == (
        EARLIEST,
        EARLIEST + timedelta(days=6),
        "online",
    )
    assert plan.meeting_content == "审议议事规则"
    [event] = audit_events(group, "preparation.meeting")
    assert event.summary == {"starts_on": "2026-10-28", "ends_on": "2026-11-03", "form": "online"}


def test_a_one_day_meeting_is_allowed(prep: Preparation) -> None:
    plan = checklist.update_meeting(prep.group, EARLIEST, EARLIEST, "paper", "选举业主委员会", None)
    assert plan.meeting_ends_on == plan.meeting_starts_on


def test_update_meeting_input_is_checked(prep: Preparation) -> None:
    group = prep.group
    error = refused(checklist.update_meeting, group, EARLIEST, EARLIEST - timedelta(days=1), "both", "内容", None)
    assert (error.code, error.field) == ("window_reversed", "meeting_ends_on")
    error = refused(checklist.update_meeting, group, EARLIEST, EARLIEST, "telegram", "内容", None)
    assert (error.code, error.field) == ("invalid_meeting_form", "meeting_form")
    assert plan_of(group).meeting_starts_on is None
    error = refused(checklist.update_meeting, group, EARLIEST, EARLIEST, "both", "  ", None)
    assert (error.code, error.field) == ("invalid_meeting_content", "meeting_content")
    assert audit_events(group, "preparation.meeting") == []


def test_a_meeting_without_content_changes_nothing(prep: Preparation) -> None:
    group = prep.group
    refused(checklist.update_meeting, group, EARLIEST, EARLIEST, "both", "  ", None)
    db.session.flush()
    db.session.expire(plan_of(group))
    assert plan_of(group).meeting_starts_on is None


def test_the_checklist_needs_a_formed_group(township: Township, official: User) -> None:
    from app.preparation import group as groups

    group = groups.record_request(gen_community(township), "developer_report", date(2026, 8, 3), "", official.id)
    error = refused(checklist.update_meeting, group, EARLIEST, EARLIEST, "both", "内容", None)
    assert (error.code, error.status) == ("group_not_formed", 409)
    assert refused(checklist.checklist, group).code == "group_not_formed"


def test_a_dissolved_group_cannot_change_its_plan(prep: Preparation) -> None:
    from app.preparation import group as groups

    groups.dissolve(prep.group, date(2026, 10, 15), "解散", None)
    assert refused(set_rules, prep.group).code == "group_dissolved"


# --- voting and election rules --------------------------------------------------------------------------------------


def test_update_rules_stores_the_settings_and_confirms_them(prep: Preparation) -> None:
    group = prep.group
    assert plan_of(group).voting_rules_confirmed_at is None
    plan = set_rules(
        group,
        count_parking=False,
        blank_and_invalid_take_part=False,
        rank_by="area,heads",
        seats=9,
        max_alternates=4,
        min_committee_members=9,
        alternates_list="separate",
    )
    assert (plan.count_parking, plan.blank_and_invalid_take_part, plan.rank_by) == (False, False, "area,heads")
    assert (plan.seats, plan.max_alternates, plan.min_committee_members, plan.alternates_list) == (9, 4, 9, "separate")
    assert plan.voting_rules_confirmed_at is not None
    [event] = audit_events(group, "preparation.rules")
    assert event.summary["seats"] == 9
    assert event.summary["alternates_list"] == "separate"


@pytest.mark.parametrize(
    ("changes", "reasons"),
    [
        ({"seats": 6}, ["The number of members must be odd (Shaoxing Art 18)."]),
        ({"seats": 13, "max_alternates": 0}, ["The committee has 5 to 11 members (Shaoxing Art 18)."]),
        ({"seats": 4, "max_alternates": 0}, ["The committee has 5 to 11 members (Shaoxing Art 18)."]),
        ({"max_alternates": 4}, ["At most 3 alternates for 7 members (50%)."]),
        ({"max_alternates": -1}, ["At most 3 alternates for 7 members (50%)."]),
        (
            {"min_committee_members": 8},
            ["The minimum number of members for the committee to be formed is from 5 to the number of seats."],
        ),
        (
            {"min_committee_members": 4},
            ["The minimum number of members for the committee to be formed is from 5 to the number of seats."],
        ),
        (
            {"seats": 6, "max_alternates": 4},
            ["The number of members must be odd (Shaoxing Art 18).", "At most 3 alternates for 6 members (50%)."],
        ),
    ],
)
def test_invalid_election_rules_are_refused_with_their_reasons(
    prep: Preparation, changes: dict[str, int], reasons: list[str]
) -> None:
    group = prep.group
    error = refused(set_rules, group, **changes)
    assert (error.code, error.field) == ("invalid_election_rules", "seats")
    assert english(error) == " ".join(reasons)
    plan = plan_of(group)
    assert (plan.seats, plan.max_alternates, plan.min_committee_members) == (7, 3, 5)
    assert plan.voting_rules_confirmed_at is None
    assert audit_events(group, "preparation.rules") == []


def test_rank_and_alternates_list_are_choices(prep: Preparation) -> None:
    assert refused(set_rules, prep.group, rank_by="lottery").code == "invalid_rank_by"
    assert refused(set_rules, prep.group, alternates_list="none").code == "invalid_alternates_list"
    assert plan_of(prep.group).voting_rules_confirmed_at is None


# --- documents from the model texts ---------------------------------------------------------------------------------


def test_document_fields_start_from_the_community_and_the_election_rules(prep: Preparation) -> None:
    group = prep.group
    community = db.session.get_one(Community, group.community_id)
    set_rules(group, seats=9, max_alternates=4, min_committee_members=5)
    fields = checklist.document_fields(group, "rules_of_procedure")
    assert (fields["community_name"], fields["community_address"]) == (community.name, community.address)
    assert (fields["committee_seats"], fields["max_alternates"]) == ("9", "4")
    assert checklist.document_fields(group, "covenant")["community_name"] == community.name


def test_draft_and_edit_the_rules_of_procedure(prep: Preparation) -> None:
    group = prep.group
    community = db.session.get_one(Community, group.community_id)
    plan = draft(group, "rules_of_procedure", office_location="3幢架空层")
    assert plan.rules_text.startswith(f"{community.name}业主大会议事规则")
    assert "业主委员会由7名委员组成" in plan.rules_text
    assert "3幢架空层" in plan.rules_text
    assert plan.rules_fields["office_location"] == "3幢架空层"
    assert plan.covenant_text == ""
    # the stored fields come back as the form's values
    assert checklist.document_fields(group, "rules_of_procedure")["office_location"] == "3幢架空层"
    checklist.edit_document(group, "rules_of_procedure", plan.rules_text + "\r\n第九十九条　附加条款。", None)
    assert plan.rules_text.endswith("\n第九十九条　附加条款。")
    events = audit_events(group, "preparation.document_draft") + audit_events(group, "preparation.document_edit")
    assert [e.summary["document"] for e in events] == ["rules_of_procedure", "rules_of_procedure"]
    assert events[0].summary["sha256"] != events[1].summary["sha256"]


def test_draft_the_covenant(prep: Preparation) -> None:
    plan = draft(prep.group, "covenant", pet_rules="不得饲养烈性犬")
    assert "不得饲养烈性犬" in plan.covenant_text
    assert plan.rules_text == ""


def test_draft_refuses_invalid_fields(prep: Preparation) -> None:
    group = prep.group
    error = refused(draft, group, "rules_of_procedure", committee_seats="6")
    assert (error.code, error.field) == ("invalid_field", "committee_seats")
    error = refused(draft, group, "rules_of_procedure", committee_seats="7", max_alternates="4")
    assert (error.code, error.field) == ("invalid_field", "max_alternates")
    assert english(error) == "At most 3 alternates for 7 members (50%)."
    error = refused(checklist.draft_document, group, "covenant", {"colour_of_doors": "红"}, None)
    assert (error.code, error.field) == ("invalid_field", "colour_of_doors")
    assert (plan_of(group).rules_text, plan_of(group).covenant_text) == ("", "")
    assert audit_events(group, "preparation.document_draft") == []


def test_unknown_documents_and_empty_texts_are_refused(prep: Preparation) -> None:
    group = prep.group
    error = refused(checklist.draft_document, group, "constitution", {}, None)
    assert (error.code, error.status) == ("invalid_document", 404)
    assert refused(checklist.edit_document, group, "constitution", "文本", None).code == "invalid_document"
    error = refused(checklist.edit_document, group, "covenant", " \n ", None)
    assert (error.code, error.field) == ("invalid_text", "text")


# --- funding --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("area_centi", "owed"),
    [
        (50_000 * M2, 5_000_000),
        (50_000 * M2 - 1, 5_000_000),
        (20_000 * M2, 5_000_000),
        (50_000 * M2 + 1, 5_000_001),
        (123_456_78, 12_345_678),
    ],
)
def test_funding_owed(township: Township, area_centi: int, owed: int) -> None:
    assert checklist.funding_owed_fen(gen_community(township, area_centi=area_centi)) == owed


def test_record_funding(prep: Preparation) -> None:
    group = prep.group
    community = db.session.get_one(Community, group.community_id)
    owed = checklist.funding_owed_fen(community)
    plan = checklist.record_funding(group, owed, date(2026, 9, 20), " 转账凭证 2026-0920 ", None)
    assert (plan.funding_received_fen, plan.funding_received_on, plan.funding_reference) == (
        owed,
        date(2026, 9, 20),
        "转账凭证 2026-0920",
    )
    [event] = audit_events(group, "preparation.funding")
    assert event.summary == {"amount_fen": owed, "owed_fen": owed, "received_on": "2026-09-20"}


def test_record_funding_input_is_checked(prep: Preparation) -> None:
    group = prep.group
    assert refused(checklist.record_funding, group, 0, date(2026, 9, 20), "凭证", None).code == "invalid_amount"
    error = refused(checklist.record_funding, group, 100, TODAY + timedelta(days=1), "凭证", None)
    assert (error.code, error.field) == ("date_in_future", "received_on")
    assert plan_of(group).funding_received_fen is None
    assert refused(checklist.record_funding, group, 100, TODAY, " ", None).code == "invalid_reference"
    assert audit_events(group, "preparation.funding") == []


def test_funding_without_a_reference_changes_nothing(prep: Preparation) -> None:
    group = prep.group
    refused(checklist.record_funding, group, 100, TODAY, " ", None)
    db.session.flush()
    db.session.expire(plan_of(group))
    assert plan_of(group).funding_received_fen is None


# --- the checklist --------------------------------------------------------------------------------------------------


def items(group: PreparatoryGroup) -> dict[str, checklist.ChecklistItem]:
    with force_locale("en"):
        return {item.code: item for item in checklist.checklist(group)}


def test_a_fresh_group_has_only_its_roll_done(prep: Preparation) -> None:
    found = items(prep.group)
    assert list(found) == [
        "members",
        "roll",
        "meeting",
        "rules_of_procedure",
        "covenant",
        "voting_rules",
        "election_rules",
        "candidate_list",
        "funding",
    ]
    assert {code for code, item in found.items() if item.done} == {"roll"}
    assert found["members"].detail == "Publish the members' notice."
    assert found["funding"].detail == "Record the funding received."
    assert all(item.detail for item in found.values() if not item.done)


def test_checklist_items_are_done_as_the_work_is_done(prep: Preparation, township: Township, official: User) -> None:
    group = prep.group
    ready(prep, official, gen_official(township))
    notices.publish(group, "members", date(2026, 9, 2), None, recorded_on=date(2026, 9, 2))
    community = db.session.get_one(Community, group.community_id)
    checklist.record_funding(group, checklist.funding_owed_fen(community), date(2026, 9, 20), "凭证", None)
    found = items(group)
    assert [code for code, item in found.items() if not item.done] == []


def test_funding_below_what_is_owed_is_not_done(prep: Preparation) -> None:
    group = prep.group
    community = db.session.get_one(Community, group.community_id)
    checklist.record_funding(group, checklist.funding_owed_fen(community) - 1, date(2026, 9, 20), "凭证", None)
    assert not items(group)["funding"].done


def test_every_item_not_done_says_what_is_missing(prep: Preparation) -> None:
    group = prep.group
    community = db.session.get_one(Community, group.community_id)
    checklist.record_funding(group, checklist.funding_owed_fen(community) - 1, date(2026, 9, 20), "凭证", None)
    notices.publish(
        group, "voting_rules", ANNOUNCED, None, recorded_on=ANNOUNCED
    )  # published with the default rules, never confirmed
    found = items(group)
    assert not found["funding"].done
    assert not found["voting_rules"].done
    assert all(item.detail for item in found.values() if not item.done)


# --- scheduling -----------------------------------------------------------------------------------------------------


def ready(
    prep: Preparation,
    official: User,
    reviewer: User,
    *,
    announced: date = ANNOUNCED,
    meeting_on: date = EARLIEST,
    skip: tuple[str, ...] = (),
) -> None:
    """Everything Art 13 ¶3 asks for, published on ``announced`` for a meeting from ``meeting_on``."""
    group = prep.group
    checklist.update_meeting(
        group, meeting_on, meeting_on + timedelta(days=6), "both", "审议议事规则、管理规约，选举业主委员会", None
    )
    set_rules(group)
    draft(group, "rules_of_procedure")
    draft(group, "covenant")
    for candidate in prep.candidates.values():
        declare_clean(candidate, official)
        nominations.vet(candidate, True, "", official.id)
    nominations.review_list(nominations.submit_list(group, official.id), True, "", reviewer.id)
    for kind in REQUIRED:
        if kind not in skip:
            notices.publish(group, kind, announced, official.id, recorded_on=announced)


def problems(group: PreparatoryGroup) -> list[str]:
    with force_locale("en"):
        return checklist.schedule_problems(group)


def test_schedule_on_the_sixteenth_day_after_the_notices(prep: Preparation, official: User, reviewer: User) -> None:
    group = prep.group
    ready(prep, official, reviewer)
    assert problems(group) == []
    plan = checklist.schedule(group, official.id)
    assert plan.scheduled_at is not None
    assert plan.scheduled_by_id == official.id
    [event] = audit_events(group, "preparation.schedule")
    assert event.summary == {"starts_on": "2026-10-28", "ends_on": "2026-11-03"}


def test_fifteen_days_after_the_notices_is_one_day_too_early(prep: Preparation, official: User, reviewer: User) -> None:
    group = prep.group
    ready(prep, official, reviewer, meeting_on=EARLIEST - timedelta(days=1))
    found = problems(group)
    names = [
        "Time, form and content of the meeting",
        "Draft rules of procedure",
        "Draft management covenant",
        "Voting rules",
        "Election rules",
        "Candidate list",
    ]
    assert found == [
        f"{name} was published on 2026-10-12; the meeting can be held on 2026-10-28 at the earliest (15 days, "
        "Shaoxing Art 13)."
        for name in names
    ]
    error = refused(checklist.schedule, group, official.id)
    assert (error.code, error.status) == ("announcements_not_run", 409)
    assert plan_of(group).scheduled_at is None
    assert audit_events(group, "preparation.schedule") == []


def test_one_notice_too_recent_is_enough_to_refuse(prep: Preparation, official: User, reviewer: User) -> None:
    group = prep.group
    ready(prep, official, reviewer)
    later = ANNOUNCED + timedelta(days=1)
    notices.publish(group, "covenant", later, official.id, recorded_on=later)  # posted again a day later
    assert problems(group) == [
        "Draft management covenant was published on 2026-10-13; the meeting can be held on 2026-10-29 at the "
        "earliest (15 days, Shaoxing Art 13)."
    ]


@pytest.mark.parametrize("missing", REQUIRED)
def test_a_missing_notice_is_refused(prep: Preparation, official: User, reviewer: User, missing: str) -> None:
    group = prep.group
    ready(prep, official, reviewer, skip=(missing,))
    with force_locale("en"):
        name = str(notices.KINDS[missing])
    assert problems(group) == [f"Not published yet: {name}."]
    assert refused(checklist.schedule, group, official.id).code == "announcements_not_run"


def test_a_roll_published_too_recently_is_refused(prep: Preparation, official: User, reviewer: User) -> None:
    group = prep.group
    ready(prep, official, reviewer)
    community = db.session.get_one(Community, group.community_id)
    version = create_version(community, demo_small_roll()[:31], "补录一户", official.id, "import")
    assert problems(group) == ["Not published yet: Owner roll confirmed and published."]
    roll.publish_version(version, ANNOUNCED + timedelta(days=2), official.id)
    assert problems(group) == [
        "Owner roll confirmed and published was published on 2026-10-14; the meeting can be held on 2026-10-30 at "
        "the earliest (15 days, Shaoxing Art 13)."
    ]


def test_an_open_objection_is_refused_until_answered(prep: Preparation, official: User, reviewer: User) -> None:
    group = prep.group
    ready(prep, official, reviewer)
    notice = notices.latest_notices(group)["candidate_list"]
    objection = notices.record_objection(
        notice, "张三", "1幢101", "候选人欠费", official.id, prep.candidates["self"].id
    )
    assert problems(group) == ["Answer every objection to the notices first."]
    assert refused(checklist.schedule, group, official.id).code == "announcements_not_run"
    notices.answer_objection(objection, "经核实未欠费", official.id)
    assert problems(group) == []


def test_an_objection_to_the_members_notice_also_counts(prep: Preparation, official: User, reviewer: User) -> None:
    group = prep.group
    ready(prep, official, reviewer)
    members = notices.publish(group, "members", date(2026, 9, 2), official.id, recorded_on=date(2026, 9, 2))
    notices.record_objection(members, "张三", "1幢101", "异议", official.id)
    assert problems(group) == ["Answer every objection to the notices first."]


def test_a_document_changed_after_its_notice_is_refused(prep: Preparation, official: User, reviewer: User) -> None:
    group = prep.group
    ready(prep, official, reviewer)
    checklist.schedule(group, official.id)
    plan = plan_of(group)
    checklist.edit_document(group, "covenant", plan.covenant_text + "\n附则：本规约自通过之日起生效。", None)
    assert plan.scheduled_at is None  # any change un-schedules the meeting
    assert problems(group) == ["Draft management covenant changed after its notice; publish it again."]
    notices.publish(group, "covenant", ANNOUNCED, official.id, recorded_on=ANNOUNCED)
    assert problems(group) == []


def test_changed_rules_after_their_notices_are_refused(prep: Preparation, official: User, reviewer: User) -> None:
    group = prep.group
    ready(prep, official, reviewer)
    set_rules(group)  # the same rules confirmed again: nothing changed
    assert problems(group) == []
    set_rules(group, seats=9, max_alternates=4)
    assert problems(group) == ["Election rules changed after its notice; publish it again."]
    set_rules(group, count_parking=False)
    assert problems(group) == [
        "Voting rules changed after its notice; publish it again.",
    ]


def test_a_changed_meeting_after_its_notice_is_refused(prep: Preparation, official: User, reviewer: User) -> None:
    group = prep.group
    ready(prep, official, reviewer)
    checklist.update_meeting(group, EARLIEST + timedelta(days=1), EARLIEST + timedelta(days=7), "both", "新内容", None)
    assert problems(group) == ["Time, form and content of the meeting changed after its notice; publish it again."]


def test_the_meeting_must_lie_in_the_future(
    prep: Preparation, official: User, reviewer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = prep.group
    ready(prep, official, reviewer)
    monkeypatch.setattr(checklist, "today", lambda: EARLIEST)
    assert problems(group) == ["The meeting's first day must lie in the future."]
    monkeypatch.setattr(checklist, "today", lambda: EARLIEST - timedelta(days=1))
    assert problems(group) == []


def test_no_meeting_dates_no_schedule(prep: Preparation, official: User) -> None:
    assert problems(prep.group) == ["Set the meeting's dates first."]
    assert refused(checklist.schedule, prep.group, official.id).code == "announcements_not_run"


def test_nothing_published_lists_every_missing_notice(prep: Preparation) -> None:
    group = prep.group
    checklist.update_meeting(group, EARLIEST, EARLIEST, "both", "内容", None)
    found = problems(group)
    assert len(found) == len(REQUIRED)
    assert all(problem.startswith("Not published yet: ") for problem in found)
