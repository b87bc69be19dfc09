"""The preparation of the first assembly meeting through /api/v1 with bearer tokens: the township forms the group
(Shaoxing Arts 11, 12), the group completes its checklist, publishes notices and vets candidates (Art 13), the
township reviews the list (four eyes); scope (another township's official gets 404), rights (403), and ID numbers
that are accepted but never returned."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from app.auth import services as accounts
from app.auth.models import Role
from app.calendar.services import current_calendar
from app.extensions import db
from app.preparation import candidates as nominations
from app.preparation import notices
from app.preparation.models import GroupMember, MeetingPlan, PreparatoryGroup
from app.privacy import mask_name
from app.rules.calendar import notice_end
from app.rules.preparation import earliest_meeting
from tests.factories import gen_community, gen_member, gen_official, gen_township
from tests.preparation.helpers import (
    FORMED_ON,
    REQUESTED_ON,
    cosigners_of,
    declare_clean,
    freeze_today,
    gen_preparation,
    load_roll,
    roll_owners,
    valid_members,
)
from tests.roll_flow.helpers import audit_events

#: an ID number that passes its checksum but belongs to no owner of the demo roll
NOT_AN_OWNER = "11010519491231002X"


class Api:
    def __init__(self, client: Any, secret: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, url: str) -> Any:
        return self.client.get(f"/api/v1{url}", headers=self.headers)

    def post(self, url: str, json: dict[str, Any] | None = None) -> Any:
        return self.client.post(f"/api/v1{url}", json=json or {}, headers=self.headers)

    def put(self, url: str, json: dict[str, Any]) -> Any:
        return self.client.put(f"/api/v1{url}", json=json, headers=self.headers)


def api_of(client: Any, user: Any) -> Api:
    secret = accounts.create_api_token(user, "筹备接口").secret
    db.session.commit()
    return Api(client, secret)


def count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def members_payload() -> list[dict[str, Any]]:
    """Seven members valid under Shaoxing Art 12 (the township's leader, four owner representatives on the roll)."""
    return [asdict(member) for member in valid_members(roll_owners())]


def refused(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_json()
    body: dict[str, Any] = response.get_json()
    assert body["code"] == code, body
    assert body["message"]
    return body


@pytest.fixture
def township(app):
    return gen_township()


@pytest.fixture
def community(township):
    community = gen_community(township)
    load_roll(community, gen_official(township))
    db.session.commit()
    return community


@pytest.fixture
def official(client, township) -> Api:
    return api_of(client, gen_official(township))


@pytest.fixture
def second_official(client, township) -> Api:
    return api_of(client, gen_official(township))


@pytest.fixture
def member(client, community) -> Api:
    """A member of the community's preparatory group."""
    return api_of(client, gen_member(community))


@pytest.fixture
def stranger(client) -> Api:
    """An official of another township."""
    return api_of(client, gen_official(gen_township()))


def formed_group(official: Api, community: Any) -> int:
    response = official.post(
        f"/communities/{community.id}/preparation",
        {"kind": "developer_report", "requested_on": REQUESTED_ON.isoformat(), "note": "建设单位书面报告"},
    )
    assert response.status_code == 201, response.get_json()
    group_id: int = response.get_json()["id"]
    response = official.post(
        f"/preparation/{group_id}/formation", {"formed_on": FORMED_ON.isoformat(), "members": members_payload()}
    )
    assert response.status_code == 200, response.get_json()
    return group_id


def joint_nomination(owners: list[Any], cosigners: int = 10) -> dict[str, Any]:
    return {
        "name": owners[6].name,
        "id_number": owners[6].id_number,
        "route": "joint",
        "nominated_on": "2026-09-10",
        "cosigner_id_numbers": [o.id_number for o in cosigners_of(owners, cosigners)],
        "statement": "愿为业主服务。",
    }


CLEAN_PROFILE = {
    "statement": "热心公益，愿为业主服务。",
    "party_member": True,
    "peoples_congress_deputy": False,
    "cppcc_member": False,
    "declaration_made": True,
    "declared_acts": [],
    "property_company_tie": False,
}


# --- the group ------------------------------------------------------------------------------------------------------


def test_the_township_forms_the_group_and_an_invalid_composition_stores_nothing(official, member, community):
    response = official.post(
        f"/communities/{community.id}/preparation",
        {"kind": "developer_report", "requested_on": REQUESTED_ON.isoformat()},
    )
    assert response.status_code == 201
    body = response.get_json()
    group_id = body["id"]
    assert (body["stage"], body["number"], body["formed_on"], body["plan"]) == ("awaiting_group", 1, None, None)
    (clock,) = body["clocks"]
    assert (clock["code"], clock["event_date"], clock["due"]) == ("form_group", "2026-08-03", "2026-10-08")
    assert clock["done"] is False
    assert body["funding"]["owed_fen"] == 12_345_678  # 1 yuan per m² of 123,456.78 m² (Art 15)
    again = {"kind": "owners_application", "requested_on": "2026-08-05"}
    refused(official.post(f"/communities/{community.id}/preparation", again), 409, "preparation_running")

    owners = roll_owners()
    invalid = [
        {"name": owners[0].name, "role": "owner_representative", "id_number": owners[0].id_number, "is_leader": True},
        {"name": "王不在", "role": "owner_representative", "id_number": NOT_AN_OWNER},
        {"name": "陈建国", "role": "township"},
    ]
    body = refused(
        official.post(f"/preparation/{group_id}/formation", {"formed_on": "2026-09-01", "members": invalid}),
        422,
        "invalid_composition",
    )
    assert body["details"] == {"field": "members"}
    assert "王不在" in body["message"]  # the owner representative who is not on the roll is named
    group = db.session.get(PreparatoryGroup, group_id)
    assert group.formed_on is None
    assert (count(GroupMember), count(MeetingPlan)) == (0, 0)
    assert audit_events("preparation.form") == []

    valid = {"formed_on": FORMED_ON.isoformat(), "members": members_payload()}
    refused(member.post(f"/preparation/{group_id}/formation", valid), 403, "forbidden")
    response = official.post(f"/preparation/{group_id}/formation", valid)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["stage"], body["formed_on"]) == ("group_formed", "2026-09-01")
    assert [m["role"] for m in body["members"]][:2] == ["township", "owner_representative"]
    assert [m["on_roll"] for m in body["members"] if m["role"] == "owner_representative"] == [True] * 4
    assert all("id_number" not in m for m in body["members"])
    assert [c["code"] for c in body["clocks"]] == ["form_group", "announce_members", "first_meeting"]
    assert body["clocks"][0]["done"] is True
    assert body["checklist"][0] == {
        "code": "members",
        "label": body["checklist"][0]["label"],
        "done": False,
        "detail": body["checklist"][0]["detail"],
    }
    assert body["plan"]["seats"] == 7
    assert len(audit_events("preparation.form", group_id)) == 1
    refused(official.post(f"/preparation/{group_id}/formation", valid), 409, "group_formed")


def test_the_group_cannot_record_the_request(member, community):
    body = {"kind": "owners_application", "requested_on": "2026-08-03"}
    refused(member.post(f"/communities/{community.id}/preparation", body), 403, "forbidden")
    assert count(PreparatoryGroup) == 0


def test_members_change_with_a_reason_and_the_same_checks(official, member, community):
    group_id = formed_group(official, community)
    members = members_payload()
    without_owners = [m for m in members if m["role"] != "owner_representative"]
    body = {"members": without_owners, "reason": "业主代表调整"}
    refused(member.put(f"/preparation/{group_id}/members", body), 403, "forbidden")
    refused(official.put(f"/preparation/{group_id}/members", body), 422, "invalid_composition")
    assert count(GroupMember) == 7

    members[1]["contact"] = "13800000000"
    response = official.put(f"/preparation/{group_id}/members", {"members": members, "reason": "更正联系方式"})
    assert response.status_code == 200
    assert response.get_json()["members"][1]["contact"] == "13800000000"
    members[1]["contact"] = "138\x0000000000"
    body = refused(
        official.put(f"/preparation/{group_id}/members", {"members": members, "reason": "x"}), 422, "http_422"
    )
    assert "members" in body["details"]["json"]


def test_extension_and_dissolution_by_the_township(official, member, community):
    group_id = formed_group(official, community)
    extension = {"extended_on": "2026-11-20", "reason": "首次会议未通过管理规约"}
    refused(member.post(f"/preparation/{group_id}/extension", extension), 403, "forbidden")
    response = official.post(f"/preparation/{group_id}/extension", extension)
    assert response.status_code == 200
    body = response.get_json()
    assert body["extended_on"] == "2026-11-20"
    assert body["clocks"][-1]["code"] == "first_meeting_extended"
    refused(official.post(f"/preparation/{group_id}/extension", extension), 409, "already_extended")

    dissolution = {"dissolved_on": "2026-11-25", "reason": "工作期限届满"}
    refused(member.post(f"/preparation/{group_id}/dissolution", dissolution), 403, "forbidden")
    response = official.post(f"/preparation/{group_id}/dissolution", dissolution)
    assert response.status_code == 200
    assert (response.get_json()["stage"], response.get_json()["checklist"]) == ("dissolved", [])
    refused(official.get(f"/communities/{community.id}/preparation"), 404, "no_preparation")
    response = official.post(
        f"/communities/{community.id}/preparation", {"kind": "owners_application", "requested_on": "2026-11-26"}
    )
    assert response.status_code == 201
    assert response.get_json()["number"] == 2


# --- the checklist, notices, candidates and the review -------------------------------------------------------------


def test_from_the_plan_to_the_approved_list(official, second_official, member, community, monkeypatch):
    group_id = formed_group(official, community)
    owners = roll_owners()

    # the meeting and the rules
    meeting = {
        "meeting_starts_on": "2026-12-20",
        "meeting_ends_on": "2026-12-27",
        "meeting_form": "both",
        "meeting_content": "审议议事规则、管理规约；选举业主委员会。",
    }
    response = member.put(f"/preparation/{group_id}/meeting", meeting)
    assert response.status_code == 200
    assert response.get_json()["plan"]["meeting_starts_on"] == "2026-12-20"
    rules = {
        "count_parking": True,
        "blank_and_invalid_take_part": True,
        "rank_by": "heads,area",
        "seats": 6,
        "max_alternates": 3,
        "min_committee_members": 5,
        "alternates_list": "one_list",
    }
    body = refused(member.put(f"/preparation/{group_id}/rules", rules), 422, "invalid_election_rules")
    assert body["details"] == {"field": "seats"}
    assert db.session.get(PreparatoryGroup, group_id).plan.voting_rules_confirmed_at is None
    response = member.put(f"/preparation/{group_id}/rules", {**rules, "seats": 9, "max_alternates": 4})
    assert response.status_code == 200
    assert (response.get_json()["plan"]["seats"], response.get_json()["plan"]["max_alternates"]) == (9, 4)
    assert response.get_json()["plan"]["voting_rules_confirmed_at"]

    # the rules of procedure: drafted from the model text, then edited
    response = member.get(f"/preparation/{group_id}/documents/rules_of_procedure")
    assert response.status_code == 200
    fields = response.get_json()["fields"]
    assert (fields["community_name"], fields["committee_seats"], response.get_json()["text"]) == (
        community.name,
        "9",
        "",
    )
    response = member.put(f"/preparation/{group_id}/documents/rules_of_procedure", {"fields": {"term_years": "3"}})
    assert response.status_code == 200, response.get_json()
    drafted = response.get_json()
    assert drafted["fields"]["term_years"] == "3"
    assert community.name in drafted["text"]
    refused(
        member.put(f"/preparation/{group_id}/documents/covenant", {"fields": {"no_such_field": "x"}}),
        422,
        "invalid_field",
    )
    refused(member.put(f"/preparation/{group_id}/documents/covenant", {"fields": {}, "text": "x"}), 422, "http_422")
    response = member.put(
        f"/preparation/{group_id}/documents/rules_of_procedure", {"text": drafted["text"] + "\n附：补充条款。"}
    )
    assert response.get_json()["text"].endswith("附：补充条款。")
    assert member.get(f"/preparation/{group_id}/documents/essay").status_code == 404

    # the members' notice and its period, recorded the day it is posted
    freeze_today(monkeypatch, date(2026, 9, 2))
    response = member.post(f"/communities/{community.id}/notices", {"kind": "members", "starts_on": "2026-09-02"})
    monkeypatch.undo()
    assert response.status_code == 201, response.get_json()
    notice_id = response.get_json()["id"]
    notice = member.get(f"/notices/{notice_id}").get_json()
    calendar = current_calendar()
    assert (notice["kind"], notice["starts_on"]) == ("members", "2026-09-02")
    assert notice["ends_on"] == notice_end(calendar, date(2026, 9, 2), 5).isoformat() == "2026-09-09"
    assert notice["earliest_meeting_on"] == earliest_meeting(calendar, date(2026, 9, 2)).isoformat()
    assert notice["title"] == notices.TITLES["members"]
    assert owners[0].name in notice["body"]
    listed = member.get(f"/communities/{community.id}/notices").get_json()
    assert [n["id"] for n in listed] == [notice_id]
    assert "body" not in listed[0]
    assert member.get(f"/communities/{community.id}/preparation").get_json()["stage"] == "preparing"

    # an objection and its answer
    response = member.post(
        f"/notices/{notice_id}/objections",
        {"objector_name": "张三", "unit_label": "1幢1单元101", "description": "联系电话有误"},
    )
    assert response.status_code == 201
    objection_id = response.get_json()["id"]
    assert member.get(f"/communities/{community.id}/preparation").get_json()["open_objections"] == 1
    assert member.get(f"/notices/{notice_id}").get_json()["objections"][0]["objector_name"] == "张三"
    response = member.post(f"/notice-objections/{objection_id}/answer", {"answer": "已更正。"})
    assert (response.status_code, response.get_json()["status"]) == (200, "answered")
    refused(member.post(f"/notice-objections/{objection_id}/answer", {"answer": "再答"}), 409, "objection_answered")

    # a joint nomination: ten co-signers on the roll (nine are too few)
    refused(
        member.post(f"/communities/{community.id}/candidates", joint_nomination(owners, 9)),
        422,
        "invalid_joint_nomination",
    )
    response = member.post(f"/communities/{community.id}/candidates", joint_nomination(owners))
    assert response.status_code == 201, response.get_json()
    candidate = response.get_json()
    candidate_id = candidate["id"]
    assert (candidate["route"], candidate["status"], len(candidate["cosigners"])) == ("joint", "nominated", 10)
    assert candidate["cosigners"][0]["name"] == mask_name(owners[7].name)  # as on the candidate's page
    assert {c["code"]: c["outcome"] for c in candidate["checks"]} == {
        "on_roll": "pass",
        "full_civil_capacity": "pass",
        "no_arrears_after_demand": "pass",
        "no_prohibited_act": "pending",
        "no_property_company_tie": "pending",
        "single": "pass",
    }
    refused(member.post(f"/candidates/{candidate_id}/vetting", {"accept": True}), 409, "not_eligible")
    response = member.put(f"/candidates/{candidate_id}/profile", CLEAN_PROFILE)
    assert response.status_code == 200
    assert response.get_json()["eligible"] is True
    response = member.post(f"/candidates/{candidate_id}/vetting", {"accept": True, "reason": "资格审查通过"})
    assert (response.status_code, response.get_json()["status"]) == (200, "accepted")
    assert [c["id"] for c in member.get(f"/communities/{community.id}/candidates").get_json()] == [candidate_id]

    # the group submits; a group member cannot decide; the township approves
    response = member.post(f"/communities/{community.id}/candidate-list")
    assert response.status_code == 201
    review = response.get_json()
    assert (review["decision"], review["candidate_ids"]) == ("pending", [candidate_id])
    assert member.get(f"/communities/{community.id}/preparation").get_json()["stage"] == "list_under_review"
    refused(member.post(f"/candidate-lists/{review['id']}/review", {"approve": True}), 403, "forbidden")
    refused(member.post(f"/communities/{community.id}/candidates", joint_nomination(owners)), 409, "list_locked")
    response = second_official.post(f"/candidate-lists/{review['id']}/review", {"approve": True})
    assert (response.status_code, response.get_json()["decision"]) == (200, "approved")
    preparation = member.get(f"/communities/{community.id}/preparation").get_json()
    assert (preparation["stage"], preparation["candidate_list"]["decision"]) == ("list_approved", "approved")

    # the meeting cannot be scheduled while the announcements have not run
    refused(member.post(f"/preparation/{group_id}/schedule"), 409, "announcements_not_run")
    assert preparation["schedule_problems"]


def test_four_eyes_the_official_who_submitted_the_list_cannot_decide_it(official, second_official, community):
    formed_group(official, community)
    response = official.post(f"/communities/{community.id}/candidates", joint_nomination(roll_owners()))
    candidate_id = response.get_json()["id"]
    official.put(f"/candidates/{candidate_id}/profile", CLEAN_PROFILE)
    official.post(f"/candidates/{candidate_id}/vetting", {"accept": True})
    review_id = official.post(f"/communities/{community.id}/candidate-list").get_json()["id"]

    refused(official.post(f"/candidate-lists/{review_id}/review", {"approve": True}), 403, "four_eyes")
    assert (
        official.get(f"/communities/{community.id}/preparation").get_json()["candidate_list"]["decision"] == "pending"
    )
    refused(second_official.post(f"/candidate-lists/{review_id}/review", {"approve": False}), 422, "invalid_reasons")
    response = second_official.post(f"/candidate-lists/{review_id}/review", {"approve": False, "reasons": "请补充材料"})
    assert (response.status_code, response.get_json()["decision"]) == (200, "returned")
    assert official.get(f"/candidates/{candidate_id}").get_json()["status"] == "nominated"


def test_funding_in_fen(official, member, community):
    group_id = formed_group(official, community)
    body = {"amount_fen": 12_345_678, "received_on": "2026-09-03", "reference": "银行回单 20260903"}
    for wrong in (0, -1, 10**12 + 1, "12345678", 1.5):
        refused(member.post(f"/preparation/{group_id}/funding", {**body, "amount_fen": wrong}), 422, "http_422")
    response = member.post(f"/preparation/{group_id}/funding", body)
    assert response.status_code == 200
    assert response.get_json()["funding"] == {
        "owed_fen": 12_345_678,
        "received_fen": 12_345_678,
        "received_on": "2026-09-03",
        "reference": "银行回单 20260903",
    }
    funding = next(item for item in response.get_json()["checklist"] if item["code"] == "funding")
    assert funding["done"] is True


def test_an_unpaid_demand_bars_the_candidate_until_paid(client, township, official, member, community):
    formed_group(official, community)
    owners = roll_owners()
    candidate = member.post(f"/communities/{community.id}/candidates", joint_nomination(owners)).get_json()
    demand = {
        "id_number": owners[6].id_number,
        "kind": "property_fee",
        "amount_fen": 180_000,
        "demanded_on": "2026-09-05",
    }
    refused(
        member.post(f"/communities/{community.id}/arrears", {**demand, "id_number": NOT_AN_OWNER}), 422, "not_on_roll"
    )
    response = member.post(f"/communities/{community.id}/arrears", demand)
    assert response.status_code == 201
    demand_id = response.get_json()["id"]
    assert response.get_json()["owner_name"] == mask_name(owners[6].name)
    assert "id_number" not in response.get_json()

    checks = {c["code"]: c for c in member.get(f"/candidates/{candidate['id']}").get_json()["checks"]}
    arrears = checks["no_arrears_after_demand"]
    assert arrears["outcome"] == "fail"
    assert arrears["evidence"]["unpaid"] == [
        {"kind": "property_fee", "amount_fen": 180_000, "demanded_on": "2026-09-05", "paid_on": None}
    ]
    observer = api_of(client, gen_member(community, role=Role.OBSERVER))  # sees the check, not the amount owed
    seen = {c["code"]: c for c in observer.get(f"/candidates/{candidate['id']}").get_json()["checks"]}
    assert seen["no_arrears_after_demand"]["evidence"]["unpaid"] == [
        {"kind": "property_fee", "demanded_on": "2026-09-05", "paid_on": None}
    ]
    refused(member.post(f"/arrears/{demand_id}/payment", {"paid_on": "2026-09-01"}), 422, "invalid_paid_on")
    response = member.post(f"/arrears/{demand_id}/payment", {"paid_on": "2026-09-20"})
    assert (response.status_code, response.get_json()["paid_on"]) == (200, "2026-09-20")
    checks = {c["code"]: c for c in member.get(f"/candidates/{candidate['id']}").get_json()["checks"]}
    assert checks["no_arrears_after_demand"]["outcome"] == "pass"
    assert [d["id"] for d in member.get(f"/communities/{community.id}/arrears").get_json()] == [demand_id]


# --- scope and personal data ---------------------------------------------------------------------------------------


@pytest.fixture
def prepared(community, township):
    """A formed group with three nominations, the members' notice, an objection, a demand and a submitted list."""
    author = gen_official(township)
    made = gen_preparation(community, author)
    notice = notices.publish(made.group, "members", date(2026, 9, 2), author.id, recorded_on=date(2026, 9, 2))
    objection = notices.record_objection(notice, "张三", "1幢1单元101", "联系电话有误", author.id)
    demand = nominations.record_demand(
        community,
        id_number=made.owners[5].id_number,
        kind="maintenance_fund",
        amount_fen=50_000,
        demanded_on=date(2026, 9, 5),
        user_id=author.id,
    )
    for candidate in made.candidates.values():
        declare_clean(candidate, author)
    nominations.vet(made.candidates["self"], True, "", author.id)
    nominations.vet(made.candidates["residents_committee"], False, "欠费未缴", author.id)
    nominations.vet(made.candidates["joint"], True, "", author.id)
    review = nominations.submit_list(made.group, author.id)
    db.session.commit()
    return {
        "made": made,
        "group": made.group.id,
        "notice": notice.id,
        "objection": objection.id,
        "candidate": made.candidates["joint"].id,
        "review": review.id,
        "demand": demand.id,
    }


def test_another_townships_official_finds_nothing(stranger, official, prepared, community):
    ids = prepared
    for url, code in (
        (f"/communities/{community.id}/preparation", "community_not_found"),
        (f"/communities/{community.id}/candidates", "community_not_found"),
        (f"/communities/{community.id}/notices", "community_not_found"),
        (f"/preparation/{ids['group']}/documents/covenant", "group_not_found"),
        (f"/notices/{ids['notice']}", "notice_not_found"),
        (f"/candidates/{ids['candidate']}", "candidate_not_found"),
    ):
        refused(stranger.get(url), 404, code)
        assert official.get(url).status_code in (200, 409), url  # the documents need a plan: 200
    for url, body, code in (
        (f"/preparation/{ids['group']}/formation", {}, "group_not_found"),
        (f"/preparation/{ids['group']}/extension", {}, "group_not_found"),
        (f"/preparation/{ids['group']}/schedule", {}, "group_not_found"),
        (f"/candidates/{ids['candidate']}/vetting", {"accept": False, "reason": "x"}, "candidate_not_found"),
        (f"/notices/{ids['notice']}/objections", {}, "notice_not_found"),
        (f"/notice-objections/{ids['objection']}/answer", {"answer": "x"}, "objection_not_found"),
        (f"/candidate-lists/{ids['review']}/review", {"approve": True}, "candidate_list_not_found"),
        (f"/arrears/{ids['demand']}/payment", {"paid_on": "2026-09-20"}, "demand_not_found"),
        (f"/communities/{community.id}/notices", {"kind": "funding", "starts_on": "2026-09-20"}, "community_not_found"),
    ):
        refused(stranger.post(url, body), 404, code)  # before the body is checked: no 422
    refused(stranger.put(f"/preparation/{ids['group']}/rules", {}), 404, "group_not_found")
    refused(stranger.put(f"/candidates/{ids['candidate']}/profile", {}), 404, "candidate_not_found")


def test_responses_never_contain_an_id_number(official, member, prepared, community):
    ids = prepared
    member_urls = [
        f"/communities/{community.id}/preparation",
        f"/communities/{community.id}/candidates",
        f"/communities/{community.id}/notices",
        f"/communities/{community.id}/arrears",
        f"/notices/{ids['notice']}",
        f"/preparation/{ids['group']}/documents/rules_of_procedure",
        *(f"/candidates/{candidate.id}" for candidate in ids["made"].candidates.values()),
    ]
    id_numbers = [owner.id_number for owner in roll_owners()]
    for api in (official, member):
        for url in member_urls:
            response = api.get(url)
            assert response.status_code == 200, (url, response.get_json())
            text = response.get_data(as_text=True)
            assert not [n for n in id_numbers if n in text], url
            assert "id_number" not in text, url
            assert "owner_lookup" not in text, url
    joint = official.get(f"/candidates/{ids['candidate']}").get_json()
    assert len(joint["cosigners"]) == 10
    assert set(joint["cosigners"][0]) == {"position", "name", "unit_labels"}
    document = official.get("/openapi.json").get_json()
    for name in ("MemberIn", "Nomination", "DemandIn"):
        assert document["components"]["schemas"][name]["properties"]["id_number"]["writeOnly"] is True
    for name in ("Member", "Candidate", "CandidateDetail", "Demand", "Cosigner"):
        assert "id_number" not in json.dumps(document["components"]["schemas"][name])


def test_reading_is_for_whoever_sees_the_community(client, township, prepared, community):
    observer = api_of(client, gen_official(township, role=Role.OBSERVER))
    assert observer.get(f"/communities/{community.id}/preparation").status_code == 200
    assert observer.get(f"/candidates/{prepared['candidate']}").status_code == 200
    objections = observer.get(f"/notices/{prepared['notice']}").get_json()["objections"]
    assert [o["objector_name"] for o in objections] == [mask_name("张三")]  # as on the notice's page
    refused(observer.get(f"/communities/{community.id}/arrears"), 403, "forbidden")
    refused(observer.post(f"/candidates/{prepared['candidate']}/withdrawal", {"reason": "x"}), 403, "forbidden")
    refused(observer.post(f"/candidate-lists/{prepared['review']}/review", {"approve": True}), 403, "forbidden")


def test_no_token_no_preparation(client, community):
    response = client.get(f"/api/v1/communities/{community.id}/preparation")
    assert (response.status_code, response.get_json()["code"]) == (401, "unauthenticated")
