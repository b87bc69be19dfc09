"""The owners' API (/api/v1/owner…): the same acts as the pages, for a mini-program (issue 20 item 7)."""

from __future__ import annotations

import base64
import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from app.auth import services as accounts
from app.extensions import db
from app.roll.models import RollObjection
from app.voting.models import SmsMessage
from tests.governance.test_supervision_helpers import gen_body
from tests.owners.helpers import gen_owner_world


@pytest.fixture
def world(app):
    made = gen_owner_world(units=24)
    gen_body(made.first)
    db.session.commit()
    return made


def _sign_in(client, phone: str) -> dict[str, str]:
    assert client.post("/api/v1/owner/sign-in/code", json={"phone": phone}).status_code == 202
    body = db.session.scalars(select(SmsMessage).order_by(SmsMessage.id.desc())).first().body
    code = re.search(r"\d{6}", body).group(0)
    response = client.post("/api/v1/owner/sign-in", json={"phone": phone, "code": code})
    assert response.status_code == 200
    token = response.json["token"]
    assert token.startswith("gjo_")
    return {"Authorization": f"Bearer {token}"}


def test_an_owner_signs_in_reads_their_communities_and_objects_through_the_api(client, world):
    headers = _sign_in(client, world.shared.phone)
    me = client.get("/api/v1/owner/me", headers=headers).json
    assert sorted(c["name"] for c in me["communities"]) == sorted([world.first.name, world.second.name])
    assert world.shared.name not in str(me)  # masked
    view = client.get(f"/api/v1/owner/communities/{world.first.id}", headers=headers).json
    assert view["roll_notice"] is not None
    assert view["units"][0]["label"] == world.shared.units[0]
    assert view["body"]["kind"] == "committee"
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(out, format="PNG")
    response = client.post(
        f"/api/v1/owner/communities/{world.first.id}/objections",
        headers=headers,
        json={
            "about": "roll",
            "unit_label": world.shared.units[0],
            "text": "面积有误",
            "photo_base64": base64.b64encode(out.getvalue()).decode(),
        },
    )
    assert response.status_code == 201
    assert response.json["number"].startswith("MC-")
    assert response.json["has_photo"] is True
    assert db.session.scalars(select(RollObjection).where(RollObjection.owner_lookup.is_not(None))).one()
    listed = client.get(f"/api/v1/owner/communities/{world.first.id}/objections", headers=headers).json
    assert [o["number"] for o in listed] == [response.json["number"]]


def test_a_proposal_is_drafted_and_signed_and_staff_see_who_signed(client, app, world):
    headers = _sign_in(client, world.shared.phone)
    response = client.post(
        f"/api/v1/owner/communities/{world.first.id}/proposals",
        headers=headers,
        json={"kind": "interim_meeting", "title": "更换物业", "text": ""},
    )
    assert response.status_code == 201
    petition = response.json
    assert (petition["heads"], petition["i_signed"], petition["i_drafted"]) == (1, True, True)
    again = client.post(f"/api/v1/owner/petitions/{petition['id']}/sign", headers=headers)
    assert (again.status_code, again.json["code"]) == (409, "already_signed")
    official = accounts.create_api_token(world.official, "测试")
    db.session.commit()
    staff = client.get(
        f"/api/v1/communities/{world.first.id}/petitions", headers={"Authorization": f"Bearer {official.secret}"}
    ).json
    assert [len(p["signatures"]) for p in staff] == [1]
    assert world.shared.name not in str(staff)  # masked


def test_a_staff_token_is_not_an_owner_and_an_owner_token_is_not_staff(client, world):
    official = accounts.create_api_token(world.official, "测试")
    db.session.commit()
    staff = {"Authorization": f"Bearer {official.secret}"}
    assert client.get("/api/v1/owner/me", headers=staff).status_code == 401
    headers = _sign_in(client, world.shared.phone)
    assert client.get(f"/api/v1/communities/{world.first.id}", headers=headers).status_code == 401
