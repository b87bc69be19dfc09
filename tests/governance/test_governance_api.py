"""The governance API (app/api/governance.py): the state, timeline and body read by whoever sees the community; the
township's decisions refused to others and refused by the state machine with their codes."""

from __future__ import annotations

from typing import Any

from flask import Flask

from app.auth.models import Role
from app.extensions import db
from app.governance import bodies
from app.governance.body_models import GoverningBody
from tests.api.test_voting_api import api_of, refused
from tests.factories import gen_member, gen_official, gen_township
from tests.governance.pipeline import body_account
from tests.preparation.helpers import roll_owners, valid_members
from tests.results.helpers_lifecycle import Voted


def test_the_committee_through_the_api(app: Flask, client: Any, elected: tuple[Voted, GoverningBody]) -> None:
    voted, body = elected
    community = voted.community
    official, member = api_of(client, voted.official), api_of(client, gen_member(community, role=Role.OBSERVER))
    committee = api_of(client, body_account(community, body, "the-chair"))
    stranger = api_of(client, gen_official(gen_township()))
    db.session.commit()
    url = f"/communities/{community.id}"

    read = member.get(f"{url}/governance").get_json()
    assert read["state"] == "committee"
    assert [e["event"] for e in read["timeline"]] == ["form_group", "first_meeting_certified"]
    assert read["body"]["kind"] == "committee"
    assert read["allowed_events"] == ["election_certified", "form_re_election_group"]
    refused(stranger.get(f"{url}/governance"), 404, "community_not_found")

    first = bodies.serving(body)[0]
    leave = {"member_id": first.id, "reason": "resigned", "left_on": body.formed_on.isoformat()}
    refused(member.post(f"{url}/body/leaving", leave), 403, "forbidden")
    refused(official.post(f"{url}/body/leaving", leave), 403, "forbidden")  # the committee acts, not the township
    after = committee.post(f"{url}/body/leaving", leave)
    assert after.status_code == 200, after.get_json()
    seats = [m for m in after.get_json()["body"]["members"] if m["left_on"] is None and m["seat"] == "member"]
    assert len(seats) == 5  # the alternate moved up
    refused(committee.post(f"{url}/body/leaving", leave), 409, "already_left")
    refused(committee.post(f"{url}/body/leaving", {**leave, "member_id": 2**31 - 1}), 404, "member_not_found")

    chair = seats[0]["id"]
    chosen = committee.post(f"{url}/body/officers", {"chair": chair, "vice_chairs": [seats[1]["id"]]}).get_json()
    assert [m["office"] for m in chosen["body"]["members"] if m["id"] == chair] == ["chair"]
    filed = committee.post(f"{url}/body/filing", {"filed_on": body.formed_on.isoformat()}).get_json()
    assert filed["body"]["filed_on"] == body.formed_on.isoformat()
    group = {"members": [vars(m) for m in valid_members(roll_owners())]}
    refused(committee.post(f"{url}/body/re-election-group", group), 403, "forbidden")
    refused(official.post(f"{url}/body/re-election-group", group), 409, "re_election_not_due")

    # the committee convenes through its own account; the township may not
    meeting = {"title": "第二次业主大会会议", "opens_on": "2027-01-10", "closes_on": "2027-01-17"}
    refused(official.post(f"{url}/meetings/convened", meeting), 403, "forbidden")
    convened = committee.post(f"{url}/meetings/convened", meeting)
    assert convened.status_code == 201, convened.get_json()
    meeting_id = convened.get_json()["meeting_id"]
    assert convened.get_json()["body_id"] == body.id
    refused(committee.post(f"/meetings/{meeting_id}/election", {"seats": 5}), 409, "list_not_approved")
    refused(official.post(f"/meetings/{meeting_id}/candidate-list"), 403, "forbidden")
    refused(official.post(f"{url}/governance/conversion", {"decision": "convert", "reason": "x"}), 409, "not_now")
    refused(official.post(f"{url}/governance/conversion", {"decision": "maybe", "reason": "x"}), 422, "http_422")


def test_the_township_invites_a_bodys_member_through_the_api(
    app: Flask, client: Any, elected: tuple[Voted, GoverningBody]
) -> None:
    voted, body = elected
    official = api_of(client, voted.official)
    db.session.commit()
    url = f"/communities/{voted.community.id}/accounts"
    account = {"username": "api-chair", "display_name": "主任", "password": "a-long-password-1", "role": "body_member"}
    refused(official.post(url, account), 422, "invalid_body")  # a body member needs the body and the office
    refused(official.post(url, {**account, "body_id": 2**31 - 1, "office": "chair"}), 422, "invalid_body")
    made = official.post(url, {**account, "body_id": body.id, "office": "chair"})
    assert made.status_code == 201, made.get_json()
    (grant,) = made.get_json()["grants"]
    assert (grant["role"], grant["body_id"], grant["group_role"]) == ("body_member", body.id, "chair")
