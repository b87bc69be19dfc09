"""Proxies through /api/v1 (issue 6 items 6 and 10): the convener records written authorisations up to the cap of
three owners per proxy (Zhoushan Art 17), issues the proxy's own link (shown once, found by its token) and revokes a
proxy; another township's official finds nothing (404), an observer may do nothing (403); no response shows a
phone number in clear or the owner's directions (DOMAIN §8)."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from app.auth.models import GroupRole, Role
from app.extensions import db
from app.voting import credentials
from app.voting.proxy_models import Proxy
from tests.api.test_voting_api import Api, api_of, refused
from tests.factories import gen_community, gen_member, gen_official, gen_township
from tests.voting.helpers import OpenMeeting, gen_open_meeting

PHONE = "13900001111"
SCAN = b"%PDF-1.4 signed authorisation"


@dataclass
class World:
    made: OpenMeeting
    convener: Api
    observer: Api
    stranger: Api
    #: the township's official: a second staff member, who approves the written authorisations
    approver: Api


@pytest.fixture
def world(app: Flask, client: Any) -> World:
    township = gen_township()
    community = gen_community(township, "和美家园")
    official = gen_official(township)
    made = World(
        made=gen_open_meeting(community, official),
        convener=api_of(client, gen_member(community, group_role=GroupRole.LEADER)),
        observer=api_of(client, gen_member(community, role=Role.OBSERVER)),
        stranger=api_of(client, gen_official(gen_township())),
        approver=api_of(client, official),
    )
    db.session.commit()
    return made


def authorisation(made: OpenMeeting, index: int, **changes: Any) -> dict[str, Any]:
    """A written authorisation of the meeting's ``index``th voter to PHONE, with a direction on the motion."""
    body = {
        "principal_unit": made.voters[index].units_label.split("、")[0],
        "proxy_name": "王建军",
        "proxy_phone": PHONE,
        "matter_ids": [made.motion.id, made.election.id],
        "directions": {str(made.motion.id): "yes"},
        # each owner signs their own authorisation: one scan per owner (a scan recorded twice is refused)
        "scan_base64": base64.b64encode(SCAN if index == 0 else SCAN + b" %d" % index).decode(),
        "declared_not_property_staff": True,
    }
    return {**body, **changes}


def no_phone_in(response: Any) -> None:
    assert PHONE not in response.get_data(as_text=True)


def test_the_convener_records_up_to_three_per_proxy(world: World) -> None:
    made, url = world.made, f"/meetings/{world.made.meeting.id}/proxies"
    response = world.convener.post(url, authorisation(made, 0))
    assert response.status_code == 201, response.get_json()
    no_phone_in(response)
    body = response.get_json()
    assert body["proxy_phone"] == "139****1111"
    assert body["proxy_name"] == "王*军"
    assert (body["principal_voter_id"], body["status"], body["has_directions"]) == (made.voters[0].id, "active", True)
    assert "directions" not in body
    stored = db.session.get_one(Proxy, body["id"])
    assert stored.scan_sha256 == hashlib.sha256(SCAN).hexdigest()
    assert stored.directions == {str(made.motion.id): "yes"}

    by_id = authorisation(made, 1, principal_unit=None, principal_voter_id=made.voters[1].id, directions={})
    assert world.convener.post(url, by_id).status_code == 201
    assert world.convener.post(url, authorisation(made, 2)).status_code == 201
    # the fourth owner for the same person: over the cap (the service refuses it as a conflict, 409)
    fourth = world.convener.post(url, authorisation(made, 3, proxy_phone="139 0000 1111"))
    refused(fourth, 409, "proxy_cap")
    no_phone_in(fourth)

    listing = world.convener.get(url)
    assert listing.status_code == 200
    no_phone_in(listing)
    rows = listing.get_json()
    assert [row["principal_voter_id"] for row in rows] == [made.voters[i].id for i in (2, 1, 0)]
    assert {row["proxy_phone"] for row in rows} == {"139****1111"}
    assert [row["has_directions"] for row in rows] == [True, False, True]
    assert all("directions" not in row for row in rows)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"principal_unit": "99幢9单元999"}, "unknown_unit"),
        ({"principal_voter_id": 5}, "http_422"),  # both the unit and the voter id
        ({"principal_unit": None}, "http_422"),  # neither
        ({"principal_unit": None, "principal_voter_id": 2147483647}, "unknown_voter"),
        ({"declared_not_property_staff": False}, "property_staff_not_declared"),
        ({"matter_ids": [2147483647]}, "unknown_matter"),
        ({"directions": {"1": "maybe"}}, "http_422"),
        ({"directions": {str(n): "yes" for n in range(1, 102)}}, "http_422"),
        ({"scan_base64": "not base64!"}, "http_422"),
        ({"proxy_phone": "12345"}, "invalid_proxy_phone"),
        ({"proxy_name": "王" * 65}, "http_422"),
    ],
)
def test_a_malformed_authorisation_is_refused(world: World, changes: dict[str, Any], code: str) -> None:
    response = world.convener.post(
        f"/meetings/{world.made.meeting.id}/proxies", authorisation(world.made, 0, **changes)
    )
    refused(response, 422, code)


def recorded(world: World, index: int = 0) -> int:
    """A proxy recorded by the group's leader and approved by the township's official (issue 16 item 2)."""
    response = world.convener.post(f"/meetings/{world.made.meeting.id}/proxies", authorisation(world.made, index))
    assert response.status_code == 201, response.get_json()
    proxy_id = int(response.get_json()["id"])
    assert response.get_json()["confirmed_via"] is None
    approved = world.approver.post(f"/proxies/{proxy_id}/approval")
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["confirmed_via"] == "second_staff"
    return proxy_id


def test_the_proxys_link_is_shown_once_and_found_by_its_token(world: World) -> None:
    proxy_id = recorded(world)
    response = world.convener.post(f"/proxies/{proxy_id}/credential")
    assert response.status_code == 201, response.get_json()
    assert "no-store" in response.headers["Cache-Control"]
    no_phone_in(response)
    body = response.get_json()
    link = urlsplit(body["link"])
    assert link.path == "/v"  # the token in the query string, never in the path
    [token] = parse_qs(link.query)["t"]
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", body["code"])
    db.session.expire_all()
    found = credentials.find(token=token)
    assert found is not None
    assert (found.id, found.proxy_id, found.meeting_voter_id) == (
        body["credential_id"],
        proxy_id,
        world.made.voters[0].id,
    )


def test_a_revoked_proxy_gets_no_link(world: World) -> None:
    proxy_id = recorded(world)
    issued = world.convener.post(f"/proxies/{proxy_id}/credential").get_json()
    token = parse_qs(urlsplit(issued["link"]).query)["t"][0]
    refused(world.convener.post(f"/proxies/{proxy_id}/revocation", {"reason": ""}), 422, "http_422")
    response = world.convener.post(f"/proxies/{proxy_id}/revocation", {"reason": "业主撤回委托"})
    assert response.status_code == 200, response.get_json()
    no_phone_in(response)
    assert response.get_json()["status"] == "revoked"
    db.session.expire_all()
    assert credentials.find(token=token) is None  # its link stops working at once
    refused(world.convener.post(f"/proxies/{proxy_id}/revocation", {"reason": "再次撤销"}), 409, "proxy_revoked")
    refused(world.convener.post(f"/proxies/{proxy_id}/credential"), 409, "proxy_revoked")


def every_operation(world: World, proxy_id: int) -> list[tuple[str, str, Any]]:
    meeting_id = world.made.meeting.id
    return [
        ("GET", f"/meetings/{meeting_id}/proxies", None),
        ("POST", f"/meetings/{meeting_id}/proxies", authorisation(world.made, 1)),
        ("POST", f"/proxies/{proxy_id}/credential", {}),
        ("POST", f"/proxies/{proxy_id}/revocation", {"reason": "业主撤回委托"}),
    ]


def test_another_townships_official_finds_nothing(world: World) -> None:
    proxy_id = recorded(world)
    for method, url, body in every_operation(world, proxy_id):
        code = "meeting_not_found" if url.startswith("/meetings") else "proxy_not_found"
        refused(world.stranger.call(method, url, body), 404, code)
    refused(world.convener.post("/proxies/2147483647/credential"), 404, "proxy_not_found")


def test_an_observer_may_do_nothing(world: World) -> None:
    proxy_id = recorded(world)
    for method, url, body in every_operation(world, proxy_id):
        refused(world.observer.call(method, url, body), 403, "forbidden")
        if body is not None:  # checked before the body is read
            refused(world.observer.call(method, url, {"matter_ids": "x", "reason": 7}), 403, "forbidden")
    assert db.session.get_one(Proxy, proxy_id).status == "active"
