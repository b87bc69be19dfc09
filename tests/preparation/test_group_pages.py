"""The preparation pages: recording the request, forming the group through the members form (refused with the reason
when the composition breaks Shaoxing Art 12), the plan, the documents, funding, and who may do each."""

from __future__ import annotations

import re
from datetime import date

from app.extensions import db
from app.preparation import group as groups
from app.preparation.models import PreparatoryGroup
from tests.factories import gen_community, gen_member, gen_official, gen_township
from tests.preparation.helpers import gen_preparation, load_roll, roll_owners


def _messages(body: str) -> list[str]:
    return re.findall(r'role="(?:alert|status)"[^>]*>([^<]*)<', body)


def _members_data(rows: list[dict[str, str]], formed_on: str = "2026-09-02") -> dict[str, str]:
    data = {"formed_on": formed_on}
    for number, row in enumerate(rows):
        data.update({f"members-{number}-{key}": value for key, value in row.items()})
    return data


def test_the_township_records_the_request_and_forms_the_group(app, client, auth):
    township = gen_township()
    community = gen_community(township)
    official = gen_official(township, "former")
    load_roll(community, official)
    db.session.commit()
    auth.login("former")
    page = f"/communities/{community.id}/preparation"
    response = auth.post(
        f"/communities/{community.id}/preparation/request",
        {"kind": "developer_report", "requested_on": "2026-08-20", "note": ""},
        form_page=page,
    )
    assert response.status_code == 302
    group = groups.current_group(community)
    assert group is not None
    assert group.requested_on == date(2026, 8, 20)

    owners = roll_owners()
    members_url = f"/preparation/{group.id}/members"
    too_few = _members_data(
        [
            {"name": "陈建国", "role": "township", "is_leader": "y"},
            {"name": "周立新", "role": "developer"},
            {"name": owners[0].name, "role": "owner_representative", "id_number": owners[0].id_number},
            {"name": "何秀珍", "role": "residents_committee"},
        ]
    )
    refused = auth.post(members_url, too_few, form_page=members_url)
    assert refused.status_code == 200
    assert any(
        "1 of 4 members, at least 2 needed" in m or "4 名成员中有 1 名业主代表" in m
        for m in _messages(refused.get_data(as_text=True))
    )
    db.session.refresh(group)
    assert group.formed_on is None
    assert group.members == []

    valid = _members_data(
        [
            {"name": "陈建国", "role": "township", "is_leader": "y", "contact": "0575-87001234"},
            *({"name": o.name, "role": "owner_representative", "id_number": o.id_number} for o in owners[:2]),
            {"name": "何秀珍", "role": "residents_committee"},
        ]
    )
    formed = auth.post(members_url, valid, form_page=members_url)
    assert formed.status_code == 302
    db.session.refresh(group)
    assert group.formed_on == date(2026, 9, 2)
    assert [m.role for m in group.members] == [
        "township",
        "owner_representative",
        "owner_representative",
        "residents_committee",
    ]
    overview = client.get(page).get_data(as_text=True)
    assert owners[0].id_number not in overview
    assert "0575-87001234" in overview


def test_a_group_member_can_prepare_but_not_form_or_dissolve(app, client, auth):
    township = gen_township()
    community = gen_community(township)
    official = gen_official(township)
    made = gen_preparation(community, official, with_candidates=False)
    gen_member(community, "prep-member")
    db.session.commit()
    auth.login("prep-member")
    overview = f"/communities/{community.id}/preparation"
    assert client.get(overview).status_code == 200
    assert client.get(f"/preparation/{made.group.id}/members").status_code == 403
    assert (
        auth.post(
            f"/preparation/{made.group.id}/dissolve",
            {"dissolve-on": "2026-10-01", "dissolve-reason": "x"},
            form_page=overview,
        ).status_code
        == 403
    )
    plan_url = f"/preparation/{made.group.id}/plan"
    saved = auth.post(
        plan_url,
        {
            "meeting-meeting_starts_on": "2026-12-20",
            "meeting-meeting_ends_on": "2026-12-27",
            "meeting-meeting_form": "both",
            "meeting-meeting_content": "表决议事规则和管理规约；选举业主委员会",
        },
        form_page=plan_url,
    )
    assert saved.status_code == 302
    db.session.refresh(made.group)
    assert made.group.plan is not None
    assert made.group.plan.meeting_starts_on == date(2026, 12, 20)
    rules = auth.post(
        plan_url,
        {
            "rules-rank_by": "heads,area",
            "rules-seats": "6",
            "rules-max_alternates": "3",
            "rules-min_committee_members": "5",
            "rules-alternates_list": "one_list",
        },
        form_page=plan_url,
    )
    assert rules.status_code == 302
    assert made.group.plan.voting_rules_confirmed_at is None


def test_another_communitys_member_sees_nothing(app, client, auth):
    township = gen_township()
    community, other = gen_community(township), gen_community(township)
    made = gen_preparation(community, gen_official(township), with_candidates=False)
    gen_member(other, "elsewhere")
    db.session.commit()
    auth.login("elsewhere")
    for url in (
        f"/communities/{community.id}/preparation",
        f"/preparation/{made.group.id}/plan",
        f"/preparation/{made.group.id}/documents/covenant",
    ):
        assert client.get(url).status_code == 404, url
    assert db.session.get(PreparatoryGroup, made.group.id) is not None


def test_the_documents_are_drafted_from_the_model_text_and_edited(app, client, auth):
    township = gen_township()
    community = gen_community(township, "文本小区")
    official = gen_official(township, "drafter")
    made = gen_preparation(community, official, with_candidates=False)
    db.session.commit()
    auth.login("drafter")
    url = f"/preparation/{made.group.id}/documents/rules_of_procedure"
    page = client.get(url).get_data(as_text=True)
    assert 'name="field-term_years"' in page
    drafted = auth.post(url, {"field-term_years": "4", "field-committee_seats": "7"}, form_page=url)
    assert drafted.status_code == 302
    db.session.refresh(made.group)
    assert made.group.plan is not None
    assert "文本小区" in made.group.plan.rules_text
    refused = auth.post(url, {"field-term_years": "6"}, form_page=url)
    assert refused.status_code == 302
    assert made.group.plan.rules_fields["term_years"] == "4"
    edited = auth.post(url, {"doc-text": "第一条 本规则……\n第二条 ……"}, form_page=url)
    assert edited.status_code == 302
    db.session.refresh(made.group)
    assert made.group.plan.rules_text == "第一条 本规则……\n第二条 ……"
